/*
 * clock.h — the time newsmon records, and elapsed time.
 *
 * NEWSMON_NOW=<Unix seconds> pins "now" for the whole process: tests and reproducible
 * re-imports use it so first_seen and schedules do not depend on the wall clock.
 */
#ifndef NEWSMON_CLOCK_H
#define NEWSMON_CLOCK_H

#include <stdint.h>

/* Unix seconds, UTC (or $NEWSMON_NOW). */
int64_t clock_now(void);

/* Monotonic milliseconds, for durations. */
int64_t clock_ms(void);

#endif
