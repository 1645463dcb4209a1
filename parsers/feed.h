/*
 * feed.h — parse one feed document into a struct feed.
 *
 * Reads RSS 0.90-0.94 and 2.0, RSS 1.0 (RDF), Atom 0.3 and 1.0, and JSON Feed 1.0/1.1, with the
 * dc:, content:, atom: (inside RSS), media:, itunes:, sy: and feedburner: extensions, matched by
 * namespace URI. Pure: bytes in, struct out; no I/O, no network (no external entities, no DTD
 * loading), no globals beyond libxml2's own initialisation.
 *
 * What comes out (the JSON of `newsmon parse` is a direct rendering of it):
 *  - every string is valid UTF-8 without control characters other than tab and newline;
 *  - title, author and the other one-line fields are plain text with white space collapsed;
 *    summary and content keep their HTML (entities decoded once; twice-escaped HTML undone);
 *  - links, enclosures and images are absolute where a base was known: xml:base, else the
 *    document URL given by the caller;
 *  - dates are Unix seconds UTC or DATE_NONE, with the text as written kept beside them.
 *
 * Bad input: a strict XML parse is tried first; when it fails the document is repaired (bytes
 * before the XML declaration dropped, bare '&' escaped, HTML entities made numeric) and parsed
 * again with libxml2's recovery, and the result is marked bozo with the first error. Limits,
 * past which the document is cut short and marked truncated (never a failure):
 */
#ifndef NEWSMON_FEED_H
#define NEWSMON_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parsers/date.h"

#define FEED_MAX_ENTRIES   10000      /* entries kept per document */
#define FEED_MAX_BODY      (1 << 20)  /* bytes of summary or of content per entry */
#define FEED_MAX_FIELD     8192       /* bytes of any other text field */
#define FEED_MAX_LIST      100        /* categories, enclosures, links per entry */
#define FEED_MAX_DOCUMENT  (64 << 20) /* larger documents are refused */

enum feed_format {
	FEED_UNKNOWN,   /* nothing usable: error says why */
	FEED_RSS20,
	FEED_RSS10,
	FEED_RSS09,     /* RSS 0.90 (RDF) and 0.91-0.94 */
	FEED_ATOM10,
	FEED_ATOM03,
	FEED_JSONFEED,
};

struct feed_enclosure {
	const char *url;
	const char *type;     /* MIME type or NULL */
	int64_t length;       /* bytes, or -1 when not given */
};

struct feed_entry {
	const char *id;       /* guid / id / rdf:about as written, or NULL */
	const char *title;    /* plain text, or NULL */
	const char *link;     /* absolute URL of the article, or NULL */
	const char *author;
	const char *summary;  /* HTML */
	const char *content;  /* HTML (content:encoded, Atom content, content_html) */
	const char *comments; /* URL of the comments page */
	int64_t published, updated;              /* DATE_NONE when absent or unreadable */
	const char *published_raw, *updated_raw; /* as written, or NULL */
	const char **categories;
	size_t ncategories;
	struct feed_enclosure *enclosures;
	size_t nenclosures;
	const char **hrefs;   /* absolute http(s) links found in summary and content */
	size_t nhrefs;
};

struct feed {
	enum feed_format format;
	bool bozo;            /* the document was malformed and recovered (or repaired) */
	bool truncated;       /* a limit above was reached */
	const char *error;    /* why bozo, truncated or unusable, one line; NULL when clean */
	const char *encoding; /* what the bytes were read as, e.g. "UTF-8", "windows-1252" */
	const char *title, *link, *subtitle, *language, *author, *generator, *image;
	int64_t updated;
	const char *updated_raw;
	int64_t ttl;          /* seconds the feed asks readers to wait between fetches
	                         (<ttl>, sy:updatePeriod/Frequency), 0 when it says nothing */
	struct feed_entry *entries;
	size_t nentries;
	bool html;            /* the document is an HTML page, not a feed (format FEED_UNKNOWN) */
	const char **alternates; /* for an HTML page: the feeds it advertises (absolute URLs) */
	size_t nalternates;
	struct arena *arena;  /* owns the struct and every pointer in it */
};

/* Parses data[0..len). url is where the document came from (the base for relative links; NULL
 * if unknown), http_charset the charset the server named (NULL if none). Returns a feed to be
 * freed with feed_free(), or NULL only when out of memory. A feed whose format is FEED_UNKNOWN
 * holds nothing usable and its error says why ("not a feed: looks like an HTML page", ...).
 * Everything the returned feed points to lives until feed_free(). */
struct feed *feed_parse(const char *data, size_t len, const char *url, const char *http_charset);

/* A reusable parser, for loops over many documents: feed_parser_parse() is feed_parse() with
 * scratch buffers that stay allocated from one document to the next (a few MB at most: the
 * largest field and entry list seen), instead of being allocated, paged in and returned to the
 * system for every document. One parser per thread. */
struct feed_parser;

/* Returns a new parser, or NULL when out of memory. Free it with feed_parser_free(). */
struct feed_parser *feed_parser_new(void);

/* Parses data[0..len) exactly as feed_parse() does, using fp's buffers. Returns a feed to be
 * freed with feed_free(), or NULL only when out of memory; the feed owns everything it points
 * to and does not depend on fp, which may parse again or be freed. */
struct feed *feed_parser_parse(struct feed_parser *fp, const char *data, size_t len,
                               const char *url, const char *http_charset);

/* Frees a parser and its buffers. NULL is fine. Feeds it returned are not affected. */
void feed_parser_free(struct feed_parser *fp);

/* Frees a feed and everything it points to. NULL is fine. */
void feed_free(struct feed *feed);

/* The format's name as in the parse JSON: "rss20", "atom10", ..., "unknown". Static. */
const char *feed_format_name(enum feed_format format);

/* Initialises libxml2 once for the process (LIBXML_TEST_VERSION, xmlInitParser). Call it before
 * any thread parses; feed_parse calls it too, for single-threaded callers. */
void feed_init(void);

#endif
