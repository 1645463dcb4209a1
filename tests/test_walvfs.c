/*
 * test_walvfs.c — the VFS that gathers WAL writes into runs: a file opened through it reads
 * back every write in order and has a commit frame in the file when its write returns, and a
 * database written through it is a valid SQLite database to readers that use the default VFS,
 * after every commit and from a copy of its files taken mid-write (what a crash leaves).
 */
#include "store/walvfs.h"
#include "tests/test.h"
#include "tests/test_sql.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char dir[] = "/tmp/newsmon-test-walvfs-XXXXXX";

static sqlite3_file *open_wal(sqlite3_vfs *vfs, const char *path)
{
	sqlite3_file *f = calloc(1, (size_t)vfs->szOsFile);
	int out = 0;

	if (f && vfs->xOpen(vfs, path, f,
	                    SQLITE_OPEN_WAL | SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &out) !=
	             SQLITE_OK) {
		if (f->pMethods)
			f->pMethods->xClose(f);
		free(f);
		return NULL;
	}
	return f;
}

static void test_held_writes_are_written_before_anything_else(void)
{
	sqlite3_vfs *vfs = walvfs_name() ? sqlite3_vfs_find(walvfs_name()) : NULL;
	char path[256], db_path[256];
	unsigned char header[24], page[512], got[24 + 512];
	sqlite3_int64 size = 0;

	if (!CHECK(vfs != NULL))
		return;
	snprintf(db_path, sizeof db_path, "%s/file.db", dir);
	snprintf(path, sizeof path, "%s/file.db-wal", dir);
	for (size_t i = 0; i < sizeof header; i++)
		header[i] = (unsigned char)(0xA0 + i);
	memset(header + 4, 0, 4); /* a frame that does not commit: no database size */
	for (size_t i = 0; i < sizeof page; i++)
		page[i] = (unsigned char)i;

	/* the default VFS gives a WAL its database's permissions: the database must exist */
	FILE *db = fopen(db_path, "wb");
	CHECK(db != NULL && fclose(db) == 0);
	sqlite3_file *f = open_wal(vfs, path);
	if (!CHECK(f != NULL))
		return;
	/* a header and the page after it: read back as one frame */
	CHECK_INT(f->pMethods->xWrite(f, header, 24, 32), SQLITE_OK);
	CHECK_INT(f->pMethods->xWrite(f, page, 512, 56), SQLITE_OK);
	CHECK_INT(f->pMethods->xRead(f, got, sizeof got, 32), SQLITE_OK);
	CHECK(memcmp(got, header, 24) == 0 && memcmp(got + 24, page, 512) == 0);
	/* a header on its own: a read, the size and a write elsewhere all find it written */
	CHECK_INT(f->pMethods->xWrite(f, header, 24, 568), SQLITE_OK);
	CHECK_INT(f->pMethods->xFileSize(f, &size), SQLITE_OK);
	CHECK_INT(size, 592);
	CHECK_INT(f->pMethods->xWrite(f, header, 24, 592), SQLITE_OK);
	CHECK_INT(f->pMethods->xWrite(f, page, 16, 1000), SQLITE_OK);
	memset(got, 0, sizeof got);
	CHECK_INT(f->pMethods->xRead(f, got, 24, 592), SQLITE_OK);
	CHECK(memcmp(got, header, 24) == 0);
	/* a commit frame's page is in the file when its write returns, with the run before it */
	unsigned char commit[24];
	memcpy(commit, header, sizeof commit);
	commit[4] = commit[5] = commit[6] = 0;
	commit[7] = 9; /* the database's size after the commit: 9 pages */
	CHECK_INT(f->pMethods->xWrite(f, header, 24, 2000), SQLITE_OK);
	CHECK_INT(f->pMethods->xWrite(f, page, 512, 2024), SQLITE_OK);
	CHECK_INT(f->pMethods->xWrite(f, commit, 24, 2536), SQLITE_OK);
	CHECK_INT(f->pMethods->xWrite(f, page, 512, 2560), SQLITE_OK);
	FILE *direct = fopen(path, "rb");
	memset(got, 0, sizeof got);
	CHECK(direct != NULL && fseek(direct, 2000, SEEK_SET) == 0 &&
	      fread(got, 1, sizeof got, direct) == sizeof got && memcmp(got, header, 24) == 0 &&
	      memcmp(got + 24, page, 512) == 0);
	CHECK(direct != NULL && fread(got, 1, sizeof got, direct) == sizeof got &&
	      memcmp(got, commit, 24) == 0 && memcmp(got + 24, page, 512) == 0);
	if (direct)
		fclose(direct);
	/* and closing writes what is still held */
	CHECK_INT(f->pMethods->xWrite(f, header, 24, 1016), SQLITE_OK);
	CHECK_INT(f->pMethods->xClose(f), SQLITE_OK);
	free(f);

	FILE *fp = fopen(path, "rb");
	memset(got, 0, sizeof got);
	CHECK(fp != NULL && fseek(fp, 1016, SEEK_SET) == 0 && fread(got, 1, 24, fp) == 24 &&
	      memcmp(got, header, 24) == 0);
	if (fp)
		fclose(fp);
	unlink(path);
	unlink(db_path);
}

static int copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	char buf[65536];
	size_t n;
	int rc = in && out ? 0 : -1;

	while (rc == 0 && (n = fread(buf, 1, sizeof buf, in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			rc = -1;
	if (in)
		fclose(in);
	if (out && fclose(out) != 0)
		rc = -1;
	return rc;
}

static void test_readers_on_the_default_vfs_see_valid_commits(void)
{
	char path[256], copy[256], from[300], to[300];
	sqlite3 *writer = NULL, *reader = NULL, *recovered = NULL;

	snprintf(path, sizeof path, "%s/t.db", dir);
	snprintf(copy, sizeof copy, "%s/crash.db", dir);
	CHECK_INT(sqlite3_open_v2(path, &writer, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
	                          walvfs_name()), SQLITE_OK);
	CHECK_INT(sqlite3_exec(writer,
	                       "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 50;"
	                       "CREATE TABLE t(id INTEGER PRIMARY KEY, body TEXT NOT NULL);"
	                       "CREATE INDEX t_body ON t(body);",
	                       NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT(sqlite3_open_v2(path, &reader, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);

	/* 200 transactions of 20 rows, with random index keys, across several checkpoints; the
	 * reader sees whole transactions only */
	int torn = 0;
	for (int txn = 0; txn < 200; txn++) {
		char sql[256];
		snprintf(sql, sizeof sql,
		         "BEGIN; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20)"
		         " INSERT INTO t(body) SELECT hex(randomblob(40)) || %d FROM n; COMMIT;", txn);
		if (sqlite3_exec(writer, sql, NULL, NULL, NULL) != SQLITE_OK)
			break;
		if (sql_scalar(reader, "SELECT count(*) FROM t") % 20 != 0)
			torn++;
	}
	CHECK_INT(torn, 0);
	CHECK_INT(sql_scalar(reader, "SELECT count(*) FROM t"), 4000);

	/* the files as a crash would leave them: the database and its WAL, not checkpointed */
	CHECK_INT(sqlite3_exec(writer, "PRAGMA wal_autocheckpoint = 0; BEGIN;"
	                               "UPDATE t SET body = body || 'x' WHERE id % 3 = 0; COMMIT;",
	                       NULL, NULL, NULL), SQLITE_OK);
	snprintf(from, sizeof from, "%s-wal", path);
	snprintf(to, sizeof to, "%s-wal", copy);
	CHECK(copy_file(path, copy) == 0 && copy_file(from, to) == 0);
	CHECK_INT(sqlite3_open_v2(copy, &recovered, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	CHECK_INT(sql_scalar(recovered, "SELECT count(*) FROM t WHERE body LIKE '%x'"), 1333);
	CHECK(sql_intact(recovered));

	sqlite3_close(recovered);
	sqlite3_close(reader);
	sqlite3_close(writer);
	char rm[600];
	snprintf(rm, sizeof rm, "rm -f %s/*", dir);
	CHECK(system(rm) == 0);
}

int main(void)
{
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_held_writes_are_written_before_anything_else();
	test_readers_on_the_default_vfs_see_valid_commits();
	rmdir(dir);
	return TEST_END();
}
