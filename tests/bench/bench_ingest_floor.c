/*
 * bench_ingest_floor.c — the floor for `newsmon import`: the same entry rows written to a fresh
 * SQLite file by the plainest loop there is.
 *
 * Usage: bench_ingest_floor [--fts] DB MANIFEST
 *   MANIFEST has one "URL<TAB>FILE" line per feed document (tests/bench/gen_ingest.py writes
 *   it); DB must not exist. --fts adds newsmon's full-text index (the same FTS5 table,
 *   external content, unicode61 remove_diacritics 2, automerge 16, crisismerge 64), filled
 *   in each document's transaction by one INSERT ... SELECT over its rows: what the
 *   full-text search the store must keep costs on its own.
 * Before the clock starts, every document is parsed with feed_parse (base URL its URL) and
 * what newsmon derives for an entry row is computed the way store.c does: the key (g:guid,
 * else u:canonical link, else h:hash of title and date), the canonical link (url_canonical),
 * the plain text of content else summary (text_from_html, TEXT_BLOCK, the first 256 KiB), the
 * categories and enclosures as JSON, and two 16-hex-digit hashes in place of the content hash
 * and title key (of text and title, and of the title as written). Timed: opening DB with
 * newsmon's settings (WAL, synchronous=NORMAL, no connection mutex, no memory statistics: see
 * store/db.c), creating a feeds table and an entries table
 * with newsmon's 20 entry columns and no other index, then per document one transaction that
 * inserts its feed row and its entry rows with one prepared statement each, and closing
 * (which checkpoints the WAL). No identity lookup, no dedup, no revisions, no FTS (unless
 * --fts), no tags. Prints one key=value line: feeds entries cpu wall (seconds,
 * CLOCK_PROCESS_CPUTIME_ID and CLOCK_MONOTONIC over the timed part) bytes (DB plus WAL after
 * closing) prep_cpu (CPU seconds of the untimed preparation: reading, parsing and deriving,
 * work newsmon's import does too).
 * Exits 1 on any failure, 2 on bad usage.
 */
#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "crawler/readfile.h"
#include "crawler/url.h"
#include "parsers/arena.h"
#include "parsers/buf.h"
#include "parsers/feed.h"
#include "parsers/hash.h"
#include "parsers/text.h"

#define TEXT_MAX (256 * 1024) /* as STORE_TEXT_MAX in store.c */

static const char schema[] =
	"PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
	"CREATE TABLE feeds(id INTEGER PRIMARY KEY, url TEXT NOT NULL, added INTEGER NOT NULL)"
	" STRICT;"
	"CREATE TABLE entries(id INTEGER PRIMARY KEY, feed_id INTEGER NOT NULL, key TEXT NOT NULL,"
	" guid TEXT, url TEXT, canon_url TEXT, title TEXT NOT NULL, author TEXT, summary TEXT,"
	" content TEXT, text TEXT NOT NULL, categories TEXT, enclosures TEXT, comments TEXT,"
	" published INTEGER, published_raw TEXT, updated INTEGER, at INTEGER NOT NULL,"
	" first_seen INTEGER NOT NULL, version_seen INTEGER NOT NULL, content_hash TEXT NOT NULL,"
	" title_key TEXT NOT NULL) STRICT;";

static const char schema_fts[] =
	"CREATE VIRTUAL TABLE entries_fts USING fts5(title, text, content='entries',"
	" content_rowid='id', tokenize='unicode61 remove_diacritics 2');"
	"INSERT INTO entries_fts(entries_fts, rank) VALUES ('automerge', 16);"
	"INSERT INTO entries_fts(entries_fts, rank) VALUES ('crisismerge', 64);";
static const char insert_fts[] =
	"INSERT INTO entries_fts(rowid, title, text) SELECT id, title, text FROM entries WHERE id > ?1";

static const char insert_feed[] = "INSERT INTO feeds(id, url, added) VALUES (?1, ?2, ?3)";
static const char insert_entry[] =
	"INSERT INTO entries(feed_id, key, guid, url, canon_url, title, author, summary, content,"
	" text, categories, enclosures, comments, published, published_raw, updated, at, first_seen,"
	" version_seen, content_hash, title_key)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
	" ?18, ?19, ?20)";

/* One entry with what store.c derives from it; strings live in the feed's or the shared arena. */
struct row {
	const struct feed_entry *e;
	const char *key, *canon, *title, *text, *categories, *enclosures, *date_raw;
	char content_hash[HASH_HEX_SIZE], title_key[HASH_HEX_SIZE];
	int64_t at;
};

struct doc {
	char *url;
	struct feed *feed;
	struct row *rows;
	size_t nrows;
};

static double seconds(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A malloc'd JSON string handed to the arena; NULL for NULL (jansson's own failures included). */
static const char *json_keep(struct arena *a, json_t *v)
{
	char *s = v ? json_dumps(v, JSON_COMPACT) : NULL;
	const char *kept = s ? arena_strndup(a, s, strlen(s)) : NULL;

	free(s);
	json_decref(v);
	return kept;
}

/* Fills r from e. Returns 0, or -1 when out of memory. */
static int derive(struct arena *a, struct buf *scratch, const struct feed_entry *e, struct row *r)
{
	const char *body = e->content ? e->content : e->summary;
	char *canon = e->link ? url_canonical(e->link) : NULL, hex[HASH_HEX_SIZE];
	json_t *cats = NULL, *encs = NULL;
	int rc = -1;

	r->e = e;
	r->title = e->title ? e->title : "";
	r->date_raw = e->published_raw ? e->published_raw : e->updated_raw;
	r->canon = canon ? arena_strndup(a, canon, strlen(canon)) : NULL;
	free(canon);
	buf_reset(scratch);
	if (e->id && *e->id)
		rc = buf_printf(scratch, "g:%s", e->id);
	else if (r->canon || e->link)
		rc = buf_printf(scratch, "u:%s", r->canon ? r->canon : e->link);
	else if (buf_puts(scratch, r->title) == 0 && buf_putc(scratch, '\x1f') == 0 &&
	         buf_puts(scratch, r->date_raw ? r->date_raw : "") == 0) {
		hash_hex(hash64(scratch->data, scratch->len), hex);
		buf_reset(scratch);
		rc = buf_printf(scratch, "h:%s", hex);
	}
	if (rc < 0)
		return -1;
	r->key = arena_strndup(a, buf_str(scratch), scratch->len);

	buf_reset(scratch);
	if (body && text_from_html(scratch, body, text_utf8_prefix(body, strnlen(body, TEXT_MAX)),
	                           TEXT_BLOCK) < 0)
		return -1;
	r->text = arena_strndup(a, buf_str(scratch), scratch->len);
	if (buf_putc(scratch, '\n') < 0 || buf_puts(scratch, r->title) < 0)
		return -1;
	hash_hex(hash64(scratch->data, scratch->len), r->content_hash);
	hash_hex(hash64(r->title, strlen(r->title)), r->title_key);

	if (e->ncategories) {
		cats = json_array();
		for (size_t i = 0; i < e->ncategories; i++)
			json_array_append_new(cats, json_string(e->categories[i]));
	}
	if (e->nenclosures) {
		encs = json_array();
		for (size_t i = 0; i < e->nenclosures; i++)
			json_array_append_new(encs, json_pack("{s:s, s:s?, s:I}", "url",
			                                      e->enclosures[i].url, "type",
			                                      e->enclosures[i].type,
			                                      (json_int_t)e->enclosures[i].length));
	}
	r->categories = json_keep(a, cats);
	r->enclosures = json_keep(a, encs);
	r->at = e->published != DATE_NONE ? e->published : 0;
	return r->key && r->text ? 0 : -1;
}

/* Reads the manifest and prepares every document. Returns the number of documents (*docs is
 * malloc'd) or -1. */
static long load(const char *manifest, struct arena *a, struct doc **docs, size_t *entries)
{
	struct buf list = {0}, body = {0}, scratch = {0};
	char err[256];
	long n = 0, cap = 0;
	const char *p, *end;

	*docs = NULL;
	if (readfile(manifest, (size_t)1 << 26, &list, err, sizeof err) < 0) {
		fprintf(stderr, "bench_ingest_floor: %s: %s\n", manifest, err);
		goto fail;
	}
	for (p = buf_str(&list), end = p + list.len; p < end; ) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *eol = nl ? nl : end;
		const char *tab = memchr(p, '\t', (size_t)(eol - p));
		char *path;
		struct doc *d;

		if (tab == NULL) {
			fprintf(stderr, "bench_ingest_floor: %s: a line without a tab\n", manifest);
			goto fail;
		}
		if (n == cap) {
			struct doc *grown = realloc(*docs, (size_t)(cap = cap ? 2 * cap : 1024) * sizeof **docs);
			if (grown == NULL)
				goto fail;
			*docs = grown;
		}
		d = &(*docs)[n];
		memset(d, 0, sizeof *d);
		n++;
		d->url = arena_strndup(a, p, (size_t)(tab - p));
		path = arena_strndup(a, tab + 1, (size_t)(eol - tab - 1));
		p = eol + 1;
		if (d->url == NULL || path == NULL)
			goto fail;
		if (readfile(path, FEED_MAX_DOCUMENT, &body, err, sizeof err) < 0) {
			fprintf(stderr, "bench_ingest_floor: %s: %s\n", path, err);
			goto fail;
		}
		d->feed = feed_parse(buf_str(&body), body.len, d->url, NULL);
		if (d->feed == NULL)
			goto fail;
		d->rows = arena_alloc(a, (d->feed->nentries ? d->feed->nentries : 1) * sizeof *d->rows);
		if (d->rows == NULL)
			goto fail;
		for (size_t i = 0; i < d->feed->nentries; i++)
			if (derive(a, &scratch, &d->feed->entries[i], &d->rows[d->nrows++]) < 0)
				goto fail;
		*entries += d->nrows;
	}
	buf_free(&list);
	buf_free(&body);
	buf_free(&scratch);
	return n;
fail:
	buf_free(&list);
	buf_free(&body);
	buf_free(&scratch);
	for (long i = 0; i < n; i++)
		feed_free((*docs)[i].feed);
	free(*docs);
	*docs = NULL;
	return -1;
}

/* The strings live until after the statement is reset: SQLITE_STATIC. */
static int bind_text(sqlite3_stmt *st, int i, const char *s)
{
	return s ? sqlite3_bind_text(st, i, s, (int)strlen(s), SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

static int bind_date(sqlite3_stmt *st, int i, int64_t t)
{
	return t != DATE_NONE ? sqlite3_bind_int64(st, i, t) : sqlite3_bind_null(st, i);
}

/* Steps a statement whose bindings returned bound (their codes OR-ed) to the end and resets
 * it. Returns 0 or -1. */
static int step(sqlite3_stmt *st, int bound)
{
	int rc = bound == SQLITE_OK ? sqlite3_step(st) : bound;

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* fts: NULL, or the statement that indexes the rows after rowid `after`, the last one of the
 * documents before (rowids count the entries from 1) */
static int insert_doc(sqlite3 *db, sqlite3_stmt *feed, sqlite3_stmt *entry, sqlite3_stmt *fts,
                      size_t after, long id, const struct doc *d, int64_t now)
{
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	if (step(feed, sqlite3_bind_int64(feed, 1, id) | bind_text(feed, 2, d->url) |
	               sqlite3_bind_int64(feed, 3, now)) < 0)
		return -1;
	for (size_t i = 0; i < d->nrows; i++) {
		const struct row *r = &d->rows[i];
		int bound = sqlite3_bind_int64(entry, 1, id) | bind_text(entry, 2, r->key) |
		            bind_text(entry, 3, r->e->id) | bind_text(entry, 4, r->e->link) |
		            bind_text(entry, 5, r->canon) | bind_text(entry, 6, r->title) |
		            bind_text(entry, 7, r->e->author) | bind_text(entry, 8, r->e->summary) |
		            bind_text(entry, 9, r->e->content) | bind_text(entry, 10, r->text) |
		            bind_text(entry, 11, r->categories) | bind_text(entry, 12, r->enclosures) |
		            bind_text(entry, 13, r->e->comments) | bind_date(entry, 14, r->e->published) |
		            bind_text(entry, 15, r->date_raw) | bind_date(entry, 16, r->e->updated) |
		            sqlite3_bind_int64(entry, 17, r->at ? r->at : now) |
		            sqlite3_bind_int64(entry, 18, now) | bind_text(entry, 19, r->content_hash) |
		            bind_text(entry, 20, r->title_key);
		if (step(entry, bound) < 0)
			return -1;
	}
	if (fts && step(fts, sqlite3_bind_int64(fts, 1, (sqlite3_int64)after)) < 0)
		return -1;
	return sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static long long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

int main(int argc, char **argv)
{
	struct arena *a = NULL;
	struct doc *docs = NULL;
	sqlite3 *db = NULL;
	sqlite3_stmt *feed = NULL, *entry = NULL, *fts = NULL;
	size_t entries = 0, done = 0;
	long n = 0;
	int64_t now = (int64_t)time(NULL);
	char wal[4096];
	const char *path, *manifest;
	bool with_fts = argc == 4 && strcmp(argv[1], "--fts") == 0;
	double c0, w0, prep;
	int rc = 1;

	if (argc != 3 && !with_fts) {
		fputs("usage: bench_ingest_floor [--fts] DB MANIFEST\n", stderr);
		return 2;
	}
	path = argv[argc - 2];
	manifest = argv[argc - 1];
	if (snprintf(wal, sizeof wal, "%s-wal", path) >= (int)sizeof wal)
		return 2;
	prep = seconds(CLOCK_PROCESS_CPUTIME_ID);
	feed_init();
	a = arena_new();
	if (a == NULL || (n = load(manifest, a, &docs, &entries)) < 0)
		goto done;

	c0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
	w0 = seconds(CLOCK_MONOTONIC);
	prep = c0 - prep;
	if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK ||
	    sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	                    NULL) != SQLITE_OK ||
	    sqlite3_exec(db, schema, NULL, NULL, NULL) != SQLITE_OK ||
	    (with_fts && (sqlite3_exec(db, schema_fts, NULL, NULL, NULL) != SQLITE_OK ||
	                  sqlite3_prepare_v3(db, insert_fts, -1, SQLITE_PREPARE_PERSISTENT, &fts,
	                                     NULL) != SQLITE_OK)) ||
	    sqlite3_prepare_v3(db, insert_feed, -1, SQLITE_PREPARE_PERSISTENT, &feed, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(db, insert_entry, -1, SQLITE_PREPARE_PERSISTENT, &entry, NULL) != SQLITE_OK)
		goto sql_fail;
	for (long i = 0; i < n; done += docs[i].nrows, i++)
		if (insert_doc(db, feed, entry, fts, done, i + 1, &docs[i], now) < 0)
			goto sql_fail;
	sqlite3_finalize(feed);
	sqlite3_finalize(entry);
	sqlite3_finalize(fts);
	feed = entry = fts = NULL;
	if (sqlite3_close(db) != SQLITE_OK)
		goto sql_fail;
	db = NULL;
	printf("feeds=%ld entries=%zu cpu=%.6f wall=%.6f bytes=%lld prep_cpu=%.6f\n", n, entries,
	       seconds(CLOCK_PROCESS_CPUTIME_ID) - c0, seconds(CLOCK_MONOTONIC) - w0,
	       file_size(path) + file_size(wal), prep);
	rc = 0;
	goto done;
sql_fail:
	fprintf(stderr, "bench_ingest_floor: %s: %s\n", path, db ? sqlite3_errmsg(db) : "cannot open");
done:
	sqlite3_finalize(feed);
	sqlite3_finalize(entry);
	sqlite3_finalize(fts);
	sqlite3_close(db);
	for (long i = 0; i < n; i++)
		feed_free(docs[i].feed);
	free(docs);
	arena_free(a);
	return rc;
}
