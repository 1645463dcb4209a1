/*
 * config.h — feeds.txt, the list of feeds to crawl (format pinned in DESIGN.md):
 *
 *   URL [WORD...]        one feed per line; blank lines ignored
 *   # comment            at the start of a line or after white space
 *   label                a bare word is a label (tech, policy, hk...)
 *   every=DURATION       refresh interval: a number and s, m, h, d or w (30m, 6h, 1d)
 *   "~Title"             overrides the feed's own title (quoted, may hold spaces), as in
 *                        newsboat's urls file; ~Title without quotes for one word
 *
 * Anything else is an error reported as "FILE:LINE: message": a URL that is not http(s), an
 * unknown setting (a typo must not silently become a label), a bad duration, a feed listed
 * twice. Pure: text in, struct out (URLs are checked with libcurl's URL parser, no I/O).
 */
#ifndef NEWSMON_CONFIG_H
#define NEWSMON_CONFIG_H

#include <stddef.h>
#include <stdint.h>

struct config_feed {
	const char *url;
	const char *title;    /* the "~Title" override, or NULL */
	const char *labels;   /* space-separated, "" when none */
	int64_t every;        /* seconds, 0 when not given */
	int line;
};

struct config {
	struct config_feed *feeds;
	size_t n;
	struct arena *arena;  /* owns everything above */
};

/* Reads feeds.txt text (len bytes; filename for messages). Returns the list (free with
 * config_free) or NULL with *err set to a malloc'd "FILE:LINE: message" (NULL when out of
 * memory). */
struct config *config_parse(const char *text, size_t len, const char *filename, char **err);
void config_free(struct config *c);

/* Reads a duration ("30m", "6h", "1d", "90s", "2w") into seconds. Returns 0 or -1. */
int config_duration(const char *s, size_t len, int64_t *seconds);

#endif
