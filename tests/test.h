/*
 * test.h — the whole unit-test harness: checks count, failures print where and what,
 * and TEST_END() prints "N passed, M failed" as the last line (tests/run.sh sums them).
 */
#ifndef NEWSMON_TEST_H
#define NEWSMON_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int test_passed, test_failed;

#define CHECK(cond) test_check((cond) != 0, __FILE__, __LINE__, #cond)

/* Compares two C strings, either of which may be NULL. */
#define CHECK_STR(got, want) test_check_str((got), (want), __FILE__, __LINE__, #got)

#define CHECK_INT(got, want) test_check_int((int64_t)(got), (int64_t)(want), __FILE__, __LINE__, #got)

#define TEST_END() \
	(printf("%d passed, %d failed\n", test_passed, test_failed), test_failed != 0)

static inline int test_check(int ok, const char *file, int line, const char *what)
{
	if (ok) {
		test_passed++;
		return 1;
	}
	test_failed++;
	fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
	return 0;
}

static inline int test_check_str(const char *got, const char *want, const char *file, int line,
                                 const char *what)
{
	int ok = (got == NULL || want == NULL) ? got == want : strcmp(got, want) == 0;
	if (!test_check(ok, file, line, what))
		fprintf(stderr, "    got:  %s%s%s\n    want: %s%s%s\n", got ? "\"" : "",
		        got ? got : "NULL", got ? "\"" : "", want ? "\"" : "", want ? want : "NULL",
		        want ? "\"" : "");
	return ok;
}

static inline int test_check_int(int64_t got, int64_t want, const char *file, int line,
                                 const char *what)
{
	int ok = got == want;
	if (!test_check(ok, file, line, what))
		fprintf(stderr, "    got:  %" PRId64 "\n    want: %" PRId64 "\n", got, want);
	return ok;
}

#endif
