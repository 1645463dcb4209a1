/*
 * buf.c — growable, hard-capped byte buffer (see buf.h).
 */
#include "parsers/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Moves b to a block of cap bytes. Returns 0, or -1 (b unchanged). */
static int resize(struct buf *b, size_t cap)
{
	char *p = realloc(b->data, cap);

	if (p == NULL)
		return -1;
	b->data = p;
	b->cap = cap;
	return 0;
}

int buf_reserve(struct buf *b, size_t extra)
{
	size_t max = b->max ? b->max : BUF_MAX_DEFAULT;
	size_t need, cap;

	if (extra > max || b->len > max - extra)
		return -1;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (cap > max + 1)
		cap = max + 1;
	return resize(b, cap);
}

int buf_presize(struct buf *b, size_t size)
{
	size_t max = b->max ? b->max : BUF_MAX_DEFAULT;

	if (size > max)
		return -1;
	if (size < b->cap)
		return 0;
	if (resize(b, size + 1) < 0)
		return -1;
	b->data[b->len] = '\0';
	return 0;
}

int buf_append(struct buf *b, const void *data, size_t n)
{
	if (buf_reserve(b, n) < 0)
		return -1;
	if (n)
		memcpy(b->data + b->len, data, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int buf_putc(struct buf *b, int c)
{
	char ch = (char)c;
	return buf_append(b, &ch, 1);
}

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list again;
	int n;

	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, again);
	va_end(again);
	if (n < 0 || buf_reserve(b, (size_t)n) < 0)
		return -1;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

char *buf_file_message(const char *file, size_t line, const char *fmt, va_list ap)
{
	struct buf b = {0};
	char *msg = NULL;

	if (buf_printf(&b, "%s:%zu: ", file, line) == 0 && buf_vprintf(&b, fmt, ap) == 0)
		msg = buf_steal(&b);
	buf_free(&b);
	return msg;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

const char *buf_str(const struct buf *b)
{
	return b->data ? b->data : "";
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

char *buf_steal(struct buf *b)
{
	char *p = b->data;

	if (p == NULL)
		p = calloc(1, 1);
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
