/*
 * lock.h — one crawl at a time per database: an flock(2) on "<database>.lock".
 *
 * The holder writes its pid into the file, so a second crawl can say who holds it. The lock
 * dies with the process (kill -9 included): there is never a stale lock to clean up.
 */
#ifndef NEWSMON_LOCK_H
#define NEWSMON_LOCK_H

#include <stdbool.h>
#include <stddef.h>

/* Takes the lock for db_path. Returns a descriptor to keep open for as long as the lock is
 * wanted (close it, or exit, to release); -2 when another process holds it and wait is false
 * (err names its pid); -1 on any other error (err says what). With wait, blocks until free. */
int lock_acquire(const char *db_path, bool wait, char *err, size_t errsize);

#endif
