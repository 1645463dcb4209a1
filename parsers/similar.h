/*
 * similar.h — how alike two news reports are: the pure scoring under story linking and
 * near-duplicate detection (store/story.c gathers the evidence from the database and asks here).
 *
 * A report is reduced to its tags (with whether each is central to it — in the title or
 * mentioned repeatedly — or merely context) and its significant words (title and lead,
 * stop words removed, weighted by tf-idf). A story is the centroid of its reports.
 *
 * The decision (similar_decide) follows DESIGN.md: a report joins a story when it links to it,
 * or when it shares central tags of at least two kinds with it and its words are close enough;
 * one shared country, platform or law is never enough, and context a report merely mentions
 * counts for little. Thresholds are constants in similar.c, tuned on tests/data/stories.
 */
#ifndef NEWSMON_SIMILAR_H
#define NEWSMON_SIMILAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parsers/buf.h"

enum similar_kind { KIND_PLATFORM, KIND_COUNTRY, KIND_TOPIC, KIND_OTHER };

struct similar_tag {
	int64_t id;               /* the tag's identity (store's tag id) */
	enum similar_kind kind;
	double weight;            /* 1 central, less for context; for a story, the mean */
};

struct similar_term {
	uint64_t hash;            /* the stemmed word, hashed (63 bits) */
	double weight;            /* tf, then tf-idf once weighted */
};

/* A report or a story: caller-owned, reusable (zero it to start, similar_doc_free to end). */
struct similar_doc {
	struct similar_tag *tags;
	size_t ntags, tags_cap;
	struct similar_term *terms;   /* sorted by hash, unique */
	size_t nterms, terms_cap;
	double norm;                  /* Euclidean norm of the weighted terms */
	size_t members;               /* reports merged in (1 for a report) */
};

void similar_doc_free(struct similar_doc *d);

/* Replaces d's words with the significant words of title and text (the first part of text
 * only: the lead is where a report says what it is about), weighted by term frequency, title
 * words counting double. Returns 0 or -1 (out of memory). */
int similar_words(struct similar_doc *d, const char *title, const char *text);

/* Is a tag with these occurrence counts central to a report (in the title, or named at least
 * twice), rather than context it merely mentions? */
bool similar_central(unsigned in_title, unsigned in_text);

/* Adds a tag to d (tags are not deduplicated: add each once). in_title and in_text are the
 * tagger's occurrence counts. Returns 0 or -1. */
int similar_add_tag(struct similar_doc *d, int64_t id, enum similar_kind kind, unsigned in_title,
                    unsigned in_text);

/* Appends to out d's words (before weighing) and tags as a compact, byte-order independent
 * blob, to store with the entry so it need not be read and tokenised again. Returns 0 or -1. */
int similar_pack(const struct similar_doc *d, struct buf *out);

/* Replaces d's words and tags with those of a blob written by similar_pack. Returns 0, or -1
 * when the blob is malformed (d is then empty) or memory runs out. */
int similar_unpack(struct similar_doc *d, const void *blob, size_t len);

/* Multiplies each word's weight by idf(hash, arg) (its rarity) and computes the norm. */
void similar_weigh(struct similar_doc *d, double (*idf)(uint64_t hash, void *arg), void *arg);

/* Merges report r (weighted) into story s: s's words become the sum of its reports' unit
 * vectors and its tags the mean of their weights. Returns 0 or -1. */
int similar_merge(struct similar_doc *s, const struct similar_doc *r);

struct similar_verdict {
	bool join;                /* the report belongs to the story */
	double score;             /* for choosing among stories: higher is closer */
	double words;             /* cosine of the words */
	int shared_kinds;         /* kinds of central tags both have */
	int64_t shared[8];        /* those tags' ids (the first 8) */
	size_t nshared;
};

/* Decides whether report r joins story s. linked: r links to one of s's reports or one of them
 * links to r. The caller words the reason from the verdict. */
void similar_decide(const struct similar_doc *r, const struct similar_doc *s, bool linked,
                    struct similar_verdict *v);

/* How much of the shorter text is in the longer one, 0..1, by word trigrams (case and
 * punctuation ignored): near 1 for a syndicated copy with a line added or cut. */
double similar_containment(const char *a, const char *b);

/* The words' hashes as stored for document frequencies: at most max of d's terms, through
 * out; returns how many. */
size_t similar_term_hashes(const struct similar_doc *d, uint64_t *out, size_t max);

#endif
