/*
 * text.h — text of feed fields: HTML to plain text, character references, whitespace and
 * control characters, UTF-8.
 *
 * Input is valid UTF-8 (parsers/encoding.c guarantees that for documents; callers guarantee it
 * elsewhere) and so is every output. None of these functions makes its output longer than its
 * input plus one byte, so capping the input caps the output. All append to a caller-owned
 * struct buf and return 0, or -1 when the buffer refused to grow (out of memory or its cap); the
 * buffer then holds a valid UTF-8 prefix of the result.
 */
#ifndef NEWSMON_TEXT_H
#define NEWSMON_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "parsers/buf.h"

enum text_mode {
	TEXT_LINE,  /* one line: every run of white space becomes one space, trimmed (titles) */
	TEXT_BLOCK, /* paragraphs: block elements and line breaks become "\n", runs of other white
	               space one space, no blank lines, trimmed (entry text) */
	TEXT_KEEP   /* white space as it is; only control characters go (HTML kept as HTML);
	               text_clean only */
};

/* Appends the plain text of an HTML fragment: tags removed, the contents of script, style and
 * comments dropped, character references decoded, control characters removed, white space as
 * the mode says. A '<' that does not open a tag is text ("x < y"). */
int text_from_html(struct buf *out, const char *html, size_t len, enum text_mode mode);

/* Appends s with control characters removed and white space as the mode says; markup and
 * references are left as they are (for text that is not HTML: names, ids, plain-text titles). */
int text_clean(struct buf *out, const char *s, size_t len, enum text_mode mode);

/* Returns the length of the longest prefix of s[0..len) that text_clean(TEXT_KEEP) leaves as it
 * is: len when it would change nothing, and the text can be used without the copy. */
size_t text_keep_span(const char *s, size_t len);

/* Appends s with HTML character references (&amp; &eacute; &#233; &#xE9;) decoded and control
 * characters removed as TEXT_KEEP removes them (so the result is as clean as text_clean's). A reference must end in ';' to count; unknown names stay as written. Numeric
 * references in 128..159 map through windows-1252 as browsers do (&#146; is U+2019); references
 * to control characters other than tab and newline are dropped; &#0;, surrogates and values
 * beyond U+10FFFF become U+FFFD. */
int text_decode_entities(struct buf *out, const char *s, size_t len);

/* Appends code point cp as UTF-8 (U+FFFD for a surrogate or a value beyond U+10FFFF). */
int text_put_utf8(struct buf *out, uint32_t cp);

/* Returns the length of the longest prefix of s[0..len) that does not end inside a UTF-8
 * sequence and is at most len bytes: where to cut valid UTF-8 text to fit a cap. */
size_t text_utf8_prefix(const char *s, size_t len);

/* Returns 1 when s[0..len) contains HTML that was escaped twice ("&lt;p&gt;" where "<p>" was
 * meant, and no real tag), which some RSS feeds publish in their descriptions; else 0. */
int text_is_double_escaped(const char *s, size_t len);

#endif
