/*
 * discover.h — the feeds an HTML page advertises.
 *
 * Pages announce their feeds with <link rel="alternate" type="application/rss+xml" href="...">
 * (RSS Autodiscovery, the WHATWG "alternate" link type); this finds them with libxml2's HTML
 * parser, which takes any tag soup. Pure: bytes in, URLs out.
 */
#ifndef NEWSMON_DISCOVER_H
#define NEWSMON_DISCOVER_H

#include <stddef.h>

struct arena;

/* Looks like an HTML page rather than a feed? Checks the start of the document only: an HTML
 * doctype or <html> before any <rss>, <feed> or <rdf:RDF>. Returns 1 or 0. */
int discover_is_html(const char *data, size_t len);

/* Finds the feeds advertised by the UTF-8 HTML page html[0..len), resolved against its <base>
 * or else page_url (NULL if unknown), http(s) only, without duplicates, in page order.
 * On success returns 0 and sets *urls to an array of *n strings, all allocated from arena (they
 * live until arena_free); *n may be 0. Returns -1 when out of memory. */
int discover_feeds(const char *html, size_t len, const char *page_url, struct arena *arena,
                   const char ***urls, size_t *n);

#endif
