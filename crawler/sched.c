/*
 * sched.c — the scheduling policy (see sched.h).
 */
#include "crawler/sched.h"

#include "parsers/hash.h"

static int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* ±10% of interval, the same for the same feed and moment (reproducible, yet spread). */
static int64_t jitter(const struct sched_input *in, int64_t interval)
{
	int64_t key[2] = {in->feed_id, in->now};
	uint64_t h = hash64(key, sizeof key);
	int64_t span = interval / 5;

	return span > 0 ? (int64_t)(h % (uint64_t)(span + 1)) - span / 2 : 0;
}

bool sched_gone(int status)
{
	return status == 410;
}

int64_t sched_next_due(const struct sched_input *in)
{
	int64_t interval;

	if (in->failures > 0) {
		interval = SCHED_BACKOFF_BASE;
		for (int64_t i = 1; i < in->failures && interval < SCHED_BACKOFF_MAX; i++)
			interval *= 2;
		interval = min64(interval, SCHED_BACKOFF_MAX);
		interval += jitter(in, interval);
		if (in->status == 429 || in->status == 503)
			interval = max64(interval, min64(in->retry_after, SCHED_MAX_SUGGESTED));
		return in->now + interval;
	}
	interval = in->every > 0 ? in->every : SCHED_DEFAULT_EVERY;
	interval = max64(interval, min64(in->feed_ttl, SCHED_MAX_SUGGESTED));
	interval = max64(interval, min64(in->max_age, SCHED_MAX_SUGGESTED));
	return in->now + interval;
}
