/*
 * buf.h — the one growable byte buffer of newsmon: pointer, length, capacity.
 *
 * The data is always NUL-terminated once anything was appended, sizes are overflow-checked,
 * and every buffer has a hard cap (max, default BUF_MAX_DEFAULT) past which appends fail
 * instead of growing: untrusted input can never make a buffer grow without bound.
 * A zeroed struct buf is an empty buffer ready for use.
 */
#ifndef NEWSMON_BUF_H
#define NEWSMON_BUF_H

#include <stdarg.h>
#include <stddef.h>

#define BUF_MAX_DEFAULT ((size_t)1 << 30)

struct buf {
	char *data;  /* owned; NULL until the first append */
	size_t len;  /* bytes used, not counting the terminating NUL */
	size_t cap;  /* bytes allocated */
	size_t max;  /* hard cap on len; 0 means BUF_MAX_DEFAULT */
};

/* Make room for extra more bytes (plus the NUL). Returns 0, or -1 when the cap would be
 * exceeded or memory is exhausted; the buffer is unchanged then. */
int buf_reserve(struct buf *b, size_t extra);

/* Makes room for size bytes in all (plus the NUL), exactly, when the final size is known: a
 * buffer grown by appends alone doubles, and may hold up to twice what it needs. Returns 0, or
 * -1 (as buf_reserve). */
int buf_presize(struct buf *b, size_t size);

/* Append n bytes / a C string / one byte / formatted text. Return 0 or -1 (as buf_reserve;
 * nothing is appended on failure). */
int buf_append(struct buf *b, const void *data, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, int c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);

/* A new string "FILE:LINE: message" for a mistake in a line-based input file; the caller
 * frees it. NULL when out of memory. */
char *buf_file_message(const char *file, size_t line, const char *fmt, va_list ap);

/* The contents as a C string: never NULL ("" for an empty buffer). Borrowed: valid until the
 * next change to the buffer. */
const char *buf_str(const struct buf *b);

/* Forget the contents, keep the allocation. */
void buf_reset(struct buf *b);

/* Hand the allocation to the caller (free() it); the buffer is left empty. Never NULL: an empty
 * buffer yields a freshly allocated "" (NULL only when that allocation fails). */
char *buf_steal(struct buf *b);

/* Release the allocation; the buffer is left empty and reusable. */
void buf_free(struct buf *b);

#endif
