/*
 * test_sql.h — what the tests that open SQLite files themselves ask of them.
 */
#ifndef NEWSMON_TEST_SQL_H
#define NEWSMON_TEST_SQL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* The first column of the first row of sql, -1 when no row, -2 when it does not prepare. */
static inline int64_t sql_scalar(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -2;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Whether PRAGMA integrity_check finds the database intact. */
static inline bool sql_intact(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	bool ok = sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK &&
	          sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) &&
	          strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;

	sqlite3_finalize(st);
	return ok;
}

#endif
