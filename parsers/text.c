/*
 * text.c — HTML to plain text, character references, white space and control characters.
 *
 * Hand-written rather than libxml2's HTML parser: titles and entry texts only need the text
 * between tags, a tree would cost an allocation per node on the hot path (every entry of every
 * feed, and the tagger after it), and a scanner cannot be confused by broken markup. The named
 * reference table is libxml2's (htmlEntityLookup, HTML 4), plus &apos; from XML.
 *
 * Every function writes at most len + 1 bytes, so each reserves that once and writes through a
 * plain pointer.
 */
#include "parsers/text.h"
#include "parsers/utf8.h"

#include <libxml/HTMLparser.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Output state shared by the functions below: where to write, and the white space seen since
 * the last visible character (emitted only before the next one, so output is trimmed). */
struct writer {
	char *p;
	enum text_mode mode;
	bool any;      /* something visible was written */
	bool space;    /* a space is pending */
	bool newline;  /* a paragraph break is pending (TEXT_BLOCK) */
};

static void put_pending(struct writer *w)
{
	if (w->any) {
		if (w->newline)
			*w->p++ = '\n';
		else if (w->space)
			*w->p++ = ' ';
	}
	w->space = w->newline = false;
	w->any = true;
}

static void put_bytes(struct writer *w, const char *s, size_t n)
{
	put_pending(w);
	memcpy(w->p, s, n);
	w->p += n;
}

static void put_break(struct writer *w)
{
	if (w->mode == TEXT_BLOCK)
		w->newline = true;
	else
		w->space = true;
}

int text_put_utf8(struct buf *out, uint32_t cp)
{
	char tmp[4];

	return buf_append(out, tmp, utf8_encode(cp, tmp));
}

/* Windows-1252 0x80..0x9F, as HTML maps numeric references in that range; 0 where 1252 has no
 * character (those stay C1 controls and are dropped). */
static const uint16_t cp1252_c1[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

/* Classifies a code point from a numeric reference: returns the code point to emit, or 0 when
 * it is to be dropped. */
static uint32_t numeric_ref_codepoint(uint32_t cp)
{
	if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return 0xFFFD;
	if (cp >= 0x80 && cp <= 0x9F)
		return cp1252_c1[cp - 0x80];
	if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r')
		return 0;
	if (cp == 0x7F)
		return 0;
	return cp;
}

/* Parses the character reference starting at s[0] == '&'. On success returns its length
 * (through the ';') and sets *cp (0: drop it); returns 0 when this is not a reference. */
static size_t parse_reference(const char *s, size_t len, uint32_t *cp)
{
	size_t i = 1, start;
	uint32_t v = 0;
	char name[32];

	if (i < len && s[i] == '#') {
		i++;
		bool hex = i < len && (s[i] == 'x' || s[i] == 'X');
		if (hex)
			i++;
		start = i;
		for (; i < len && i - start < 8; i++) {
			unsigned char c = (unsigned char)s[i];
			unsigned d;
			if (c >= '0' && c <= '9')
				d = c - '0';
			else if (hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
				d = (c | 0x20) - 'a' + 10;
			else
				break;
			v = v * (hex ? 16 : 10) + d;
		}
		if (i == start || i >= len || s[i] != ';')
			return 0;
		*cp = numeric_ref_codepoint(v);
		return i + 1;
	}
	start = i;
	while (i < len && i - start < sizeof name - 1 &&
	       ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
	        (s[i] >= '0' && s[i] <= '9')))
		i++;
	if (i == start || i >= len || s[i] != ';')
		return 0;
	memcpy(name, s + start, i - start);
	name[i - start] = '\0';
	if (strcmp(name, "apos") == 0) {
		*cp = '\'';
		return i + 1;
	}
	const htmlEntityDesc *e = htmlEntityLookup((const xmlChar *)name);
	if (e == NULL)
		return 0;
	*cp = e->value;
	return i + 1;
}

/* Length of the UTF-8 sequence starting with lead byte c (input is valid UTF-8). */
static size_t utf8_len(unsigned char c)
{
	return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* Handles one character of text at s (not a tag): white space, controls and (in HTML)
 * references are normalised, anything else is copied. In HTML a newline is white space like any
 * other. Returns the number of input bytes consumed. */
static size_t put_text_char(struct writer *w, const char *s, size_t len, bool html)
{
	unsigned char c = (unsigned char)s[0];
	size_t n;
	uint32_t cp;
	char tmp[4];

	if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
		w->space = true;
		return 1;
	}
	if (c == '\n') {
		if (w->mode == TEXT_BLOCK && !html)
			w->newline = true;
		else
			w->space = true;
		return 1;
	}
	if (c < 0x20 || c == 0x7F)
		return 1;
	if (c == 0xC2 && len > 1) {
		unsigned char c2 = (unsigned char)s[1];
		if (c2 == 0xA0) { /* no-break space */
			w->space = true;
			return 2;
		}
		if (c2 >= 0x80 && c2 <= 0x9F) /* C1 control */
			return 2;
	}
	if (c == '&' && html && (n = parse_reference(s, len, &cp)) > 0) {
		if (cp == ' ' || cp == '\t' || cp == '\r' || cp == '\n' || cp == 0xA0)
			w->space = true;
		else if (cp != 0)
			put_bytes(w, tmp, utf8_encode(cp, tmp));
		return n;
	}
	n = utf8_len(c);
	if (n > len)
		n = len;
	put_bytes(w, s, n);
	return n;
}

/* Whether put_text_char would copy byte c as it is: not white space, not a control, not 0xC2
 * (which starts the no-break space and the C1 controls), and in HTML not '&' or '<'. */
static bool plain_byte(unsigned char c, bool html)
{
	return c > 0x20 && c != 0x7F && c != 0xC2 && !(html && (c == '&' || c == '<'));
}

/* Copies the run of plain bytes at s at once, or when there is none handles the one character
 * there. Returns the number of input bytes consumed. A run goes on over single spaces between
 * plain bytes, which come out as they are: text is mostly words and spaces. */
static size_t put_text(struct writer *w, const char *s, size_t len, bool html)
{
	size_t n = 0;

	while (n < len && (plain_byte((unsigned char)s[n], html) ||
	                   (s[n] == ' ' && n > 0 && n + 1 < len &&
	                    plain_byte((unsigned char)s[n + 1], html))))
		n++;
	if (n == 0)
		return put_text_char(w, s, len, html);
	put_bytes(w, s, n);
	return n;
}

/* Elements whose end (and start) is a paragraph break in TEXT_BLOCK; sorted for bsearch. */
static const char *const block_tags[] = {
	"address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt",
	"figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header",
	"hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tr", "ul",
};

/* Elements whose content is not text. */
static const char *const skip_tags[] = {
	"head", "noscript", "script", "style", "template", "title",
};

static int cmp_tag(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static bool tag_in(const char *name, const char *const *table, size_t n)
{
	return bsearch(name, table, n, sizeof *table, cmp_tag) != NULL;
}

/* Finds the '>' that ends the tag starting at s[0] == '<', skipping quoted attribute values.
 * Returns its index, or len when the tag is not closed. */
static size_t tag_end(const char *s, size_t len)
{
	char quote = 0;
	size_t i;

	for (i = 1; i < len; i++) {
		if (quote) {
			if (s[i] == quote)
				quote = 0;
		} else if (s[i] == '"' || s[i] == '\'') {
			quote = s[i];
		} else if (s[i] == '>') {
			return i;
		}
	}
	if (quote) { /* an unbalanced quote: fall back to the first '>' */
		const char *gt = memchr(s, '>', len);
		if (gt)
			return (size_t)(gt - s);
	}
	return len;
}

/* Skips past the closing tag </name> (case-insensitive) from s; returns the bytes consumed,
 * len when it is missing. */
static size_t skip_to_close(const char *s, size_t len, const char *name)
{
	size_t nl = strlen(name), i;

	for (i = 0; i + nl + 2 <= len; i++) {
		if (s[i] == '<' && s[i + 1] == '/' && strncasecmp(s + i + 2, name, nl) == 0) {
			size_t end = tag_end(s + i, len - i);
			return end < len - i ? i + end + 1 : len;
		}
	}
	return len;
}

int text_from_html(struct buf *out, const char *html, size_t len, enum text_mode mode)
{
	struct writer w = {.mode = mode};
	size_t i = 0;

	if (buf_reserve(out, len + 1) < 0)
		return -1;
	w.p = out->data + out->len;
	while (i < len) {
		if (html[i] != '<') {
			i += put_text(&w, html + i, len - i, true);
			continue;
		}
		unsigned char next = i + 1 < len ? (unsigned char)html[i + 1] : 0;
		if (next == '!' && len - i >= 4 && memcmp(html + i, "<!--", 4) == 0) {
			const char *end = memmem(html + i + 4, len - i - 4, "-->", 3);
			i = end ? (size_t)(end - html) + 3 : len;
			continue;
		}
		if (next == '!' || next == '?') {
			i += tag_end(html + i, len - i) + 1;
			continue;
		}
		bool closing = next == '/';
		size_t n = i + 1 + closing, start = n;
		while (n < len && ((html[n] | 0x20) >= 'a' && (html[n] | 0x20) <= 'z'))
			n++;
		while (n < len && n - start < 16 && (((html[n] | 0x20) >= 'a' && (html[n] | 0x20) <= 'z') ||
		                                     (html[n] >= '0' && html[n] <= '9') || html[n] == '-'))
			n++;
		if (n == start) { /* "x < y": not a tag */
			i += put_text_char(&w, html + i, len - i, true);
			continue;
		}
		char name[20];
		size_t nl = n - start < sizeof name - 1 ? n - start : sizeof name - 1;
		for (size_t k = 0; k < nl; k++)
			name[k] = (char)(html[start + k] | 0x20);
		name[nl] = '\0';
		i += tag_end(html + i, len - i) + 1;
		if (tag_in(name, block_tags, sizeof block_tags / sizeof *block_tags))
			put_break(&w);
		else if (!closing && tag_in(name, skip_tags, sizeof skip_tags / sizeof *skip_tags))
			i += i < len ? skip_to_close(html + i, len - i, name) : 0;
		else if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0 ||
		         strcmp(name, "img") == 0)
			w.space = true;
	}
	out->len = (size_t)(w.p - out->data);
	out->data[out->len] = '\0';
	return 0;
}

/* What TEXT_KEEP removes: C0 controls but tab and LF, DEL, and C1 controls (0xC2 0x80-0x9F). */
static bool keep_drops(const unsigned char *s, size_t i, size_t len)
{
	unsigned char c = s[i];

	return (c < 0x20 && c != '\t' && c != '\n') || c == 0x7F ||
	       (c == 0xC2 && i + 1 < len && s[i + 1] < 0xA0);
}

/* Eight bytes at a time: words without a byte below 0x20, DEL or 0xC2 hold nothing TEXT_KEEP
 * could drop (the usual bit tricks: a byte below n sets its top bit in (x - n...) & ~x). Only
 * the other words, a few in a body (the newlines), are looked at byte by byte. */
size_t text_keep_span(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	size_t i = 0;

	while (len - i >= 8) {
		uint64_t x, del, c2;
		memcpy(&x, s + i, 8);
		del = x ^ (0x7F * ones);
		c2 = x ^ (0xC2 * ones);
		if ((((x - 0x20 * ones) & ~x) | ((del - ones) & ~del) | ((c2 - ones) & ~c2)) & high) {
			for (size_t end = i + 8; i < end; i++)
				if (keep_drops(s, i, len))
					return i;
		} else {
			i += 8;
		}
	}
	for (; i < len; i++)
		if (keep_drops(s, i, len))
			return i;
	return len;
}

/* TEXT_KEEP: copies runs of ordinary bytes at once and drops what keep_drops() names. */
static char *keep_text(char *p, const char *s, size_t len)
{
	size_t i = 0, run;

	while (i < len) {
		run = text_keep_span(s + i, len - i);
		memcpy(p, s + i, run);
		p += run;
		i += run;
		if (i < len)
			i += (unsigned char)s[i] == 0xC2 ? 2 : 1;
	}
	return p;
}

int text_clean(struct buf *out, const char *s, size_t len, enum text_mode mode)
{
	struct writer w = {.mode = mode};
	size_t i = 0;

	if (buf_reserve(out, len + 1) < 0)
		return -1;
	w.p = out->data + out->len;
	if (mode == TEXT_KEEP)
		w.p = keep_text(w.p, s, len);
	else
		while (i < len)
			i += put_text(&w, s + i, len - i, false);
	out->len = (size_t)(w.p - out->data);
	out->data[out->len] = '\0';
	return 0;
}

int text_decode_entities(struct buf *out, const char *s, size_t len)
{
	char *p;
	size_t i = 0, n;
	uint32_t cp;

	if (buf_reserve(out, len + 1) < 0)
		return -1;
	p = out->data + out->len;
	while (i < len) {
		const char *amp = memchr(s + i, '&', len - i);
		size_t run = amp ? (size_t)(amp - (s + i)) : len - i;
		p = keep_text(p, s + i, run);
		i += run;
		if (i == len)
			break;
		n = parse_reference(s + i, len - i, &cp);
		if (n == 0) {
			*p++ = '&';
			i++;
			continue;
		}
		if (cp != 0 && cp != '\r') /* TEXT_KEEP drops CR too */
			p += utf8_encode(cp, p);
		i += n;
	}
	out->len = (size_t)(p - out->data);
	out->data[out->len] = '\0';
	return 0;
}

size_t text_utf8_prefix(const char *s, size_t len)
{
	size_t i = len, back = 0;

	/* Walk back over continuation bytes to the last lead byte and keep its sequence only
	 * when it is complete. */
	while (i > 0 && back < 4 && ((unsigned char)s[i - 1] & 0xC0) == 0x80) {
		i--;
		back++;
	}
	if (i == 0)
		return back ? 0 : len;
	unsigned char lead = (unsigned char)s[i - 1];
	if (lead < 0x80)
		return len;
	if (utf8_len(lead) == back + 1)
		return len;
	return i - 1;
}

int text_is_double_escaped(const char *s, size_t len)
{
	const char *p = s, *end = s + len;

	if (memchr(s, '<', len) != NULL)
		return 0;
	while ((p = memmem(p, (size_t)(end - p), "&lt;", 4)) != NULL) {
		p += 4;
		if (p < end && (((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z') || *p == '/'))
			return 1;
	}
	return 0;
}
