/*
 * clock.c — wall and monotonic time (see clock.h).
 */
#include "crawler/clock.h"

#include <stdlib.h>
#include <time.h>

int64_t clock_now(void)
{
	const char *pinned = getenv("NEWSMON_NOW");
	char *end;

	if (pinned && *pinned) {
		long long v = strtoll(pinned, &end, 10);
		if (*end == '\0')
			return v;
	}
	return (int64_t)time(NULL);
}

int64_t clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
