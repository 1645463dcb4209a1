/*
 * opml.c — OPML in and out (see opml.h).
 */
#include "parsers/opml.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "parsers/arena.h"
#include "parsers/encoding.h"
#include "parsers/text.h"

struct reader {
	struct arena *arena;
	struct buf feeds;    /* struct opml_feed[] */
	struct buf labels;   /* the labels of the folders around the current outline */
	bool oom;
};

static const char *prop(const xmlNode *n, const char *name)
{
	for (const xmlAttr *a = n->properties; a; a = a->next)
		if (strcmp((const char *)a->name, name) == 0 && a->children &&
		    a->children->type == XML_TEXT_NODE)
			return (const char *)a->children->content;
	return NULL;
}

/* A clean one-line copy of s in the arena (NULL for NULL or empty). */
static const char *keep_line(struct reader *r, const char *s)
{
	struct buf b = {0};
	const char *out = NULL;

	if (s == NULL)
		return NULL;
	if (text_clean(&b, s, strlen(s), TEXT_LINE) < 0)
		r->oom = true;
	else if (b.len && (out = arena_strndup(r->arena, b.data, b.len)) == NULL)
		r->oom = true;
	buf_free(&b);
	return out;
}

/* Appends the labels in s, split at any of seps: lower case, inner spaces made '-'. */
static void add_labels(struct reader *r, const char *s, const char *seps)
{
	bool fresh = true;

	for (const char *p = s; p && *p; p++) {
		char c = *p;
		if (strchr(seps, c) || (fresh && c == ' ')) {
			fresh = true;
			continue;
		}
		if (fresh && r->labels.len && r->labels.data[r->labels.len - 1] != ' ' &&
		    buf_putc(&r->labels, ' ') < 0)
			r->oom = true;
		fresh = false;
		if (buf_putc(&r->labels, c == ' ' ? '-' : (c >= 'A' && c <= 'Z') ? c | 0x20 : c) < 0)
			r->oom = true;
	}
}

static void walk(struct reader *r, const xmlNode *n)
{
	for (; n && !r->oom; n = n->next) {
		if (n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, "outline") != 0) {
			if (n->type == XML_ELEMENT_NODE)
				walk(r, n->children);
			continue;
		}
		const char *url = prop(n, "xmlUrl"), *title = prop(n, "title");
		if (title == NULL)
			title = prop(n, "text");
		size_t before = r->labels.len;
		if (url) {
			/* OPML 2.0 category: comma-separated, each slash-delimited */
			add_labels(r, prop(n, "category"), ",/");
			struct opml_feed f = {
				.url = keep_line(r, url),
				.title = keep_line(r, title),
				.labels = arena_strndup(r->arena, buf_str(&r->labels), r->labels.len),
			};
			/* writers put the URL in the required text attribute when there is no title */
			if (f.title && f.url && strcmp(f.title, f.url) == 0)
				f.title = NULL;
			if (f.url && (f.labels == NULL || buf_append(&r->feeds, &f, sizeof f) < 0))
				r->oom = true;
		} else {
			/* a folder: its name is a label of everything inside */
			add_labels(r, keep_line(r, title), "");
			walk(r, n->children);
		}
		r->labels.len = before;
		if (r->labels.data)
			r->labels.data[before] = '\0';
	}
}

int opml_read(const char *data, size_t len, struct arena *arena, struct opml_feed **feeds,
              size_t *n, char *err, size_t errsize)
{
	struct reader r = {.arena = arena};
	struct enc_result enc;
	xmlDocPtr doc = NULL;
	const xmlNode *root;
	int rc = -1;

	*feeds = NULL;
	*n = 0;
	/* the same encoding policy as feeds: whatever the bytes, the text is valid UTF-8 */
	if (enc_to_utf8(data, len, NULL, &enc) < 0)
		return -2;
	if (enc.len <= 0x7fffffff)
		doc = xmlReadMemory(enc.data, (int)enc.len, NULL, NULL,
		                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
		                        XML_PARSE_RECOVER | XML_PARSE_IGNORE_ENC);
	root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (root == NULL || strcmp((const char *)root->name, "opml") != 0) {
		snprintf(err, errsize, "not an OPML document (no <opml> root element)");
		goto done;
	}
	walk(&r, root->children);
	if (r.oom) {
		rc = -2;
		goto done;
	}
	*n = r.feeds.len / sizeof **feeds;
	if (*n) {
		*feeds = arena_alloc(arena, r.feeds.len);
		if (*feeds == NULL) {
			rc = -2;
			goto done;
		}
		memcpy(*feeds, r.feeds.data, r.feeds.len);
	}
	rc = 0;
done:
	xmlFreeDoc(doc);
	enc_result_free(&enc);
	buf_free(&r.feeds);
	buf_free(&r.labels);
	return rc;
}

int opml_write(struct buf *out, const char *title, const struct opml_feed *feeds, size_t n)
{
	xmlBufferPtr xb = xmlBufferCreate();
	xmlTextWriterPtr w = xb ? xmlNewTextWriterMemory(xb, 0) : NULL;
	int rc = 0;

	if (w == NULL) {
		xmlBufferFree(xb);
		return -1;
	}
	xmlTextWriterSetIndent(w, 1);
	rc |= xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL) < 0;
	rc |= xmlTextWriterStartElement(w, BAD_CAST "opml") < 0;
	rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "version", BAD_CAST "2.0") < 0;
	rc |= xmlTextWriterStartElement(w, BAD_CAST "head") < 0;
	rc |= xmlTextWriterWriteElement(w, BAD_CAST "title", BAD_CAST title) < 0;
	rc |= xmlTextWriterEndElement(w) < 0;
	rc |= xmlTextWriterStartElement(w, BAD_CAST "body") < 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const char *text = feeds[i].title ? feeds[i].title : feeds[i].url;
		rc |= xmlTextWriterStartElement(w, BAD_CAST "outline") < 0;
		rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "type", BAD_CAST "rss") < 0;
		rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "text", BAD_CAST text) < 0;
		rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "title", BAD_CAST text) < 0;
		rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "xmlUrl", BAD_CAST feeds[i].url) < 0;
		if (feeds[i].labels && *feeds[i].labels) {
			char category[1024];
			snprintf(category, sizeof category, "%s", feeds[i].labels);
			for (char *p = category; *p; p++)
				if (*p == ' ')
					*p = ',';
			rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "category", BAD_CAST category) < 0;
		}
		rc |= xmlTextWriterEndElement(w) < 0;
	}
	rc |= xmlTextWriterEndDocument(w) < 0;
	xmlFreeTextWriter(w);
	if (rc == 0 && buf_append(out, xmlBufferContent(xb), (size_t)xmlBufferLength(xb)) < 0)
		rc = 1;
	xmlBufferFree(xb);
	return rc ? -1 : 0;
}
