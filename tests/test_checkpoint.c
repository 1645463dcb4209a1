/*
 * test_checkpoint.c — checkpoints on a thread of their own: the WAL of a writer that commits
 * without pause still starts over (it stays far smaller than all that went through it), every
 * commit is in the database, a reader sees whole transactions throughout, and the database is
 * intact after.
 */
#include "store/checkpoint.h"
#include "tests/test.h"
#include "tests/test_sql.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/newsmon-test-checkpoint-XXXXXX";

static void test_wal_starts_over_while_the_writer_goes_on(void)
{
	char path[256], wal[300];
	sqlite3 *writer = NULL, *reader = NULL;
	struct checkpointer *c;
	struct stat sb;
	off_t largest = 0;
	int torn = 0, txn;

	snprintf(path, sizeof path, "%s/t.db", dir);
	snprintf(wal, sizeof wal, "%s-wal", path);
	CHECK_INT(sqlite3_open_v2(path, &writer, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
	          SQLITE_OK);
	CHECK_INT(sqlite3_exec(writer,
	                       "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
	                       "CREATE TABLE t(id INTEGER PRIMARY KEY, body BLOB NOT NULL);"
	                       "CREATE INDEX t_body ON t(body);",
	                       NULL, NULL, NULL), SQLITE_OK);
	c = checkpointer_new(writer, path, NULL, 64);
	if (!CHECK(c != NULL))
		return;
	CHECK_INT(sqlite3_open_v2(path, &reader, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);

	/* 600 transactions of 8 rows of 1 KB, with random index keys: some 18 MB through the WAL,
	 * a checkpoint called for every 64 pages */
	for (txn = 0; txn < 600; txn++) {
		if (sqlite3_exec(writer,
		                 "BEGIN IMMEDIATE; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
		                 "SELECT i + 1 FROM n WHERE i < 8) INSERT INTO t(body) "
		                 "SELECT randomblob(1024) FROM n; COMMIT;",
		                 NULL, NULL, NULL) != SQLITE_OK)
			break;
		if (stat(wal, &sb) == 0 && sb.st_size > largest)
			largest = sb.st_size;
		if (sql_scalar(reader, "SELECT max(id) FROM t") % 8 != 0)
			torn++;
	}
	CHECK_INT(txn, 600);
	CHECK_INT(torn, 0);
	/* without checkpoints, or if it never started over, the WAL would hold every page
	 * written, some 18 MB; passes run one after another (up to 4, and while it holds less
	 * than twice the checkpoint size) before the writer copies the rest and it starts over,
	 * so it grows to 2 to 3.5 MB, also with a second copy of this test running beside it */
	if (!CHECK(largest < 6 * 1024 * 1024))
		fprintf(stderr, "    the WAL reached %lld bytes\n", (long long)largest);
	checkpointer_free(c);
	CHECK_INT(sql_scalar(reader, "SELECT count(*) FROM t"), 4800);
	sqlite3_close(reader);
	CHECK_INT(sqlite3_close(writer), SQLITE_OK);

	/* reopened: everything is there and intact */
	CHECK_INT(sqlite3_open_v2(path, &writer, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	CHECK_INT(sql_scalar(writer, "SELECT count(*) FROM t"), 4800);
	CHECK(sql_intact(writer));
	sqlite3_close(writer);
	unlink(path);
	unlink(wal);
}

int main(void)
{
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_wal_starts_over_while_the_writer_goes_on();
	char shm[300];
	snprintf(shm, sizeof shm, "%s/t.db-shm", dir);
	unlink(shm);
	rmdir(dir);
	return TEST_END();
}
