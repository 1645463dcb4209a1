/*
 * story.h — what happens to entries after they are stored: tags, cross-feed duplicates and
 * stories, one entry at a time in order of publication, and an event per entry worth an alert.
 *
 * Semantics (DESIGN.md, and README.md "Stories"):
 *  - A new entry whose canonical URL, or whose normalised title and near-identical text (within
 *    three days), matches an entry already processed is a duplicate of it: stored, pointing at
 *    it (at its original when that one is itself a copy), in its story, and never alerted. When
 *    the copy was seen first and the original arrives later with an earlier publication date,
 *    the roles are swapped: the newcomer becomes the entry the others duplicate, without an
 *    alert, since its story was already announced.
 *  - Otherwise it joins the story it links to, or that shares central tags of two kinds and
 *    enough words with it (parsers/similar.h decides); else it starts a story. A story's
 *    original is its earliest published entry: an entry published before the current original
 *    takes its place, and the follow-ups are re-pointed at it.
 *  - Every link stores its reason and score (`newsmon story ID` shows them).
 */
#ifndef NEWSMON_STORY_H
#define NEWSMON_STORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct tagger;

enum story_event_kind {
	STORY_NEW,        /* the first entry of a new story */
	STORY_UPDATED,    /* a stored entry whose title or text changed */
	STORY_FOLLOW_UP,  /* a new entry that joined an existing story */
};

/* Everything borrowed: valid during the callback only. */
struct story_event {
	enum story_event_kind kind;
	int64_t entry_id, story_id;
	int64_t published;            /* the entry's date (published, else first seen) */
	const char *feed_title, *title, *url, *text;
	const char *const *tags;      /* "kind:value" */
	size_t ntags;
};

struct story_hooks {
	/* Called for each event while its batch is processed, before the batch commits. A non-zero
	 * return aborts the run (the batch is rolled back). */
	int (*event)(const struct story_event *ev, void *arg);
	/* Called after each batch: committed true when its events are durable and may be
	 * published, false when they were undone. */
	void (*batch_done)(bool committed, void *arg);
	void *arg;
};

struct story_stats {
	size_t processed, stories, follow_ups, duplicates, updated;
};

/* Processes every pending entry (new or changed since the last run). hooks may be NULL.
 * Returns 0, or -1 with store_error set; batches committed before an error stay done. */
int story_process(struct store *s, const struct tagger *t, const struct story_hooks *hooks,
                  struct story_stats *stats);

/* Re-tags every stored entry with the vocabulary t (after tags.txt changed). Stories are kept.
 * Returns the number of entries re-tagged, or -1. */
int64_t story_retag(struct store *s, const struct tagger *t);

#endif
