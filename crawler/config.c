/*
 * config.c — the feeds.txt reader (see config.h).
 */
#include "crawler/config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crawler/url.h"
#include "parsers/arena.h"
#include "parsers/buf.h"

#define CONFIG_MAX_FEEDS 100000

int config_duration(const char *s, size_t len, int64_t *seconds)
{
	static const struct {
		char unit;
		int64_t seconds;
	} units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 604800}};
	int64_t n = 0;
	size_t i = 0;

	while (i < len && s[i] >= '0' && s[i] <= '9' && n < 100000000)
		n = n * 10 + (s[i++] - '0');
	if (i == 0 || i + 1 != len || n == 0)
		return -1;
	for (size_t k = 0; k < sizeof units / sizeof *units; k++) {
		if (s[i] == units[k].unit) {
			*seconds = n * units[k].seconds;
			return 0;
		}
	}
	return -1;
}

static char *error_at(const char *filename, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static char *error_at(const char *filename, int line, const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;

	buf_printf(&b, "%s:%d: ", filename, line);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return buf_steal(&b);
}

/* The next token of a line: a "quoted string" (quotes removed) or a run of non-space bytes.
 * Returns its length (0 at the end of the line or at a comment) and sets *start; *quoted says
 * whether it was quoted; a quote that never closes sets *unterminated. */
static size_t next_token(const char **p, const char *end, const char **start, bool *quoted,
                         bool *unterminated)
{
	const char *s = *p;

	while (s < end && (*s == ' ' || *s == '\t' || *s == '\r'))
		s++;
	*quoted = *unterminated = false;
	if (s == end || *s == '#') {
		*p = end;
		return 0;
	}
	if (*s == '"') {
		const char *close = memchr(s + 1, '"', (size_t)(end - s - 1));
		*quoted = true;
		*start = s + 1;
		if (close == NULL) {
			*unterminated = true;
			*p = end;
			return (size_t)(end - s - 1);
		}
		*p = close + 1;
		return (size_t)(close - s - 1);
	}
	*start = s;
	while (s < end && *s != ' ' && *s != '\t' && *s != '\r')
		s++;
	*p = s;
	return (size_t)(s - *start);
}

static int cmp_url(const void *a, const void *b)
{
	const struct config_feed *x = a, *y = b;
	int c = strcmp(x->url, y->url);

	return c ? c : x->line - y->line;
}

struct config *config_parse(const char *text, size_t len, const char *filename, char **err)
{
	struct config *c = calloc(1, sizeof *c);
	struct buf feeds = {0}, labels = {0};
	const char *p = text, *end = text + len;
	int line = 0;

	*err = NULL;
	if (c == NULL || (c->arena = arena_new()) == NULL)
		goto fail;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *tok;
		const char *line_end = eol ? eol : end;
		struct config_feed f = {.line = ++line};
		bool quoted, unterminated;
		size_t n;

		n = next_token(&p, line_end, &tok, &quoted, &unterminated);
		if (n == 0) {
			p = eol ? eol + 1 : end;
			continue;
		}
		char *url = arena_strndup(c->arena, tok, n);
		if (url == NULL)
			goto fail;
		if (quoted || !url_is_web(url)) {
			*err = error_at(filename, line, "'%.200s' is not an http or https URL", url);
			goto fail;
		}
		f.url = url;
		buf_reset(&labels);
		while ((n = next_token(&p, line_end, &tok, &quoted, &unterminated)) > 0 || unterminated) {
			if (unterminated) {
				*err = error_at(filename, line, "a quote that does not close");
				goto fail;
			}
			if (tok[0] == '~' && (quoted || n > 1)) {
				if (f.title) {
					*err = error_at(filename, line, "two titles for one feed");
					goto fail;
				}
				f.title = arena_strndup(c->arena, tok + 1, n - 1);
				if (f.title == NULL)
					goto fail;
			} else if (quoted) {
				*err = error_at(filename, line, "a quoted word that is not a \"~Title\"");
				goto fail;
			} else if (n > 6 && memcmp(tok, "every=", 6) == 0) {
				if (config_duration(tok + 6, n - 6, &f.every) < 0) {
					*err = error_at(filename, line, "every=%.*s: write a number and s, m, h, d "
					                "or w, as in every=30m or every=6h", (int)(n - 6), tok + 6);
					goto fail;
				}
			} else if (memchr(tok, '=', n)) {
				*err = error_at(filename, line, "unknown setting '%.*s' (only every= is known)",
				                (int)(n > 100 ? 100 : n), tok);
				goto fail;
			} else {
				if ((labels.len && buf_putc(&labels, ' ') < 0) || buf_append(&labels, tok, n) < 0)
					goto fail;
			}
		}
		f.labels = arena_strndup(c->arena, buf_str(&labels), labels.len);
		if (f.labels == NULL)
			goto fail;
		if (feeds.len / sizeof f >= CONFIG_MAX_FEEDS) {
			*err = error_at(filename, line, "more than %d feeds", CONFIG_MAX_FEEDS);
			goto fail;
		}
		if (buf_append(&feeds, &f, sizeof f) < 0)
			goto fail;
		p = eol ? eol + 1 : end;
	}
	c->n = feeds.len / sizeof *c->feeds;
	c->feeds = c->n ? arena_alloc(c->arena, feeds.len) : NULL;
	if (c->n && c->feeds == NULL)
		goto fail;
	if (c->n)
		memcpy(c->feeds, feeds.data, feeds.len);
	/* a feed listed twice: find it in a sorted copy, report the later line */
	struct config_feed *sorted = c->n ? malloc(feeds.len) : NULL;
	if (c->n && sorted == NULL)
		goto fail;
	if (sorted) {
		memcpy(sorted, c->feeds, feeds.len);
		qsort(sorted, c->n, sizeof *sorted, cmp_url);
		for (size_t i = 1; i < c->n && *err == NULL; i++)
			if (strcmp(sorted[i].url, sorted[i - 1].url) == 0)
				*err = error_at(filename, sorted[i].line, "feed already listed on line %d",
				                sorted[i - 1].line);
		free(sorted);
		if (*err)
			goto fail;
	}
	buf_free(&feeds);
	buf_free(&labels);
	return c;
fail:
	buf_free(&feeds);
	buf_free(&labels);
	config_free(c);
	return NULL;
}

void config_free(struct config *c)
{
	if (c == NULL)
		return;
	arena_free(c->arena);
	free(c);
}
