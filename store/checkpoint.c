/*
 * checkpoint.c — WAL checkpoints on a thread of their own (see checkpoint.h).
 *
 * A pass goes NONE -> RUNNING (the writer, after a commit that leaves the WAL large enough)
 * -> DONE (the thread, once its copy is synced) -> NONE (the writer, after copying what it
 * committed meanwhile), or back to RUNNING when the writer committed much meanwhile: a
 * crawl's writer commits about as fast as a pass copies, and copying all that itself, it made
 * 34,000 of the 56,000 page copies while a crawl stored (counted under strace), on the thread
 * the crawl waits for; now 12,000 of 43,000. Only the writer's thread starts a pass, only the
 * checkpointing one ends it; both read the state under the lock.
 */
#include "store/checkpoint.h"

#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

enum pass { PASS_NONE, PASS_RUNNING, PASS_DONE };

/* At most this many passes run one after the other before the writer copies the rest itself,
 * and none once the WAL holds twice the frames that call for a checkpoint: the WAL grows
 * while they run (a crawl's to some 120 MB instead of 90), and starts over only after the
 * writer's copy. On a busy machine a pass takes longer while the writer goes on. */
#define MAX_PASSES 4

struct checkpointer {
	sqlite3 *writer;
	char *path;
	const char *vfs;
	int frames;
	mtx_t lock;
	cnd_t wake;                 /* a pass to run, or closing */
	enum pass pass;
	int copied;                 /* the WAL frames copied back after the last pass, -1 failed */
	int passes;                 /* run since the writer last copied */
	bool closing;
	bool started;               /* the thread and its connection */
	bool unavailable;           /* they could not be had: the writer checkpoints */
	thrd_t thread;
	sqlite3 *own;               /* the thread's connection */
};

static enum pass pass_of(struct checkpointer *c)
{
	enum pass p;

	mtx_lock(&c->lock);
	p = c->pass;
	mtx_unlock(&c->lock);
	return p;
}

static void set_pass(struct checkpointer *c, enum pass p)
{
	mtx_lock(&c->lock);
	c->pass = p;
	cnd_signal(&c->wake);
	mtx_unlock(&c->lock);
}

static int checkpoint_passes(void *arg)
{
	struct checkpointer *c = arg;
	int copied;

	mtx_lock(&c->lock);
	for (;;) {
		while (c->pass != PASS_RUNNING && !c->closing)
			cnd_wait(&c->wake, &c->lock);
		if (c->closing)
			break;
		mtx_unlock(&c->lock);
		/* PASSIVE: copies what is committed, never waits for the writer or for readers */
		sqlite3_wal_checkpoint_v2(c->own, "main", SQLITE_CHECKPOINT_PASSIVE, NULL, &copied);
		mtx_lock(&c->lock);
		c->copied = copied;
		c->pass = PASS_DONE;
	}
	mtx_unlock(&c->lock);
	return 0;
}

/* The thread and its connection, on first use. Returns 0, or -1 when they cannot be had. */
static int start(struct checkpointer *c)
{
	sigset_t all, old;
	int started;

	if (c->started)
		return 0;
	if (c->unavailable)
		return -1;
	/* SQLite 3.40 opens a connection's WAL with its first read, and a checkpoint on a
	 * connection that has not read yet does nothing */
	if (sqlite3_open_v2(c->path, &c->own, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, c->vfs) !=
	        SQLITE_OK ||
	    sqlite3_exec(c->own, "PRAGMA schema_version", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	/* signals are for the writer's thread (a crawl stops on SIGINT there) */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	started = thrd_create(&c->thread, checkpoint_passes, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (started != thrd_success)
		goto fail;
	c->started = true;
	return 0;
fail:
	sqlite3_close(c->own);
	c->own = NULL;
	c->unavailable = true;
	return -1;
}

/* The writer's wal hook: runs after each of its commits, with the frames now in the WAL. */
static int committed(void *arg, sqlite3 *handle, const char *name, int frames)
{
	struct checkpointer *c = arg;
	enum pass p = pass_of(c);

	if (p == PASS_DONE) {
		/* what was committed while the thread copied: another pass there while that is
		 * much and the WAL not too large, else copied here, and the next transaction starts
		 * the WAL over. c->copied is the thread's, read once the pass is DONE. */
		if (c->copied >= 0 && frames - c->copied > c->frames / 8 && frames < 2 * c->frames &&
		    ++c->passes < MAX_PASSES) {
			set_pass(c, PASS_RUNNING);
			return SQLITE_OK;
		}
		sqlite3_wal_checkpoint_v2(handle, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		c->passes = 0;
		set_pass(c, PASS_NONE);
	} else if (p == PASS_NONE && frames >= c->frames) {
		if (start(c) == 0)
			set_pass(c, PASS_RUNNING);
		else
			sqlite3_wal_checkpoint_v2(handle, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	}
	return SQLITE_OK; /* the commit is done either way; a checkpoint's failure is not its */
}

struct checkpointer *checkpointer_new(sqlite3 *handle, const char *path, const char *vfs,
                                      int frames)
{
	struct checkpointer *c = calloc(1, sizeof *c);

	if (c == NULL || (c->path = strdup(path)) == NULL)
		goto fail;
	if (mtx_init(&c->lock, mtx_plain) != thrd_success)
		goto fail;
	if (cnd_init(&c->wake) != thrd_success) {
		mtx_destroy(&c->lock);
		goto fail;
	}
	c->writer = handle;
	c->vfs = vfs;
	c->frames = frames;
	sqlite3_wal_hook(handle, committed, c);
	return c;
fail:
	if (c)
		free(c->path);
	free(c);
	return NULL;
}

void checkpointer_free(struct checkpointer *c)
{
	if (c == NULL)
		return;
	sqlite3_wal_hook(c->writer, NULL, NULL);
	if (c->started) {
		mtx_lock(&c->lock);
		c->closing = true;
		cnd_signal(&c->wake);
		mtx_unlock(&c->lock);
		thrd_join(c->thread, NULL);
		sqlite3_close(c->own);
	}
	cnd_destroy(&c->wake);
	mtx_destroy(&c->lock);
	free(c->path);
	free(c);
}
