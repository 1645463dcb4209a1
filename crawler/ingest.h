/*
 * ingest.h — from a document's bytes to stored, tagged and linked entries: the path `import`
 * and `crawl` share.
 *
 * ingest_parse parses one document and derives its rows, ingest_store stores them (one
 * transaction); ingest_finish then
 * processes everything stored but not yet processed — tags, cross-feed duplicates, stories —
 * in order of publication, and reports each new, updated or follow-up entry to a callback (the
 * alerts). Entries stored by a run that was killed are processed by the next one.
 */
#ifndef NEWSMON_INGEST_H
#define NEWSMON_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crawler/cli.h"
#include "parsers/hash.h"
#include "store/store.h"
#include "store/story.h"

struct ingest;
struct tagger;

/* Opens the database for writing, reads the tag vocabulary (cli->tags) and starts compiling
 * it on a second thread. Returns NULL with a one-line reason in err and the exit status it
 * calls for in *status: EXIT_USAGE when the vocabulary cannot be read, EXIT_RUNTIME
 * otherwise. */
struct ingest *ingest_open(const struct cli *cli, char *err, size_t errsize, int *status);
void ingest_close(struct ingest *ing);

/* Waits for the vocabulary to be compiled; call it before ingest_tagger and ingest_finish.
 * Returns 0, or -1 with a one-line reason in err and the exit status in *status: EXIT_USAGE
 * for a mistake in the vocabulary ("FILE:LINE: message"), EXIT_RUNTIME otherwise. */
int ingest_vocabulary(struct ingest *ing, char *err, size_t errsize, int *status);

/* The last error, one line; borrowed until the next call. */
const char *ingest_error(const struct ingest *ing);

struct ingest_document {
	const char *feed_url;   /* the feed as listed (or given to import) */
	const char *body;       /* the document, len bytes; NULL when there is none to read (a
	                           failed fetch, or not modified) */
	size_t len;
	const char *charset;    /* HTTP charset, or NULL */
	const char *final_url;  /* where the body came from after redirects (the base for links) */
	int64_t fetched;        /* Unix seconds */
	int status;             /* HTTP status, 0 for a file */
	const char *error;      /* the fetch failed: why (then body is NULL) */
	/* A crawl's: hash the body into the report, and do not parse it when the hash is
	 * previous_hash (a server that ignores validators sends the same body again: that is not
	 * a change). Hashing on the parsing thread keeps it off the one that stores. */
	bool hash_body;
	const char *previous_hash;  /* the body's hash at the feed's last fetch, or NULL */
};

struct ingest_report {
	bool usable;            /* the document was a feed (ingest_store stores its entries) */
	const char *error;      /* why it was not, or what was wrong with it; borrowed from the
	                           parsed document (or the ingest_document) */
	int64_t ttl;            /* what the feed asked for (<ttl>, sy:), seconds */
	char body_hash[HASH_HEX_SIZE];      /* with doc->hash_body and a body; else "" */
	bool same_body;         /* body_hash is doc->previous_hash: the body was not parsed */
	struct store_ingest_result result;  /* set by ingest_store */
};

/* A document parsed, and its entries prepared for storing (store/store.h, store_doc). */
struct ingest_parsed;
struct feed_parser;

/* Parses doc (when it has a body) with parser and prepares its entries for storing. Touches
 * nothing of an ingest's: a crawl runs it on a second thread, with that thread's own parser.
 * Fills report (usable, error, ttl; error is borrowed from the result, or from doc). Returns
 * the result, to be freed with ingest_parsed_free after ingest_store, or NULL when out of
 * memory. Not being a feed is not an error: report->usable and report->error tell. */
struct ingest_parsed *ingest_parse(struct feed_parser *parser, const struct ingest_document *doc,
                                   struct ingest_report *report);
void ingest_parsed_free(struct ingest_parsed *parsed);

/* The parser for ingest_parse on ing's own thread; owned by ing. */
struct feed_parser *ingest_parser(struct ingest *ing);

/* Stores, in one transaction, the entries of parsed (when usable), the fetch record (an
 * unusable document counts as a failed fetch) and the crawler's new state for the feed
 * (update, NULL for an import). Returns 0, or -1 when the store failed (ingest_error). */
int ingest_store(struct ingest *ing, const struct ingest_document *doc,
                 struct ingest_parsed *parsed, int64_t ms,
                 const struct store_feed_update *update, struct ingest_report *report);

/* Re-tags every stored entry with the vocabulary (after tags.txt changed). Returns the number
 * of entries, or -1. */
int64_t ingest_retag(struct ingest *ing);

/* The store, for the crawler's own reads and writes (feeds, schedule); owned by ing. */
struct store *ingest_store_handle(struct ingest *ing);

/* The tag vocabulary (--tags), once ingest_vocabulary has it, e.g. to check alert rules
 * against it; owned by ing. */
const struct tagger *ingest_tagger(const struct ingest *ing);

/* Processes the stored entries not processed yet (store/story.h): hooks receive the events
 * that may alert. Returns 0 or -1. */
int ingest_finish(struct ingest *ing, const struct story_hooks *hooks, struct story_stats *stats);

#endif
