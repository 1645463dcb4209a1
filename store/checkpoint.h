/*
 * checkpoint.h — WAL checkpoints on a thread of their own, so that the writer does not wait
 * for them.
 *
 * A checkpoint copies the WAL back into the database file and syncs both; on this VM the
 * syncs of a crawl's checkpoints took 1.6 s, all of it on the thread that stores. Here, once
 * a commit leaves the WAL at a size that calls for one, a second thread with a connection of
 * its own copies back what is committed, while the writer goes on; while the writer commits
 * much meanwhile, another pass follows (up to 4, while the WAL holds less than twice the
 * frames that call for one). What is left is copied by the writer itself after its next
 * commit, a short pass: only a WAL copied back in full is started over by the
 * next transaction, and a WAL that is never started over grows without bound.
 *
 * Internal to store/ (db.c). Checkpoint failures are not the writer's: the data is safe in
 * the WAL, and the next pass takes it.
 */
#ifndef NEWSMON_CHECKPOINT_H
#define NEWSMON_CHECKPOINT_H

#include <sqlite3.h>

struct checkpointer;

/* Takes over the checkpoints of handle, a writing connection in WAL mode to the database at
 * path opened through vfs (NULL for the default): once a commit leaves frames or more pages
 * in the WAL, one starts. The thread and its connection start with the first checkpoint;
 * without them the commit that calls for one makes it itself. Returns NULL when out of memory,
 * and handle then keeps SQLite's own automatic checkpoints. */
struct checkpointer *checkpointer_new(sqlite3 *handle, const char *path, const char *vfs,
                                      int frames);

/* Waits for a checkpoint in progress, stops the thread and closes its connection; call it
 * before closing handle. */
void checkpointer_free(struct checkpointer *c);

#endif
