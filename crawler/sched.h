/*
 * sched.h — when a feed is fetched next: the scheduling policy in one pure function.
 *
 * After a success: the feed's every= (or the default interval), but never sooner than what
 * the feed itself asks (<ttl>, sy:updatePeriod) or the server's Cache-Control max-age /
 * Expires, honoured up to SCHED_MAX_SUGGESTED. After a failure: exponential backoff from
 * SCHED_BACKOFF_BASE, doubling with each consecutive failure, capped at a day, with ±10%
 * jitter so feeds that failed together do not retry together; a 429 or 503 waits at least its
 * Retry-After (up to SCHED_MAX_SUGGESTED). A 410 Gone is not rescheduled: the feed is gone
 * until `crawl --force`. A feed is reported dead after SCHED_DEAD_AFTER consecutive failures,
 * and still retried at the capped backoff.
 */
#ifndef NEWSMON_SCHED_H
#define NEWSMON_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#define SCHED_DEFAULT_EVERY 3600          /* a feed without every=: hourly */
#define SCHED_BACKOFF_BASE 600            /* the first retry after a failure: 10 minutes */
#define SCHED_BACKOFF_MAX 86400           /* backoff never exceeds a day */
#define SCHED_MAX_SUGGESTED (7 * 86400)   /* feeds and servers may ask for at most a week */
#define SCHED_DEAD_AFTER 10

struct sched_input {
	int64_t now;
	int64_t feed_id;         /* seeds the jitter */
	int64_t every;           /* from feeds.txt, 0 for the default */
	int64_t feed_ttl;        /* what the document asked for, seconds (0: nothing) */
	int64_t max_age;         /* Cache-Control/Expires, seconds (-1: nothing) */
	int64_t retry_after;     /* seconds (0: nothing) */
	int64_t failures;        /* consecutive failures including this fetch's (0 if it worked) */
	int status;              /* the HTTP status */
};

/* When the feed is due next (Unix seconds). */
int64_t sched_next_due(const struct sched_input *in);

/* Is the feed gone for good (410)? */
bool sched_gone(int status);

#endif
