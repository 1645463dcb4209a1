/* test_sched.c — when a feed is due next: intervals, the feed's own wishes, backoff, 429/503. */
#include "crawler/sched.h"
#include "tests/test.h"

static int64_t next(int64_t every, int64_t ttl, int64_t max_age, int64_t failures, int status,
                    int64_t retry_after)
{
	struct sched_input in = {.now = 1000000, .feed_id = 7, .every = every, .feed_ttl = ttl,
	                         .max_age = max_age, .failures = failures, .status = status,
	                         .retry_after = retry_after};
	return sched_next_due(&in) - in.now;
}

int main(void)
{
	/* success: every=, else hourly; never sooner than the feed or the server asks, up to a week */
	CHECK_INT(next(0, 0, -1, 0, 200, 0), 3600);
	CHECK_INT(next(1800, 0, -1, 0, 200, 0), 1800);
	CHECK_INT(next(1800, 7200, -1, 0, 200, 0), 7200);
	CHECK_INT(next(1800, 0, 10800, 0, 304, 0), 10800);
	CHECK_INT(next(1800, 0, 0, 0, 200, 0), 1800);
	CHECK_INT(next(1800, 30 * 86400, -1, 0, 200, 0), SCHED_MAX_SUGGESTED);
	/* failures: 10 minutes, doubling, capped at a day, within ±10% */
	int64_t prev = 0;
	for (int f = 1; f <= 12; f++) {
		int64_t d = next(1800, 0, -1, f, 500, 0);
		int64_t base = SCHED_BACKOFF_BASE << (f - 1);
		if (base > SCHED_BACKOFF_MAX)
			base = SCHED_BACKOFF_MAX;
		CHECK(d >= base - base / 10 && d <= base + base / 10);
		CHECK(f == 1 || d >= prev - prev / 5);
		prev = d;
	}
	/* jitter spreads feeds that failed together */
	struct sched_input a = {.now = 1000000, .feed_id = 1, .failures = 3, .status = 500};
	struct sched_input b = a;
	b.feed_id = 2;
	CHECK(sched_next_due(&a) != sched_next_due(&b));
	/* 429 and 503 wait at least Retry-After (up to a week); other errors do not look at it */
	CHECK_INT(next(0, 0, -1, 1, 429, 7200), 7200);
	CHECK(next(0, 0, -1, 1, 503, 60) >= SCHED_BACKOFF_BASE - SCHED_BACKOFF_BASE / 10);
	CHECK_INT(next(0, 0, -1, 1, 503, 30 * 86400), SCHED_MAX_SUGGESTED);
	CHECK(next(0, 0, -1, 1, 500, 7200) < 7200);
	CHECK(sched_gone(410));
	CHECK(!sched_gone(404));
	return TEST_END();
}
