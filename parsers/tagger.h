/*
 * tagger.h — tags an entry with the platforms, countries and topics it mentions.
 *
 * The vocabulary is the text of tags.txt (its header documents the format and the matching
 * rules). tagger_new() compiles it once into an Aho-Corasick automaton over case- and
 * accent-folded UTF-8; tagger_tag() then makes one pass over the title and one over the text of
 * an entry and reports each distinct tag ("country", "HK") with its occurrence counts in both.
 * A compiled tagger is read-only: any number of threads may tag with it at once, each with its
 * own struct tag_hits.
 */
#ifndef NEWSMON_TAGGER_H
#define NEWSMON_TAGGER_H

#include <stddef.h>

#include "parsers/buf.h"

struct tagger; /* opaque: the compiled vocabulary */

/* Compiles the vocabulary text (the contents of tags.txt; len bytes, need not be
 * NUL-terminated). filename is used in messages only (NULL reads as "tags"). On success returns
 * the tagger (free with tagger_free) and leaves *err untouched; on a syntax error returns NULL
 * and sets *err to a malloc'd "FILE:LINE: message" (caller frees). Out of memory: NULL and *err
 * NULL. The text is not referenced after the call. */
struct tagger *tagger_new(const char *text, size_t len, const char *filename, char **err);

/* Frees the tagger and every string it handed out. NULL is fine. */
void tagger_free(struct tagger *t);

struct tag_hit {
	const char *kind;  /* "platform", "country", "topic": owned by the tagger, lives as long as it */
	const char *value; /* "WhatsApp", "HK", "data-request": likewise */
	unsigned in_title; /* occurrences in the title */
	unsigned in_text;  /* occurrences in the text */
};

/* Caller-owned result list, reused across calls: start from a zeroed struct ({0}) and free with
 * tag_hits_free. scratch is the tagger's private working memory, kept between calls so that
 * tagging allocates nothing once it has grown to fit; do not touch it. */
struct tag_hits {
	struct tag_hit *v;
	size_t n, cap;
	struct buf scratch;
};

/* Tags one entry. title/text are plain UTF-8 (invalid bytes are tolerated and act as
 * separators); either may be NULL when its length is 0. Replaces the contents of out with one
 * hit per distinct tag found, ordered by kind then value (byte order). Returns 0, or -1 when out
 * of memory (out then empty). The tagger is not modified, so one tagger may serve several
 * threads, each with its own tag_hits. The kind/value pointers in out are borrowed from t. */
int tagger_tag(const struct tagger *t, const char *title, size_t title_len, const char *text,
               size_t text_len, struct tag_hits *out);

/* Frees what out holds and leaves it zeroed (reusable). NULL is fine. */
void tag_hits_free(struct tag_hits *h);

/* Calls fn(kind, value, arg) once per canonical value in the vocabulary (e.g. to sync a tags
 * table), ordered by kind then value; context sets and blockers are not values. The strings are
 * borrowed from t. */
void tagger_each(const struct tagger *t, void (*fn)(const char *kind, const char *value, void *arg),
                 void *arg);

/* The number of canonical values of one kind ("platform", "country", "topic"); 0 for any other
 * kind. */
size_t tagger_count(const struct tagger *t, const char *kind);

#endif
