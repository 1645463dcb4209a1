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

#endif
