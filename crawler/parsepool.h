/*
 * parsepool.h — documents parsed, and their rows derived, on a second thread while the caller
 * stores the ones before them. ingest_parse touches nothing shared (crawler/ingest.h), so a
 * crawl or an import can give it the machine's other core: the calling thread keeps libcurl
 * and SQLite.
 *
 * Jobs come back in the order they were submitted. A job is the caller's memory, usually the
 * first member of a larger struct of its own: the pool borrows it from parsepool_submit until
 * parsepool_next returns it, and meanwhile reads only doc and what doc points to.
 */
#ifndef NEWSMON_PARSEPOOL_H
#define NEWSMON_PARSEPOOL_H

#include <stdbool.h>
#include <stddef.h>

#include "crawler/ingest.h"

struct parse_job {
	struct ingest_document doc;     /* in: set by the caller, borrowed by the pool */
	struct ingest_parsed *parsed;   /* out: owned by the caller (ingest_parsed_free); NULL
	                                   when out of memory */
	struct ingest_report report;    /* out */
	struct parse_job *next;         /* the pool's */
};

struct parsepool;

/* Starts the thread. Returns NULL when out of memory or no thread can start. */
struct parsepool *parsepool_new(void);

/* Stops the thread once it has parsed what it was given. The caller drains the pool with
 * parsepool_next first: jobs still in it are not freed. */
void parsepool_free(struct parsepool *p);

/* The jobs in the pool (submitted and not yet returned by parsepool_next). */
size_t parsepool_held(const struct parsepool *p);

/* Hands job to the thread. */
void parsepool_submit(struct parsepool *p, struct parse_job *job);

/* The oldest job submitted and not yet returned, once parsed; NULL when the pool holds no job
 * or, with wait false, when the oldest one is not parsed yet. */
struct parse_job *parsepool_next(struct parsepool *p, bool wait);

#endif
