/*
 * fuzz_feed.c — feed_parse on arbitrary bytes, then the promises of feed.h checked on the result.
 *
 * The first input byte picks the HTTP charset (NULL, utf-8, iso-8859-1, windows-1251, shift_jis,
 * utf-16: the labels servers send, including one whose bytes are not ASCII-compatible) and the
 * document URL (none, a file at the root, a path with a query); the rest is the document, passed
 * at its exact size so that a read past its end is caught. Checked, for every string the feed
 * holds: valid UTF-8 (no overlong forms, surrogates or values past U+10FFFF) without control
 * characters other than tab and newline (C0, DEL and C1 count as control characters); fields
 * made one line by the parser (titles, authors, ids, URLs, dates as written, categories, the
 * error) hold no newline or tab; counts and lengths stay within FEED_MAX_*; dates are
 * DATE_NONE or within DATE_MIN..DATE_MAX; a feed that is bozo, truncated or unusable says why.
 * A breach prints the field and the promise, then aborts (libFuzzer keeps the input).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/feed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const charsets[] = {NULL, "utf-8", "iso-8859-1", "windows-1251", "shift_jis",
                                       "utf-16"};
static const char *const urls[] = {NULL, "https://example.org/feed.xml",
                                   "http://news.example.com/a/b/rss?x=1&y=2"};

/* Length of the UTF-8 sequence at s (len bytes left) that encodes a character other than a
 * control character, or 0 when there is none (invalid, or a control). Tab and newline pass
 * only when allowed. */
static size_t char_ok(const unsigned char *s, size_t len, int line)
{
	uint32_t cp;
	size_t n, i;

	if (s[0] < 0x80) {
		if (s[0] == '\t' || s[0] == '\n')
			return line ? 0 : 1;
		return s[0] >= 0x20 && s[0] != 0x7F;
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		n = 2;
		cp = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		n = 3;
		cp = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || (cp >= 0x80 && cp <= 0x9F))
		return 0;
	return n;
}

/* Reports which promise the feed broke, then aborts. */
static void fail(const char *field, const char *what, size_t at)
{
	fprintf(stderr, "fuzz_feed: %s: %s (byte %zu)\n", field, what, at);
	abort();
}

/* A string of the feed: NULL, or valid text of at most max bytes (0: no cap); line forbids
 * tab and newline. */
static void check_str(const char *field, const char *s, size_t max, int line)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len, i = 0, n;

	if (s == NULL)
		return;
	len = strlen(s);
	if (max && len > max)
		fail(field, "longer than its cap", len);
	while (i < len) {
		n = char_ok(u + i, len - i, line);
		if (n == 0)
			fail(field, u[i] < 0x80 || (u[i] == 0xC2 && i + 1 < len && u[i + 1] < 0xA0)
			                ? "control character" : "invalid UTF-8", i);
		i += n;
	}
}

static void check_date(const char *field, int64_t t)
{
	if (t != DATE_NONE && (t < DATE_MIN || t > DATE_MAX))
		fail(field, "date out of range", 0);
}

static void check_list(const char *field, const char *const *v, size_t n)
{
	if (n > FEED_MAX_LIST || (n > 0 && v == NULL))
		fail(field, "count over FEED_MAX_LIST", n);
	for (size_t i = 0; i < n; i++) {
		if (v[i] == NULL)
			fail(field, "NULL in the list", i);
		check_str(field, v[i], FEED_MAX_FIELD, 1);
	}
}

static void check_entry(const struct feed_entry *e)
{
	check_str("entry id", e->id, FEED_MAX_FIELD, 1);
	check_str("entry title", e->title, FEED_MAX_FIELD, 1);
	check_str("entry link", e->link, FEED_MAX_FIELD, 1);
	check_str("entry author", e->author, FEED_MAX_FIELD, 1);
	check_str("entry summary", e->summary, FEED_MAX_BODY, 0);
	check_str("entry content", e->content, FEED_MAX_BODY, 0);
	check_str("entry comments", e->comments, FEED_MAX_FIELD, 1);
	check_str("entry published_raw", e->published_raw, FEED_MAX_FIELD, 1);
	check_str("entry updated_raw", e->updated_raw, FEED_MAX_FIELD, 1);
	check_date("entry published", e->published);
	check_date("entry updated", e->updated);
	check_list("entry categories", e->categories, e->ncategories);
	check_list("entry hrefs", e->hrefs, e->nhrefs);
	if (e->nenclosures > FEED_MAX_LIST || (e->nenclosures > 0 && e->enclosures == NULL))
		fail("entry enclosures", "count over FEED_MAX_LIST", e->nenclosures);
	for (size_t i = 0; i < e->nenclosures; i++) {
		if (e->enclosures[i].url == NULL || e->enclosures[i].length < -1)
			fail("enclosure", "no URL or a negative length", i);
		check_str("enclosure url", e->enclosures[i].url, FEED_MAX_FIELD, 1);
		check_str("enclosure type", e->enclosures[i].type, FEED_MAX_FIELD, 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *charset = NULL, *url = NULL;
	struct feed *f;

	if (size > 0) {
		charset = charsets[data[0] % 6];
		url = urls[data[0] / 6 % 3];
		data++;
		size--;
	}
	f = feed_parse((const char *)data, size, url, charset);
	if (f == NULL)
		fail("feed", "NULL (out of memory)", size);
	if ((f->bozo || f->truncated || f->format == FEED_UNKNOWN) && f->error == NULL)
		fail("feed error", "NULL for a bozo, truncated or unusable feed", 0);
	if (f->html && f->format != FEED_UNKNOWN)
		fail("feed html", "set on a usable feed", 0);
	check_str("feed error", f->error, 0, 1);
	check_str("feed encoding", f->encoding, FEED_MAX_FIELD, 1);
	check_str("feed title", f->title, FEED_MAX_FIELD, 1);
	check_str("feed link", f->link, FEED_MAX_FIELD, 1);
	check_str("feed subtitle", f->subtitle, FEED_MAX_FIELD, 1);
	check_str("feed language", f->language, FEED_MAX_FIELD, 1);
	check_str("feed author", f->author, FEED_MAX_FIELD, 1);
	check_str("feed generator", f->generator, FEED_MAX_FIELD, 1);
	check_str("feed image", f->image, FEED_MAX_FIELD, 1);
	check_str("feed updated_raw", f->updated_raw, FEED_MAX_FIELD, 1);
	check_date("feed updated", f->updated);
	if (f->ttl < 0)
		fail("feed ttl", "negative", 0);
	if (f->nentries > FEED_MAX_ENTRIES || (f->nentries > 0 && f->entries == NULL))
		fail("feed entries", "count over FEED_MAX_ENTRIES", f->nentries);
	for (size_t i = 0; i < f->nentries; i++)
		check_entry(&f->entries[i]);
	for (size_t i = 0; i < f->nalternates; i++) {
		if (f->alternates[i] == NULL)
			fail("feed alternates", "NULL in the list", i);
		check_str("feed alternates", f->alternates[i], 0, 1);
	}
	feed_free(f);
	return 0;
}
