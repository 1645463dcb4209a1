/*
 * walvfs.c — the default VFS, with WAL frames written in one call each (see walvfs.h).
 *
 * A WAL frame is a 24-byte header followed by a page (https://sqlite.org/fileformat2.html#walformat),
 * written by walWriteOneFrame as two consecutive writes. A 24-byte write to the WAL is held
 * here and done on the next call on the file: joined to the write that follows it when that
 * write continues at the next byte, else on its own before whatever comes next. Other
 * connections cannot tell: a frame becomes visible to them only through the WAL index, which
 * SQLite updates after the frame's page is written, and by then the header is written too.
 */
#include "store/walvfs.h"

#include <sqlite3.h>
#include <stdalign.h>
#include <stddef.h>
#include <string.h>
#include <threads.h>

#define WAL_FRAME_HEADER 24

struct wal_file {
	sqlite3_file base;             /* pMethods is &wal_methods */
	sqlite3_file *real;            /* the default VFS's file, stored after this struct */
	sqlite3_int64 held_at;         /* offset of the held frame header; -1 when none */
	unsigned char held[WAL_FRAME_HEADER];
	unsigned char *frame;          /* header and page, joined: sqlite3_malloc'd, grown */
	int frame_cap;
};

/* where the default VFS's file starts inside a struct wal_file's allocation */
#define REAL_OFFSET \
	((sizeof(struct wal_file) + alignof(max_align_t) - 1) / alignof(max_align_t) * alignof(max_align_t))

static sqlite3_vfs *default_vfs;
static sqlite3_vfs wal_vfs;
static const char *wal_vfs_name;

static int flush_held(struct wal_file *f)
{
	sqlite3_int64 at = f->held_at;

	if (at < 0)
		return SQLITE_OK;
	f->held_at = -1;
	return f->real->pMethods->xWrite(f->real, f->held, WAL_FRAME_HEADER, at);
}

/* the header and the page after it in one write; -1 if there is no memory to join them in */
static int write_joined(struct wal_file *f, const void *page, int amt)
{
	int size = WAL_FRAME_HEADER + amt;

	if (size > f->frame_cap) {
		unsigned char *grown = sqlite3_realloc(f->frame, size);

		if (grown == NULL)
			return -1;
		f->frame = grown;
		f->frame_cap = size;
	}
	memcpy(f->frame, f->held, WAL_FRAME_HEADER);
	memcpy(f->frame + WAL_FRAME_HEADER, page, (size_t)amt);
	sqlite3_int64 at = f->held_at;
	f->held_at = -1;
	return f->real->pMethods->xWrite(f->real, f->frame, size, at);
}

static int wal_write(sqlite3_file *file, const void *buf, int amt, sqlite3_int64 offset)
{
	struct wal_file *f = (struct wal_file *)file;
	int rc;

	if (f->held_at >= 0 && offset == f->held_at + WAL_FRAME_HEADER) {
		rc = write_joined(f, buf, amt);
		if (rc != -1)
			return rc;
	}
	rc = flush_held(f);
	if (rc != SQLITE_OK)
		return rc;
	if (amt == WAL_FRAME_HEADER) {
		memcpy(f->held, buf, WAL_FRAME_HEADER);
		f->held_at = offset;
		return SQLITE_OK;
	}
	return f->real->pMethods->xWrite(f->real, buf, amt, offset);
}

static int wal_close(sqlite3_file *file)
{
	struct wal_file *f = (struct wal_file *)file;
	int rc = flush_held(f);
	int closed = f->real->pMethods->xClose(f->real);

	sqlite3_free(f->frame);
	f->frame = NULL;
	return rc != SQLITE_OK ? rc : closed;
}

/* Every other method sees the held header written first, then does what the default does. */
#define FORWARD(call)                                           \
	struct wal_file *f = (struct wal_file *)file;           \
	int rc = flush_held(f);                                  \
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
	f->held_at = -1;
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
