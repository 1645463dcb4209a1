/*
 * opml.h — OPML subscription lists, the format feed readers exchange (OPML 1.0 and 2.0).
 *
 * Reading takes every <outline> with an xmlUrl at any depth; the text of the outlines around it
 * (folders, in most readers) become its labels. Writing produces OPML 2.0. Pure: libxml2's
 * parser (no network, no entities) and xmlTextWriter, no I/O.
 */
#ifndef NEWSMON_OPML_H
#define NEWSMON_OPML_H

#include <stddef.h>

#include "parsers/buf.h"

struct arena;

struct opml_feed {
	const char *url;      /* xmlUrl */
	const char *title;    /* title, else text; or NULL */
	const char *labels;   /* the enclosing folders, as labels: lower case, spaces made '-',
	                         space-separated; "" when none */
};

/* Reads an OPML document. On success returns 0 and sets *feeds (allocated from arena, like
 * every string in it) and *n. Returns -1 with a one-line reason in err when the document is not
 * OPML, -2 when out of memory. */
int opml_read(const char *data, size_t len, struct arena *arena, struct opml_feed **feeds,
              size_t *n, char *err, size_t errsize);

/* Appends an OPML 2.0 document listing feeds to out. Returns 0 or -1. */
int opml_write(struct buf *out, const char *title, const struct opml_feed *feeds, size_t n);

#endif
