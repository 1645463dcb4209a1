/*
 * feed.c — RSS, Atom and JSON Feed documents into struct feed (see feed.h for what comes out).
 *
 * XML goes through libxml2's DOM (xmlCtxtReadMemory) and one walk over the tree: elements are
 * identified by namespace URI and local name through a sorted table (sfeed-style data over code)
 * and each field keeps the value from its best source (RSS guid over dc:identifier, Atom
 * alternate link over the first link, ...) whatever the order of elements in the document.
 *
 * Parse options: NONET, and never NOENT or DTDLOAD, so no entity or DTD is ever fetched; the
 * document is handed over as UTF-8 with IGNORE_ENC after parsers/encoding.c decided its
 * encoding. libxml2 2.9 without HUGE limits depth to 256 and text nodes to 10 MB and detects
 * entity amplification; our own limits are in feed.h.
 */
#include "parsers/feed.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/uri.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parsers/arena.h"
#include "parsers/buf.h"
#include "parsers/discover.h"
#include "parsers/encoding.h"
#include "parsers/text.h"

/* Namespaces newsmon reads. NS_RSS stands for the RSS core vocabularies (none in RSS 2.0, the
 * RSS 1.0 and 0.90 URIs in RDF feeds); NS_ATOM for Atom 1.0 and 0.3. */
enum ns {
	NS_OTHER,
	NS_RSS,
	NS_ATOM,
	NS_RDF,
	NS_DC,
	NS_DCTERMS,
	NS_CONTENT,
	NS_MEDIA,
	NS_ITUNES,
	NS_SY,
	NS_FEEDBURNER,
	NS_XHTML,
};

static const struct {
	const char *uri;
	enum ns ns;
} namespaces[] = {
	{"http://www.w3.org/2005/Atom", NS_ATOM},
	{"http://purl.org/atom/ns#", NS_ATOM},
	{"http://purl.org/rss/1.0/", NS_RSS},
	{"http://my.netscape.com/rdf/simple/0.9/", NS_RSS},
	{"http://backend.userland.com/rss2", NS_RSS},
	{"http://backend.userland.com/rss", NS_RSS},
	{"http://www.w3.org/1999/02/22-rdf-syntax-ns#", NS_RDF},
	{"http://purl.org/dc/elements/1.1/", NS_DC},
	{"http://purl.org/dc/terms/", NS_DCTERMS},
	{"http://purl.org/rss/1.0/modules/content/", NS_CONTENT},
	{"http://search.yahoo.com/mrss/", NS_MEDIA},
	{"http://search.yahoo.com/mrss", NS_MEDIA},
	{"http://www.itunes.com/dtds/podcast-1.0.dtd", NS_ITUNES},
	{"http://purl.org/rss/1.0/modules/syndication/", NS_SY},
	{"http://rssnamespace.org/feedburner/ext/1.0", NS_FEEDBURNER},
	{"http://www.w3.org/1999/xhtml", NS_XHTML},
};

/* Conventional prefixes, for documents that use them without declaring them (libxml2 then
 * leaves "prefix:name" as the element name, in no namespace). */
static const struct {
	const char *prefix;
	enum ns ns;
} known_prefixes[] = {
	{"atom", NS_ATOM}, {"content", NS_CONTENT}, {"dc", NS_DC},  {"dcterms", NS_DCTERMS},
	{"feedburner", NS_FEEDBURNER}, {"itunes", NS_ITUNES}, {"media", NS_MEDIA},
	{"rdf", NS_RDF},   {"sy", NS_SY},
};

enum el {
	EL_UNKNOWN,
	/* RSS */
	R_AUTHOR, R_CATEGORY, R_CHANNEL, R_COMMENTS, R_DESCRIPTION, R_ENCLOSURE, R_GENERATOR, R_GUID,
	R_IMAGE, R_ITEM, R_LANGUAGE, R_LASTBUILDDATE, R_LINK, R_MANAGINGEDITOR, R_PUBDATE, R_TITLE,
	R_TTL, R_URL, R_RDF,
	/* Atom */
	A_AUTHOR, A_CATEGORY, A_CONTENT, A_CREATED, A_EMAIL, A_ENTRY, A_FEED, A_GENERATOR, A_ICON,
	A_ID, A_ISSUED, A_LINK, A_LOGO, A_MODIFIED, A_NAME, A_PUBLISHED, A_SOURCE, A_SUBTITLE,
	A_SUMMARY, A_TAGLINE, A_TITLE, A_UPDATED,
	/* extensions */
	DC_CREATOR, DC_DATE, DC_DESCRIPTION, DC_IDENTIFIER, DC_LANGUAGE, DC_SUBJECT, DC_TITLE,
	DCT_ISSUED, DCT_MODIFIED, CONTENT_ENCODED, MEDIA_CONTENT, MEDIA_DESCRIPTION, MEDIA_GROUP,
	MEDIA_THUMBNAIL, MEDIA_TITLE, ITUNES_AUTHOR, ITUNES_IMAGE, ITUNES_SUMMARY, SY_PERIOD,
	SY_FREQUENCY, FB_ORIGLINK, XHTML_DIV,
};

/* Sorted by namespace, then name (strcmp), for bsearch. */
static const struct element {
	enum ns ns;
	const char *name;
	enum el el;
} elements[] = {
	{NS_RSS, "RDF", R_RDF},
	{NS_RSS, "author", R_AUTHOR},
	{NS_RSS, "category", R_CATEGORY},
	{NS_RSS, "channel", R_CHANNEL},
	{NS_RSS, "comments", R_COMMENTS},
	{NS_RSS, "description", R_DESCRIPTION},
	{NS_RSS, "enclosure", R_ENCLOSURE},
	{NS_RSS, "generator", R_GENERATOR},
	{NS_RSS, "guid", R_GUID},
	{NS_RSS, "image", R_IMAGE},
	{NS_RSS, "item", R_ITEM},
	{NS_RSS, "language", R_LANGUAGE},
	{NS_RSS, "lastBuildDate", R_LASTBUILDDATE},
	{NS_RSS, "link", R_LINK},
	{NS_RSS, "managingEditor", R_MANAGINGEDITOR},
	{NS_RSS, "pubDate", R_PUBDATE},
	{NS_RSS, "title", R_TITLE},
	{NS_RSS, "ttl", R_TTL},
	{NS_RSS, "url", R_URL},
	{NS_ATOM, "author", A_AUTHOR},
	{NS_ATOM, "category", A_CATEGORY},
	{NS_ATOM, "content", A_CONTENT},
	{NS_ATOM, "created", A_CREATED},
	{NS_ATOM, "email", A_EMAIL},
	{NS_ATOM, "entry", A_ENTRY},
	{NS_ATOM, "feed", A_FEED},
	{NS_ATOM, "generator", A_GENERATOR},
	{NS_ATOM, "icon", A_ICON},
	{NS_ATOM, "id", A_ID},
	{NS_ATOM, "issued", A_ISSUED},
	{NS_ATOM, "link", A_LINK},
	{NS_ATOM, "logo", A_LOGO},
	{NS_ATOM, "modified", A_MODIFIED},
	{NS_ATOM, "name", A_NAME},
	{NS_ATOM, "published", A_PUBLISHED},
	{NS_ATOM, "source", A_SOURCE},
	{NS_ATOM, "subtitle", A_SUBTITLE},
	{NS_ATOM, "summary", A_SUMMARY},
	{NS_ATOM, "tagline", A_TAGLINE},
	{NS_ATOM, "title", A_TITLE},
	{NS_ATOM, "updated", A_UPDATED},
	{NS_RDF, "RDF", R_RDF},
	{NS_DC, "creator", DC_CREATOR},
	{NS_DC, "date", DC_DATE},
	{NS_DC, "description", DC_DESCRIPTION},
	{NS_DC, "identifier", DC_IDENTIFIER},
	{NS_DC, "language", DC_LANGUAGE},
	{NS_DC, "subject", DC_SUBJECT},
	{NS_DC, "title", DC_TITLE},
	{NS_DCTERMS, "issued", DCT_ISSUED},
	{NS_DCTERMS, "modified", DCT_MODIFIED},
	{NS_CONTENT, "encoded", CONTENT_ENCODED},
	{NS_MEDIA, "content", MEDIA_CONTENT},
	{NS_MEDIA, "description", MEDIA_DESCRIPTION},
	{NS_MEDIA, "group", MEDIA_GROUP},
	{NS_MEDIA, "thumbnail", MEDIA_THUMBNAIL},
	{NS_MEDIA, "title", MEDIA_TITLE},
	{NS_ITUNES, "author", ITUNES_AUTHOR},
	{NS_ITUNES, "image", ITUNES_IMAGE},
	{NS_ITUNES, "summary", ITUNES_SUMMARY},
	{NS_SY, "updateFrequency", SY_FREQUENCY},
	{NS_SY, "updatePeriod", SY_PERIOD},
	{NS_FEEDBURNER, "origLink", FB_ORIGLINK},
	{NS_XHTML, "div", XHTML_DIV},
};

/* Entry and feed fields that can come from several elements; the best source wins. */
enum field {
	F_ID, F_TITLE, F_LINK, F_AUTHOR, F_SUMMARY, F_CONTENT, F_COMMENTS, F_PUBLISHED, F_UPDATED,
	F_SUBTITLE, F_LANGUAGE, F_GENERATOR, F_IMAGE, F_COUNT
};

/* The scratch buffers of a parse. A struct feed_parser keeps them from one document to the
 * next, emptied but not freed, so that a loop over documents allocates (and pages in) them once;
 * nothing in a returned feed points into them. */
struct feed_parser {
	struct buf raw, text;     /* field text */
	struct buf entries;       /* struct feed_entry[] being built */
	struct buf categories, enclosures, hrefs; /* the current entry's lists */
	struct buf errors;        /* "; "-separated problems for feed->error */
};

struct parser {
	struct feed *feed;
	struct arena *arena;
	xmlDocPtr doc;
	const char *url;          /* the document's URL, or NULL */
	const xmlNode *base_node; /* node_base(): the last node asked about, */
	xmlChar *base;            /* and its base URI (owned) */
	enum ns unprefixed;       /* what elements without a namespace are: NS_RSS or NS_ATOM */
	const xmlNs *ns_cache[4]; /* recently classified namespaces */
	enum ns ns_cache_id[4];
	unsigned ns_cache_next;
	struct feed_parser *s;    /* scratch buffers */
	unsigned char *prio;      /* the sources seen so far for the fields being filled: */
	unsigned char feed_prio[F_COUNT], entry_prio[F_COUNT];
	bool external_noted;      /* an external entity was left out, and the error says so */
	bool oom;
};

/* ---------------------------------------------------------------- small helpers */

static void note_error(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note_error(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	if (p->s->errors.len > 400)
		return;
	if (p->s->errors.len && buf_puts(&p->s->errors, "; ") < 0)
		p->oom = true;
	va_start(ap, fmt);
	if (buf_vprintf(&p->s->errors, fmt, ap) < 0)
		p->oom = true;
	va_end(ap);
}

static const char *keep(struct parser *p, const char *s, size_t n)
{
	char *copy = arena_strndup(p->arena, s, n);

	if (copy == NULL)
		p->oom = true;
	return copy;
}

static int cmp_element(const void *key, const void *elem)
{
	const struct element *a = key, *b = elem;

	if (a->ns != b->ns)
		return a->ns < b->ns ? -1 : 1;
	return strcmp(a->name, b->name);
}

static enum ns classify_uri(const char *uri)
{
	for (size_t i = 0; i < sizeof namespaces / sizeof *namespaces; i++)
		if (strcmp(uri, namespaces[i].uri) == 0)
			return namespaces[i].ns;
	return NS_OTHER;
}

static enum ns node_ns(struct parser *p, const xmlNode *n)
{
	const xmlNs *ns = n->ns;
	unsigned i;

	if (ns == NULL || ns->href == NULL)
		return p->unprefixed;
	for (i = 0; i < 4; i++)
		if (p->ns_cache[i] == ns)
			return p->ns_cache_id[i];
	i = p->ns_cache_next++ % 4;
	p->ns_cache[i] = ns;
	p->ns_cache_id[i] = classify_uri((const char *)ns->href);
	return p->ns_cache_id[i];
}

static enum el element_of(struct parser *p, const xmlNode *n)
{
	struct element key = {.ns = node_ns(p, n), .name = (const char *)n->name};
	const struct element *found;
	const char *colon;

	if (n->type != XML_ELEMENT_NODE)
		return EL_UNKNOWN;
	if (n->ns == NULL && (colon = strchr(key.name, ':')) != NULL) {
		size_t plen = (size_t)(colon - key.name);
		key.ns = NS_OTHER;
		for (size_t i = 0; i < sizeof known_prefixes / sizeof *known_prefixes; i++)
			if (strlen(known_prefixes[i].prefix) == plen &&
			    strncmp(key.name, known_prefixes[i].prefix, plen) == 0)
				key.ns = known_prefixes[i].ns;
		key.name = colon + 1;
	}
	if (key.ns == NS_OTHER)
		return EL_UNKNOWN;
	found = bsearch(&key, elements, sizeof elements / sizeof *elements, sizeof *elements,
	                cmp_element);
	return found ? found->el : EL_UNKNOWN;
}

/* The value of attribute name (no namespace, or ns_uri), borrowed from the tree or copied into
 * the arena; NULL when absent. */
static const char *attr_ns(struct parser *p, const xmlNode *n, const char *name, const char *ns_uri)
{
	for (const xmlAttr *a = n->properties; a; a = a->next) {
		if (strcmp((const char *)a->name, name) != 0)
			continue;
		if (ns_uri ? a->ns == NULL || strcmp((const char *)a->ns->href, ns_uri) != 0
		           : a->ns != NULL)
			continue;
		if (a->children == NULL)
			return "";
		if (a->children->next == NULL && a->children->type == XML_TEXT_NODE)
			return (const char *)a->children->content;
		xmlChar *v = xmlNodeListGetString(p->doc, a->children, 1);
		const char *copy = v ? keep(p, (char *)v, strlen((char *)v)) : NULL;
		xmlFree(v);
		return copy;
	}
	return NULL;
}

static const char *attr(struct parser *p, const xmlNode *n, const char *name)
{
	return attr_ns(p, n, name, NULL);
}

/* Appends the text of an entity reference: declared internal entities by their replacement
 * text, HTML names (undeclared in XML, common in RSS 0.91 with its DTD) by their character;
 * external entities are never read. */
static void append_entity(struct parser *p, const xmlNode *n, struct buf *out)
{
	xmlEntityPtr ent = xmlGetDocEntity(p->doc, n->name);
	const htmlEntityDesc *html;

	if (ent) {
		if (ent->etype == XML_INTERNAL_GENERAL_ENTITY && ent->content) {
			buf_puts(out, (const char *)ent->content);
		} else if (!p->external_noted && (ent->etype == XML_EXTERNAL_GENERAL_PARSED_ENTITY ||
		                                  ent->etype == XML_EXTERNAL_GENERAL_UNPARSED_ENTITY)) {
			/* the text is silently shorter than the publisher meant: say why, once */
			p->external_noted = true;
			note_error(p, "external entity &%.64s; left out (never loaded)",
			           (const char *)n->name);
		}
		return;
	}
	html = htmlEntityLookup(n->name);
	if (html)
		text_put_utf8(out, html->value);
}

/* Appends the character data under n (all descendants), up to cap bytes. */
static void collect_text(struct parser *p, const xmlNode *n, struct buf *out, size_t cap)
{
	for (const xmlNode *c = n->children; c && out->len < cap; c = c->next) {
		if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
			size_t len = strlen((const char *)c->content);
			if (out->len + len > cap)
				len = cap - out->len;
			if (buf_append(out, c->content, len) < 0)
				p->oom = true;
		} else if (c->type == XML_ENTITY_REF_NODE) {
			append_entity(p, c, out);
		} else if (c->type == XML_ELEMENT_NODE) {
			collect_text(p, c, out, cap);
		}
	}
}

static bool has_element_child(const xmlNode *n)
{
	for (const xmlNode *c = n->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return true;
	return false;
}

/* Appends the content of n as markup: its text when it has only text (escaped HTML, as RSS
 * writes it), else its children serialised as XML (raw XHTML inside a description, Atom xhtml). */
static void collect_markup(struct parser *p, const xmlNode *n, struct buf *out, size_t cap)
{
	xmlBufferPtr xb;

	if (!has_element_child(n)) {
		collect_text(p, n, out, cap);
		return;
	}
	xb = xmlBufferCreate();
	if (xb == NULL) {
		p->oom = true;
		return;
	}
	for (xmlNode *c = n->children; c && (size_t)xmlBufferLength(xb) < cap; c = c->next)
		xmlNodeDump(xb, p->doc, c, 0, 0);
	size_t len = (size_t)xmlBufferLength(xb);
	if (len > cap)
		len = text_utf8_prefix((const char *)xmlBufferContent(xb), cap);
	if (buf_append(out, xmlBufferContent(xb), len) < 0)
		p->oom = true;
	xmlBufferFree(xb);
}

/* How much of text[0..len) fits cap, cut at a character boundary; notes the cut. */
static size_t fit_text(struct parser *p, const char *what, const char *text, size_t len, size_t cap)
{
	if (len <= cap)
		return len;
	if (!p->feed->truncated)
		note_error(p, "truncated: a %s longer than %zu bytes was cut", what, cap);
	p->feed->truncated = true;
	return text_utf8_prefix(text, cap);
}

/* How a text is written: Atom's type attribute (and 0.3's mode), or the RSS convention. */
enum text_kind { KIND_TEXT, KIND_HTML, KIND_XHTML, KIND_SKIP };

static enum text_kind atom_text_kind(struct parser *p, const xmlNode *n)
{
	const char *type = attr(p, n, "type"), *mode = attr(p, n, "mode");

	if (mode && strcmp(mode, "base64") == 0)
		return KIND_SKIP;
	if (mode && strcmp(mode, "xml") == 0)
		return KIND_XHTML;
	if (type == NULL || strcmp(type, "text") == 0 || strcmp(type, "text/plain") == 0)
		return mode && strcmp(mode, "escaped") == 0 ? KIND_HTML : KIND_TEXT;
	if (strcmp(type, "html") == 0 || strcmp(type, "text/html") == 0)
		return KIND_HTML;
	if (strcmp(type, "xhtml") == 0 || strcmp(type, "application/xhtml+xml") == 0)
		return KIND_XHTML;
	return KIND_SKIP; /* out-of-line or binary media: not text */
}

/* The raw text of n by kind (*len bytes, up to cap + 1 of them or more): borrowed from the tree
 * when n holds a single text node, as nearly every field does, else collected into p->s->raw.
 * Borrowed until the next call or the end of the document. */
static const char *read_raw(struct parser *p, const xmlNode *n, enum text_kind kind, size_t cap,
                            size_t *len)
{
	const xmlNode *c = n->children;

	if (kind != KIND_XHTML && c && c->next == NULL &&
	    (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content) {
		*len = strlen((const char *)c->content);
		return (const char *)c->content;
	}
	buf_reset(&p->s->raw);
	if (kind == KIND_XHTML) {
		const xmlNode *div = NULL;
		for (c = n->children; c; c = c->next)
			if (c->type == XML_ELEMENT_NODE && element_of(p, c) == XHTML_DIV)
				div = c;
		collect_markup(p, div ? div : n, &p->s->raw, cap + 1);
	} else if (kind == KIND_HTML) {
		collect_markup(p, n, &p->s->raw, cap + 1);
	} else {
		collect_text(p, n, &p->s->raw, cap + 1);
	}
	*len = p->s->raw.len;
	return buf_str(&p->s->raw);
}

/* A one-line field as plain text from its raw form; NULL when empty. */
static const char *line_from(struct parser *p, const char *raw, size_t len, enum text_kind kind)
{
	buf_reset(&p->s->text);
	if ((kind == KIND_TEXT ? text_clean(&p->s->text, raw, len, TEXT_LINE)
	                       : text_from_html(&p->s->text, raw, len, TEXT_LINE)) < 0)
		p->oom = true;
	return p->s->text.len ? keep(p, p->s->text.data, p->s->text.len) : NULL;
}

/* A one-line field (title, author...) of element n as plain text; NULL when empty. */
static const char *line_text(struct parser *p, const xmlNode *n, enum text_kind kind)
{
	if (kind == KIND_SKIP)
		return NULL;
	size_t len;
	const char *raw = read_raw(p, n, kind, FEED_MAX_FIELD, &len);

	return line_from(p, raw, fit_text(p, "field", raw, len, FEED_MAX_FIELD), kind);
}

/* A string (an attribute value) as one line of plain text; NULL when empty. */
static const char *plain_line(struct parser *p, const char *s, size_t len)
{
	buf_reset(&p->s->text);
	if (text_clean(&p->s->text, s, fit_text(p, "field", s, len, FEED_MAX_FIELD), TEXT_LINE) < 0)
		p->oom = true;
	return p->s->text.len ? keep(p, p->s->text.data, p->s->text.len) : NULL;
}

/* A body field as HTML from its raw form; NULL when empty. Text that cleaning would leave as
 * it is (nearly all) is copied once, into the arena. */
static const char *body_from(struct parser *p, const char *raw, size_t len, enum text_kind kind)
{
	int rc = 0;

	if (kind == KIND_HTML && text_is_double_escaped(raw, len)) {
		buf_reset(&p->s->text);
		rc = text_decode_entities(&p->s->text, raw, len);
		raw = p->s->text.data;
		len = p->s->text.len;
	} else if (text_keep_span(raw, len) != len) {
		buf_reset(&p->s->text);
		rc = text_clean(&p->s->text, raw, len, TEXT_KEEP);
		raw = p->s->text.data;
		len = p->s->text.len;
	}
	if (rc < 0)
		p->oom = true;
	/* white space only is no text */
	for (size_t i = 0; i < len; i++)
		if (raw[i] != ' ' && raw[i] != '\n' && raw[i] != '\t')
			return keep(p, raw, len);
	return NULL;
}

/* A body field (summary, content) of element n as HTML; NULL when empty. */
static const char *body_text(struct parser *p, const xmlNode *n, enum text_kind kind)
{
	if (kind == KIND_SKIP)
		return NULL;
	size_t len;
	const char *raw = read_raw(p, n, kind, FEED_MAX_BODY, &len);

	return body_from(p, raw, fit_text(p, "summary or content", raw, len, FEED_MAX_BODY), kind);
}

static bool has_scheme(const char *s)
{
	size_t i = 0;

	while ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
	       (i > 0 && ((s[i] >= '0' && s[i] <= '9') || s[i] == '+' || s[i] == '-' || s[i] == '.')))
		i++;
	return i > 0 && s[i] == ':';
}

/* True when s[0..len) is printable ASCII without spaces: text_clean(TEXT_LINE) would return it
 * unchanged, as it does nearly every URL. */
static bool is_plain_ascii(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7F)
			return false;
	return true;
}

/* n's base URI (xml:base chain, then the document URL), as xmlNodeGetBase computes it, or
 * NULL. The last node asked about is remembered: the links found in an entry's summary and
 * content all resolve against the entry element. Borrowed until the next call; freed with the
 * document. */
static const xmlChar *node_base(struct parser *p, const xmlNode *n)
{
	if (n != p->base_node) {
		xmlFree(p->base);
		p->base = xmlNodeGetBase(p->doc, n);
		p->base_node = n;
	}
	return p->base;
}

/* href[0..len) (NUL-terminated at len) resolved against n's xml:base chain and the document URL
 * (just the document URL when n is NULL); NULL when empty. */
static const char *resolve_url(struct parser *p, const xmlNode *n, const char *href, size_t len)
{
	const char *rel = href, *out;

	if (len > FEED_MAX_FIELD || !is_plain_ascii(href, len)) {
		buf_reset(&p->s->text);
		if (text_clean(&p->s->text, href, fit_text(p, "URL", href, len, FEED_MAX_FIELD),
		               TEXT_LINE) < 0) {
			p->oom = true;
			return NULL;
		}
		rel = p->s->text.data;
		len = p->s->text.len;
	}
	if (len == 0)
		return NULL;
	if (has_scheme(rel))
		return keep(p, rel, len);
	const xmlChar *use = n ? node_base(p, n) : (const xmlChar *)p->url;
	xmlChar *abs = use ? xmlBuildURI((const xmlChar *)rel, use) : NULL;
	out = abs ? keep(p, (char *)abs, strlen((char *)abs)) : keep(p, rel, len);
	xmlFree(abs);
	return out;
}

static const char *url_text(struct parser *p, const xmlNode *n)
{
	buf_reset(&p->s->raw);
	/* one byte over the cap, so that resolve_url sees (and cuts cleanly) what is too long */
	collect_text(p, n, &p->s->raw, FEED_MAX_FIELD + 1);
	return resolve_url(p, n, buf_str(&p->s->raw), p->s->raw.len);
}

static const char *url_attr(struct parser *p, const xmlNode *n, const char *name)
{
	const char *v = attr(p, n, name);

	return v ? resolve_url(p, n, v, strlen(v)) : NULL;
}

/* Field f takes value when it comes from a better source than the one it has (a missing or
 * empty value takes nothing). TAKE evaluates expr only when it could win. */
static void set_str(struct parser *p, const char **slot, enum field f, unsigned char prio,
                    const char *value)
{
	if (value && prio > p->prio[f]) {
		p->prio[f] = prio;
		*slot = value;
	}
}

#define TAKE(slot, field, rank, expr)                                 \
	do {                                                          \
		if ((rank) > p->prio[field])                          \
			set_str(p, &(slot), field, rank, (expr));     \
	} while (0)

static void set_date(struct parser *p, int64_t *t, const char **raw, enum field f,
                     unsigned char prio, const xmlNode *n)
{
	const char *text;

	if (prio <= p->prio[f] || (text = line_text(p, n, KIND_TEXT)) == NULL)
		return;
	p->prio[f] = prio;
	*raw = text;
	*t = date_parse(text, strlen(text));
}

static void push(struct parser *p, struct buf *list, const void *item, size_t size, size_t count)
{
	if (count >= FEED_MAX_LIST)
		return;
	if (buf_append(list, item, size) < 0)
		p->oom = true;
}

/* Copies a list built in a scratch buffer into the arena. */
static void *freeze(struct parser *p, struct buf *list, size_t *count, size_t size)
{
	void *v = NULL;

	*count = list->len / size;
	if (*count) {
		v = arena_alloc(p->arena, list->len);
		if (v == NULL)
			p->oom = true;
		else
			memcpy(v, list->data, list->len);
	}
	buf_reset(list);
	if (v == NULL)
		*count = 0;
	return v;
}

/* ---------------------------------------------------------------- links inside HTML */

static bool is_web_url(const char *s)
{
	return strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* Collects the targets of href attributes in an HTML body (for linking follow-ups to stories):
 * "href" in any case, white space, '=', the value. The candidates are found from the '=' signs,
 * one memchr pass, rather than by searching the whole body for the word; a value taken is not
 * searched again (from: where the next "href" may start). */
static void collect_hrefs(struct parser *p, const xmlNode *n, const char *html)
{
	const size_t size = strlen(html);
	size_t from = 0;
	const char *eq = html;

	while (p->s->hrefs.len / sizeof(char *) < FEED_MAX_LIST &&
	       (eq = memchr(eq, '=', size - (size_t)(eq - html))) != NULL) {
		const char *name = eq++;
		while (name > html && is_space(name[-1]))
			name--;
		if ((size_t)(name - html) < from + 4 || strncasecmp(name - 4, "href", 4) != 0)
			continue;
		const char *s = eq;
		while (is_space(*s))
			s++;
		char quote = (*s == '"' || *s == '\'') ? *s++ : 0;
		size_t len = quote ? strcspn(s, quote == '"' ? "\"" : "'") : strcspn(s, " \t\n>");
		from = (size_t)(s - html);
		if (len == 0 || len > 2048)
			continue;
		struct buf *decoded = &p->s->raw;
		buf_reset(decoded);
		if (text_decode_entities(decoded, s, len) < 0) {
			p->oom = true;
			return;
		}
		from += len;
		if (eq < html + from)
			eq = html + from;
		const char *url = resolve_url(p, n, decoded->data, decoded->len);
		if (url == NULL || !is_web_url(url))
			continue;
		const char **have = (const char **)p->s->hrefs.data;
		size_t count = p->s->hrefs.len / sizeof *have, i;
		for (i = 0; i < count && strcmp(have[i], url) != 0; i++)
			;
		if (i == count)
			push(p, &p->s->hrefs, &url, sizeof url, count);
	}
}

/* ---------------------------------------------------------------- entries */

static void add_category(struct parser *p, const char *value)
{
	if (value)
		push(p, &p->s->categories, &value, sizeof value, p->s->categories.len / sizeof value);
}

static void add_enclosure(struct parser *p, const xmlNode *n, const char *url_name,
                          const char *length_name)
{
	struct feed_enclosure enc = {.url = url_attr(p, n, url_name), .length = -1};
	const char *type = attr(p, n, "type"), *length = attr(p, n, length_name);
	struct feed_enclosure *have = (struct feed_enclosure *)p->s->enclosures.data;
	size_t count = p->s->enclosures.len / sizeof enc;

	if (enc.url == NULL)
		return;
	for (size_t i = 0; i < count; i++)
		if (strcmp(have[i].url, enc.url) == 0)
			return;
	if (type && *type)
		enc.type = keep(p, type, strlen(type));
	if (length) {
		char *end;
		long long v = strtoll(length, &end, 10);
		if (end != length && v >= 0)
			enc.length = v;
	}
	push(p, &p->s->enclosures, &enc, sizeof enc, count);
}

/* "Name (email)" from an Atom person construct. */
static const char *atom_person(struct parser *p, const xmlNode *n)
{
	const char *name = NULL, *email = NULL, *out;

	for (const xmlNode *c = n->children; c; c = c->next) {
		enum el el = element_of(p, c);
		if (el == A_NAME)
			name = line_text(p, c, KIND_TEXT);
		else if (el == A_EMAIL)
			email = line_text(p, c, KIND_TEXT);
	}
	if (name && email) {
		buf_reset(&p->s->text);
		if (buf_printf(&p->s->text, "%s (%s)", name, email) < 0)
			p->oom = true;
		/* each part fits the cap; together they may not */
		out = keep(p, buf_str(&p->s->text),
		           fit_text(p, "field", buf_str(&p->s->text), p->s->text.len, FEED_MAX_FIELD));
		return out;
	}
	if (name == NULL && email == NULL) /* Atom 0.3 and broken feeds write the name as text */
		return line_text(p, n, KIND_TEXT);
	return name ? name : email;
}

static void atom_link(struct parser *p, struct feed_entry *e, const xmlNode *n, bool in_rss)
{
	const char *rel = attr(p, n, "rel"), *type = attr(p, n, "type");

	if (rel == NULL || strcmp(rel, "alternate") == 0 ||
	    strcmp(rel, "http://www.iana.org/assignments/relation/alternate") == 0) {
		/* prefer the HTML alternate over others (e.g. an Atom 0.3 feed's link to itself) */
		unsigned char prio = (type == NULL || strstr(type, "html")) ? 3 : 2;
		if (in_rss)
			prio = 2;
		TAKE(e->link, F_LINK, prio, url_attr(p, n, "href"));
	} else if (strcmp(rel, "enclosure") == 0) {
		add_enclosure(p, n, "href", "length");
	} else if (strcmp(rel, "replies") == 0 && (type == NULL || strstr(type, "html"))) {
		TAKE(e->comments, F_COMMENTS, 2, url_attr(p, n, "href"));
	} else if (strcmp(rel, "related") == 0) {
		const char *url = url_attr(p, n, "href");
		if (url && is_web_url(url))
			push(p, &p->s->hrefs, &url, sizeof url, p->s->hrefs.len / sizeof url);
	}
}

static void entry_element(struct parser *p, struct feed_entry *e, const xmlNode *c);

/* media:group wraps media:content, media:description, media:title (YouTube). */
static void entry_children(struct parser *p, struct feed_entry *e, const xmlNode *n)
{
	for (const xmlNode *c = n->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			entry_element(p, e, c);
}

static void entry_element(struct parser *p, struct feed_entry *e, const xmlNode *c)
{
	enum el el = element_of(p, c);
	const char *v;

	switch (el) {
	case R_TITLE:
		TAKE(e->title, F_TITLE, 3, line_text(p, c, KIND_HTML));
		break;
	case A_TITLE:
		TAKE(e->title, F_TITLE, 3, line_text(p, c, atom_text_kind(p, c)));
		break;
	case DC_TITLE:
	case MEDIA_TITLE:
		TAKE(e->title, F_TITLE, 1, line_text(p, c, KIND_HTML));
		break;
	case R_LINK:
		TAKE(e->link, F_LINK, 3, url_text(p, c));
		break;
	case A_LINK:
		atom_link(p, e, c, p->unprefixed == NS_RSS);
		break;
	case FB_ORIGLINK: /* FeedBurner's <link> is a click-tracking redirect; this is the article */
		TAKE(e->link, F_LINK, 4, url_text(p, c));
		break;
	case R_GUID: {
		const char *permalink = attr(p, c, "isPermaLink");
		TAKE(e->id, F_ID, 3, line_text(p, c, KIND_TEXT));
		/* RSS 2.0: a guid is a permalink unless isPermaLink="false" */
		if (e->id && (permalink == NULL || strcmp(permalink, "true") == 0) && is_web_url(e->id))
			TAKE(e->link, F_LINK, 1, resolve_url(p, c, e->id, strlen(e->id)));
		break;
	}
	case A_ID:
		TAKE(e->id, F_ID, 3, line_text(p, c, KIND_TEXT));
		break;
	case DC_IDENTIFIER:
		TAKE(e->id, F_ID, 1, line_text(p, c, KIND_TEXT));
		break;
	case R_DESCRIPTION:
		TAKE(e->summary, F_SUMMARY, 3, body_text(p, c, KIND_HTML));
		break;
	case A_SUMMARY:
		TAKE(e->summary, F_SUMMARY, 3, body_text(p, c, atom_text_kind(p, c)));
		break;
	case DC_DESCRIPTION:
	case ITUNES_SUMMARY:
		TAKE(e->summary, F_SUMMARY, 2, body_text(p, c, KIND_HTML));
		break;
	case MEDIA_DESCRIPTION:
		TAKE(e->summary, F_SUMMARY, 1, body_text(p, c, KIND_TEXT));
		break;
	case CONTENT_ENCODED:
		TAKE(e->content, F_CONTENT, 3, body_text(p, c, KIND_HTML));
		break;
	case A_CONTENT: {
		const char *src = attr(p, c, "src");
		if (src)
			TAKE(e->link, F_LINK, 1, url_attr(p, c, "src"));
		else
			TAKE(e->content, F_CONTENT, 3, body_text(p, c, atom_text_kind(p, c)));
		break;
	}
	case R_AUTHOR:
	case DC_CREATOR:
		TAKE(e->author, F_AUTHOR, 3, line_text(p, c, KIND_TEXT));
		break;
	case A_AUTHOR:
		TAKE(e->author, F_AUTHOR, 3, atom_person(p, c));
		break;
	case ITUNES_AUTHOR:
		TAKE(e->author, F_AUTHOR, 1, line_text(p, c, KIND_TEXT));
		break;
	case R_PUBDATE:
	case A_PUBLISHED:
	case A_ISSUED:
		set_date(p, &e->published, &e->published_raw, F_PUBLISHED, 3, c);
		break;
	case DC_DATE:
	case DCT_ISSUED:
		set_date(p, &e->published, &e->published_raw, F_PUBLISHED, 2, c);
		break;
	case A_CREATED:
		set_date(p, &e->published, &e->published_raw, F_PUBLISHED, 1, c);
		break;
	case A_UPDATED:
	case A_MODIFIED:
		set_date(p, &e->updated, &e->updated_raw, F_UPDATED, 3, c);
		break;
	case DCT_MODIFIED:
		set_date(p, &e->updated, &e->updated_raw, F_UPDATED, 2, c);
		break;
	case R_CATEGORY:
	case DC_SUBJECT:
		add_category(p, line_text(p, c, KIND_TEXT));
		break;
	case A_CATEGORY:
		v = attr(p, c, "term");
		if (v == NULL || *v == '\0')
			v = attr(p, c, "label");
		if (v)
			add_category(p, plain_line(p, v, strlen(v)));
		break;
	case R_ENCLOSURE:
		add_enclosure(p, c, "url", "length");
		break;
	case MEDIA_CONTENT:
		add_enclosure(p, c, "url", "fileSize");
		entry_children(p, e, c);
		break;
	case MEDIA_GROUP:
		entry_children(p, e, c);
		break;
	case R_COMMENTS:
		TAKE(e->comments, F_COMMENTS, 3, url_text(p, c));
		break;
	default:
		break; /* unknown elements, and atom:source whose fields describe another feed */
	}
}

static bool entry_is_empty(const struct feed_entry *e)
{
	return !e->id && !e->title && !e->link && !e->summary && !e->content && !e->nenclosures;
}

/* Finishes the entry being built: freezes its lists and appends it to the feed. */
static void finish_entry(struct parser *p, struct feed_entry *e)
{
	e->categories = freeze(p, &p->s->categories, &e->ncategories, sizeof *e->categories);
	e->enclosures = freeze(p, &p->s->enclosures, &e->nenclosures, sizeof *e->enclosures);
	e->hrefs = freeze(p, &p->s->hrefs, &e->nhrefs, sizeof *e->hrefs);
	if (entry_is_empty(e))
		return;
	if (buf_append(&p->s->entries, e, sizeof *e) < 0)
		p->oom = true;
}

static bool entries_full(struct parser *p)
{
	if (p->s->entries.len / sizeof(struct feed_entry) < FEED_MAX_ENTRIES)
		return false;
	if (!p->feed->truncated)
		note_error(p, "truncated: more than %d entries; kept the first %d", FEED_MAX_ENTRIES,
		           FEED_MAX_ENTRIES);
	p->feed->truncated = true;
	return true;
}

#define RDF_URI "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

static void parse_entry(struct parser *p, const xmlNode *item)
{
	struct feed_entry e = {.published = DATE_NONE, .updated = DATE_NONE};
	unsigned char *outer = p->prio;
	const char *about;

	if (entries_full(p))
		return;
	p->prio = p->entry_prio;
	memset(p->prio, 0, F_COUNT);
	/* RSS 1.0 names each item by rdf:about, which is also its link */
	about = attr_ns(p, item, "about", RDF_URI);
	if (about) {
		TAKE(e.id, F_ID, 2, plain_line(p, about, strlen(about)));
		if (is_web_url(about))
			TAKE(e.link, F_LINK, 1, resolve_url(p, item, about, strlen(about)));
	}
	entry_children(p, &e, item);
	if (e.summary)
		collect_hrefs(p, item, e.summary);
	if (e.content)
		collect_hrefs(p, item, e.content);
	finish_entry(p, &e);
	p->prio = outer;
}

static const struct {
	const char *name;
	int64_t seconds;
} update_periods[] = {
	{"daily", 86400}, {"hourly", 3600}, {"monthly", 2592000}, {"weekly", 604800},
	{"yearly", 31536000},
};

/* The <ttl> (minutes) or sy:updatePeriod/updateFrequency value as seconds, 0 if unreadable. */
static int64_t number_of(struct parser *p, const xmlNode *n)
{
	const char *text = line_text(p, n, KIND_TEXT);
	char *end;
	long v;

	if (text == NULL)
		return 0;
	v = strtol(text, &end, 10);
	return end != text && v > 0 && v < 1000000 ? v : 0;
}

static void feed_element(struct parser *p, const xmlNode *c, int64_t *period, int64_t *frequency)
{
	struct feed *f = p->feed;
	enum el el = element_of(p, c);
	const char *v;

	switch (el) {
	case R_ITEM:
	case A_ENTRY:
		parse_entry(p, c);
		break;
	case R_TITLE:
		TAKE(f->title, F_TITLE, 3, line_text(p, c, KIND_HTML));
		break;
	case A_TITLE:
		TAKE(f->title, F_TITLE, 3, line_text(p, c, atom_text_kind(p, c)));
		break;
	case DC_TITLE:
		TAKE(f->title, F_TITLE, 1, line_text(p, c, KIND_HTML));
		break;
	case R_LINK:
		TAKE(f->link, F_LINK, 3, url_text(p, c));
		break;
	case A_LINK: {
		const char *rel = attr(p, c, "rel"), *type = attr(p, c, "type");
		if (rel == NULL || strcmp(rel, "alternate") == 0)
			TAKE(f->link, F_LINK, (type == NULL || strstr(type, "html")) ? 2 : 1,
			     url_attr(p, c, "href"));
		break;
	}
	case R_DESCRIPTION:
		TAKE(f->subtitle, F_SUBTITLE, 3, line_text(p, c, KIND_HTML));
		break;
	case A_SUBTITLE:
	case A_TAGLINE:
		TAKE(f->subtitle, F_SUBTITLE, 3, line_text(p, c, atom_text_kind(p, c)));
		break;
	case DC_DESCRIPTION:
	case ITUNES_SUMMARY:
		TAKE(f->subtitle, F_SUBTITLE, 1, line_text(p, c, KIND_HTML));
		break;
	case R_LANGUAGE:
	case DC_LANGUAGE:
		TAKE(f->language, F_LANGUAGE, 3, line_text(p, c, KIND_TEXT));
		break;
	case R_LASTBUILDDATE:
	case A_UPDATED:
	case A_MODIFIED:
		set_date(p, &f->updated, &f->updated_raw, F_UPDATED, 3, c);
		break;
	case R_PUBDATE:
	case DC_DATE:
		set_date(p, &f->updated, &f->updated_raw, F_UPDATED, 2, c);
		break;
	case A_AUTHOR:
		TAKE(f->author, F_AUTHOR, 3, atom_person(p, c));
		break;
	case R_MANAGINGEDITOR:
	case DC_CREATOR:
		TAKE(f->author, F_AUTHOR, 2, line_text(p, c, KIND_TEXT));
		break;
	case ITUNES_AUTHOR:
		TAKE(f->author, F_AUTHOR, 1, line_text(p, c, KIND_TEXT));
		break;
	case R_GENERATOR:
	case A_GENERATOR:
		TAKE(f->generator, F_GENERATOR, 2, line_text(p, c, KIND_TEXT));
		if ((v = attr(p, c, "uri")) != NULL)
			TAKE(f->generator, F_GENERATOR, 1, plain_line(p, v, strlen(v)));
		break;
	case R_IMAGE:
		for (const xmlNode *u = c->children; u; u = u->next)
			if (element_of(p, u) == R_URL)
				TAKE(f->image, F_IMAGE, 3, url_text(p, u));
		if ((v = attr_ns(p, c, "resource", RDF_URI)) != NULL) /* RSS 1.0 channel image */
			TAKE(f->image, F_IMAGE, 1, resolve_url(p, c, v, strlen(v)));
		break;
	case A_LOGO:
		TAKE(f->image, F_IMAGE, 3, url_text(p, c));
		break;
	case A_ICON:
		TAKE(f->image, F_IMAGE, 1, url_text(p, c));
		break;
	case ITUNES_IMAGE:
		TAKE(f->image, F_IMAGE, 2, url_attr(p, c, "href"));
		break;
	case R_TTL:
		f->ttl = number_of(p, c) * 60;
		break;
	case SY_PERIOD:
		v = line_text(p, c, KIND_TEXT);
		for (size_t i = 0; v && i < sizeof update_periods / sizeof *update_periods; i++)
			if (strcmp(v, update_periods[i].name) == 0)
				*period = update_periods[i].seconds;
		break;
	case SY_FREQUENCY:
		*frequency = number_of(p, c);
		break;
	default:
		break;
	}
}

/* Reads the children of a channel (RSS), the RDF root (RSS 1.0, whose items are siblings of
 * its channel) or an Atom feed. */
static void parse_channel(struct parser *p, const xmlNode *parent)
{
	int64_t period = 0, frequency = 1;

	for (const xmlNode *c = parent->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (element_of(p, c) == R_CHANNEL)
			parse_channel(p, c);
		else
			feed_element(p, c, &period, &frequency);
	}
	if (period && frequency > 0 && period / frequency > p->feed->ttl)
		p->feed->ttl = period / frequency;
}

/* ---------------------------------------------------------------- HTML pages */

static void parse_html(struct parser *p, const char *data, size_t len)
{
	struct feed *f = p->feed;

	f->html = true;
	f->format = FEED_UNKNOWN;
	if (discover_feeds(data, len, p->url, p->arena, &f->alternates, &f->nalternates) < 0) {
		p->oom = true;
		return;
	}
	buf_reset(&p->s->errors);
	note_error(p, "not a feed: looks like an HTML page");
	if (f->nalternates) {
		buf_printf(&p->s->errors, "; it advertises %zu feed%s:", f->nalternates,
		           f->nalternates == 1 ? "" : "s");
		for (size_t i = 0; i < f->nalternates; i++)
			buf_printf(&p->s->errors, " %s", f->alternates[i]);
	} else {
		buf_puts(&p->s->errors, " that advertises no feed");
	}
}

/* ---------------------------------------------------------------- JSON Feed */

/* A string member of a JSON object, or NULL. */
static const char *json_text(const json_t *obj, const char *key, size_t *len)
{
	const json_t *v = json_object_get(obj, key);

	if (!json_is_string(v))
		return NULL;
	*len = json_string_length(v);
	return json_string_value(v);
}

static const char *json_line(struct parser *p, const json_t *obj, const char *key, enum text_kind kind)
{
	size_t len;
	const char *s = json_text(obj, key, &len);

	return s ? line_from(p, s, fit_text(p, "field", s, len, FEED_MAX_FIELD), kind) : NULL;
}

static const char *json_body(struct parser *p, const json_t *obj, const char *key, enum text_kind kind)
{
	size_t len;
	const char *s = json_text(obj, key, &len);

	return s ? body_from(p, s, fit_text(p, "summary or content", s, len, FEED_MAX_BODY), kind)
	         : NULL;
}

static const char *json_url(struct parser *p, const json_t *obj, const char *key)
{
	size_t len;
	const char *s = json_text(obj, key, &len);

	return s ? resolve_url(p, NULL, s, len) : NULL;
}

static const char *json_date(struct parser *p, const json_t *obj, const char *key, int64_t *t)
{
	const char *raw = json_line(p, obj, key, KIND_TEXT);

	*t = raw ? date_parse(raw, strlen(raw)) : DATE_NONE;
	return raw;
}

/* JSON Feed 1.1 "authors" (array), 1.0 "author" (object): the first name. */
static const char *json_author(struct parser *p, const json_t *obj)
{
	const json_t *authors = json_object_get(obj, "authors");
	const json_t *author = json_is_array(authors) ? json_array_get(authors, 0)
	                                              : json_object_get(obj, "author");

	return json_is_object(author) ? json_line(p, author, "name", KIND_TEXT) : NULL;
}

static void json_entry(struct parser *p, const json_t *item)
{
	struct feed_entry e = {.published = DATE_NONE, .updated = DATE_NONE};
	const json_t *id = json_object_get(item, "id"), *v;
	size_t i;
	char number[32];

	if (json_is_string(id)) {
		e.id = json_line(p, item, "id", KIND_TEXT);
	} else if (json_is_integer(id)) { /* 1.0 feeds in the wild use numbers */
		snprintf(number, sizeof number, "%" JSON_INTEGER_FORMAT, json_integer_value(id));
		e.id = keep(p, number, strlen(number));
	}
	e.title = json_line(p, item, "title", KIND_HTML);
	e.link = json_url(p, item, "url");
	if (e.link == NULL)
		e.link = json_url(p, item, "external_url");
	e.author = json_author(p, item);
	e.summary = json_body(p, item, "summary", KIND_TEXT);
	e.content = json_body(p, item, "content_html", KIND_HTML);
	if (e.content == NULL)
		e.content = json_body(p, item, "content_text", KIND_TEXT);
	e.published_raw = json_date(p, item, "date_published", &e.published);
	e.updated_raw = json_date(p, item, "date_modified", &e.updated);
	json_array_foreach(json_object_get(item, "tags"), i, v)
		if (json_is_string(v))
			add_category(p, plain_line(p, json_string_value(v), json_string_length(v)));
	json_array_foreach(json_object_get(item, "attachments"), i, v) {
		struct feed_enclosure enc = {.url = json_url(p, v, "url"), .length = -1};
		const json_t *size = json_object_get(v, "size_in_bytes");
		if (enc.url == NULL)
			continue;
		enc.type = json_line(p, v, "mime_type", KIND_TEXT);
		if (json_is_integer(size) && json_integer_value(size) >= 0)
			enc.length = json_integer_value(size);
		push(p, &p->s->enclosures, &enc, sizeof enc, p->s->enclosures.len / sizeof enc);
	}
	if (e.summary)
		collect_hrefs(p, NULL, e.summary);
	if (e.content)
		collect_hrefs(p, NULL, e.content);
	finish_entry(p, &e);
}

static void parse_json(struct parser *p, const char *data, size_t len)
{
	struct feed *f = p->feed;
	json_error_t jerr;
	json_t *root = json_loadb(data, len, JSON_ALLOW_NUL, &jerr), *item;
	const char *version;
	size_t vlen, i;

	if (root == NULL) {
		note_error(p, "not a feed: invalid JSON (line %d: %s)", jerr.line, jerr.text);
		return;
	}
	version = json_is_object(root) ? json_text(root, "version", &vlen) : NULL;
	if (version == NULL || strncmp(version, "https://jsonfeed.org/version/", 29) != 0) {
		note_error(p, "not a feed: JSON without a JSON Feed version");
		json_decref(root);
		return;
	}
	f->format = FEED_JSONFEED;
	f->title = json_line(p, root, "title", KIND_HTML);
	f->link = json_url(p, root, "home_page_url");
	f->subtitle = json_line(p, root, "description", KIND_TEXT);
	f->language = json_line(p, root, "language", KIND_TEXT);
	f->author = json_author(p, root);
	f->image = json_url(p, root, "icon");
	if (f->image == NULL)
		f->image = json_url(p, root, "favicon");
	json_array_foreach(json_object_get(root, "items"), i, item) {
		if (entries_full(p))
			break;
		if (json_is_object(item))
			json_entry(p, item);
	}
	json_decref(root);
}

/* ---------------------------------------------------------------- XML documents */

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Copies data to out from where the document starts, with every '&' that does not start a
 * reference XML knows escaped and HTML's named references made numeric: the two mistakes that
 * make most broken feeds unreadable, and which recovery alone handles by dropping text.
 * CDATA sections, comments and processing instructions are copied untouched. */
static int repair_document(const char *data, size_t len, struct buf *out)
{
	size_t window = len < 4096 ? len : 4096, i, start = 0;
	const char *decl = memmem(data, window, "<?xml", 5), *lt;
	bool declared_entities = memmem(data, len, "<!ENTITY", 8) != NULL;

	if (decl)
		start = (size_t)(decl - data);
	else if ((lt = memchr(data, '<', len)) != NULL)
		start = (size_t)(lt - data);
	if (buf_reserve(out, len - start + len / 8) < 0)
		return -1;
	for (i = start; i < len;) {
		static const struct {
			const char *open, *close;
		} verbatim[] = {{"<![CDATA[", "]]>"}, {"<!--", "-->"}, {"<?", "?>"}};
		size_t k, run = i;

		while (run < len && data[run] != '&' && data[run] != '<')
			run++;
		if (buf_append(out, data + i, run - i) < 0)
			return -1;
		i = run;
		if (i == len)
			break;
		if (data[i] == '<') {
			for (k = 0; k < 3; k++) {
				size_t ol = strlen(verbatim[k].open);
				if (len - i >= ol && memcmp(data + i, verbatim[k].open, ol) == 0)
					break;
			}
			size_t end = i + 1;
			if (k < 3) {
				const char *close = memmem(data + i, len - i, verbatim[k].close,
				                           strlen(verbatim[k].close));
				end = close ? (size_t)(close - data) + strlen(verbatim[k].close) : len;
			}
			if (buf_append(out, data + i, end - i) < 0)
				return -1;
			i = end;
			continue;
		}
		/* '&': keep it when it starts a reference XML will take */
		size_t n = i + 1;
		if (n < len && data[n] == '#') {
			n++;
			if (n < len && (data[n] == 'x' || data[n] == 'X'))
				n++;
			while (n < len && is_name_char(data[n]))
				n++;
			if (n < len && data[n] == ';' && n > i + 2) {
				if (buf_append(out, data + i, n + 1 - i) < 0)
					return -1;
				i = n + 1;
				continue;
			}
		} else {
			while (n < len && n - i < 32 && is_name_char(data[n]))
				n++;
			if (n < len && data[n] == ';' && n > i + 1) {
				char name[33];
				memcpy(name, data + i + 1, n - i - 1);
				name[n - i - 1] = '\0';
				const htmlEntityDesc *html = htmlEntityLookup((const xmlChar *)name);
				bool predefined = strcmp(name, "amp") == 0 || strcmp(name, "lt") == 0 ||
				                  strcmp(name, "gt") == 0 || strcmp(name, "quot") == 0 ||
				                  strcmp(name, "apos") == 0;
				if (predefined || (!html && declared_entities)) {
					if (buf_append(out, data + i, n + 1 - i) < 0)
						return -1;
					i = n + 1;
					continue;
				}
				if (html) {
					if (buf_printf(out, "&#%u;", html->value) < 0)
						return -1;
					i = n + 1;
					continue;
				}
			}
		}
		if (buf_puts(out, "&amp;") < 0)
			return -1;
		i++;
	}
	return 0;
}

/* libxml2's last error as one line: "line N: message". Some messages go on, after a newline,
 * with a piece of the document cut at a byte count ("Comment not terminated \n<!--..."): that
 * part is left out, and what remains is cleaned like any other line of feed text. */
static void note_xml_error(struct parser *p, xmlParserCtxtPtr ctxt, const char *what)
{
	const xmlError *err = xmlCtxtGetLastError(ctxt);
	const char *msg = err && err->message ? err->message : "unknown error";
	struct buf line = {0};

	if (text_clean(&line, msg, strcspn(msg, "\n"), TEXT_LINE) < 0)
		p->oom = true;
	note_error(p, "%s (line %d: %s)", what, err ? err->line : 0, buf_str(&line));
	buf_free(&line);
}

/* The local name of an element, without a prefix libxml2 could not resolve. */
static const char *local_name(const xmlNode *n)
{
	const char *colon = n->ns ? NULL : strchr((const char *)n->name, ':');

	return colon ? colon + 1 : (const char *)n->name;
}

static void parse_root(struct parser *p, const xmlNode *root, const char *data, size_t len)
{
	struct feed *f = p->feed;
	const char *name = local_name(root);
	const char *uri = root->ns ? (const char *)root->ns->href : "";

	if (strcmp(name, "rss") == 0) {
		const char *version = attr(p, root, "version");
		p->unprefixed = NS_RSS;
		f->format = version && strncmp(version, "0.9", 3) == 0 ? FEED_RSS09 : FEED_RSS20;
		parse_channel(p, root);
	} else if (strcmp(name, "RDF") == 0) {
		p->unprefixed = NS_RSS;
		f->format = FEED_RSS10;
		for (const xmlNode *c = root->children; c; c = c->next)
			if (c->type == XML_ELEMENT_NODE && c->ns &&
			    strcmp((const char *)c->ns->href, "http://my.netscape.com/rdf/simple/0.9/") == 0)
				f->format = FEED_RSS09;
		parse_channel(p, root);
	} else if (strcmp(name, "feed") == 0) {
		p->unprefixed = NS_ATOM;
		f->format = strcmp(uri, "http://purl.org/atom/ns#") == 0 ? FEED_ATOM03 : FEED_ATOM10;
		parse_channel(p, root);
	} else if (strcasecmp(name, "html") == 0) {
		parse_html(p, data, len);
	} else {
		note_error(p, "not a feed: the document is <%s>, not RSS or Atom", name);
	}
}

/* The strict attempt: the document as a tree when it is well-formed, else NULL; *ctxtp is the
 * context that read it (NULL when out of memory).
 *
 * The push parser goes first, given the whole document as one final chunk: it finds the end of
 * a CDATA section with one lookup where xmlCtxtReadMemory's pull parser copies it character by
 * character (a third fewer instructions over a feed corpus). Both take the same options and
 * limits. When the push parser fails, the pull parser reads the document again, so that a
 * malformed document gets exactly the error message (and the tree) it always got: the push
 * parser stops at the first error, the pull parser reports its last. Documents over
 * XML_MAX_LOOKUP_LIMIT (10 MB) go straight to the pull parser: without XML_PARSE_HUGE the push
 * parser refuses them ("Huge input lookup"). The push context would canonicalise the document
 * URL as a file path, so it gets none and the tree gets the URL as xmlCtxtReadMemory sets it,
 * for xml:base resolution to see the same base. */
static xmlDocPtr read_strict(struct parser *p, const char *data, size_t len, int options,
                             xmlParserCtxtPtr *ctxtp)
{
	xmlParserCtxtPtr ctxt = NULL;
	xmlDocPtr doc;

	if (len <= XML_MAX_LOOKUP_LIMIT) {
		ctxt = xmlCreatePushParserCtxt(NULL, NULL, NULL, 0, NULL);
		if (ctxt == NULL) {
			*ctxtp = NULL;
			return NULL;
		}
		if (xmlCtxtUseOptions(ctxt, options) == 0) {
			xmlParseChunk(ctxt, data, (int)len, 1);
			doc = ctxt->myDoc;
			ctxt->myDoc = NULL;
			if (ctxt->wellFormed && doc) {
				*ctxtp = ctxt;
				if (p->url && doc->URL == NULL &&
				    (doc->URL = xmlPathToURI((const xmlChar *)p->url)) == NULL)
					p->oom = true;
				return doc;
			}
			xmlFreeDoc(doc);
		}
		xmlFreeParserCtxt(ctxt);
	}
	*ctxtp = ctxt = xmlNewParserCtxt();
	return ctxt ? xmlCtxtReadMemory(ctxt, data, (int)len, p->url, NULL, options) : NULL;
}

static void parse_xml(struct parser *p, const char *data, size_t len)
{
	const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
	                    XML_PARSE_NOCDATA | XML_PARSE_COMPACT | XML_PARSE_IGNORE_ENC;
	xmlParserCtxtPtr ctxt = NULL;
	struct buf repaired = {0};
	xmlDocPtr doc = NULL;
	const xmlNode *root;

	doc = read_strict(p, data, len, options, &ctxt);
	if (ctxt == NULL) {
		p->oom = true;
		return;
	}
	if (doc == NULL) {
		note_xml_error(p, ctxt, "malformed XML, recovered");
		p->feed->bozo = true;
		if (repair_document(data, len, &repaired) < 0) {
			p->oom = true;
			goto done;
		}
		xmlFreeParserCtxt(ctxt);
		ctxt = xmlNewParserCtxt();
		if (ctxt == NULL) {
			p->oom = true;
			goto done;
		}
		doc = xmlCtxtReadMemory(ctxt, buf_str(&repaired), (int)repaired.len, p->url, NULL,
		                        options | XML_PARSE_RECOVER);
	} else if (!ctxt->nsWellFormed) {
		p->feed->bozo = true;
		note_xml_error(p, ctxt, "namespace error");
	}
	root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (root == NULL) {
		buf_reset(&p->s->errors);
		note_xml_error(p, ctxt, "not a feed: no XML document could be read");
		goto done;
	}
	p->doc = doc;
	parse_root(p, root, data, len);
done:
	xmlFree(p->base);
	p->base = NULL;
	p->base_node = NULL;
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	buf_free(&repaired);
}

/* ---------------------------------------------------------------- entry point */

void feed_init(void)
{
	static bool done;

	if (!done) {
		LIBXML_TEST_VERSION
		xmlInitParser();
		done = true;
	}
}

struct feed_parser *feed_parser_new(void)
{
	feed_init();
	return calloc(1, sizeof(struct feed_parser));
}

/* Frees the buffers of fp, leaving it empty and reusable. */
static void release(struct feed_parser *fp)
{
	buf_free(&fp->raw);
	buf_free(&fp->text);
	buf_free(&fp->entries);
	buf_free(&fp->categories);
	buf_free(&fp->enclosures);
	buf_free(&fp->hrefs);
	buf_free(&fp->errors);
}

void feed_parser_free(struct feed_parser *fp)
{
	if (fp) {
		release(fp);
		free(fp);
	}
}

struct feed *feed_parser_parse(struct feed_parser *fp, const char *data, size_t len,
                               const char *url, const char *http_charset)
{
	struct arena *arena;
	struct feed *f;
	struct parser p = {0};
	struct enc_result enc = {0};
	size_t i;

	feed_init();
	arena = arena_new();
	if (arena == NULL)
		return NULL;
	f = arena_alloc(arena, sizeof *f);
	if (f == NULL) {
		arena_free(arena);
		return NULL;
	}
	memset(f, 0, sizeof *f);
	f->arena = arena;
	f->updated = DATE_NONE;
	p.feed = f;
	p.arena = arena;
	p.url = url;
	p.prio = p.feed_prio;
	p.s = fp;
	buf_reset(&fp->entries);
	buf_reset(&fp->categories);
	buf_reset(&fp->enclosures);
	buf_reset(&fp->hrefs);
	buf_reset(&fp->errors);

	if (len > FEED_MAX_DOCUMENT) {
		note_error(&p, "document too large: %zu bytes (the limit is %d MiB)", len,
		           FEED_MAX_DOCUMENT >> 20);
		goto done;
	}
	if (enc_to_utf8(data, len, http_charset, &enc) < 0) {
		p.oom = true;
		goto done;
	}
	f->encoding = keep(&p, enc.encoding, strlen(enc.encoding));
	if (enc.repairs) {
		f->bozo = true;
		note_error(&p, "encoding: %zu byte%s not valid %s replaced", enc.repairs,
		           enc.repairs == 1 ? " was" : "s were", enc.encoding);
	}
	if (enc.controls) {
		f->bozo = true;
		note_error(&p, "encoding: %zu control character%s removed (XML allows none)",
		           enc.controls, enc.controls == 1 ? "" : "s");
	}
	for (i = 0; i < enc.len && (enc.data[i] == ' ' || enc.data[i] == '\t' ||
	                            enc.data[i] == '\n' || enc.data[i] == '\r'); i++)
		;
	if (i == enc.len) {
		buf_reset(&fp->errors);
		note_error(&p, "not a feed: the document is empty");
	} else if (enc.data[i] == '{') {
		parse_json(&p, enc.data, enc.len);
	} else if (discover_is_html(enc.data, enc.len)) {
		parse_html(&p, enc.data, enc.len);
	} else {
		parse_xml(&p, enc.data, enc.len);
	}
	f->entries = freeze(&p, &fp->entries, &f->nentries, sizeof *f->entries);
done:
	if (fp->errors.len)
		f->error = keep(&p, fp->errors.data, fp->errors.len);
	enc_result_free(&enc);
	if (p.oom) {
		arena_free(arena);
		return NULL;
	}
	return f;
}

struct feed *feed_parse(const char *data, size_t len, const char *url, const char *http_charset)
{
	struct feed_parser fp = {0};
	struct feed *f = feed_parser_parse(&fp, data, len, url, http_charset);

	release(&fp);
	return f;
}

void feed_free(struct feed *feed)
{
	if (feed)
		arena_free(feed->arena);
}

const char *feed_format_name(enum feed_format format)
{
	switch (format) {
	case FEED_RSS20: return "rss20";
	case FEED_RSS10: return "rss10";
	case FEED_RSS09: return "rss09";
	case FEED_ATOM10: return "atom10";
	case FEED_ATOM03: return "atom03";
	case FEED_JSONFEED: return "jsonfeed";
	case FEED_UNKNOWN: break;
	}
	return "unknown";
}
