/*
 * query.c — export and search over the store (see query.h).
 */
#include "store/query.h"

#include <stdbool.h>
#include <string.h>

#include "parsers/buf.h"
#include "store/db.h"
#include "store/store.h"

/* RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
static void csv_field(FILE *out, const char *s, bool last)
{
	if (s && strpbrk(s, ",\"\r\n")) {
		fputc('"', out);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', out);
			fputc(*s, out);
		}
		fputc('"', out);
	} else if (s) {
		fputs(s, out);
	}
	fputs(last ? "\r\n" : ",", out);
}

static const char *const csv_header[] = {
	"id", "feed", "guid", "url", "title", "published", "first_seen", "revisions", "tags",
	"story", "relation", "related_to",
};

/* Binds "kind:value" as two parameters from index (or NULLs). */
static void bind_tag(sqlite3_stmt *st, int index, const char *tag)
{
	const char *colon = tag ? strchr(tag, ':') : NULL;

	if (colon) {
		sqlite3_bind_text(st, index, tag, (int)(colon - tag), SQLITE_TRANSIENT);
		db_bind_text(st, index + 1, colon + 1);
	}
}

int query_export(struct store *s, FILE *out, enum query_format format, int64_t since,
                 const char *feed_url)
{
	struct db *db = store_db(s);
	sqlite3_stmt *st = db_stmt(db, format == QUERY_JSONL ? SQL_EXPORT_JSONL : SQL_EXPORT_CSV);
	const int columns = (int)(sizeof csv_header / sizeof *csv_header);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, since);
	db_bind_text(st, 2, feed_url);
	if (format == QUERY_CSV)
		for (int i = 0; i < columns; i++)
			csv_field(out, csv_header[i], i == columns - 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (format == QUERY_JSONL) {
			fputs(db_text(st, 0), out);
			fputc('\n', out);
			continue;
		}
		for (int i = 0; i < columns; i++)
			csv_field(out, (const char *)sqlite3_column_text(st, i), i == columns - 1);
	}
	if (rc != SQLITE_DONE) {
		db_set_error(db, "export: %s", sqlite3_errmsg(db_handle(db)));
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	if (fflush(out) != 0 || ferror(out)) {
		db_set_error(db, "export: cannot write the output");
		return -1;
	}
	return 0;
}

int query_search(struct store *s, const struct query_search *q,
                 int (*each)(const struct query_hit *hit, void *arg), void *arg)
{
	struct db *db = store_db(s);
	sqlite3_stmt *st = db_stmt(db, SQL_SEARCH);
	int rc;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, q->match);
	sqlite3_bind_int64(st, 2, q->since);
	bind_tag(st, 3, q->tag);
	sqlite3_bind_int(st, 5, q->limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct query_hit hit = {
			.id = sqlite3_column_int64(st, 0),
			.at = sqlite3_column_int64(st, 1),
			.feed_url = db_text(st, 2),
			.feed_title = db_text(st, 3),
			.title = db_text(st, 4),
			.url = (const char *)sqlite3_column_text(st, 5),
			.snippet = db_text(st, 6),
		};
		if (each(&hit, arg) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		/* FTS5 reports query mistakes as plain SQL errors: "fts5: syntax error near ..." */
		const char *msg = sqlite3_errmsg(db_handle(db));
		bool malformed = strncmp(msg, "fts5:", 5) == 0 || strstr(msg, "no such column") ||
		                 strstr(msg, "unknown special query");
		if (malformed)
			db_set_error(db, "cannot read the query \"%s\" (%s); put words with punctuation "
			                 "in double quotes", q->match, msg);
		else
			db_set_error(db, "search: %s", msg);
		sqlite3_reset(st);
		return malformed ? 1 : -1;
	}
	sqlite3_reset(st);
	return 0;
}

static void read_story(sqlite3_stmt *st, struct query_story *out)
{
	out->id = sqlite3_column_int64(st, 0);
	out->first = sqlite3_column_int64(st, 1);
	out->last = sqlite3_column_int64(st, 2);
	out->entries = sqlite3_column_int64(st, 3);
	out->outlets = sqlite3_column_int64(st, 4);
	out->title = db_text(st, 5);
	out->url = (const char *)sqlite3_column_text(st, 6);
}

int query_stories(struct store *s, int64_t since, const char *tag, int limit,
                  int (*each)(const struct query_story *story, void *arg), void *arg)
{
	struct db *db = store_db(s);
	sqlite3_stmt *st = db_stmt(db, SQL_STORIES);
	struct query_story story;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, since);
	bind_tag(st, 2, tag);
	sqlite3_bind_int(st, 4, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_story(st, &story);
		if (each(&story, arg) != 0)
			break;
	}
	return db_end_rows(db, st, rc);
}

/* Collects the strings of a one-column query into names (copied) and pointers to them. */
static int collect_column(struct db *db, sqlite3_stmt *st, struct buf *names, struct buf *ptrs)
{
	int rc;

	buf_reset(names);
	buf_reset(ptrs);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (buf_append(names, db_text(st, 0), strlen(db_text(st, 0)) + 1) < 0) {
			sqlite3_reset(st);
			db_set_error(db, "out of memory");
			return -1;
		}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		db_set_error(db, "%s", sqlite3_errmsg(db_handle(db)));
		return -1;
	}
	for (size_t off = 0; off < names->len; off += strlen(names->data + off) + 1) {
		const char *p = names->data + off;
		if (buf_append(ptrs, &p, sizeof p) < 0)
			return -1;
	}
	return 0;
}

/* The revisions of entry id, each paired with the version that replaced it (the next one, or
 * the current title and text). Strings are copied into text; the array into out. */
static int collect_history(struct db *db, int64_t id, const char *title, const char *current,
                           struct buf *text, struct buf *out)
{
	sqlite3_stmt *st = db_stmt(db, SQL_REVISIONS_OF);
	struct buf offsets = {0};
	int rc;

	buf_reset(text);
	buf_reset(out);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		size_t at[2] = {text->len, 0};
		struct query_revision r = {
			.version = sqlite3_column_int(st, 0),
			.seen = sqlite3_column_int64(st, 1),
			.replaced = sqlite3_column_int64(st, 2),
		};
		if (buf_append(text, db_text(st, 3), strlen(db_text(st, 3)) + 1) < 0)
			break;
		at[1] = text->len;
		if (buf_append(text, db_text(st, 4), strlen(db_text(st, 4)) + 1) < 0 ||
		    buf_append(&offsets, at, sizeof at) < 0 || buf_append(out, &r, sizeof r) < 0)
			break;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		buf_free(&offsets);
		db_set_error(db, "revisions: %s", rc == SQLITE_ROW ? "out of memory"
		                                                   : sqlite3_errmsg(db_handle(db)));
		return -1;
	}
	/* pointers only now that text has stopped moving */
	struct query_revision *v = (struct query_revision *)out->data;
	size_t n = out->len / sizeof *v, *at = (size_t *)offsets.data;
	for (size_t i = 0; i < n; i++) {
		v[i].title = text->data + at[2 * i];
		v[i].text = text->data + at[2 * i + 1];
	}
	for (size_t i = 0; i < n; i++) {
		v[i].next_title = i + 1 < n ? v[i + 1].title : title;
		v[i].next_text = i + 1 < n ? v[i + 1].text : current;
	}
	buf_free(&offsets);
	return 0;
}

int query_story(struct store *s, int64_t id,
                int (*head)(const struct query_story *story, void *arg),
                int (*member)(const struct query_member *m, void *arg), void *arg)
{
	struct db *db = store_db(s);
	sqlite3_stmt *st = db_stmt(db, SQL_STORY_HEAD), *tags;
	struct query_story story = {0};
	struct buf names = {0}, ptrs = {0}, text = {0}, history = {0};
	int rc, result = -1;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_story(st, &story);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		if (rc == SQLITE_DONE)
			return 1;
		db_set_error(db, "story: %s", sqlite3_errmsg(db_handle(db)));
		return -1;
	}
	rc = head(&story, arg);
	sqlite3_reset(st);
	if (rc != 0)
		return 0;
	st = db_stmt(db, SQL_STORY_TIMELINE);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct query_member m = {
			.id = sqlite3_column_int64(st, 0),
			.at = sqlite3_column_int64(st, 1),
			.first_seen = sqlite3_column_int64(st, 2),
			.related_to = sqlite3_column_int64(st, 3),
			.relation = db_text(st, 4),
			.feed_title = db_text(st, 5),
			.feed_url = db_text(st, 6),
			.title = db_text(st, 7),
			.url = (const char *)sqlite3_column_text(st, 8),
			.reason = (const char *)sqlite3_column_text(st, 9),
			.score = sqlite3_column_double(st, 10),
			.revisions = sqlite3_column_int(st, 11),
		};
		tags = db_stmt(db, SQL_ENTRY_TAG_NAMES);
		if (tags == NULL)
			goto done;
		sqlite3_bind_int64(tags, 1, m.id);
		if (collect_column(db, tags, &names, &ptrs) < 0)
			goto done;
		m.tags = (const char *const *)ptrs.data;
		m.ntags = ptrs.len / sizeof(char *);
		if (m.revisions > 0 &&
		    collect_history(db, m.id, m.title, db_text(st, 12), &text, &history) < 0)
			goto done;
		m.history = m.revisions > 0 ? (const struct query_revision *)history.data : NULL;
		m.nhistory = m.revisions > 0 ? history.len / sizeof *m.history : 0;
		if (member(&m, arg) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		db_set_error(db, "story: %s", sqlite3_errmsg(db_handle(db)));
		goto done;
	}
	result = 0;
done:
	sqlite3_reset(st);
	buf_free(&names);
	buf_free(&ptrs);
	buf_free(&text);
	buf_free(&history);
	return result;
}
