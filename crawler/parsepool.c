/*
 * parsepool.c — one parsing thread fed through two FIFO lists under one lock (see
 * parsepool.h). One thread: the rest of a crawl's work is SQLite on the calling thread, and a
 * single worker returns jobs in order by construction.
 */
#include "crawler/parsepool.h"

#include <signal.h>
#include <stdlib.h>
#include <threads.h>

#include "parsers/feed.h"

struct job_list {
	struct parse_job *head, *tail;
};

struct parsepool {
	mtx_t lock;
	cnd_t work;                  /* signalled when todo gains a job or the pool closes */
	cnd_t parsed;                /* signalled when done gains a job */
	struct job_list todo, done;
	size_t held;                 /* jobs submitted and not yet returned */
	bool closing;
	thrd_t thread;
	struct feed_parser *parser;  /* the thread's, its buffers reused from one job to the next */
};

static void push(struct job_list *l, struct parse_job *job)
{
	job->next = NULL;
	if (l->tail)
		l->tail->next = job;
	else
		l->head = job;
	l->tail = job;
}

static struct parse_job *pop(struct job_list *l)
{
	struct parse_job *job = l->head;

	if (job) {
		l->head = job->next;
		if (l->head == NULL)
			l->tail = NULL;
	}
	return job;
}

static int parse_jobs(void *arg)
{
	struct parsepool *p = arg;
	struct parse_job *job;

	mtx_lock(&p->lock);
	for (;;) {
		while (p->todo.head == NULL && !p->closing)
			cnd_wait(&p->work, &p->lock);
		job = pop(&p->todo);
		if (job == NULL)
			break;
		mtx_unlock(&p->lock);
		job->parsed = ingest_parse(p->parser, &job->doc, &job->report);
		mtx_lock(&p->lock);
		push(&p->done, job);
		cnd_signal(&p->parsed);
	}
	mtx_unlock(&p->lock);
	return 0;
}

struct parsepool *parsepool_new(void)
{
	struct parsepool *p = calloc(1, sizeof *p);
	sigset_t all, old;
	int started;

	if (p == NULL)
		return NULL;
	p->parser = feed_parser_new();
	if (p->parser == NULL || mtx_init(&p->lock, mtx_plain) != thrd_success)
		goto fail_parser;
	if (cnd_init(&p->work) != thrd_success)
		goto fail_lock;
	if (cnd_init(&p->parsed) != thrd_success)
		goto fail_work;
	/* SIGINT and SIGTERM are for the calling thread, which stops the fetching: the parsing
	 * thread starts with every signal blocked */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	started = thrd_create(&p->thread, parse_jobs, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (started == thrd_success)
		return p;
	cnd_destroy(&p->parsed);
fail_work:
	cnd_destroy(&p->work);
fail_lock:
	mtx_destroy(&p->lock);
fail_parser:
	feed_parser_free(p->parser);
	free(p);
	return NULL;
}

void parsepool_free(struct parsepool *p)
{
	if (p == NULL)
		return;
	mtx_lock(&p->lock);
	p->closing = true;
	cnd_signal(&p->work);
	mtx_unlock(&p->lock);
	thrd_join(p->thread, NULL);
	cnd_destroy(&p->parsed);
	cnd_destroy(&p->work);
	mtx_destroy(&p->lock);
	feed_parser_free(p->parser);
	free(p);
}

/* held changes only on the calling thread: it reads it without the lock */
size_t parsepool_held(const struct parsepool *p)
{
	return p->held;
}

void parsepool_submit(struct parsepool *p, struct parse_job *job)
{
	job->parsed = NULL;
	p->held++;
	mtx_lock(&p->lock);
	push(&p->todo, job);
	cnd_signal(&p->work);
	mtx_unlock(&p->lock);
}

struct parse_job *parsepool_next(struct parsepool *p, bool wait)
{
	struct parse_job *job;

	if (p->held == 0)
		return NULL;
	mtx_lock(&p->lock);
	while (p->done.head == NULL && wait)
		cnd_wait(&p->parsed, &p->lock);
	job = pop(&p->done);
	mtx_unlock(&p->lock);
	if (job)
		p->held--;
	return job;
}
