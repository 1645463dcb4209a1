/*
 * db.h — the SQLite connection under the store: opening, migrations, the prepared statements
 * (all SQL of newsmon is in db.c, one table indexed by enum db_sql), transactions and errors.
 *
 * Internal to store/: crawler/ and parsers/ never include it, so sqlite3_stmt never leaves
 * store/. Statements are prepared on first use and kept (SQLITE_PREPARE_PERSISTENT) until
 * db_close; db_stmt hands one out reset, with its bindings cleared.
 */
#ifndef NEWSMON_DB_H
#define NEWSMON_DB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum db_sql {
	/* feeds */
	SQL_FEED_BY_URL,
	SQL_FEED_INSERT,
	SQL_FEED_SET_TITLE,
	SQL_FEED_IDENTITY,
	SQL_FEED_SET_IDENTITY,
	SQL_FEED_FETCHED,
	SQL_FEED_STATE,
	SQL_FETCH_INSERT,
	SQL_FEEDS_UNLIST,
	SQL_FEED_LIST,
	SQL_FEEDS_DUE,
	SQL_FEEDS_HEALTH,
	/* entries */
	SQL_ENTRY_CURRENT,
	SQL_ENTRY_UPSERT,
	SQL_ENTRY_KEYS_OF_FEED,
	SQL_ENTRY_REKEY,
	SQL_FTS_TODO_CREATE,
	SQL_FTS_TODO_ADD,
	SQL_FTS_UNINDEX,
	SQL_FTS_INDEX,
	SQL_FTS_TODO_CLEAR,
	SQL_LINK_INSERT,
	SQL_LINKS_DELETE,
	/* after ingest: tags, duplicates, stories (story.c) */
	SQL_PENDING,
	SQL_PENDING_ADD,
	SQL_ENTRY_WORDS,
	SQL_ENTRY_FOR_LINKING,
	SQL_ENTRY_DONE,
	SQL_TAG_FIND,
	SQL_TAG_INSERT,
	SQL_ENTRY_TAGS_DELETE,
	SQL_ENTRY_TAG_INSERT,
	SQL_ENTRY_TAGS_OF,
	SQL_TERM_DF,
	SQL_TERM_ADD,
	SQL_NEAR_SAME_URL,
	SQL_NEAR_SAME_TITLE,
	SQL_ENTRY_ROLE,
	SQL_STORY_INSERT,
	SQL_STORY_GET,
	SQL_STORY_UPDATE,
	SQL_ENTRY_RELATE,
	SQL_ENTRY_FEATURES,
	SQL_REPOINT_FOLLOW_UPS,
	SQL_REPOINT_DUPLICATES,
	SQL_NEAR_LINKED_TO,
	SQL_NEAR_LINKING_IN,
	SQL_TAG_REPORTS,
	SQL_ENTRY_TAG_REPORTS,
	SQL_STORY_MEMBERS,
	SQL_ALL_ENTRIES,
	/* reading */
	SQL_EXPORT_JSONL,
	SQL_EXPORT_CSV,
	SQL_SEARCH,
	SQL_STORIES,
	SQL_STORY_HEAD,
	SQL_STORY_TIMELINE,
	SQL_ENTRY_TAG_NAMES,
	SQL_REVISIONS_OF,
	SQL_COUNT
};

struct db;

enum db_mode { DB_READ, DB_WRITE };

/* Opens the database at path (DB_WRITE creates it and brings its schema up to date; DB_READ
 * requires it to exist). Sets WAL, synchronous=NORMAL, foreign keys and a busy timeout.
 * Returns the handle, or NULL with a one-line reason in err (errsize bytes): the file is not a
 * database, not newsmon's, newer than this program, read-only when writing was asked for... */
struct db *db_open(const char *path, enum db_mode mode, char *err, size_t errsize);

/* Rolls back an open transaction, finalises the statements and closes. NULL is fine. */
void db_close(struct db *db);

/* The prepared statement for id, reset and unbound, ready to bind; NULL when it cannot be
 * prepared (db_error says why). Borrowed: owned by db until db_close. */
sqlite3_stmt *db_stmt(struct db *db, enum db_sql id);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. Return 0 or -1 (db_error says why). Rollback is safe to
 * call when no transaction is open. */
int db_begin(struct db *db);
int db_commit(struct db *db);
void db_rollback(struct db *db);

/* The page cache a connection starts with, in KiB. */
#define DB_CACHE_KIB 8192

/* Sets the connection's page cache to kib KiB. Returns 0 or -1 (db_error says why). */
int db_cache_size(struct db *db, int kib);

/* The last error as one line ("database or disk is full"), borrowed until the next call. */
const char *db_error(struct db *db);

/* Records an error message of the caller's (e.g. a failed step), formatted. */
void db_set_error(struct db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Binds text of known length (SQLITE_TRANSIENT: copied) or NULL for a NULL pointer. */
int db_bind_text(sqlite3_stmt *st, int index, const char *s);

/* Binds an int64, or NULL when v equals none (e.g. DATE_NONE). */
int db_bind_int64_or_null(sqlite3_stmt *st, int index, int64_t v, int64_t none);

/* Steps st to completion ignoring rows; returns 0 or -1 with db_error set. */
int db_exec_stmt(struct db *db, sqlite3_stmt *st);

/* Ends a loop over st's rows that stopped at rc (SQLITE_ROW when the caller stopped early,
 * SQLITE_DONE at the end, else an error): resets st. Returns 0, or -1 with db_error set. */
int db_end_rows(struct db *db, sqlite3_stmt *st, int rc);

/* The column as a string that is never NULL (""), borrowed until the next step. */
const char *db_text(sqlite3_stmt *st, int column);

/* The underlying handle, for the store modules' rare direct needs (changes counts). */
sqlite3 *db_handle(struct db *db);

#endif
