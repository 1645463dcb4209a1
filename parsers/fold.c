/*
 * fold.c — the folding of fold.h: a table for the first FOLD_TABLE code points (Latin, Greek,
 * Cyrillic: where case and accents live), sorted ranges of classes above it.
 */
#include "parsers/fold.h"
#include "parsers/utf8.h"

#include <string.h>

/* A class of the ranges table only: apostrophe look-alikes, which fold to "'" (FOLD_NONE). */
#define APOS (FOLD_SKIP + 1)

/* Base letters of U+00C0..U+024F, one per code point: a capital stands for digraphs[c - 'A'],
 * '.' for a symbol (× ÷), '?' for a letter without a Latin base letter, which is kept. */
static const char latin_base[] =
	"aaaaaaAceeeeiiiidnooooo.ouuuuyBC" /* U+00C0 */
	"aaaaaaAceeeeiiiidnooooo.ouuuuyBy" /* U+00E0 */
	"aaaaaaccccccccddddeeeeeeeeeegggg" /* U+0100 */
	"gggghhhhiiiiiiiiiiDDjjkkklllllll" /* U+0120 */
	"lllnnnnnnnnnooooooEErrrrrrssssss" /* U+0140 */
	"ssttttttuuuuuuuuuuuuwwyyyzzzzzzs" /* U+0160 */
	"bbbb???cc?ddd????ffg?F?ikkl??nno" /* U+0180 */
	"ooGGpp?????ttttuu?vyyzz?????????" /* U+01A0 */
	"????HHHIIIJJJaaiioouuuuuuuuuu?aa" /* U+01C0 */
	"aaAAggggkkoooo??jHHHgg??nnaaAAoo" /* U+01E0 */
	"aaaaeeeeiiiioooorrrruuuusstt??hh" /* U+0200 */
	"ndKKzzaaeeooooooooyylntj??acclts" /* U+0220 */
	"z??bu?eejj?qrryy";                /* U+0240 */
_Static_assert(sizeof latin_base - 1 == 0x250 - 0xC0, "one base letter per code point");
static const char *const digraphs[] = {"ae", "th", "ss", "ij", "oe", "hv",
                                       "oi", "dz", "lj", "nj", "ou"};

/* Greek letters that do not lower-case by +0x20: accented capitals and small letters to the
 * plain small letter, final sigma to sigma. */
static const uint16_t greek_fold[][2] = {
	{0x386, 0x3B1}, {0x388, 0x3B5}, {0x389, 0x3B7}, {0x38A, 0x3B9}, {0x38C, 0x3BF},
	{0x38E, 0x3C5}, {0x38F, 0x3C9}, {0x390, 0x3B9}, {0x3AA, 0x3B9}, {0x3AB, 0x3C5},
	{0x3AC, 0x3B1}, {0x3AD, 0x3B5}, {0x3AE, 0x3B7}, {0x3AF, 0x3B9}, {0x3B0, 0x3C5},
	{0x3C2, 0x3C3}, {0x3CA, 0x3B9}, {0x3CB, 0x3C5}, {0x3CC, 0x3BF}, {0x3CD, 0x3C5},
	{0x3CE, 0x3C9},
};

/* Classes of code points from U+0500 up, sorted; anything not listed is a word letter. */
static const struct {
	uint32_t lo, hi;
	unsigned char cls;
} cp_ranges[] = {
	{0x1100, 0x11FF, FOLD_SELF},   /* Hangul Jamo */
	{0x1680, 0x1680, FOLD_SPACE},
	{0x2000, 0x200B, FOLD_SPACE},  /* spaces, zero width space */
	{0x200C, 0x200F, FOLD_SKIP},   /* joiners, direction marks */
	{0x2010, 0x2015, FOLD_SPACE},  /* hyphens and dashes, as '-' */
	{0x2016, 0x2017, FOLD_NONE},
	{0x2018, 0x2019, APOS},   /* ‘ ’ */
	{0x201A, 0x201A, FOLD_NONE},
	{0x201B, 0x201B, APOS},
	{0x201C, 0x2027, FOLD_NONE},
	{0x2028, 0x2029, FOLD_SPACE},
	{0x202A, 0x202E, FOLD_SKIP},
	{0x202F, 0x202F, FOLD_SPACE},
	{0x2030, 0x2031, FOLD_NONE},
	{0x2032, 0x2032, APOS},   /* prime, typed for an apostrophe */
	{0x2033, 0x205E, FOLD_NONE},
	{0x205F, 0x205F, FOLD_SPACE},
	{0x2060, 0x206F, FOLD_SKIP},
	{0x2070, 0x2BFF, FOLD_NONE},   /* super/subscripts, currency, arrows, math, symbols */
	{0x2E00, 0x2E7F, FOLD_NONE},
	{0x2E80, 0x2FDF, FOLD_SELF},   /* CJK radicals */
	{0x2FF0, 0x2FFF, FOLD_NONE},
	{0x3000, 0x3000, FOLD_SPACE},  /* ideographic space */
	{0x3001, 0x3003, FOLD_NONE},
	{0x3004, 0x3007, FOLD_SELF},
	{0x3008, 0x3020, FOLD_NONE},
	{0x3021, 0x3029, FOLD_SELF},
	{0x302A, 0x302F, FOLD_SKIP},
	{0x3030, 0x303F, FOLD_NONE},
	{0x3040, 0x30FF, FOLD_SELF},   /* kana */
	{0x3100, 0x4DBF, FOLD_SELF},   /* bopomofo, hangul jamo, CJK extension A */
	{0x4DC0, 0x4DFF, FOLD_NONE},
	{0x4E00, 0x9FFF, FOLD_SELF},   /* CJK unified ideographs */
	{0xA960, 0xA97F, FOLD_SELF},
	{0xAC00, 0xD7FF, FOLD_SELF},   /* hangul syllables */
	{0xE000, 0xF8FF, FOLD_NONE},   /* private use */
	{0xF900, 0xFAFF, FOLD_SELF},
	{0xFE00, 0xFE0F, FOLD_SKIP},   /* variation selectors */
	{0xFE10, 0xFE1F, FOLD_NONE},
	{0xFE20, 0xFE2F, FOLD_SKIP},
	{0xFE30, 0xFE6F, FOLD_NONE},
	{0xFEFF, 0xFEFF, FOLD_SKIP},   /* byte order mark */
	{0xFF00, 0xFF00, FOLD_NONE},
	{0xFF5F, 0xFF65, FOLD_NONE},
	{0xFF66, 0xFFDC, FOLD_SELF},   /* halfwidth kana and hangul */
	{0xFFE0, 0xFFFF, FOLD_NONE},
	{0x1F000, 0x1FAFF, FOLD_NONE}, /* emoji and pictographs */
	{0x20000, 0x3FFFF, FOLD_SELF}, /* CJK extensions */
	{0xE0000, 0xE01EF, FOLD_SKIP}, /* tags, variation selectors */
	{0xF0000, 0x10FFFF, FOLD_NONE},
};

/* fold_decode, inlined into fold_next: the tagger's scan calls that once per non-ASCII code
 * point, and a second call there costs it several per cent on non-Latin text */
static inline size_t decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t v, min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2, v = c & 0x1F, min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3, v = c & 0x0F, min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4, v = c & 0x07, min = 0x10000;
	} else {
		*cp = FOLD_BAD;
		return 1;
	}
	if (len > n) {
		*cp = FOLD_BAD;
		return 1;
	}
	for (size_t k = 1; k < len; k++) {
		if ((s[k] & 0xC0) != 0x80) {
			*cp = FOLD_BAD;
			return 1;
		}
		v = v << 6 | (s[k] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
		*cp = FOLD_BAD;
		return 1;
	}
	*cp = v;
	return len;
}

size_t fold_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	return decode(s, n, cp);
}

static void fold_set(struct fold_char *f, unsigned cls, const char *s)
{
	size_t n = strlen(s);
	f->cls = (unsigned char)cls;
	f->len = (unsigned char)n;
	memcpy(f->b, s, n);
}

static void fold_set_cp(struct fold_char *f, unsigned cls, uint32_t cp)
{
	f->cls = (unsigned char)cls;
	f->len = (unsigned char)utf8_encode(cp, (char *)f->b);
}

static uint32_t greek_lower(uint32_t cp)
{
	for (size_t k = 0; k < sizeof greek_fold / sizeof greek_fold[0]; k++)
		if (greek_fold[k][0] == cp)
			return greek_fold[k][1];
	/* U+03A2 is unassigned: +0x20 would make it a final sigma, whose own fold is σ */
	if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2)
		return cp + 0x20;
	return cp;
}

static uint32_t cyrillic_lower(uint32_t cp)
{
	uint32_t lc = cp;

	if (cp <= 0x40F)
		lc = cp + 0x50;
	else if (cp <= 0x42F)
		lc = cp + 0x20;
	else if ((cp >= 0x460 && cp <= 0x481) || (cp >= 0x48A && cp <= 0x4BF) || cp >= 0x4D0)
		lc = cp | 1;
	else if (cp == 0x4C0)
		lc = 0x4CF;
	else if (cp >= 0x4C1 && cp <= 0x4CE && (cp & 1))
		lc = cp + 1;
	/* ё and ѐ are е with a diaeresis/grave, ѝ is и with a grave: written without them too */
	if (lc == 0x450 || lc == 0x451)
		return 0x435;
	if (lc == 0x45D)
		return 0x438;
	return lc;
}

void fold_table_init(struct fold_table *t)
{
	for (uint32_t cp = 0; cp < FOLD_TABLE; cp++) {
		struct fold_char *f = &t->cp[cp];
		if (cp < 0x80) {
			unsigned char c = (unsigned char)cp;
			if (c >= 'A' && c <= 'Z')
				fold_set_cp(f, FOLD_WORD, c + 32u);
			else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
				fold_set_cp(f, FOLD_WORD, c);
			else if (c <= ' ' || c == 0x7F || c == '-')
				fold_set(f, FOLD_SPACE, " ");
			else
				fold_set_cp(f, FOLD_NONE, c);
		} else if (cp <= 0xA0) {
			fold_set(f, FOLD_SPACE, " "); /* C1 controls, no-break space */
		} else if (cp == 0xAD) {
			fold_set(f, FOLD_SKIP, ""); /* soft hyphen */
		} else if (cp == 0xAA || cp == 0xB5 || cp == 0xBA) {
			fold_set_cp(f, FOLD_WORD, cp);
		} else if (cp < 0xC0) {
			fold_set_cp(f, FOLD_NONE, cp);
		} else if (cp < 0x250) {
			char c = latin_base[cp - 0xC0];
			if (c == '.')
				fold_set_cp(f, FOLD_NONE, cp);
			else if (c == '?')
				fold_set_cp(f, FOLD_WORD, cp);
			else if (c >= 'A' && c <= 'Z')
				fold_set(f, FOLD_WORD, digraphs[c - 'A']);
			else
				fold_set_cp(f, FOLD_WORD, (unsigned char)c);
		} else if (cp == 0x2BC) {
			fold_set(f, FOLD_NONE, "'"); /* modifier letter apostrophe */
		} else if (cp < 0x2C2) {
			fold_set_cp(f, FOLD_WORD, cp);
		} else if (cp < 0x300) {
			fold_set_cp(f, FOLD_NONE, cp);
		} else if (cp < 0x370) {
			fold_set(f, FOLD_SKIP, ""); /* combining diacritics: NFD text folds like NFC */
		} else if (cp < 0x400) {
			if (cp == 0x375 || cp == 0x37E || cp == 0x384 || cp == 0x385 || cp == 0x387)
				fold_set_cp(f, FOLD_NONE, cp);
			else
				fold_set_cp(f, FOLD_WORD, greek_lower(cp));
		} else if (cp == 0x482) {
			fold_set_cp(f, FOLD_NONE, cp);
		} else if (cp >= 0x483 && cp <= 0x489) {
			fold_set(f, FOLD_SKIP, "");
		} else {
			fold_set_cp(f, FOLD_WORD, cyrillic_lower(cp));
		}
	}
}

static unsigned range_class(uint32_t cp)
{
	size_t lo = 0, hi = sizeof cp_ranges / sizeof cp_ranges[0];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cp < cp_ranges[mid].lo)
			hi = mid;
		else if (cp > cp_ranges[mid].hi)
			lo = mid + 1;
		else
			return cp_ranges[mid].cls;
	}
	return FOLD_WORD;
}

/* Folds the code point cp, whose original UTF-8 is the olen bytes at orig, into *f. */
static void fold_cp(const struct fold_table *t, uint32_t cp, const unsigned char *orig,
                    size_t olen, int keep_case, struct fold_char *f)
{
	unsigned cls;

	if (cp == FOLD_BAD) {
		fold_set(f, FOLD_SPACE, " ");
		return;
	}
	if (cp >= 0xFF01 && cp <= 0xFF5E) {
		/* fullwidth ASCII, as typed in CJK text */
		*f = t->cp[cp - 0xFEE0];
		if (keep_case && f->cls == FOLD_WORD)
			fold_set_cp(f, FOLD_WORD, cp - 0xFEE0);
		return;
	}
	if (cp < FOLD_TABLE) {
		*f = t->cp[cp];
		if (!keep_case || f->cls != FOLD_WORD)
			return;
		cls = FOLD_WORD;
	} else {
		cls = range_class(cp);
		if (cls == FOLD_SPACE) {
			fold_set(f, FOLD_SPACE, " ");
			return;
		}
		if (cls == APOS) {
			fold_set(f, FOLD_NONE, "'");
			return;
		}
		if (cls == FOLD_SKIP) {
			fold_set(f, FOLD_SKIP, "");
			return;
		}
	}
	f->cls = (unsigned char)cls;
	f->len = (unsigned char)olen;
	memcpy(f->b, orig, olen);
}

size_t fold_next(const struct fold_table *t, const unsigned char *s, size_t n, int keep_case,
                 struct fold_char *f)
{
	uint32_t cp;
	size_t len = decode(s, n, &cp);

	fold_cp(t, cp, s, len, keep_case, f);
	return len;
}

int fold_string(const struct fold_table *t, const char *s, size_t n, int keep_case,
                struct buf *out, struct buf *cls)
{
	const unsigned char *in = (const unsigned char *)s;
	unsigned char *o, *c = NULL;
	size_t i = 0, w = 0;
	int space = 0;

	if (n == 0)
		return 0;
	/* no code point folds to more bytes than it takes, so n bytes of room are enough and the
	 * loop writes straight into the buffers; 3 more let it copy every fold as 4 bytes, one
	 * store instead of a call for a few bytes (the bytes past the fold are overwritten next) */
	if (buf_reserve(out, n + 3) != 0 || (cls != NULL && buf_reserve(cls, n + 3) != 0))
		return -1;
	o = (unsigned char *)out->data + out->len;
	if (cls != NULL)
		c = (unsigned char *)cls->data + cls->len;
	while (i < n) {
		struct fold_char other;
		const struct fold_char *f = &other;
		if (in[i] < 0x80 && !keep_case)
			f = &t->cp[in[i++]];
		else
			i += fold_next(t, in + i, n - i, keep_case, &other);
		if (f->cls == FOLD_SKIP)
			continue;
		if (f->cls == FOLD_SPACE) {
			space = 1;
			continue;
		}
		if (space && w > 0) {
			if (c != NULL)
				c[w] = FOLD_SPACE;
			o[w++] = ' ';
		}
		space = 0;
		if (c != NULL)
			memset(c + w, f->cls, sizeof f->b);
		memcpy(o + w, f->b, sizeof f->b);
		w += f->len;
	}
	out->len += w;
	out->data[out->len] = '\0';
	if (c != NULL) {
		cls->len += w;
		cls->data[cls->len] = '\0';
	}
	return 0;
}
