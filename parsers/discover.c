/*
 * discover.c — feed autodiscovery in HTML pages (see discover.h).
 */
#include "parsers/discover.h"

#include <libxml/HTMLparser.h>
#include <libxml/uri.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parsers/arena.h"
#include "parsers/buf.h"

#define DISCOVER_MAX 50

/* MIME types of feeds in <link type>; sorted for bsearch. */
static const char *const feed_types[] = {
	"application/atom+xml", "application/feed+json", "application/json",
	"application/rdf+xml",  "application/rss+xml",   "application/x-atom+xml",
	"application/x-rss+xml", "application/xml",      "text/xml",
};

static int cmp_type(const void *key, const void *elem)
{
	return strcasecmp(key, *(const char *const *)elem);
}

int discover_is_html(const char *data, size_t len)
{
	size_t window = len < 4096 ? len : 4096, i;

	for (i = 0; i + 4 < window; i++) {
		if (data[i] != '<')
			continue;
		const char *p = data + i + 1;
		size_t left = window - i - 1;
		if ((left >= 3 && strncasecmp(p, "rss", 3) == 0) ||
		    (left >= 4 && strncasecmp(p, "feed", 4) == 0) ||
		    (left >= 7 && strncasecmp(p, "rdf:rdf", 7) == 0))
			return 0;
		if ((left >= 4 && strncasecmp(p, "html", 4) == 0) ||
		    (left >= 13 && strncasecmp(p, "!doctype html", 13) == 0))
			return 1;
	}
	return 0;
}

/* Does the space-separated rel value contain "alternate"? */
static bool rel_has_alternate(const char *rel)
{
	const char *p = rel;

	while ((p = strcasestr(p, "alternate")) != NULL) {
		bool start = p == rel || p[-1] == ' ' || p[-1] == '\t';
		bool end = p[9] == '\0' || p[9] == ' ' || p[9] == '\t';
		if (start && end)
			return true;
		p += 9;
	}
	return false;
}

struct discovery {
	struct arena *arena;
	const char *base;      /* <base href> or the page URL; borrowed */
	xmlChar *base_owned;
	struct buf found;      /* const char * array */
	size_t n;
	bool oom;
};

static void add_feed(struct discovery *d, const char *href)
{
	xmlChar *abs = d->base ? xmlBuildURI((const xmlChar *)href, (const xmlChar *)d->base)
	                       : xmlStrdup((const xmlChar *)href);
	const char **v = (const char **)d->found.data;
	size_t i;

	if (abs == NULL)
		return;
	if (strncasecmp((char *)abs, "http://", 7) != 0 && strncasecmp((char *)abs, "https://", 8) != 0)
		goto done;
	for (i = 0; i < d->n; i++)
		if (strcmp(v[i], (char *)abs) == 0)
			goto done;
	if (d->n >= DISCOVER_MAX)
		goto done;
	char *copy = arena_strndup(d->arena, (char *)abs, strlen((char *)abs));
	if (copy == NULL || buf_append(&d->found, &copy, sizeof copy) < 0)
		d->oom = true;
	else
		d->n++;
done:
	xmlFree(abs);
}

static void walk(struct discovery *d, xmlNode *node)
{
	for (; node; node = node->next) {
		if (node->type != XML_ELEMENT_NODE)
			continue;
		if (strcasecmp((const char *)node->name, "base") == 0 && d->base_owned == NULL) {
			xmlChar *href = xmlGetProp(node, (const xmlChar *)"href");
			if (href && d->base) {
				d->base_owned = xmlBuildURI(href, (const xmlChar *)d->base);
				xmlFree(href);
			} else {
				d->base_owned = href;
			}
			if (d->base_owned)
				d->base = (const char *)d->base_owned;
		} else if (strcasecmp((const char *)node->name, "link") == 0) {
			xmlChar *rel = xmlGetProp(node, (const xmlChar *)"rel");
			xmlChar *type = xmlGetProp(node, (const xmlChar *)"type");
			xmlChar *href = xmlGetProp(node, (const xmlChar *)"href");
			if (rel && type && href && rel_has_alternate((char *)rel) &&
			    bsearch(type, feed_types, sizeof feed_types / sizeof *feed_types,
			            sizeof *feed_types, cmp_type))
				add_feed(d, (const char *)href);
			xmlFree(rel);
			xmlFree(type);
			xmlFree(href);
		}
		walk(d, node->children);
	}
}

int discover_feeds(const char *html, size_t len, const char *page_url, struct arena *arena,
                   const char ***urls, size_t *n)
{
	struct discovery d = {.arena = arena, .base = page_url};
	htmlDocPtr doc;
	int rc = 0;

	*urls = NULL;
	*n = 0;
	if (len > INT32_MAX)
		len = INT32_MAX;
	doc = htmlReadMemory(html, (int)len, page_url, "UTF-8",
	                     HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
	                         HTML_PARSE_NOWARNING | HTML_PARSE_COMPACT);
	if (doc == NULL)
		return 0; /* nothing a parser could read: no feeds */
	walk(&d, xmlDocGetRootElement(doc));
	if (d.oom) {
		rc = -1;
	} else if (d.n) {
		*urls = arena_alloc(arena, d.n * sizeof **urls);
		if (*urls == NULL) {
			rc = -1;
		} else {
			memcpy(*urls, d.found.data, d.n * sizeof **urls);
			*n = d.n;
		}
	}
	xmlFree(d.base_owned);
	buf_free(&d.found);
	xmlFreeDoc(doc);
	return rc;
}
