/*
 * store.h — newsmon's database: feeds, every entry exactly once, its revisions, and the record
 * of every fetch (the provenance a researcher cites).
 *
 * Identity within a feed (DESIGN.md): an entry is its guid/id; without one its canonical link;
 * without either a hash of title and date. A feed whose GUIDs repeat for different entries is
 * switched, for good and with a note in its health, to guid+link and then guid+link+title, and
 * its stored entries are re-keyed in the same transaction, so distinct entries stay distinct.
 *
 * Each document is stored in one BEGIN IMMEDIATE transaction together with its fetch record and
 * the feed's new crawl state: a crash leaves either all of it or none. Entries whose normalised title and text are
 * unchanged cost one index lookup and no write; a changed one becomes a new version and the
 * old one is kept in revisions. New and changed entries are marked pending for story.h.
 */
#ifndef NEWSMON_STORE_H
#define NEWSMON_STORE_H

#include <stddef.h>
#include <stdint.h>

struct feed;
struct store;

/* Canonicalises a URL for identity and duplicate detection (crawler/url.c provides it; the
 * store does not link libcurl). Returns a malloc'd string, or NULL when url is not http(s). */
typedef char *store_canon_fn(const char *url);

enum store_mode { STORE_READ, STORE_WRITE };

/* Opens the database at path (STORE_WRITE creates it and migrates the schema). Returns the
 * store, to be closed with store_close, or NULL with a one-line reason in err. */
struct store *store_open(const char *path, enum store_mode mode, char *err, size_t errsize);
void store_close(struct store *s);

/* The last error, one line, borrowed until the next call. */
const char *store_error(struct store *s);

/* ------------------------------------------------------------------ feeds.txt and crawling */

struct store_listed_feed {      /* one line of feeds.txt */
	const char *url, *title, *labels;
	int64_t every;              /* seconds, 0 for the default */
};

/* Makes exactly these feeds the listed ones, in one transaction: new ones are added, changed
 * titles, labels and intervals taken, and feeds no longer listed are kept (with their history)
 * but not crawled. Returns 0 or -1. */
int store_sync_feeds(struct store *s, const struct store_listed_feed *feeds, size_t n,
                     int64_t now);

struct store_feed_state {       /* borrowed during the callback */
	int64_t id;
	const char *url;            /* as listed */
	const char *fetch_url;      /* where to fetch it: after a permanent redirect, the target */
	const char *title;          /* the override, else the feed's own, else the URL */
	const char *etag, *last_modified, *body_hash;  /* or NULL */
	int64_t every, ttl, next_due, failures;
	int gone;
};

/* Calls each for every listed feed due at now (every listed feed, gone ones included, when
 * force), soonest due first, until it returns non-zero. Returns 0 or -1. */
int store_due_feeds(struct store *s, int64_t now, int force,
                    int (*each)(const struct store_feed_state *feed, void *arg), void *arg);

/* A feed's state after a fetch, written with the fetch record (store_ingest). */
struct store_feed_update {
	const char *etag, *last_modified; /* the validators to send next time, or NULL */
	const char *body_hash;      /* of the last body read, or NULL */
	const char *fetch_url;      /* a new URL to fetch from (permanent redirect), or NULL */
	const char *moved_to;       /* the permanent redirect to report, or NULL */
	int64_t next_due, ttl;
	int gone;                   /* 410: not fetched again until --force */
};

/* One fetch (or import) of a feed's document. */
struct store_fetch {
	int64_t started;       /* Unix seconds, UTC */
	int64_t ms;            /* how long it took, or -1 */
	int status;            /* HTTP status; 0 for a local file */
	int64_t bytes;         /* body size */
	const char *url;       /* the URL finally read (after redirects), or NULL */
	const char *error;     /* what went wrong, NULL when a document was read */
	const struct store_feed_update *update; /* the crawler's new state for the feed, or NULL */
};

/* What `newsmon feeds` shows of one feed; borrowed during the callback. */
struct store_feed_health {
	int64_t id;
	const char *url, *title, *labels;
	int listed, gone;
	int64_t entries, last_fetch, last_success, next_due, failures, every, ttl;
	int last_status;            /* 0 when never fetched (or a file) */
	const char *last_error, *moved_to, *identity_note;  /* or NULL */
};

/* Calls each for every feed (listed ones first, by URL). Returns 0 or -1. */
int store_feeds_health(struct store *s,
                       int (*each)(const struct store_feed_health *feed, void *arg), void *arg);

struct store_ingest_result {
	int64_t feed_id;       /* the feed's id (created when missing) */
	size_t entries;        /* in the document */
	size_t new_entries, updated, unchanged;
};

/* A parsed document's entries with what storing derives from them: canonical links, the
 * links in their texts, plain text, hashes. Deriving them touches no database, so a crawl
 * does it on another thread than the one that stores.
 *
 * store_doc_prepare returns it for feed (borrowed: it must outlive the result), to be freed
 * with store_doc_free, or NULL when out of memory. canon is required, and must be thread-safe
 * for store_doc_prepare to be. It canonicalises every entry's links, also those of entries
 * that turn out unchanged when stored: in a crawl that is the parsing thread's work. */
struct store_doc;
struct store_doc *store_doc_prepare(const struct feed *feed, store_canon_fn *canon);
void store_doc_free(struct store_doc *doc);

/* Stores doc (NULL when the fetch produced none: an error, or 304) and the fetch record for
 * the feed with URL feed_url (created, added at fetch->started, when missing) in one
 * transaction; doc's entries are given their keys on the way. fetch->error counts as a
 * failure of the feed; the document's error (what the parser cut or repaired) becomes the
 * feed's last_error without counting as one, and stays so through later fetches that bring
 * no new document. Returns 0, or -1 with store_error set and nothing written. */
int store_ingest(struct store *s, const char *feed_url, struct store_doc *doc,
                 const struct store_fetch *fetch, struct store_ingest_result *out);

/* The connection, for the other store/ modules (store/db.h); never used outside store/. */
struct db *store_db(struct store *s);

#endif
