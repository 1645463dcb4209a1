/*
 * query.h — reading the store: export (the pinned JSONL, and CSV), full-text search.
 *
 * Everything streams: rows are read one at a time and written or handed to a callback, so
 * memory does not grow with the database.
 */
#ifndef NEWSMON_QUERY_H
#define NEWSMON_QUERY_H

#include <stdint.h>
#include <stdio.h>

struct store;

enum query_format { QUERY_JSONL, QUERY_CSV };

/* Writes every stored entry (at or after since, a Unix time or INT64_MIN; of the feed with URL
 * feed_url, or all feeds when NULL) to out, oldest first: one JSON object per line as pinned in
 * DESIGN.md, or CSV (RFC 4180) with a header row and the same columns, tags joined with ';'.
 * Returns 0, or -1 with store_error set (a write error included). */
int query_export(struct store *s, FILE *out, enum query_format format, int64_t since,
                 const char *feed_url);

struct query_search {
	const char *match;     /* an FTS5 query: words, "phrases", OR, NOT, prefix* */
	int64_t since;         /* INT64_MIN for all */
	const char *tag;       /* "kind:value", or NULL */
	int limit;
};

struct query_hit {         /* borrowed: valid during the callback only */
	int64_t id, at;
	const char *feed_url, *feed_title, *title, *url, *snippet;
};

/* Calls each for every entry matching q, newest first, until it returns non-zero. Returns 0,
 * 1 when the query itself is malformed (store_error explains it in words), or -1. */
int query_search(struct store *s, const struct query_search *q,
                 int (*each)(const struct query_hit *hit, void *arg), void *arg);

struct query_story {        /* borrowed: valid during the callback only */
	int64_t id, first, last, entries, outlets;
	const char *title, *url;   /* the original's */
};

/* Calls each for the stories active at or after since (INT64_MIN: all), with an entry tagged
 * tag ("kind:value", or NULL for any), most recently active first, at most limit; until each
 * returns non-zero. Returns 0 or -1. */
int query_stories(struct store *s, int64_t since, const char *tag, int limit,
                  int (*each)(const struct query_story *story, void *arg), void *arg);

struct query_revision {    /* an earlier version of an entry, and what replaced it */
	int version;
	int64_t seen, replaced;
	const char *title, *text;          /* this version */
	const char *next_title, *next_text; /* the version after it */
};

struct query_member {      /* one entry of a story; borrowed during the callback */
	int64_t id, at, first_seen, related_to;
	const char *relation, *feed_title, *feed_url, *title, *url, *reason;
	double score;              /* of the link; 0 for the original */
	int revisions;
	const char *const *tags;   /* "kind:value" */
	size_t ntags;
	const struct query_revision *history;  /* revisions oldest first */
	size_t nhistory;
};

/* Reads story id: calls head once with its summary (0 entries when there is no such story),
 * then member for every entry in order of publication. Returns 0, 1 when there is no such
 * story, or -1. */
int query_story(struct store *s, int64_t id,
                int (*head)(const struct query_story *story, void *arg),
                int (*member)(const struct query_member *m, void *arg), void *arg);

#endif
