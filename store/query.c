/*
 * query.c — export and search over the store (see query.h).
 */
#include "store/query.h"

#include <stdbool.h>
#include <string.h>

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
	const char *colon = q->tag ? strchr(q->tag, ':') : NULL;
	int rc;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, q->match);
	sqlite3_bind_int64(st, 2, q->since);
	if (colon) {
		sqlite3_bind_text(st, 3, q->tag, (int)(colon - q->tag), SQLITE_TRANSIENT);
		db_bind_text(st, 4, colon + 1);
	}
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
