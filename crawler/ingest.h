/*
 * ingest.h — from a document's bytes to stored, tagged and linked entries: the path `import`
 * and `crawl` share.
 *
 * ingest_document parses one document and stores it (one transaction); ingest_finish then
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
#include "store/store.h"
#include "store/story.h"

struct ingest;

/* Opens the database for writing and compiles the tag vocabulary (cli->tags). Returns NULL
 * with a one-line reason in err and the exit status it calls for in *status: EXIT_USAGE for a
 * mistake in the vocabulary ("FILE:LINE: message"), EXIT_RUNTIME otherwise. */
struct ingest *ingest_open(const struct cli *cli, char *err, size_t errsize, int *status);
void ingest_close(struct ingest *ing);

/* The last error, one line; borrowed until the next call. */
const char *ingest_error(const struct ingest *ing);

struct ingest_document {
	const char *feed_url;   /* the feed as listed (or given to import) */
	const char *body;       /* the document, len bytes; NULL when there is none (failed fetch) */
	size_t len;
	const char *charset;    /* HTTP charset, or NULL */
	const char *final_url;  /* where the body came from after redirects (the base for links) */
	int64_t fetched;        /* Unix seconds */
	int status;             /* HTTP status, 0 for a file */
	const char *error;      /* the fetch failed: why (then body is NULL) */
};

struct ingest_report {
	bool usable;            /* the document was a feed and its entries are stored */
	const char *error;      /* why it was not, or what was wrong with it; borrowed until the
	                           next call */
	struct store_ingest_result result;
	int64_t feed_id;
	int64_t ttl;            /* what the feed asked for (<ttl>, sy:), seconds */
};

/* Parses and stores one document of a feed (or records the failed fetch). Returns 0 — also
 * when the document was not a feed: report->usable and report->error tell — or -1 when the
 * store failed (ingest_error). */
int ingest_document(struct ingest *ing, const struct ingest_document *doc, int64_t ms,
                    struct ingest_report *report);

/* Processes the stored entries not processed yet (store/story.h): hooks receive the events
 * that may alert. Returns 0 or -1. */
int ingest_finish(struct ingest *ing, const struct story_hooks *hooks, struct story_stats *stats);

#endif
