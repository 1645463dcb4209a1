/*
 * story.c — tags, duplicates and stories for pending entries (see story.h).
 *
 * Cost per entry is bounded by the time windows, not by the size of the database: candidates
 * come from index range scans (entry_tags by tag and time; entry_links by entry and by target
 * and entries by canonical URL and by normalised title and time, these for the whole run at
 * its start, see struct near), at most MAX_LOADS candidate stories are judged, each on at most
 * its latest 24 reports, and a story's centroid is computed once per run until it changes
 * (story_cache). Word counts are kept in memory and written once per batch.
 */
#include "store/story.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "parsers/buf.h"
#include "parsers/similar.h"
#include "parsers/tagger.h"
#include "store/db.h"
#include "store/store.h"

#define DAY 86400
#define TAG_WINDOW (10 * DAY)     /* a story is alive this long after its last report */
#define LINK_WINDOW (60 * DAY)    /* a link back counts this far */
#define COPY_WINDOW (3 * DAY)     /* syndicated copies appear within days */
#define COPY_CONTAINMENT 0.8      /* share of the shorter text found in the other */
#define COPY_TEXTS 20             /* same-title entries whose texts are compared */
#define MAX_LOADS 16             /* candidate stories judged per entry, best evidence first */
#define TAG_REPORTS 200          /* a tag's latest central reports that name candidate stories */
#define STORY_CACHE 1024         /* story centroids kept per run */
#define BATCH 2048
#define AHEAD 64                 /* entries prepared on the second thread at a time, see ahead */
#define PROCESSING_CACHE_KIB 16384 /* page cache while processing, see story_process */
#define IDF_PRIOR 200.0        /* see idf() */

/* ------------------------------------------------------------------ a small hash map */

/* uint64 -> int64, open addressing; keys are never 0 (callers add 1 where needed). */
struct u64map {
	uint64_t *keys;
	int64_t *values;
	size_t cap, n;
};

static void u64map_free(struct u64map *m)
{
	free(m->keys);
	free(m->values);
	memset(m, 0, sizeof *m);
}

static size_t slot_of(const struct u64map *m, uint64_t key)
{
	size_t i = (size_t)(key * 0x9E3779B97F4A7C15ull) & (m->cap - 1);

	while (m->keys[i] != 0 && m->keys[i] != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static int64_t *u64map_get(const struct u64map *m, uint64_t key)
{
	size_t i;

	if (m->cap == 0)
		return NULL;
	i = slot_of(m, key);
	return m->keys[i] == key ? &m->values[i] : NULL;
}

static int u64map_put(struct u64map *m, uint64_t key, int64_t value)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		struct u64map bigger = {.cap = m->cap ? m->cap * 2 : 1024};
		bigger.keys = calloc(bigger.cap, sizeof *bigger.keys);
		bigger.values = calloc(bigger.cap, sizeof *bigger.values);
		if (bigger.keys == NULL || bigger.values == NULL) {
			u64map_free(&bigger);
			return -1;
		}
		for (size_t k = 0; k < m->cap; k++) {
			if (m->keys[k] == 0)
				continue;
			size_t j = slot_of(&bigger, m->keys[k]);
			bigger.keys[j] = m->keys[k];
			bigger.values[j] = m->values[k];
			bigger.n++;
		}
		u64map_free(m);
		*m = bigger;
	}
	i = slot_of(m, key);
	if (m->keys[i] == 0) {
		m->keys[i] = key;
		m->n++;
	}
	m->values[i] = value;
	return 0;
}

/* ------------------------------------------------------------------ state of a run */

/* One row of entry_tags as the candidate search sees it, ordered as its index is. */
struct report {
	int64_t at, story, entry;
};

/* A tag's central reports with a story, kept for the run (see tag_candidates): every such row
 * of entry_tags with lo <= at <= hi, in order. */
struct tag_window {
	struct buf rows;             /* struct report[] */
	int64_t lo, hi;
	bool loaded;
};

/* An entry as read for processing, with what its title and text give without the database:
 * its words and its tags. */
struct prepared {
	int64_t id;
	struct buf title, text;
	struct similar_doc words;
	struct tag_hits hits;
};

/* Processing reads ahead: while this thread runs the SQL of one half of the slots, a second
 * thread finds the words and tags of the next AHEAD entries in the other half. SQLite has one
 * writer, so its work stays on one core; these pure steps need not. 64 at a time: each slot's
 * text buffers grow to the largest text they have held (see BENCHMARKS.md, Part 3). */
struct ahead {
	struct prepared *slots;      /* 2 * AHEAD, the halves one after the other */
	size_t n[2];                 /* entries loaded into each half */
	int current;                 /* the half being processed */
	size_t next;                 /* its next entry */
	int preparing;               /* the half being prepared, -1 none */
	bool started;                /* the thread below runs (else halves are prepared here) */
	bool queued;                 /* the half being prepared is the thread's, not yet done */
	bool closing;                /* the thread is to end */
	thrd_t thread;
	mtx_t lock;                  /* over queued, closing and rc while the thread runs */
	cnd_t wake;                  /* a half queued, a half done, or closing */
	int rc;                      /* prepare_half's result for the half being prepared */
	const struct tagger *tagger;
	const int64_t *ids;          /* the run's pending entries, in order */
	size_t nids, loaded;
};

/* The entries a run's new entries are compared with, by links, canonical URL and title (see
 * near_load): found for the whole run at its start, since processing changes none of what
 * they are found by. Asked entry by entry, the index pages of those lookups had long left the
 * page cache, pushed out by the entries' rows and features: 40,000 new entries read some
 * 125,000 pages more. */
enum near_kind { NEAR_LINKED_TO, NEAR_LINKING_IN, NEAR_SAME_URL, NEAR_SAME_TITLE, NEAR_KINDS };

struct near {
	struct u64map list;          /* entry id * NEAR_KINDS + kind -> index in ids + 1 */
	struct buf ids;              /* int64_t[]: the lists, each ended by 0 */
};

struct linker {
	struct store *store;
	struct db *db;
	const struct tagger *tagger;
	const struct story_hooks *hooks;
	struct story_stats *stats;
	struct tag_hits hits;
	struct u64map tag_ids;       /* tagger value pointer -> tags.id */
	struct u64map df;            /* term + 1 -> document frequency, this batch's counts included */
	struct u64map df_added;      /* term + 1 -> what this batch added, written at its end */
	int64_t docs;                /* documents counted in terms */
	struct similar_doc entry, member;
	struct story_cache {         /* centroids of stories judged this run */
		struct u64map slot;      /* story id -> slot + 1 */
		int64_t id[STORY_CACHE];
		struct similar_doc doc[STORY_CACHE];
		size_t next;
	} cache;
	struct ahead ahead;
	struct near near;
	int64_t current, current_at; /* the entry being processed, and its entries.at */
	struct buf title, text;      /* its title and text */
	struct buf features;         /* and its words and tags, packed (similar_pack) */
	struct buf tag_names, tag_ptrs;
	struct buf candidates;       /* struct candidate[] */
	struct u64map candidate_at;  /* story id -> index in candidates + 1 (0: not a candidate) */
	struct u64map window_at;     /* tag id -> index in windows + 1 */
	struct buf windows;          /* struct tag_window[] */
	unsigned query;              /* numbers the candidate queries run, see add_candidate */
	struct buf reason;
};

struct candidate {
	int64_t story;
	unsigned kinds;              /* kinds of the entry's tags central to the story's reports */
	unsigned hits;               /* how many such reports the tag ranges returned */
	unsigned query;              /* the last query that counted it */
	bool linked;
};

static enum similar_kind kind_of(const char *kind)
{
	if (strcmp(kind, "platform") == 0)
		return KIND_PLATFORM;
	if (strcmp(kind, "country") == 0)
		return KIND_COUNTRY;
	if (strcmp(kind, "topic") == 0)
		return KIND_TOPIC;
	return KIND_OTHER;
}

static int fail_sql(struct linker *L)
{
	db_set_error(L->db, "linking: %s", sqlite3_errmsg(db_handle(L->db)));
	return -1;
}

static int oom(struct linker *L)
{
	db_set_error(L->db, "linking: out of memory");
	return -1;
}

/* Steps a statement expecting one row; returns 1 row, 0 none, -1 error. */
static int step_row(struct linker *L, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return fail_sql(L);
}

/* ------------------------------------------------------------------ tags */

static int64_t tag_id(struct linker *L, const char *kind, const char *value)
{
	uint64_t key = (uint64_t)(uintptr_t)value;
	int64_t *have = u64map_get(&L->tag_ids, key), id;
	sqlite3_stmt *st;
	int rc;

	if (have)
		return *have;
	st = db_stmt(L->db, SQL_TAG_FIND);
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, kind);
	db_bind_text(st, 2, value);
	rc = step_row(L, st);
	if (rc == 0) {
		sqlite3_reset(st);
		st = db_stmt(L->db, SQL_TAG_INSERT);
		if (st == NULL)
			return -1;
		db_bind_text(st, 1, kind);
		db_bind_text(st, 2, value);
		rc = step_row(L, st);
	}
	if (rc <= 0) {
		sqlite3_reset(st);
		return rc == 0 ? fail_sql(L) : -1;
	}
	id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return u64map_put(&L->tag_ids, key, id) < 0 ? oom(L) : id;
}

/* From the tagger's findings in L->hits: the entry's similarity tags, and L->tag_ptrs with
 * "kind:value" strings for events. Nothing is written yet (write_tags). */
static int tag_entry(struct linker *L)
{
	buf_reset(&L->tag_names);
	buf_reset(&L->tag_ptrs);
	L->entry.ntags = 0;
	for (size_t i = 0; i < L->hits.n; i++) {
		const struct tag_hit *h = &L->hits.v[i];
		int64_t tid = tag_id(L, h->kind, h->value);
		if (tid < 0)
			return -1;
		if (similar_add_tag(&L->entry, tid, kind_of(h->kind), h->in_title, h->in_text) < 0 ||
		    buf_printf(&L->tag_names, "%s:%s%c", h->kind, h->value, '\0') < 0)
			return oom(L);
	}
	/* pointers only once the names have stopped moving */
	for (size_t off = 0; off < L->tag_names.len; off += strlen(L->tag_names.data + off) + 1) {
		const char *p = L->tag_names.data + off;
		if (buf_append(&L->tag_ptrs, &p, sizeof p) < 0)
			return oom(L);
	}
	return 0;
}

/* ------------------------------------------------------------------ a tag's recent reports */

/* Candidate stories come from the latest TAG_REPORTS central reports of each of the entry's
 * tags within TAG_WINDOW of it: a range of entry_tags_window per tag and entry, mostly the same
 * rows as for the entry before. So each tag's reports are kept for the run in a tag_window.
 * Pending entries come in order of time, so a window only moves forward: it reads the rows
 * entering it, takes in the rows this run writes, and is read again only when an entry is
 * re-tagged or the time goes back. The stories come out in the same order as from the index. */

static int cmp_report(const struct report *a, const struct report *b)
{
	if (a->at != b->at)
		return a->at < b->at ? -1 : 1;
	if (a->story != b->story)
		return a->story < b->story ? -1 : 1;
	return (a->entry > b->entry) - (a->entry < b->entry);
}

/* The window of tag, made (empty, not loaded) if new; NULL when out of memory. Valid until
 * the next call. */
static struct tag_window *window_of(struct linker *L, int64_t tag, bool make)
{
	int64_t *at = u64map_get(&L->window_at, (uint64_t)tag + 1);
	struct tag_window empty = {0};

	if (at)
		return (struct tag_window *)L->windows.data + *at - 1;
	if (!make)
		return NULL;
	if (buf_append(&L->windows, &empty, sizeof empty) < 0 ||
	    u64map_put(&L->window_at, (uint64_t)tag + 1,
	               (int64_t)(L->windows.len / sizeof empty)) < 0)
		return NULL;
	return (struct tag_window *)(L->windows.data + L->windows.len) - 1;
}

static struct report *rows_of(const struct tag_window *w)
{
	return (struct report *)w->rows.data;
}

static size_t rows_in(const struct tag_window *w)
{
	return w->rows.len / sizeof(struct report);
}

/* Appends to w the rows of tag with from <= at <= to, which all come after w's rows. */
static int read_reports(struct linker *L, struct tag_window *w, int64_t tag, int64_t from,
                        int64_t to)
{
	sqlite3_stmt *st = db_stmt(L->db, SQL_TAG_REPORTS);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, tag);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct report r = {sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
		                   sqlite3_column_int64(st, 2)};
		if (buf_append(&w->rows, &r, sizeof r) < 0) {
			sqlite3_reset(st);
			return oom(L);
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : fail_sql(L);
}

/* The index of w's first row after time at (w->n if none). */
static size_t first_after(const struct tag_window *w, int64_t at)
{
	const struct report *v = rows_of(w);
	size_t lo = 0, hi = rows_in(w);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid].at <= at)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Drops the rows before from, which windows moving forward no longer reach, once they are
 * most of w. */
static void window_trim(struct tag_window *w, int64_t from)
{
	size_t old = first_after(w, from - 1);

	if (old <= rows_in(w) / 2 || old < TAG_REPORTS)
		return;
	w->rows.len -= old * sizeof(struct report);
	memmove(w->rows.data, rows_of(w) + old, w->rows.len);
	w->lo = from;
}

/* A row written to entry_tags: into its tag's window when within it. */
static int window_add(struct linker *L, int64_t tag, struct report r)
{
	struct tag_window *w = window_of(L, tag, false);
	struct report *v;
	size_t i, n;

	if (w == NULL || !w->loaded || r.at < w->lo || r.at > w->hi)
		return 0;
	for (i = first_after(w, r.at); i > 0 && cmp_report(&rows_of(w)[i - 1], &r) > 0; i--)
		;
	n = rows_in(w);
	if (buf_append(&w->rows, &r, sizeof r) < 0)
		return oom(L);
	v = rows_of(w);
	memmove(v + i + 1, v + i, (n - i) * sizeof *v);
	v[i] = r;
	return 0;
}

/* Entry id's tag rows are about to be deleted: the windows they are in are read again when
 * next asked (an entry re-tagged is rare). */
static int window_forget_entry(struct linker *L, int64_t id)
{
	sqlite3_stmt *st;
	int rc;

	if (L->windows.len == 0)
		return 0;
	st = db_stmt(L->db, SQL_ENTRY_TAG_REPORTS);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct tag_window *w = window_of(L, sqlite3_column_int64(st, 0), false);
		if (w)
			w->loaded = false;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : fail_sql(L);
}

/* Stores L->hits as the tags of entry id (replacing what it had), with its time and story:
 * written once the story is known, so a tag row never has to be updated. */
static int write_tags(struct linker *L, int64_t id, int64_t at, int64_t story, bool replace)
{
	sqlite3_stmt *st;

	if (replace) {
		if (window_forget_entry(L, id) < 0)
			return -1;
		st = db_stmt(L->db, SQL_ENTRY_TAGS_DELETE);
		if (st == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, id);
		if (db_exec_stmt(L->db, st) < 0)
			return -1;
	}
	for (size_t i = 0; i < L->hits.n; i++) {
		const struct tag_hit *h = &L->hits.v[i];
		int64_t tid = tag_id(L, h->kind, h->value);
		bool central = similar_central(h->in_title, h->in_text);
		if (tid < 0)
			return -1;
		st = db_stmt(L->db, SQL_ENTRY_TAG_INSERT);
		if (st == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, tid);
		sqlite3_bind_int(st, 3, (int)h->in_title);
		sqlite3_bind_int(st, 4, (int)h->in_text);
		sqlite3_bind_int(st, 5, central);
		sqlite3_bind_int64(st, 6, at);
		db_bind_int64_or_null(st, 7, story, 0);
		if (db_exec_stmt(L->db, st) < 0 ||
		    (central && story != 0 && window_add(L, tid, (struct report){at, story, id}) < 0))
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ words and their rarity */

/* The document frequency of term (batch counts included), read once from the database. */
static int64_t *df_of(struct linker *L, uint64_t term)
{
	int64_t *have = u64map_get(&L->df, term + 1), df = 0;
	sqlite3_stmt *st;

	if (have)
		return have;
	st = db_stmt(L->db, SQL_TERM_DF);
	if (st) {
		sqlite3_bind_int64(st, 1, (int64_t)term);
		if (sqlite3_step(st) == SQLITE_ROW)
			df = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	if (u64map_put(&L->df, term + 1, df) < 0)
		return NULL;
	return u64map_get(&L->df, term + 1);
}

static double idf(uint64_t term, void *arg)
{
	struct linker *L = arg;
	int64_t *df = df_of(L, term);

	/* As if IDF_PRIOR more reports existed without the word: while the database is young a word
	 * two reports share is not yet "common", and as it grows the counts take over. */
	return log((double)(L->docs + IDF_PRIOR) / (double)((df ? *df : 0) + 1));
}

/* Counts the entry's words into the document frequencies (in memory until flush_words). */
static int count_words(struct linker *L)
{
	for (size_t i = 0; i < L->entry.nterms; i++) {
		uint64_t term = L->entry.terms[i].hash;
		int64_t *df = df_of(L, term), *added = u64map_get(&L->df_added, term + 1);
		if (df == NULL || u64map_put(&L->df_added, term + 1, added ? *added + 1 : 1) < 0)
			return oom(L);
		(*df)++;
	}
	L->docs++;
	return 0;
}

/* Writes the batch's word counts (term 0 counts documents), one row per distinct word. */
static int flush_words(struct linker *L, int64_t docs_added)
{
	sqlite3_stmt *st;

	for (size_t i = 0; i <= L->df_added.cap; i++) {
		bool docs = i == L->df_added.cap;
		if (!docs && L->df_added.keys[i] == 0)
			continue;
		st = db_stmt(L->db, SQL_TERM_ADD);
		if (st == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, docs ? 0 : (int64_t)(L->df_added.keys[i] - 1));
		sqlite3_bind_int64(st, 2, docs ? docs_added : L->df_added.values[i]);
		if (db_exec_stmt(L->db, st) < 0)
			return -1;
	}
	u64map_free(&L->df_added);
	return 0;
}

/* ------------------------------------------------------------------ roles */

struct role {
	int64_t at, story, related_to;
	char relation[16];
	char reason[200];
	double score;
};

static int load_role(struct linker *L, int64_t id, struct role *r)
{
	sqlite3_stmt *st = db_stmt(L->db, SQL_ENTRY_ROLE);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = step_row(L, st);
	if (rc == 1) {
		r->at = sqlite3_column_int64(st, 0);
		r->story = sqlite3_column_int64(st, 1);
		snprintf(r->relation, sizeof r->relation, "%s", db_text(st, 2));
		r->related_to = sqlite3_column_int64(st, 3);
		snprintf(r->reason, sizeof r->reason, "%s", db_text(st, 4));
		r->score = sqlite3_column_double(st, 5);
	}
	sqlite3_reset(st);
	return rc == 1 ? 0 : rc == 0 ? (db_set_error(L->db, "entry %lld vanished", (long long)id), -1) : -1;
}

static int exec_ids(struct linker *L, enum db_sql sql, int64_t a, int64_t b)
{
	sqlite3_stmt *st = db_stmt(L->db, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	return db_exec_stmt(L->db, st);
}

static void forget_story(struct linker *L, int64_t story)
{
	int64_t *slot = u64map_get(&L->cache.slot, (uint64_t)story);

	if (slot && *slot > 0) {
		L->cache.id[*slot - 1] = 0;
		*slot = 0;
	}
}

static int relate(struct linker *L, int64_t id, int64_t story, const char *relation,
                  int64_t related_to, const char *reason, double score)
{
	sqlite3_stmt *st = db_stmt(L->db, SQL_ENTRY_RELATE);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, story);
	db_bind_text(st, 3, relation);
	db_bind_int64_or_null(st, 4, related_to, 0);
	db_bind_text(st, 5, reason && *reason ? reason : NULL);
	if (reason && *reason)
		sqlite3_bind_double(st, 6, score);
	/* only the entry being processed can be new to entry_story: another keeps its at */
	if (id == L->current)
		sqlite3_bind_int64(st, 7, L->current_at);
	if (db_exec_stmt(L->db, st) < 0)
		return -1;
	forget_story(L, story); /* its reports changed: its centroid is stale */
	return 0;
}

/* The first two columns of the row sql gives for id: 1, 0 when there is none, or -1. */
static int two_columns(struct linker *L, enum db_sql sql, int64_t id, int64_t *a, int64_t *b)
{
	sqlite3_stmt *st = db_stmt(L->db, sql);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = step_row(L, st);
	if (rc == 1) {
		*a = sqlite3_column_int64(st, 0);
		*b = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return rc;
}

static int story_get(struct linker *L, int64_t story, int64_t *original, int64_t *first)
{
	int rc = two_columns(L, SQL_STORY_GET, story, original, first);

	return rc == 1 ? 0 : rc == 0 ? (db_set_error(L->db, "story %lld vanished", (long long)story), -1) : -1;
}

static int story_update(struct linker *L, int64_t story, int64_t original, int64_t at)
{
	sqlite3_stmt *st = db_stmt(L->db, SQL_STORY_UPDATE);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, story);
	sqlite3_bind_int64(st, 2, original);
	sqlite3_bind_int64(st, 3, at);
	return db_exec_stmt(L->db, st);
}

/* Entry id, published at `at`, takes the place of `old` (same story, same relation): old was
 * a copy that happened to be seen first, or a report published after this one. */
static int take_place(struct linker *L, int64_t id, int64_t at, int64_t old, const struct role *r)
{
	int64_t original, first;

	if (relate(L, id, r->story, r->relation, r->related_to, r->reason, r->score) < 0 ||
	    exec_ids(L, SQL_REPOINT_DUPLICATES, old, id) < 0 || story_get(L, r->story, &original, &first) < 0)
		return -1;
	if (original == old &&
	    (exec_ids(L, SQL_REPOINT_FOLLOW_UPS, r->story, id) < 0 ||
	     story_update(L, r->story, id, at) < 0))
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ neighbours */

static uint64_t near_key(int64_t id, enum near_kind kind)
{
	return (uint64_t)id * NEAR_KINDS + kind;
}

/* Reads one kind of neighbours for the run: rows (entry, neighbour), an entry's rows together. */
static int near_load(struct linker *L, enum db_sql sql, enum near_kind kind)
{
	sqlite3_stmt *st = db_stmt(L->db, sql);
	struct near *N = &L->near;
	const int64_t end = 0;
	int64_t entry = 0;
	int rc;

	if (st == NULL)
		return -1;
	if (kind == NEAR_SAME_TITLE)
		sqlite3_bind_int64(st, 1, COPY_WINDOW);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t row_entry = sqlite3_column_int64(st, 0), other = sqlite3_column_int64(st, 1);
		if (row_entry != entry) {
			if ((entry != 0 && buf_append(&N->ids, &end, sizeof end) < 0) ||
			    u64map_put(&N->list, near_key(row_entry, kind),
			               (int64_t)(N->ids.len / sizeof end) + 1) < 0)
				goto out_of_memory;
			entry = row_entry;
		}
		if (buf_append(&N->ids, &other, sizeof other) < 0)
			goto out_of_memory;
	}
	if (rc != SQLITE_DONE) {
		sqlite3_reset(st);
		return fail_sql(L);
	}
	sqlite3_reset(st);
	if (entry != 0 && buf_append(&N->ids, &end, sizeof end) < 0)
		return oom(L);
	return 0;
out_of_memory:
	sqlite3_reset(st);
	return oom(L);
}

static int near_start(struct linker *L)
{
	if (near_load(L, SQL_NEAR_LINKED_TO, NEAR_LINKED_TO) < 0 ||
	    near_load(L, SQL_NEAR_LINKING_IN, NEAR_LINKING_IN) < 0 ||
	    near_load(L, SQL_NEAR_SAME_URL, NEAR_SAME_URL) < 0 ||
	    near_load(L, SQL_NEAR_SAME_TITLE, NEAR_SAME_TITLE) < 0)
		return -1;
	return 0;
}

/* Entry id's neighbours of kind, ended by 0. Borrowed for the run. */
static const int64_t *near(const struct linker *L, int64_t id, enum near_kind kind)
{
	static const int64_t none = 0;
	const int64_t *at = u64map_get(&L->near.list, near_key(id, kind));

	return at ? (const int64_t *)L->near.ids.data + (*at - 1) : &none;
}

/* ------------------------------------------------------------------ duplicates */

/* Entry id's story and that entry's time: 1, or 0 when it has none yet, or -1. */
static int story_of(struct linker *L, int64_t id, int64_t *story, int64_t *at)
{
	return two_columns(L, SQL_ENTRY_ROLE, id, at, story);
}

/* The entry this one copies, or 0. A same canonical URL anywhere, or the same normalised title
 * with near-identical text within COPY_WINDOW: the earliest processed one. */
static int64_t find_copy(struct linker *L, int64_t id, const char **why)
{
	sqlite3_stmt *st;
	int64_t story, at, found = 0;
	size_t weighed = 0;
	int rc;

	for (const int64_t *other = near(L, id, NEAR_SAME_URL); *other; other++) {
		rc = story_of(L, *other, &story, &at);
		if (rc < 0)
			return -1;
		if (rc > 0) {
			*why = "same canonical URL";
			return *other;
		}
	}
	st = db_stmt(L->db, SQL_ENTRY_WORDS);
	if (st == NULL)
		return -1;
	for (const int64_t *other = near(L, id, NEAR_SAME_TITLE); *other && weighed < COPY_TEXTS;
	     other++) {
		rc = story_of(L, *other, &story, &at);
		if (rc < 0)
			return -1;
		if (rc == 0)
			continue;
		weighed++;
		sqlite3_bind_int64(st, 1, *other);
		rc = step_row(L, st);
		if (rc > 0 && similar_containment(L->text.data ? L->text.data : "", db_text(st, 1)) >=
		                  COPY_CONTAINMENT)
			found = *other;
		sqlite3_reset(st);
		if (rc < 0)
			return -1;
		if (found) {
			*why = "same title and text";
			return found;
		}
	}
	return 0;
}

/* Makes entry id a duplicate of entry of (or the other way round, see story.h); sets *story to
 * the story they are in. */
static int make_duplicate(struct linker *L, int64_t id, int64_t at, int64_t of, const char *why,
                          int64_t *story)
{
	struct role r;

	if (load_role(L, of, &r) < 0)
		return -1;
	if (strcmp(r.relation, "duplicate") == 0) { /* point at what the copy copies */
		of = r.related_to;
		if (load_role(L, of, &r) < 0)
			return -1;
	}
	*story = r.story;
	buf_reset(&L->reason);
	if (at < r.at) {
		/* the copy was seen first: this is the entry it copies */
		if (take_place(L, id, at, of, &r) < 0)
			return -1;
		buf_printf(&L->reason, "%s as entry %lld, published earlier", why, (long long)id);
		return relate(L, of, r.story, "duplicate", id, buf_str(&L->reason), 1.0);
	}
	buf_printf(&L->reason, "%s as entry %lld", why, (long long)of);
	return relate(L, id, r.story, "duplicate", of, buf_str(&L->reason), 1.0);
}

/* ------------------------------------------------------------------ stories */

/* Counts story as a candidate. A tag query counts a story once per report of it; a link query
 * returns a story once per linking entry and counts it once. */
static int add_candidate(struct linker *L, int64_t story, unsigned kind_bit, bool linked)
{
	int64_t *at = u64map_get(&L->candidate_at, (uint64_t)story);
	struct candidate add = {.story = story, .kinds = kind_bit, .linked = linked, .hits = 1,
	                        .query = L->query};

	if (at && *at > 0) {
		struct candidate *c = &((struct candidate *)L->candidates.data)[*at - 1];
		if (linked && c->query == L->query)
			return 0;
		c->kinds |= kind_bit;
		c->linked |= linked;
		c->hits++;
		c->query = L->query;
		return 0;
	}
	if (buf_append(&L->candidates, &add, sizeof add) < 0 ||
	    u64map_put(&L->candidate_at, (uint64_t)story,
	               (int64_t)(L->candidates.len / sizeof add)) < 0)
		return oom(L);
	return 0;
}

/* Adds the stories of the entries in other (ended by 0) that have one within LINK_WINDOW of at,
 * each story once. */
static int linked_candidates(struct linker *L, const int64_t *other, int64_t at)
{
	int64_t story, story_at;
	int rc;

	L->query++;
	for (; *other; other++) {
		rc = story_of(L, *other, &story, &story_at);
		if (rc < 0)
			return -1;
		if (rc > 0 && story_at >= at - LINK_WINDOW && story_at <= at + LINK_WINDOW &&
		    add_candidate(L, story, 0, true) < 0)
			return -1;
	}
	return 0;
}

/* Adds the candidate stories of tag for an entry at time at: the stories of the tag's latest
 * TAG_REPORTS central reports within TAG_WINDOW, newest first, as the index would give them. */
static int tag_candidates(struct linker *L, int64_t tag, int64_t at, unsigned kind_bit)
{
	int64_t from = at - TAG_WINDOW, to = at + TAG_WINDOW;
	struct tag_window *w = window_of(L, tag, true);
	size_t top, taken;

	if (w == NULL)
		return oom(L);
	if (!w->loaded || from < w->lo) {
		buf_reset(&w->rows);
		w->lo = from;
		w->hi = from - 1;
		w->loaded = true;
	}
	if (to > w->hi) {
		if (read_reports(L, w, tag, w->hi + 1, to) < 0)
			return -1;
		w->hi = to;
	}
	top = first_after(w, to);
	L->query++;
	for (taken = 0; taken < TAG_REPORTS && taken < top && rows_of(w)[top - 1 - taken].at >= from;
	     taken++)
		if (add_candidate(L, rows_of(w)[top - 1 - taken].story, kind_bit, false) < 0)
			return -1;
	window_trim(w, from);
	return 0;
}

static int find_candidates(struct linker *L, int64_t id, int64_t at)
{
	/* forget the last entry's candidates (their index entries point past the new list) */
	struct candidate *old = (struct candidate *)L->candidates.data;
	for (size_t i = 0; i < L->candidates.len / sizeof *old; i++)
		u64map_put(&L->candidate_at, (uint64_t)old[i].story, 0);
	buf_reset(&L->candidates);
	if (linked_candidates(L, near(L, id, NEAR_LINKED_TO), at) < 0 ||
	    linked_candidates(L, near(L, id, NEAR_LINKING_IN), at) < 0)
		return -1;
	for (size_t i = 0; i < L->entry.ntags; i++) {
		const struct similar_tag *t = &L->entry.tags[i];
		if (t->kind != KIND_OTHER && tag_candidates(L, t->id, at, 1u << t->kind) < 0)
			return -1;
	}
	return 0;
}

/* The centroid of a story's latest reports, from the cache or built now. Borrowed until the
 * next call. Returns NULL on error. */
static const struct similar_doc *load_story(struct linker *L, int64_t story)
{
	int64_t *slot = u64map_get(&L->cache.slot, (uint64_t)story);
	sqlite3_stmt *members;
	struct similar_doc *d;
	size_t k;
	int rc;

	if (slot && *slot > 0 && L->cache.id[*slot - 1] == story)
		return &L->cache.doc[*slot - 1];
	/* a free slot, round robin: the oldest centroid goes */
	k = L->cache.next++ % STORY_CACHE;
	if (L->cache.id[k])
		forget_story(L, L->cache.id[k]);
	d = &L->cache.doc[k];
	d->ntags = d->nterms = d->members = 0;
	d->norm = 0;
	members = db_stmt(L->db, SQL_STORY_MEMBERS);
	if (members == NULL)
		return NULL;
	sqlite3_bind_int64(members, 1, story);
	while ((rc = sqlite3_step(members)) == SQLITE_ROW) {
		/* a member without features (or damaged ones) is judged without: it still counts */
		if (similar_unpack(&L->member, sqlite3_column_blob(members, 1),
		                   (size_t)sqlite3_column_bytes(members, 1)) < 0)
			L->member.nterms = L->member.ntags = 0;
		similar_weigh(&L->member, idf, L);
		if (similar_merge(d, &L->member) < 0) {
			sqlite3_reset(members);
			oom(L);
			return NULL;
		}
	}
	sqlite3_reset(members);
	if (rc != SQLITE_DONE) {
		fail_sql(L);
		return NULL;
	}
	if (u64map_put(&L->cache.slot, (uint64_t)story, (int64_t)k + 1) < 0) {
		oom(L);
		return NULL;
	}
	L->cache.id[k] = story;
	return d;
}

/* Best evidence first: a link, then more kinds of shared central tags, then more reports. */
static int cmp_candidate(const void *x, const void *y)
{
	const struct candidate *a = x, *b = y;
	int ka = __builtin_popcount(a->kinds), kb = __builtin_popcount(b->kinds);

	if (a->linked != b->linked)
		return a->linked ? -1 : 1;
	if (ka != kb)
		return ka > kb ? -1 : 1;
	if (a->hits != b->hits)
		return a->hits > b->hits ? -1 : 1;
	return a->story < b->story ? -1 : a->story > b->story;
}

/* The reason a verdict gives, in words, into L->reason. */
static void word_reason(struct linker *L, const struct similar_verdict *v, bool linked)
{
	buf_reset(&L->reason);
	if (linked)
		buf_puts(&L->reason, "links to the story");
	if (v->nshared) {
		buf_puts(&L->reason, linked ? "; shares " : "shares ");
		for (size_t i = 0; i < v->nshared; i++)
			for (size_t k = 0; k < L->hits.n; k++)
				if (L->entry.tags[k].id == v->shared[i])
					buf_printf(&L->reason, "%s%s:%s", i ? ", " : "", L->hits.v[k].kind,
					           L->hits.v[k].value);
	}
	buf_printf(&L->reason, "; words %.2f", v->words);
}

/* Joins the entry to the closest story that will take it, or starts one. Sets *kind. */
static int link_entry(struct linker *L, int64_t id, int64_t at, enum story_event_kind *kind,
                      int64_t *story_out)
{
	struct similar_verdict v, best = {0};
	struct candidate *c;
	int64_t best_story = 0, original, first;
	bool best_linked = false;
	size_t n = 0;

	if (find_candidates(L, id, at) < 0)
		return -1;
	c = (struct candidate *)L->candidates.data;
	/* Without a link, a story sharing fewer than two kinds can never be joined: most of the
	 * tag ranges' stories. The joinable ones go first, and only they are sorted (the rest
	 * stay in the list, which find_candidates clears by its stories). */
	for (size_t i = 0, end = L->candidates.len / sizeof *c; i < end; i++)
		if (c[i].linked || __builtin_popcount(c[i].kinds) >= 2) {
			struct candidate joinable = c[i];
			c[i] = c[n];
			c[n++] = joinable;
		}
	if (n)
		qsort(c, n, sizeof *c, cmp_candidate);
	for (size_t i = 0; i < n && i < MAX_LOADS; i++) {
		const struct similar_doc *story = load_story(L, c[i].story);
		if (story == NULL)
			return -1;
		if (story->members == 0)
			continue;
		similar_decide(&L->entry, story, c[i].linked, &v);
		if (v.join && (best_story == 0 || v.score > best.score)) {
			best = v;
			best_story = c[i].story;
			best_linked = c[i].linked;
		}
	}
	if (best_story == 0) {
		sqlite3_stmt *st = db_stmt(L->db, SQL_STORY_INSERT);
		if (st == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, at);
		if (db_exec_stmt(L->db, st) < 0)
			return -1;
		*story_out = sqlite3_last_insert_rowid(db_handle(L->db));
		*kind = STORY_NEW;
		L->stats->stories++;
		return relate(L, id, *story_out, "original", 0, NULL, 0);
	}
	word_reason(L, &best, best_linked);
	*kind = STORY_FOLLOW_UP;
	*story_out = best_story;
	L->stats->follow_ups++;
	if (story_get(L, best_story, &original, &first) < 0)
		return -1;
	if (at < first) {
		/* an earlier report than the story's original: it becomes the original */
		struct role old;
		if (load_role(L, original, &old) < 0 ||
		    relate(L, id, best_story, "original", 0, NULL, 0) < 0 ||
		    exec_ids(L, SQL_REPOINT_FOLLOW_UPS, best_story, id) < 0 ||
		    relate(L, original, best_story, "follow-up", id, buf_str(&L->reason), best.score) < 0)
			return -1;
		return story_update(L, best_story, id, at);
	}
	if (relate(L, id, best_story, "follow-up", original, buf_str(&L->reason), best.score) < 0)
		return -1;
	return story_update(L, best_story, original, at);
}

/* ------------------------------------------------------------------ one entry */

static int copy_text(struct buf *b, const char *s)
{
	buf_reset(b);
	return buf_puts(b, s);
}

/* ------------------------------------------------------------------ reading ahead */

/* Runs on the second thread: only the half being prepared, only pure functions. */
static int prepare_half(struct ahead *A)
{
	struct prepared *p = A->slots + (size_t)A->preparing * AHEAD;

	for (size_t i = 0; i < A->n[A->preparing]; i++, p++) {
		if (similar_words(&p->words, p->title.data, p->text.data) < 0 ||
		    tagger_tag(A->tagger, p->title.data, p->title.len, p->text.data, p->text.len,
		               &p->hits) < 0)
			return -1;
	}
	return 0;
}

/* The second thread: prepares each half queued to it, until closing. One thread for the run:
 * one per half (625 for 40,000 entries) cost the processing thread 2% of its time in
 * clone3 and the new stacks' page faults. */
static int prepare_halves(void *arg)
{
	struct ahead *A = arg;

	mtx_lock(&A->lock);
	for (;;) {
		while (!A->queued && !A->closing)
			cnd_wait(&A->wake, &A->lock);
		if (A->closing)
			break;
		mtx_unlock(&A->lock);
		int rc = prepare_half(A);
		mtx_lock(&A->lock);
		A->rc = rc;
		A->queued = false;
		cnd_signal(&A->wake);
	}
	mtx_unlock(&A->lock);
	return 0;
}

/* Waits for the half being prepared. Returns prepare_half's result. */
static int ahead_wait(struct ahead *A)
{
	int rc;

	if (A->preparing < 0)
		return 0;
	if (A->started) {
		mtx_lock(&A->lock);
		while (A->queued)
			cnd_wait(&A->wake, &A->lock);
		rc = A->rc;
		mtx_unlock(&A->lock);
	} else {
		rc = A->rc;
	}
	A->preparing = -1;
	return rc;
}

/* Reads the next pending entries' titles and texts into half h and starts preparing them. */
static int ahead_load(struct linker *L, int h)
{
	struct ahead *A = &L->ahead;
	sqlite3_stmt *st = db_stmt(L->db, SQL_ENTRY_WORDS);
	int rc;

	if (st == NULL)
		return -1;
	A->n[h] = 0;
	while (A->n[h] < AHEAD && A->loaded < A->nids) {
		struct prepared *p = &A->slots[(size_t)h * AHEAD + A->n[h]];
		p->id = A->ids[A->loaded++];
		sqlite3_bind_int64(st, 1, p->id);
		rc = step_row(L, st);
		if (rc > 0 && (copy_text(&p->title, db_text(st, 0)) < 0 ||
		               copy_text(&p->text, db_text(st, 1)) < 0))
			rc = oom(L);
		sqlite3_reset(st);
		if (rc < 0)
			return -1;
		A->n[h] += (size_t)rc; /* an entry gone since the run began is passed over */
	}
	if (A->n[h] == 0)
		return 0;
	A->preparing = h;
	if (!A->started) { /* no second thread to be had: prepare here */
		A->rc = prepare_half(A);
		return 0;
	}
	mtx_lock(&A->lock);
	A->queued = true;
	cnd_signal(&A->wake);
	mtx_unlock(&A->lock);
	return 0;
}

/* The next pending entry, prepared: 1 (*out set), 0 none left, -1 error. */
static int ahead_next(struct linker *L, struct prepared **out)
{
	struct ahead *A = &L->ahead;

	if (A->next == A->n[A->current]) {
		if (A->preparing < 0)
			return 0;
		if (ahead_wait(A) < 0)
			return oom(L);
		A->current = !A->current;
		A->next = 0;
		if (ahead_load(L, !A->current) < 0)
			return -1;
	}
	*out = &A->slots[(size_t)A->current * AHEAD + A->next++];
	return 1;
}

static int ahead_start(struct linker *L, const struct buf *ids)
{
	struct ahead *A = &L->ahead;

	A->slots = calloc(2 * AHEAD, sizeof *A->slots);
	if (A->slots == NULL)
		return oom(L);
	A->tagger = L->tagger;
	A->ids = (const int64_t *)ids->data;
	A->nids = ids->len / sizeof(int64_t);
	A->current = 1; /* empty: the first ahead_next takes half 0 */
	A->preparing = -1;
	if (mtx_init(&A->lock, mtx_plain) == thrd_success) {
		if (cnd_init(&A->wake) == thrd_success) {
			/* signals are for the calling thread (a crawl's stop), as in parsepool.c */
			sigset_t all, old;
			sigfillset(&all);
			pthread_sigmask(SIG_SETMASK, &all, &old);
			A->started = thrd_create(&A->thread, prepare_halves, A) == thrd_success;
			pthread_sigmask(SIG_SETMASK, &old, NULL);
			if (!A->started)
				cnd_destroy(&A->wake);
		}
		if (!A->started)
			mtx_destroy(&A->lock);
	}
	return ahead_load(L, 0);
}

static void ahead_free(struct ahead *A)
{
	if (A->slots == NULL)
		return;
	ahead_wait(A);
	if (A->started) {
		mtx_lock(&A->lock);
		A->closing = true;
		cnd_signal(&A->wake);
		mtx_unlock(&A->lock);
		thrd_join(A->thread, NULL);
		cnd_destroy(&A->wake);
		mtx_destroy(&A->lock);
	}
	for (size_t i = 0; i < 2 * AHEAD; i++) {
		buf_free(&A->slots[i].title);
		buf_free(&A->slots[i].text);
		similar_doc_free(&A->slots[i].words);
		tag_hits_free(&A->slots[i].hits);
	}
	free(A->slots);
}

/* Makes p the current entry. Its buffers and L's trade places, so both keep their capacity. */
static void take_prepared(struct linker *L, struct prepared *p)
{
	struct buf title = L->title, text = L->text;
	struct similar_doc words = L->entry;
	struct tag_hits hits = L->hits;

	L->title = p->title;
	L->text = p->text;
	L->entry = p->words;
	L->hits = p->hits;
	p->title = title;
	p->text = text;
	p->words = words;
	p->hits = hits;
}

/* ------------------------------------------------------------------ processing */

static int process_entry(struct linker *L, struct prepared *p)
{
	sqlite3_stmt *st = db_stmt(L->db, SQL_ENTRY_FOR_LINKING);
	char feed_title[512], url[2048], relation[16];
	const char *why = NULL;
	int64_t id = p->id, at, story, copy_of;
	int pending, rc;
	enum story_event_kind kind;
	bool event = true;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = step_row(L, st);
	if (rc <= 0) {
		sqlite3_reset(st);
		return rc;
	}
	at = sqlite3_column_int64(st, 0);
	pending = sqlite3_column_int(st, 1);
	snprintf(relation, sizeof relation, "%s", db_text(st, 2));
	snprintf(url, sizeof url, "%s", db_text(st, 3));
	snprintf(feed_title, sizeof feed_title, "%s", db_text(st, 4));
	story = sqlite3_column_int64(st, 5);
	sqlite3_reset(st);

	/* the words came first: tagging adds the tags to them; then they are kept, packed, with
	 * the entry */
	take_prepared(L, p);
	L->current = id;
	L->current_at = at;
	buf_reset(&L->features);
	if (tag_entry(L) < 0)
		return -1;
	if (similar_pack(&L->entry, &L->features) < 0)
		return oom(L);
	st = db_stmt(L->db, SQL_ENTRY_FEATURES);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_blob(st, 2, L->features.data, (int)L->features.len, SQLITE_STATIC);
	if (db_exec_stmt(L->db, st) < 0)
		return -1;
	if (pending == 2) {
		/* a new version: its story's centroid is stale */
		forget_story(L, story);
		kind = STORY_UPDATED;
		event = strcmp(relation, "duplicate") != 0;
		L->stats->updated++;
	} else {
		if (count_words(L) < 0)
			return -1;
		similar_weigh(&L->entry, idf, L);
		copy_of = find_copy(L, id, &why);
		if (copy_of < 0)
			return -1;
		if (copy_of > 0) {
			if (make_duplicate(L, id, at, copy_of, why, &story) < 0)
				return -1;
			L->stats->duplicates++;
			event = false;
		} else if (link_entry(L, id, at, &kind, &story) < 0) {
			return -1;
		}
	}
	if (write_tags(L, id, at, story, pending == 2) < 0 || exec_ids(L, SQL_ENTRY_DONE, id, 0) < 0)
		return -1;
	L->stats->processed++;
	if (!event || L->hooks == NULL || L->hooks->event == NULL)
		return 0;
	struct story_event ev = {
		.kind = kind,
		.entry_id = id,
		.story_id = story,
		.published = at,
		.feed_title = feed_title,
		.title = buf_str(&L->title),
		.url = url[0] ? url : NULL,
		.text = buf_str(&L->text),
		.tags = (const char *const *)L->tag_ptrs.data,
		.ntags = L->tag_ptrs.len / sizeof(char *),
	};
	if (L->hooks->event(&ev, L->hooks->arg) != 0) {
		db_set_error(L->db, "stopped");
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ runs */

static void linker_free(struct linker *L)
{
	tag_hits_free(&L->hits);
	u64map_free(&L->tag_ids);
	u64map_free(&L->df);
	u64map_free(&L->df_added);
	u64map_free(&L->candidate_at);
	u64map_free(&L->window_at);
	u64map_free(&L->near.list);
	buf_free(&L->near.ids);
	for (size_t i = 0; i < L->windows.len / sizeof(struct tag_window); i++)
		buf_free(&((struct tag_window *)L->windows.data)[i].rows);
	buf_free(&L->windows);
	u64map_free(&L->cache.slot);
	for (size_t i = 0; i < STORY_CACHE; i++)
		similar_doc_free(&L->cache.doc[i]);
	ahead_free(&L->ahead);
	similar_doc_free(&L->entry);
	similar_doc_free(&L->member);
	buf_free(&L->title);
	buf_free(&L->text);
	buf_free(&L->features);
	buf_free(&L->tag_names);
	buf_free(&L->tag_ptrs);
	buf_free(&L->candidates);
	buf_free(&L->reason);
}

static int load_ids(struct linker *L, enum db_sql sql, struct buf *ids)
{
	sqlite3_stmt *st = db_stmt(L->db, sql);
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		if (buf_append(ids, &id, sizeof id) < 0) {
			sqlite3_reset(st);
			return oom(L);
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : fail_sql(L);
}

int story_process(struct store *s, const struct tagger *t, const struct story_hooks *hooks,
                  struct story_stats *stats)
{
	struct linker L = {.store = s, .db = store_db(s), .tagger = t, .hooks = hooks, .stats = stats};
	struct buf ids = {0};
	struct prepared *p;
	sqlite3_stmt *st;
	int rc = -1, more;

	memset(stats, 0, sizeof *stats);
	/* processing reads across the whole recent part of the database (the rows stored before
	 * it, candidate stories' term vectors): twice the cache saves more than a quarter of the
	 * pages read again from the file (40,000 entries: 430,000 reads instead of 600,000). A
	 * crawl has finished fetching by then, so this does not raise its peak memory. */
	if (db_cache_size(L.db, PROCESSING_CACHE_KIB) < 0 || load_ids(&L, SQL_PENDING, &ids) < 0 ||
	    near_start(&L) < 0)
		goto done;
	st = db_stmt(L.db, SQL_TERM_DF);
	if (st == NULL)
		goto done;
	sqlite3_bind_int64(st, 1, 0);
	L.docs = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (ahead_start(&L, &ids) < 0 || (more = ahead_next(&L, &p)) < 0)
		goto done;
	while (more > 0) {
		int64_t docs_before = L.docs;
		if (db_begin(L.db) < 0)
			goto done;
		for (size_t k = 0; k < BATCH && more > 0; k++) {
			if (process_entry(&L, p) < 0 || (more = ahead_next(&L, &p)) < 0) {
				db_rollback(L.db);
				if (hooks && hooks->batch_done)
					hooks->batch_done(false, hooks->arg);
				goto done;
			}
		}
		if (flush_words(&L, L.docs - docs_before) < 0 || db_commit(L.db) < 0) {
			db_rollback(L.db);
			if (hooks && hooks->batch_done)
				hooks->batch_done(false, hooks->arg);
			goto done;
		}
		if (hooks && hooks->batch_done)
			hooks->batch_done(true, hooks->arg);
	}
	rc = 0;
done:
	if (db_cache_size(L.db, DB_CACHE_KIB) < 0)
		rc = -1;
	buf_free(&ids);
	linker_free(&L);
	return rc;
}

int64_t story_retag(struct store *s, const struct tagger *t)
{
	struct story_stats stats;
	struct linker L = {.store = s, .db = store_db(s), .tagger = t, .stats = &stats};
	sqlite3_stmt *st = NULL;
	int64_t count = 0;
	int rc;

	if (db_begin(L.db) < 0)
		return -1;
	st = db_stmt(L.db, SQL_ALL_ENTRIES);
	if (st == NULL)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (copy_text(&L.title, db_text(st, 1)) < 0 || copy_text(&L.text, db_text(st, 2)) < 0) {
			oom(&L);
			goto fail;
		}
		if (tagger_tag(t, L.title.data, L.title.len, L.text.data, L.text.len, &L.hits) < 0) {
			oom(&L);
			goto fail;
		}
		if (tag_entry(&L) < 0 || write_tags(&L, sqlite3_column_int64(st, 0),
		                                    sqlite3_column_int64(st, 3),
		                                    sqlite3_column_int64(st, 4), true) < 0)
			goto fail;
		count++;
	}
	if (rc != SQLITE_DONE) {
		fail_sql(&L);
		goto fail;
	}
	sqlite3_reset(st);
	if (db_commit(L.db) < 0)
		goto fail;
	linker_free(&L);
	return count;
fail:
	if (st)
		sqlite3_reset(st);
	db_rollback(L.db);
	linker_free(&L);
	return -1;
}
