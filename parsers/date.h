/*
 * date.h — dates as feeds and HTTP headers write them, read into Unix seconds (UTC), and the
 * one text form newsmon writes them in ("YYYY-MM-DDTHH:MM:SSZ").
 *
 * date_parse() reads RFC 822/1123/2822 and RFC 3339/ISO 8601/W3CDTF dates and the common broken
 * variants of both; date.c opens with the full list of accepted forms and of the choices made
 * for ambiguous input. Nothing here allocates, reads the clock, the locale or TZ.
 */
#ifndef NEWSMON_DATE_H
#define NEWSMON_DATE_H

#include <stddef.h>
#include <stdint.h>

#define DATE_NONE INT64_MIN /* "no usable date" */
#define DATE_TEXT_SIZE 21   /* "YYYY-MM-DDTHH:MM:SSZ" plus NUL */

/* The range date_parse() returns: 1000-01-01T00:00:00Z to 9999-12-31T23:59:59Z. */
#define DATE_MIN INT64_C(-30610224000)
#define DATE_MAX INT64_C(253402300799)

/* Parses a date as found in feeds and HTTP-ish places; s need not be NUL-terminated (len bytes).
 * Returns Unix seconds (UTC) between DATE_MIN and DATE_MAX, or DATE_NONE when the text is not a
 * date we can read with confidence (also when s is NULL). Never returns "now" or any default;
 * never reads past len. Leading and trailing whitespace and a trailing "(comment)" are ignored;
 * a date without a zone is taken as UTC. */
int64_t date_parse(const char *s, size_t len);

/* Writes t as "YYYY-MM-DDTHH:MM:SSZ" (UTC) into out, NUL-terminated, and returns out. t must not
 * be DATE_NONE; a t outside the years 0000-9999 is clamped to the nearest end of that range, so
 * the text is always exactly DATE_TEXT_SIZE - 1 characters. The caller owns out. */
char *date_format(int64_t t, char out[DATE_TEXT_SIZE]);

#endif
