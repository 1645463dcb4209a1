/*
 * store.c — feeds, entry identity, ingest with revisions, fetch records (see store.h).
 */
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/arena.h"
#include "parsers/buf.h"
#include "parsers/feed.h"
#include "parsers/hash.h"
#include "parsers/text.h"
#include "store/db.h"

/* Plain text kept per entry (for search, tags and similarity); the HTML is kept whole. */
#define STORE_TEXT_MAX (256 * 1024)

/* Dates more than this far in the future are a publisher's clock, not news from tomorrow. */
#define FUTURE_SLACK (24 * 3600)

enum identity {
	IDENTITY_GUID,            /* guid, else link, else title+date */
	IDENTITY_GUID_LINK,       /* the feed reuses GUIDs for different articles */
	IDENTITY_GUID_LINK_TITLE, /* ... and links too */
};

static const char *const identity_notes[] = {
	[IDENTITY_GUID_LINK] = "GUIDs repeat for different entries; entries are told apart by "
	                       "GUID and link",
	[IDENTITY_GUID_LINK_TITLE] = "GUIDs and links repeat for different entries; entries are "
	                             "told apart by GUID, link and title",
};

struct store {
	struct db *db;
};

struct db *store_db(struct store *s)
{
	return s->db;
}

static int run_sql(struct store *s, enum db_sql sql)
{
	sqlite3_stmt *st = db_stmt(s->db, sql);

	return st ? db_exec_stmt(s->db, st) : -1;
}

struct store *store_open(const char *path, enum store_mode mode, char *err, size_t errsize)
{
	struct store *s = calloc(1, sizeof *s);

	if (s == NULL) {
		snprintf(err, errsize, "%s: out of memory", path);
		return NULL;
	}
	s->db = db_open(path, mode == STORE_WRITE ? DB_WRITE : DB_READ, err, errsize);
	if (s->db == NULL) {
		free(s);
		return NULL;
	}
	if (mode == STORE_WRITE && run_sql(s, SQL_FTS_TODO_CREATE) < 0) {
		snprintf(err, errsize, "%s: %s", path, db_error(s->db));
		store_close(s);
		return NULL;
	}
	return s;
}

void store_close(struct store *s)
{
	if (s == NULL)
		return;
	db_close(s->db);
	free(s);
}

const char *store_error(struct store *s)
{
	return db_error(s->db);
}

/* The id of the feed with this URL, creating it (added at now) when missing. Returns -1 on
 * error. */
static int64_t feed_for_url(struct store *s, const char *url, int64_t now)
{
	sqlite3_stmt *st = db_stmt(s->db, SQL_FEED_BY_URL);
	int64_t id = -1;
	int rc;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, url);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		return id;
	}
	if (rc != SQLITE_DONE)
		goto fail;
	st = db_stmt(s->db, SQL_FEED_INSERT);
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, url);
	sqlite3_bind_int64(st, 2, now);
	if (sqlite3_step(st) != SQLITE_ROW)
		goto fail;
	id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return id;
fail:
	db_set_error(s->db, "feed %s: %s", url, sqlite3_errmsg(db_handle(s->db)));
	sqlite3_reset(st);
	return -1;
}

/* ------------------------------------------------------------------ identity */

/* An entry of the document with what the store derives from it. */
struct incoming {
	const struct feed_entry *e;
	const char *link;        /* canonical link, else the link as written, else NULL */
	const char *title;       /* never NULL */
	const char *text;        /* plain text of content, else summary */
	const char *date_raw;    /* the date as written, part of the key of entries without ids */
	const char **hrefs;      /* the links in its text that canonicalise, nhrefs of them */
	size_t nhrefs;
	char *key;
	char content_hash[HASH_HEX_SIZE];
	char title_key[HASH_HEX_SIZE];
	bool repeat;             /* the same entry again in the same document */
};

struct store_doc {
	const struct feed *feed;
	struct arena *arena;     /* everything derived */
	struct incoming *in;     /* feed->nentries */
	size_t with_guid;        /* entries with an id */
};

static char *hex_of(struct arena *a, const char *s1, const char *s2)
{
	struct buf b = {0};
	char hex[HASH_HEX_SIZE], *out = NULL;

	if (buf_puts(&b, s1) == 0 && buf_putc(&b, '\x1f') == 0 && buf_puts(&b, s2 ? s2 : "") == 0)
		out = arena_strndup(a, hash_hex(hash64(b.data, b.len), hex), 16);
	buf_free(&b);
	return out;
}

/* The key of an entry under the given identity. Allocated from a; NULL when out of memory. */
static char *entry_key(struct arena *a, enum identity mode, const char *guid, const char *link,
                       const char *title, const char *date_raw)
{
	struct buf b = {0};
	char *key = NULL, *h;
	int rc = 0;

	if (guid && *guid) {
		rc |= buf_printf(&b, "g:%s", guid);
		if (mode >= IDENTITY_GUID_LINK)
			rc |= buf_printf(&b, "|u:%s", link ? link : "");
	} else if (link && *link) {
		rc |= buf_printf(&b, "u:%s", link);
	} else {
		h = hex_of(a, title, date_raw);
		rc |= h ? buf_printf(&b, "h:%s", h) : -1;
	}
	if (mode >= IDENTITY_GUID_LINK_TITLE && ((guid && *guid) || (link && *link))) {
		h = hex_of(a, title, "");
		rc |= h ? buf_printf(&b, "|t:%s", h) : -1;
	}
	if (rc == 0)
		key = arena_strndup(a, b.data, b.len);
	buf_free(&b);
	return key;
}

static int cmp_by_key(const void *x, const void *y)
{
	const struct incoming *const *a = x, *const *b = y;
	int c = strcmp((*a)->key, (*b)->key);

	/* stable: document order within a key */
	return c ? c : ((*a) < (*b) ? -1 : (*a) > (*b));
}

static bool same_entry(const struct incoming *a, const struct incoming *b)
{
	return strcmp(a->title, b->title) == 0 &&
	       ((a->link == NULL && b->link == NULL) ||
	        (a->link && b->link && strcmp(a->link, b->link) == 0));
}

/* Keys every entry under mode. Returns 1 when two different entries share a key (the identity
 * must get stricter), 0 otherwise (marking exact repeats), -1 when out of memory. */
static int assign_keys(struct arena *a, struct incoming *in, size_t n, enum identity mode,
                       struct incoming **order)
{
	size_t i;

	for (i = 0; i < n; i++) {
		in[i].key = entry_key(a, mode, in[i].e->id, in[i].link, in[i].title, in[i].date_raw);
		if (in[i].key == NULL)
			return -1;
		in[i].repeat = false;
		order[i] = &in[i];
	}
	if (n == 0) /* an empty document: nothing to compare (and order is NULL) */
		return 0;
	qsort(order, n, sizeof *order, cmp_by_key);
	for (i = 1; i < n; i++) {
		if (strcmp(order[i]->key, order[i - 1]->key) != 0)
			continue;
		if (!same_entry(order[i], order[i - 1]))
			return 1;
		order[i]->repeat = true;
	}
	return 0;
}

/* Records how the feed's entries are told apart, and why (no write when unchanged). */
static int set_identity(struct store *s, int64_t feed_id, enum identity mode, const char *note)
{
	sqlite3_stmt *st = db_stmt(s->db, SQL_FEED_SET_IDENTITY);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, feed_id);
	sqlite3_bind_int(st, 2, mode);
	db_bind_text(st, 3, note);
	return db_exec_stmt(s->db, st);
}

/* Re-keys the feed's stored entries under a stricter identity. */
static int rekey_feed(struct store *s, struct arena *a, int64_t feed_id, enum identity mode,
                      const char *note)
{
	sqlite3_stmt *rows = db_stmt(s->db, SQL_ENTRY_KEYS_OF_FEED), *set;
	struct buf ids = {0}, keys = {0};
	size_t n = 0;
	int rc;

	if (rows == NULL)
		return -1;
	sqlite3_bind_int64(rows, 1, feed_id);
	while ((rc = sqlite3_step(rows)) == SQLITE_ROW) {
		const char *canon = (const char *)sqlite3_column_text(rows, 2);
		const char *url = (const char *)sqlite3_column_text(rows, 3);
		int64_t id = sqlite3_column_int64(rows, 0);
		char *key = entry_key(a, mode, (const char *)sqlite3_column_text(rows, 1),
		                      canon ? canon : url, db_text(rows, 4),
		                      (const char *)sqlite3_column_text(rows, 5));
		if (key == NULL || buf_append(&ids, &id, sizeof id) < 0 ||
		    buf_append(&keys, &key, sizeof key) < 0) {
			db_set_error(s->db, "out of memory");
			rc = -1;
			break;
		}
		n++;
	}
	sqlite3_reset(rows);
	if (rc != SQLITE_DONE)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		set = db_stmt(s->db, SQL_ENTRY_REKEY);
		if (set == NULL)
			goto fail;
		sqlite3_bind_int64(set, 1, ((int64_t *)ids.data)[i]);
		db_bind_text(set, 2, ((char **)keys.data)[i]);
		if (db_exec_stmt(s->db, set) < 0)
			goto fail;
	}
	rc = set_identity(s, feed_id, mode, note);
	buf_free(&ids);
	buf_free(&keys);
	return rc;
fail:
	buf_free(&ids);
	buf_free(&keys);
	return -1;
}

/* ------------------------------------------------------------------ ingest */

/* The title normalised for cross-feed comparison: case and punctuation do not count. */
static void title_key(const char *title, char out[HASH_HEX_SIZE])
{
	struct buf b = {0};
	bool space = false;

	for (const unsigned char *p = (const unsigned char *)title; *p; p++) {
		unsigned char c = *p;
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80) {
			if (space && b.len)
				buf_putc(&b, ' ');
			buf_putc(&b, c);
			space = false;
		} else if (c >= 'A' && c <= 'Z') {
			if (space && b.len)
				buf_putc(&b, ' ');
			buf_putc(&b, c | 0x20);
			space = false;
		} else {
			space = true;
		}
	}
	if (b.len == 0)
		out[0] = '\0';
	else
		hash_hex(hash64(b.data, b.len), out);
	buf_free(&b);
}

/* A canonical form of url in a, or NULL (*failed set when out of memory). */
static const char *canonical(struct arena *a, store_canon_fn *canon, const char *url,
                             bool *failed)
{
	char *c = canon(url);
	const char *kept = c ? arena_strndup(a, c, strlen(c)) : NULL;

	*failed |= c != NULL && kept == NULL;
	free(c);
	return kept;
}

/* Derives link, links, text and hashes of one entry. */
static int prepare(struct arena *a, store_canon_fn *canon, const struct feed_entry *e,
                   struct incoming *in)
{
	const char *body = e->content ? e->content : e->summary;
	struct buf b = {0};
	bool failed = false;
	int rc = -1;

	in->e = e;
	in->title = e->title ? e->title : "";
	in->date_raw = e->published_raw ? e->published_raw : e->updated_raw;
	in->link = NULL;
	if (e->link) {
		in->link = canonical(a, canon, e->link, &failed);
		if (in->link == NULL)
			in->link = e->link;
	}
	in->hrefs = e->nhrefs ? arena_alloc(a, e->nhrefs * sizeof *in->hrefs) : NULL;
	if (failed || (e->nhrefs && in->hrefs == NULL))
		goto done;
	for (size_t i = 0; i < e->nhrefs; i++) {
		const char *href = canonical(a, canon, e->hrefs[i], &failed);
		if (href)
			in->hrefs[in->nhrefs++] = href;
	}
	if (failed)
		goto done;
	if (body && text_from_html(&b, body, text_utf8_prefix(body, strnlen(body, STORE_TEXT_MAX)),
	                           TEXT_BLOCK) < 0)
		goto done;
	in->text = arena_strndup(a, buf_str(&b), b.len);
	if (in->text == NULL)
		goto done;
	buf_reset(&b);
	if (buf_puts(&b, in->title) < 0 || buf_putc(&b, '\n') < 0 || buf_puts(&b, in->text) < 0)
		goto done;
	hash_hex(hash64(b.data, b.len), in->content_hash);
	title_key(in->title, in->title_key);
	rc = 0;
done:
	buf_free(&b);
	return rc;
}

static char *json_of_categories(const struct feed_entry *e)
{
	json_t *a;
	char *out;

	if (e->ncategories == 0)
		return NULL;
	a = json_array();
	for (size_t i = 0; i < e->ncategories; i++)
		json_array_append_new(a, json_string(e->categories[i]));
	out = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return out;
}

static char *json_of_enclosures(const struct feed_entry *e)
{
	json_t *a;
	char *out;

	if (e->nenclosures == 0)
		return NULL;
	a = json_array();
	for (size_t i = 0; i < e->nenclosures; i++) {
		const struct feed_enclosure *x = &e->enclosures[i];
		json_array_append_new(a, json_pack("{s:s, s:s?, s:o}", "url", x->url, "type", x->type,
		                                   "length", x->length < 0 ? json_null()
		                                                           : json_integer(x->length)));
	}
	out = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return out;
}

/* What is stored under feed_id's key: the entry's id (0 when there is none), how many times it
 * was revised, and its content hash. */
struct stored_entry {
	int64_t id, revisions;
	char hash[HASH_HEX_SIZE];
};

/* Reads feed_id's entry with this key into out. Returns 0 or -1. */
static int stored_entry(struct store *s, int64_t feed_id, const char *key,
                        struct stored_entry *out)
{
	sqlite3_stmt *st = db_stmt(s->db, SQL_ENTRY_CURRENT);
	int rc;

	*out = (struct stored_entry){0};
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, feed_id);
	db_bind_text(st, 2, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->id = sqlite3_column_int64(st, 0);
		out->revisions = sqlite3_column_int64(st, 1);
		snprintf(out->hash, sizeof out->hash, "%s", db_text(st, 2));
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static int store_links(struct store *s, int64_t entry_id, const struct incoming *in, bool replace)
{
	sqlite3_stmt *st;

	if (replace) {
		st = db_stmt(s->db, SQL_LINKS_DELETE);
		if (st == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, entry_id);
		if (db_exec_stmt(s->db, st) < 0)
			return -1;
	}
	for (size_t i = 0; i < in->nhrefs; i++) {
		st = db_stmt(s->db, SQL_LINK_INSERT);
		if (st == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, entry_id);
		db_bind_text(st, 2, in->hrefs[i]);
		if (db_exec_stmt(s->db, st) < 0)
			return -1;
	}
	return 0;
}

/* Inserts or revises one entry. Sets *outcome to 0 unchanged, 1 new, 2 updated. */
static int put_entry(struct store *s, int64_t feed_id, const struct incoming *in, int64_t now,
                     int *outcome)
{
	const struct feed_entry *e = in->e;
	struct stored_entry have;
	sqlite3_stmt *st;
	char *categories = NULL, *enclosures = NULL;
	int64_t published = e->published != DATE_NONE ? e->published : e->updated;
	int64_t at = published != DATE_NONE && published <= now + FUTURE_SLACK ? published : now;
	const char *canon_url = in->link && in->link != e->link ? in->link : NULL;
	int64_t id;
	int rc = -1;

	*outcome = 0;
	if (stored_entry(s, feed_id, in->key, &have) < 0)
		return -1;
	if (have.id != 0 && strcmp(have.hash, in->content_hash) == 0)
		return 0;
	st = db_stmt(s->db, SQL_ENTRY_UPSERT);
	if (st == NULL)
		return -1;
	categories = json_of_categories(e);
	enclosures = json_of_enclosures(e);
	sqlite3_bind_int64(st, 1, feed_id);
	db_bind_text(st, 2, in->key);
	db_bind_text(st, 3, e->id);
	db_bind_text(st, 4, e->link);
	db_bind_text(st, 5, canon_url);
	db_bind_text(st, 6, in->title);
	db_bind_text(st, 7, e->author);
	db_bind_text(st, 8, e->summary);
	db_bind_text(st, 9, e->content);
	db_bind_text(st, 10, in->text);
	db_bind_text(st, 11, categories);
	db_bind_text(st, 12, enclosures);
	db_bind_text(st, 13, e->comments);
	db_bind_int64_or_null(st, 14, published, DATE_NONE);
	db_bind_text(st, 15, in->date_raw);
	db_bind_int64_or_null(st, 16, e->updated, DATE_NONE);
	sqlite3_bind_int64(st, 17, at);
	sqlite3_bind_int64(st, 18, now);
	db_bind_text(st, 19, in->content_hash);
	db_bind_text(st, 20, in->title_key);
	if (db_exec_stmt(s->db, st) < 0)
		goto done;
	if (sqlite3_changes(db_handle(s->db)) == 0) { /* the stored version is this one */
		rc = 0;
		goto done;
	}
	id = have.id != 0 ? have.id : sqlite3_last_insert_rowid(db_handle(s->db));
	*outcome = have.id != 0 ? 2 : 1;
	/* to index with the batch (replacing the version indexed before), and to process after
	 * the run */
	st = db_stmt(s->db, SQL_FTS_TODO_ADD);
	if (st == NULL)
		goto done;
	sqlite3_bind_int64(st, 1, id);
	if (have.id != 0) /* the version the index holds, the trigger's newest revision row */
		sqlite3_bind_int64(st, 2, have.revisions);
	if (db_exec_stmt(s->db, st) < 0 || (st = db_stmt(s->db, SQL_PENDING_ADD)) == NULL)
		goto done;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, *outcome);
	sqlite3_bind_int64(st, 3, at);
	db_bind_text(st, 4, canon_url);
	db_bind_text(st, 5, in->title_key);
	if (db_exec_stmt(s->db, st) < 0)
		goto done;
	rc = store_links(s, id, in, *outcome == 2);
done:
	free(categories);
	free(enclosures);
	return rc;
}

/* The feed's current identity. */
static int feed_identity(struct store *s, int64_t feed_id, enum identity *mode)
{
	sqlite3_stmt *st = db_stmt(s->db, SQL_FEED_IDENTITY);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, feed_id);
	rc = sqlite3_step(st);
	*mode = rc == SQLITE_ROW ? (enum identity)sqlite3_column_int(st, 0) : IDENTITY_GUID;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW) {
		db_set_error(s->db, "no feed with id %lld", (long long)feed_id);
		return -1;
	}
	return 0;
}

struct store_doc *store_doc_prepare(const struct feed *feed, store_canon_fn *canon)
{
	struct store_doc *d = calloc(1, sizeof *d);

	if (d == NULL || (d->arena = arena_new()) == NULL ||
	    (feed->nentries && (d->in = calloc(feed->nentries, sizeof *d->in)) == NULL))
		goto fail;
	d->feed = feed;
	for (size_t i = 0; i < feed->nentries; i++) {
		if (prepare(d->arena, canon, &feed->entries[i], &d->in[i]) < 0)
			goto fail;
		d->with_guid += feed->entries[i].id != NULL;
	}
	return d;
fail:
	store_doc_free(d);
	return NULL;
}

void store_doc_free(struct store_doc *d)
{
	if (d == NULL)
		return;
	free(d->in);
	arena_free(d->arena);
	free(d);
}

/* Stores the document's entries; counts into out. */
static int put_entries(struct store *s, int64_t feed_id, struct store_doc *doc,
                       const struct store_fetch *fetch, struct store_ingest_result *out)
{
	struct arena *a = arena_new(); /* the keys */
	struct incoming *in = doc->in;
	struct incoming **order = NULL;
	enum identity mode, start;
	size_t n = doc->feed->nentries, with_guid = doc->with_guid;
	int rc = -1, collide;

	if (a == NULL || (n && (order = calloc(n, sizeof *order)) == NULL)) {
		db_set_error(s->db, "out of memory");
		goto done;
	}
	if (feed_identity(s, feed_id, &mode) < 0)
		goto done;
	start = mode;
	while ((collide = assign_keys(a, in, n, mode, order)) == 1 && mode < IDENTITY_GUID_LINK_TITLE)
		mode++;
	if (collide < 0) {
		db_set_error(s->db, "out of memory");
		goto done;
	}
	if (mode != start && rekey_feed(s, a, feed_id, mode, identity_notes[mode]) < 0)
		goto done;
	if (mode == IDENTITY_GUID && n >= 4 && with_guid * 2 < n &&
	    set_identity(s, feed_id, mode, "most entries have no GUID; entries are told apart by "
	                                   "their link") < 0)
		goto done;
	for (size_t i = 0; i < n; i++) {
		int outcome;
		if (in[i].repeat)
			continue;
		if (put_entry(s, feed_id, &in[i], fetch->started, &outcome) < 0)
			goto done;
		out->new_entries += outcome == 1;
		out->updated += outcome == 2;
		out->unchanged += outcome == 0;
	}
	rc = 0;
done:
	free(order);
	arena_free(a);
	return rc;
}

static int record_fetch(struct store *s, int64_t feed_id, const struct feed *doc,
                        const struct store_fetch *fetch, const struct store_ingest_result *out)
{
	sqlite3_stmt *st = db_stmt(s->db, SQL_FETCH_INSERT);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, feed_id);
	sqlite3_bind_int64(st, 2, fetch->started);
	db_bind_int64_or_null(st, 3, fetch->ms, -1);
	sqlite3_bind_int(st, 4, fetch->status);
	sqlite3_bind_int64(st, 5, fetch->bytes);
	sqlite3_bind_int64(st, 6, (int64_t)out->new_entries);
	sqlite3_bind_int64(st, 7, (int64_t)out->updated);
	db_bind_text(st, 8, fetch->error);
	db_bind_text(st, 9, fetch->url);
	if (db_exec_stmt(s->db, st) < 0)
		return -1;
	st = db_stmt(s->db, SQL_FEED_FETCHED);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, feed_id);
	sqlite3_bind_int64(st, 2, fetch->started);
	sqlite3_bind_int(st, 3, fetch->status);
	db_bind_text(st, 4, fetch->error);
	sqlite3_bind_int(st, 5, doc != NULL);
	db_bind_text(st, 6, doc ? doc->error : NULL);
	if (db_exec_stmt(s->db, st) < 0)
		return -1;
	if (fetch->update == NULL)
		return 0;
	const struct store_feed_update *u = fetch->update;
	st = db_stmt(s->db, SQL_FEED_STATE);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, feed_id);
	db_bind_text(st, 2, u->etag);
	db_bind_text(st, 3, u->last_modified);
	db_bind_text(st, 4, u->body_hash);
	db_bind_text(st, 5, u->fetch_url);
	db_bind_text(st, 6, u->moved_to);
	sqlite3_bind_int64(st, 7, u->next_due);
	sqlite3_bind_int64(st, 8, u->ttl);
	sqlite3_bind_int(st, 9, u->gone);
	return db_exec_stmt(s->db, st);
}

int store_ingest(struct store *s, const char *feed_url, struct store_doc *doc,
                 const struct store_fetch *fetch, struct store_ingest_result *out)
{
	sqlite3_stmt *st;
	int64_t feed_id;

	memset(out, 0, sizeof *out);
	if (db_begin(s->db) < 0)
		return -1;
	feed_id = feed_for_url(s, feed_url, fetch->started);
	if (feed_id < 0)
		goto fail;
	out->feed_id = feed_id;
	if (doc) {
		out->entries = doc->feed->nentries;
		if (put_entries(s, feed_id, doc, fetch, out) < 0)
			goto fail;
		if (doc->feed->title) {
			st = db_stmt(s->db, SQL_FEED_SET_TITLE);
			if (st == NULL)
				goto fail;
			sqlite3_bind_int64(st, 1, feed_id);
			db_bind_text(st, 2, doc->feed->title);
			if (db_exec_stmt(s->db, st) < 0)
				goto fail;
		}
	}
	/* the document's entries go into the full-text index together, after they are in: FTS5
	 * writes what it holds at every statement savepoint, so an entry at a time would write
	 * a segment per entry */
	if (record_fetch(s, feed_id, doc ? doc->feed : NULL, fetch, out) < 0 || run_sql(s, SQL_FTS_UNINDEX) < 0 ||
	    run_sql(s, SQL_FTS_INDEX) < 0 || run_sql(s, SQL_FTS_TODO_CLEAR) < 0 ||
	    db_commit(s->db) < 0)
		goto fail;
	return 0;
fail:
	db_rollback(s->db);
	memset(out, 0, sizeof *out);
	return -1;
}

/* ------------------------------------------------------------------ crawling */

int store_sync_feeds(struct store *s, const struct store_listed_feed *feeds, size_t n,
                     int64_t now)
{
	sqlite3_stmt *st;

	if (db_begin(s->db) < 0)
		return -1;
	st = db_stmt(s->db, SQL_FEEDS_UNLIST);
	if (st == NULL || db_exec_stmt(s->db, st) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		st = db_stmt(s->db, SQL_FEED_LIST);
		if (st == NULL)
			goto fail;
		db_bind_text(st, 1, feeds[i].url);
		db_bind_text(st, 2, feeds[i].title);
		db_bind_text(st, 3, feeds[i].labels ? feeds[i].labels : "");
		db_bind_int64_or_null(st, 4, feeds[i].every, 0);
		sqlite3_bind_int64(st, 5, now);
		if (db_exec_stmt(s->db, st) < 0)
			goto fail;
	}
	if (db_commit(s->db) < 0)
		goto fail;
	return 0;
fail:
	db_rollback(s->db);
	return -1;
}

/* A text column as a string, or NULL for SQL NULL. */
static const char *text_or_null(sqlite3_stmt *st, int column)
{
	return (const char *)sqlite3_column_text(st, column);
}

int store_due_feeds(struct store *s, int64_t now, int force,
                    int (*each)(const struct store_feed_state *feed, void *arg), void *arg)
{
	sqlite3_stmt *st = db_stmt(s->db, SQL_FEEDS_DUE);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int(st, 2, force != 0);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_feed_state f = {
			.id = sqlite3_column_int64(st, 0),
			.url = db_text(st, 1),
			.fetch_url = db_text(st, 2),
			.title = db_text(st, 3),
			.etag = text_or_null(st, 4),
			.last_modified = text_or_null(st, 5),
			.body_hash = text_or_null(st, 6),
			.every = sqlite3_column_int64(st, 7),
			.ttl = sqlite3_column_int64(st, 8),
			.next_due = sqlite3_column_int64(st, 9),
			.failures = sqlite3_column_int64(st, 10),
			.gone = sqlite3_column_int(st, 11),
		};
		if (each(&f, arg) != 0)
			break;
	}
	return db_end_rows(s->db, st, rc);
}

int store_feeds_health(struct store *s,
                       int (*each)(const struct store_feed_health *feed, void *arg), void *arg)
{
	sqlite3_stmt *st = db_stmt(s->db, SQL_FEEDS_HEALTH);
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_feed_health f = {
			.id = sqlite3_column_int64(st, 0),
			.url = db_text(st, 1),
			.title = text_or_null(st, 2),
			.labels = db_text(st, 3),
			.listed = sqlite3_column_int(st, 4),
			.gone = sqlite3_column_int(st, 5),
			.entries = sqlite3_column_int64(st, 6),
			.last_fetch = sqlite3_column_int64(st, 7),
			.last_success = sqlite3_column_int64(st, 8),
			.next_due = sqlite3_column_int64(st, 9),
			.failures = sqlite3_column_int64(st, 10),
			.every = sqlite3_column_int64(st, 11),
			.ttl = sqlite3_column_int64(st, 12),
			.last_status = sqlite3_column_int(st, 13),
			.last_error = text_or_null(st, 14),
			.moved_to = text_or_null(st, 15),
			.identity_note = text_or_null(st, 16),
		};
		if (each(&f, arg) != 0)
			break;
	}
	return db_end_rows(s->db, st, rc);
}
