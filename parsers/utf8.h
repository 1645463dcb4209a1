/*
 * utf8.h — one UTF-8 encoder for the parsers, inlined where it is called once per character
 * (code-page decoding, case folding, reference decoding).
 */
#ifndef NEWSMON_UTF8_H
#define NEWSMON_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Writes cp as UTF-8 to out and returns the bytes written (1-4). Surrogates and values past
 * U+10FFFF, which UTF-8 cannot carry, are written as U+FFFD. */
static inline size_t utf8_encode(uint32_t cp, char out[4])
{
	if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		cp = 0xFFFD;
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

#endif
