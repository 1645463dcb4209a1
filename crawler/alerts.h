/*
 * alerts.h — keyword alert rules: compiled once from a rules file, evaluated on every new or
 * changed entry, and the alert lines newsmon prints on stdout (DESIGN.md, "Alert rules and
 * alert lines"). No I/O: the crawler reads the file and prints what comes back.
 *
 * THE RULES FILE (alerts.example.txt is a commented example)
 *   One rule per line, NAME = EXPRESSION. Blank lines are ignored; '#' starts a comment, on a
 *   line of its own or where a term could start (so "#MeToo" has to be quoted to be looked for).
 *   NAME is letters, digits, '-', '_' and '.' (at most 64), once per file whatever its case;
 *   it is what the alert line shows. An EXPRESSION is made of
 *     word           a whole word: meta is not found in "metadata", request not in "requests"
 *                    (plurals and other inflections are different words: write request OR
 *                    requests, or a prefix)
 *     word*          a prefix: encrypt* finds encrypt, encrypted, encryption
 *     "a phrase"     these words in this order; a phrase has no escapes and cannot contain '"'
 *     kind:value     a tag of the entry (platform:WhatsApp, country:HK, topic:data-request);
 *                    kind is platform, country or topic; a value with spaces is quoted,
 *                    platform:"App Store" (unquoted, the value ends at the first space)
 *     NOT x, x AND y, x OR y, (x)
 *   NOT binds tighter than AND, AND tighter than OR; AND may be left out between two terms
 *   ("WhatsApp Telegram" is WhatsApp AND Telegram). Operators are upper case: a lower-case
 *   and, or or not is refused, since it is almost always a mistake (quote it, "or", to look
 *   for the word). Any other bare word containing ':' is a tag term, so a phrase with ':' in
 *   it is quoted ("10:00").
 *
 * HOW WORDS AND PHRASES MATCH
 *   In the title or in the text, never across the two. Both sides are folded alike
 *   (parsers/fold.h, as the tagger does): case and accents are ignored (Türkiye = turkiye,
 *   Straße = strasse), curly and straight apostrophes are one, and any run of white space,
 *   hyphens and dashes is one space, so "data request" finds "Data-request" and "data
 *   request" alike (a bare data-request is the same phrase). A match starts and ends on word
 *   boundaries: the characters around it are not letters or digits (a prefix only needs the
 *   boundary at its start). Chinese, Japanese and Korean characters are words by themselves,
 *   so "微信" is found inside running Chinese text. Tag values compare folded the same way
 *   (platform:whatsapp = platform:WhatsApp, platform:Telefonica = platform:Telefónica).
 */
#ifndef NEWSMON_ALERTS_H
#define NEWSMON_ALERTS_H

#include <stddef.h>
#include <stdint.h>

#include "parsers/buf.h"

struct alert_rules; /* opaque: the compiled rules */
struct tagger;

/* Compiles a rules file (text of len bytes, need not be NUL-terminated; filename is used in
 * messages only, NULL reads as "alerts"). Returns the rules (free with alerts_free). On a
 * syntax error returns NULL and sets *err to a malloc'd "FILE:LINE: message" naming what is
 * wrong (the caller frees it); out of memory: NULL and *err NULL. On success *err is left
 * untouched. An empty file, or one of comments only, is valid: no rules. The text is not
 * referenced after the call. */
struct alert_rules *alerts_compile(const char *text, size_t len, const char *filename, char **err);

/* Frees the rules and every string they handed out. NULL is fine. */
void alerts_free(struct alert_rules *r);

/* The number of rules. */
size_t alerts_count(const struct alert_rules *r);

struct alert_entry {             /* borrowed for the call */
	const char *title, *text;     /* plain UTF-8 (HTML already stripped); NULL reads as "" */
	const char *const *tags;      /* "kind:value" (as the tagger gives them) */
	size_t ntags;
};

/* Evaluates every rule on e and calls hit(rule_name, arg) for each rule that matches, in file
 * order. rule_name is borrowed from r and lives as long as it. Returns 0, or -1 when out of
 * memory (then hit was not called). The entry is folded into
 * scratch memory inside r, kept between calls so that evaluation allocates nothing once it has
 * grown to fit: one thread at a time per rules object (compile one per thread to share
 * work). */
int alerts_eval(struct alert_rules *r, const struct alert_entry *e,
                void (*hit)(const char *rule, void *arg), void *arg);

/* Calls unknown(tag, line, arg) once for each tag term of the rules that the vocabulary t can
 * never give (a value its tags.txt does not have: a misspelling, or a value since removed),
 * with the term as "kind:value" folded (lower case, accents off) and the line of the first
 * rule that uses it. Such a term never matches. tag is borrowed for the call. Returns 0, or -1
 * when out of memory. */
int alerts_unknown_tags(struct alert_rules *r, const struct tagger *t,
                        void (*unknown)(const char *tag, size_t line, void *arg), void *arg);

/* Appends the pinned alert line and "\n" to out:
 *   ALERT<TAB>rule<TAB>kind<TAB>published<TAB>feed title<TAB>entry title<TAB>url
 * kind is "new", "updated" or "follow-up"; published is YYYY-MM-DDTHH:MM:SSZ (UTC), or empty
 * for DATE_NONE. In every field tabs, newlines, ESC and every other C0 and C1 control
 * character (and DEL) are replaced by a space, a run of them by one space, so feed text can
 * neither break the line format nor reach the terminal raw. A NULL string is an empty field.
 * Returns 0, or -1 when out refused to grow (out is then as it was). */
int alerts_line(struct buf *out, const char *rule, const char *kind, int64_t published,
                const char *feed_title, const char *title, const char *url);

/* Appends the same alert as one compact JSON object and "\n" (for --alerts-json), keys in
 * this order: "rule", "kind", "published" (as in the line), "feed" (the feed title), "title",
 * "url", "entry" (entry_id), "story" (story_id), "tags" (the ntags strings of tags, as an
 * array). Strings are cleaned of control characters as in alerts_line (JSON could escape
 * them, but a C1 control would still reach a terminal as UTF-8); a NULL string and a
 * published of DATE_NONE are null. Returns 0, or -1 when out of memory or when a string is not
 * valid UTF-8 (out is then as it was). */
int alerts_json(struct buf *out, const char *rule, const char *kind, int64_t published,
                const char *feed_title, const char *title, const char *url, int64_t entry_id,
                int64_t story_id, const char *const *tags, size_t ntags);

#endif
