/*
 * walvfs.c — the default VFS, with the WAL's writes gathered into runs (see walvfs.h).
 *
 * SQLite appends a frame (https://sqlite.org/fileformat2.html#walformat) as two writes, its
 * 24-byte header and then the page, and a transaction as one frame after another, the last
 * one's header carrying the database size (the commit frame). Here a write that continues the
 * one before it is added to a run held in memory (at most RUN_MAX bytes); the run is written
 * when a write does not continue it, when it is full, before any other call on the file, and
 * at once after the commit frame's page. That last rule is what makes the runs invisible:
 * another connection learns of a transaction's frames only from the WAL index, which SQLite
 * updates after the commit frame is written, by when the whole run is in the file. It also
 * means a failed write is reported by the commit's own write call, so the commit fails.
 */
#include "store/walvfs.h"

#include <sqlite3.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <threads.h>

#define WAL_FRAME_HEADER 24
/* Bytes held: some 30 frames of 4 KiB pages. The unix VFS writes at most 128 KiB - 1 in one
 * call (seekAndWriteFd masks the length with 0x1ffff) and reports a longer write as short. */
#define RUN_MAX (120 * 1024)

struct wal_file {
	sqlite3_file base;             /* pMethods is &wal_methods */
	sqlite3_file *real;            /* the default VFS's file, stored after this struct */
	unsigned char *run;            /* RUN_MAX bytes, sqlite3_malloc'd at the first write */
	sqlite3_int64 run_at;          /* where run[0] goes in the file */
	int run_len;                   /* bytes held; 0 when none */
	bool commit_page_next;         /* the last write was a commit frame's header */
};

/* where the default VFS's file starts inside a struct wal_file's allocation */
#define REAL_OFFSET \
	((sizeof(struct wal_file) + alignof(max_align_t) - 1) / alignof(max_align_t) * alignof(max_align_t))

static sqlite3_vfs *default_vfs;
static sqlite3_vfs wal_vfs;
static const char *wal_vfs_name;

static int flush_run(struct wal_file *f)
{
	int len = f->run_len;

	if (len == 0)
		return SQLITE_OK;
	f->run_len = 0;
	return f->real->pMethods->xWrite(f->real, f->run, len, f->run_at);
}

/* A frame header whose database size (bytes 4 to 7) is not zero ends a transaction. */
static bool is_commit_header(const unsigned char *buf, int amt)
{
	return amt == WAL_FRAME_HEADER && (buf[4] | buf[5] | buf[6] | buf[7]) != 0;
}

static int wal_write(sqlite3_file *file, const void *buf, int amt, sqlite3_int64 offset)
{
	struct wal_file *f = (struct wal_file *)file;
	bool commit_page = f->commit_page_next;
	int rc;

	f->commit_page_next = is_commit_header(buf, amt);
	if (f->run_len > 0 && offset == f->run_at + f->run_len && amt <= RUN_MAX - f->run_len) {
		memcpy(f->run + f->run_len, buf, (size_t)amt);
		f->run_len += amt;
		return commit_page ? flush_run(f) : SQLITE_OK;
	}
	rc = flush_run(f);
	if (rc != SQLITE_OK)
		return rc;
	if (commit_page || amt > RUN_MAX ||
	    (f->run == NULL && (f->run = sqlite3_malloc(RUN_MAX)) == NULL))
		return f->real->pMethods->xWrite(f->real, buf, amt, offset);
	memcpy(f->run, buf, (size_t)amt);
	f->run_at = offset;
	f->run_len = amt;
	return SQLITE_OK;
}

static int wal_close(sqlite3_file *file)
{
	struct wal_file *f = (struct wal_file *)file;
	int rc = flush_run(f);
	int closed = f->real->pMethods->xClose(f->real);

	sqlite3_free(f->run);
	f->run = NULL;
	return rc != SQLITE_OK ? rc : closed;
}

/* Every other method sees the run written first, then does what the default does. */
#define FORWARD(call)                                           \
	struct wal_file *f = (struct wal_file *)file;           \
	int rc = flush_run(f);                                   \
	return rc != SQLITE_OK ? rc : f->real->pMethods->call

static int wal_read(sqlite3_file *file, void *buf, int amt, sqlite3_int64 offset)
{
	FORWARD(xRead(f->real, buf, amt, offset));
}

static int wal_truncate(sqlite3_file *file, sqlite3_int64 size)
{
	FORWARD(xTruncate(f->real, size));
}

static int wal_sync(sqlite3_file *file, int flags)
{
	FORWARD(xSync(f->real, flags));
}

static int wal_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
	FORWARD(xFileSize(f->real, size));
}

static int wal_lock(sqlite3_file *file, int level)
{
	FORWARD(xLock(f->real, level));
}

static int wal_unlock(sqlite3_file *file, int level)
{
	FORWARD(xUnlock(f->real, level));
}

static int wal_check_reserved_lock(sqlite3_file *file, int *out)
{
	FORWARD(xCheckReservedLock(f->real, out));
}

static int wal_file_control(sqlite3_file *file, int op, void *arg)
{
	FORWARD(xFileControl(f->real, op, arg));
}

static int wal_sector_size(sqlite3_file *file)
{
	struct wal_file *f = (struct wal_file *)file;

	return f->real->pMethods->xSectorSize(f->real);
}

static int wal_device_characteristics(sqlite3_file *file)
{
	struct wal_file *f = (struct wal_file *)file;

	return f->real->pMethods->xDeviceCharacteristics(f->real);
}

/* Version 1: a WAL file is never memory-mapped and has no shared memory of its own. */
static const sqlite3_io_methods wal_methods = {
	.iVersion = 1,
	.xClose = wal_close,
	.xRead = wal_read,
	.xWrite = wal_write,
	.xTruncate = wal_truncate,
	.xSync = wal_sync,
	.xFileSize = wal_file_size,
	.xLock = wal_lock,
	.xUnlock = wal_unlock,
	.xCheckReservedLock = wal_check_reserved_lock,
	.xFileControl = wal_file_control,
	.xSectorSize = wal_sector_size,
	.xDeviceCharacteristics = wal_device_characteristics,
};

static int wal_vfs_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file, int flags,
                        int *out_flags)
{
	(void)vfs;
	if (!(flags & SQLITE_OPEN_WAL))
		return default_vfs->xOpen(default_vfs, name, file, flags, out_flags);

	struct wal_file *f = (struct wal_file *)file;
	memset(f, 0, sizeof *f);
	f->real = (sqlite3_file *)((unsigned char *)file + REAL_OFFSET);
	int rc = default_vfs->xOpen(default_vfs, name, f->real, flags, out_flags);
	/* SQLite calls xClose exactly when pMethods is set, failed open or not */
	f->base.pMethods = f->real->pMethods ? &wal_methods : NULL;
	return rc;
}

static void register_wal_vfs(void)
{
	default_vfs = sqlite3_vfs_find(NULL);
	if (default_vfs == NULL)
		return;
	/* The default's own methods and settings (its pAppData too, which unix's use), with
	 * files large enough to hold either kind. */
	wal_vfs = *default_vfs;
	wal_vfs.pNext = NULL;
	wal_vfs.zName = "newsmon-wal";
	wal_vfs.szOsFile = (int)REAL_OFFSET + default_vfs->szOsFile;
	wal_vfs.xOpen = wal_vfs_open;
	if (sqlite3_vfs_register(&wal_vfs, 0) == SQLITE_OK)
		wal_vfs_name = wal_vfs.zName;
}

const char *walvfs_name(void)
{
	static once_flag once = ONCE_FLAG_INIT;

	call_once(&once, register_wal_vfs);
	return wal_vfs_name;
}
