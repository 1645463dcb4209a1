/* test_buf.c — the growable buffer and the arena. */
#include "parsers/arena.h"
#include "parsers/buf.h"
#include "tests/test.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

static void test_buf_append_and_cap(void)
{
	struct buf b = {0};

	CHECK_STR(buf_str(&b), "");
	CHECK(buf_puts(&b, "hello") == 0);
	CHECK(buf_putc(&b, ' ') == 0);
	CHECK(buf_printf(&b, "%d %s", 42, "world") == 0);
	CHECK_STR(buf_str(&b), "hello 42 world");
	CHECK_INT(b.len, 14);
	buf_reset(&b);
	CHECK_STR(buf_str(&b), "");
	buf_free(&b);

	b.max = 8;
	CHECK(buf_puts(&b, "12345678") == 0);
	CHECK(buf_putc(&b, '9') == -1);
	CHECK(buf_printf(&b, "%s", "x") == -1);
	CHECK_STR(buf_str(&b), "12345678");
	char *s = buf_steal(&b);
	CHECK_STR(s, "12345678");
	CHECK(b.data == NULL && b.len == 0);
	free(s);
	s = buf_steal(&b);
	CHECK_STR(s, "");
	free(s);
}

/* A presized buffer holds what it was sized for without moving, and still grows past it. */
static void test_buf_presize(void)
{
	struct buf b = {0};
	const char *data;
	char chunk[100];

	memset(chunk, 'x', sizeof chunk);
	CHECK(buf_presize(&b, 100000) == 0);
	CHECK(b.cap == 100001);
	CHECK_STR(buf_str(&b), ""); /* presized, still empty */
	data = b.data;
	int appended = 0;
	for (int i = 0; i < 1000; i++)
		appended += buf_append(&b, chunk, sizeof chunk) == 0;
	CHECK_INT(appended, 1000);
	CHECK(b.data == data && b.cap == 100001 && b.len == 100000);
	CHECK(buf_presize(&b, 10) == 0);
	CHECK(b.cap == 100001);
	CHECK(buf_puts(&b, "tail") == 0);
	CHECK_INT(b.len, 100004);
	CHECK_STR(b.data + 99996, "xxxxtail");
	buf_free(&b);

	b.max = 8;
	CHECK(buf_presize(&b, 9) == -1);
	CHECK(b.data == NULL);
	CHECK(buf_presize(&b, 8) == 0);
	CHECK(buf_puts(&b, "12345678") == 0);
	CHECK(buf_putc(&b, '9') == -1);
	buf_free(&b);
}

static void test_arena(void)
{
	struct arena *a = arena_new();
	char *big, *s;
	int i, ok = 1;

	CHECK(a != NULL);
	for (i = 0; i < 10000; i++) {
		s = arena_strndup(a, "abcdef", 3);
		if (s == NULL || strcmp(s, "abc") != 0)
			ok = 0;
	}
	CHECK(ok);
	big = arena_alloc(a, 5u << 20);
	CHECK(big != NULL);
	memset(big, 'x', 5u << 20);
	CHECK(((uintptr_t)arena_alloc(a, 3) % alignof(max_align_t)) == 0);
	arena_free(a);
	arena_free(NULL);
}

int main(void)
{
	test_buf_append_and_cap();
	test_buf_presize();
	test_arena();
	return TEST_END();
}
