/*
 * encoding.h — what encoding a feed document is in, and its bytes as valid UTF-8.
 *
 * The policy lives in one function, enc_to_utf8(); its comment in encoding.c says in which
 * order the byte-order mark, the XML declaration, the HTTP charset and the bytes themselves are
 * trusted, and why. The result is always valid UTF-8 without the control characters XML 1.0
 * forbids, so the XML and JSON parsers after it never fail on encoding.
 */
#ifndef NEWSMON_ENCODING_H
#define NEWSMON_ENCODING_H

#include <stddef.h>

struct enc_result {
	const char *data;   /* the UTF-8 text: the input itself when it needed no change, else owned */
	size_t len;
	char *owned;        /* the converted copy (data points into it), or NULL; enc_result_free() */
	char encoding[40];  /* what the bytes were read as: "UTF-8", "windows-1252", "UTF-16LE"... */
	size_t repairs;     /* bytes that were not valid in the encoding, replaced */
	size_t controls;    /* control characters XML forbids (C0 but tab, LF, CR) removed */
	const char *note;   /* static text when the label was overruled or unknown, else NULL */
};

/* Reads data[0..len) as a document whose server said http_charset (NULL or "" if it said
 * nothing) and fills *out. Returns 0, or -1 when out of memory (then *out owns nothing).
 * Never fails on the bytes themselves: whatever cannot be decoded becomes U+FFFD. */
int enc_to_utf8(const char *data, size_t len, const char *http_charset, struct enc_result *out);

/* Frees what *r owns; r may be reused afterwards. */
void enc_result_free(struct enc_result *r);

/* Returns the length of the valid UTF-8 prefix of s[0..len) (len when all of it is valid). */
size_t enc_utf8_valid_prefix(const char *s, size_t len);

#endif
