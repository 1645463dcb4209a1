/*
 * walvfs.h — an SQLite VFS that writes a transaction's WAL frames in a few large system calls
 * instead of two per frame.
 *
 * SQLite appends a frame to the write-ahead log as two writes: its 24-byte header, then the
 * page. Here every system call costs a few microseconds of the hypervisor's time, and a crawl
 * of 1,000 documents appends some 300,000 frames. The VFS wraps the default one; the files it
 * opens are the default's own, except the WAL, whose adjacent writes are gathered in memory
 * (up to 120 KiB) and written together: when the next write does not follow on, before any
 * other call on the file, and at the latest with the page of the frame that commits a
 * transaction. Other connections cannot tell: they learn of a transaction only after its
 * commit frame is written, and every operation on the file still sees every earlier write.
 *
 * Internal to store/ (db.c opens connections through it).
 */
#ifndef NEWSMON_WALVFS_H
#define NEWSMON_WALVFS_H

/* Registers the VFS (not as the default) on first call; later calls return the same answer.
 * Returns its name, to pass to sqlite3_open_v2, or NULL if it could not be registered (then
 * the default VFS serves as well, with more system calls). Thread-safe. */
const char *walvfs_name(void);

#endif
