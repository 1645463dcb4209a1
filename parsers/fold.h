/*
 * fold.h — the case- and accent-insensitive form newsmon matches text in.
 *
 * The tagger (tags.txt aliases) and the alert rules fold both what they look for and the entry
 * they look in, one code point at a time, so a pattern matches exactly the texts that fold to
 * it. A code point folds to a few bytes of UTF-8 and a class:
 *   - letters to lower case without diacritics: Latin-1 Supplement and Latin Extended-A/B to
 *     their base letter (Türkiye -> turkiye), ß -> ss, æ -> ae, þ -> th; Greek and Cyrillic to
 *     lower case without accents (ё -> е); fullwidth ASCII to ASCII;
 *   - ’ ‘ ‛ ′ and ʼ to ' (one apostrophe, whatever the keyboard typed);
 *   - white space, hyphens, dashes, control characters and invalid bytes to one space;
 *   - combining marks, soft hyphens, joiners and bidi marks to nothing, so NFD text folds like
 *     NFC and an invisible character never splits a word;
 *   - everything else to itself.
 * CJK ideographs, kana and hangul syllables are words by themselves (Chinese and Japanese put
 * no spaces between words); letters and digits of every other script are word characters.
 *
 * A code point never folds to more bytes than its UTF-8 takes, so folded text is never longer
 * than its input. Nothing here allocates except fold_string, into the caller's buffers.
 */
#ifndef NEWSMON_FOLD_H
#define NEWSMON_FOLD_H

#include <stddef.h>
#include <stdint.h>

#include "parsers/buf.h"

enum fold_class {
	FOLD_NONE,  /* punctuation and symbols: kept, but not part of a word */
	FOLD_WORD,  /* letters and digits of any script */
	FOLD_SELF,  /* a CJK ideograph, kana or hangul syllable: a word by itself */
	FOLD_SPACE, /* white space, hyphens, dashes, controls, invalid bytes: folds to " " */
	FOLD_SKIP   /* combining marks, soft hyphen, joiners, bidi marks: folds to nothing */
};

struct fold_char {
	unsigned char len;  /* bytes in b: 0 for FOLD_SKIP */
	unsigned char cls;  /* enum fold_class */
	unsigned char b[4]; /* the fold, UTF-8 ("ss" for ß, " " for FOLD_SPACE); not NUL-terminated */
};

#define FOLD_TABLE 0x500    /* code points below this fold through the table */
#define FOLD_BAD UINT32_MAX /* fold_decode's code point for an invalid sequence */

/* The folds of the first FOLD_TABLE code points: filled once by fold_table_init, then
 * read-only (any number of threads may fold with one table). Callers on a hot path may read
 * cp[c] for an ASCII byte c directly: ASCII folds through it without decoding. */
struct fold_table {
	struct fold_char cp[FOLD_TABLE];
};

/* Fills t. Cannot fail. */
void fold_table_init(struct fold_table *t);

/* Decodes the code point at s (n >= 1 bytes) into *cp and returns the bytes it takes. An
 * invalid, overlong, surrogate or truncated sequence takes 1 byte and gives FOLD_BAD. */
size_t fold_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* Folds the code point at s (n >= 1 bytes) into *f and returns the bytes it takes (an invalid
 * byte takes 1 and folds to a space). With keep_case nonzero, letters keep their original
 * bytes and only spaces, hyphens, apostrophes and invisible characters are normalised: the
 * form in which case-sensitive patterns are compared. */
size_t fold_next(const struct fold_table *t, const unsigned char *s, size_t n, int keep_case,
                 struct fold_char *f);

/* Appends the fold of the n bytes at s to out, each run of FOLD_SPACE as one space and none
 * at the start or the end. When cls is not NULL, appends to it one enum fold_class byte per
 * byte appended to out (FOLD_SPACE for a space), which is where words begin and end. Appends
 * nothing when s folds to nothing. Returns 0, or -1 when a buffer refused to grow (out of
 * memory, or its cap: each must have room for n + 3 more bytes, whatever the fold takes; both
 * are then as they were). */
int fold_string(const struct fold_table *t, const char *s, size_t n, int keep_case,
                struct buf *out, struct buf *cls);

#endif
