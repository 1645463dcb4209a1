/*
 * test_fold.c — the shared folding: a table of texts and their folds (with the class of every
 * folded byte), UTF-8 decoding, and properties checked over every code point.
 */
#include <stdio.h>
#include <string.h>

#include "parsers/buf.h"
#include "parsers/fold.h"
#include "parsers/text.h"
#include "tests/test.h"

/* One letter per folded byte: W word, C a CJK word by itself, N punctuation/symbol, _ space. */
static const char class_letter[] = {[FOLD_NONE] = 'N', [FOLD_WORD] = 'W', [FOLD_SELF] = 'C',
                                    [FOLD_SPACE] = '_', [FOLD_SKIP] = '?'};

struct fold_case {
	const char *in;
	int keep_case;
	const char *want, *classes;
};

static const struct fold_case cases[] = {
	/* ASCII */
	{"Hello, World!", 0, "hello, world!", "WWWWWN_WWWWWN"},
	{"C++ & .NET 4.8", 0, "c++ & .net 4.8", "WNN_N_NWWW_WNW"},
	{"", 0, "", ""},
	{"  -- \t\n ", 0, "", ""},
	{"  x  ", 0, "x", "W"},
	/* Latin-1 Supplement and Latin Extended-A/B: base letters, digraphs */
	{"T\xC3\xBCrkiye T\xC3\x9CRK\xC4\xB0YE", 0, "turkiye turkiye", "WWWWWWW_WWWWWWW"},
	{"Stra\xC3\x9F" "e", 0, "strasse", "WWWWWWW"},
	{"\xC3\x86sir \xC3\x9E\xC3\xB3rr \xC3\x98re", 0, "aesir thorr ore", "WWWWW_WWWWW_WWW"},
	{"\xC5\x81\xC3\xB3" "d\xC5\xBA \xC4\xB2ssel \xC7\x85", 0, "lodz ijssel dz", "WWWW_WWWWWW_WW"},
	{"2\xC3\x97" "3", 0, "2\xC3\x97" "3", "WNNW"}, /* × is a symbol */
	/* Greek and Cyrillic: lower case, accents and final sigma folded */
	{"\xCE\x95\xCE\x9B\xCE\x9B\xCE\x86\xCE\x94\xCE\x91", 0, /* ΕΛΛΆΔΑ */
	 "\xCE\xB5\xCE\xBB\xCE\xBB\xCE\xB1\xCE\xB4\xCE\xB1", "WWWWWWWWWWWW"},
	{"\xCF\x82", 0, "\xCF\x83", "WW"}, /* ς -> σ */
	{"\xD0\xA0\xD0\x9E\xD0\xA1\xD0\xA1\xD0\x98\xD0\xAF", 0, /* РОССИЯ */
	 "\xD1\x80\xD0\xBE\xD1\x81\xD1\x81\xD0\xB8\xD1\x8F", "WWWWWWWWWWWW"},
	{"\xD0\x81\xD0\xBB\xD0\xBA\xD0\xB0", 0, "\xD0\xB5\xD0\xBB\xD0\xBA\xD0\xB0", "WWWWWWWW"},
	/* fullwidth ASCII, as typed in CJK text */
	{"\xEF\xBC\xB7\xEF\xBD\x88\xEF\xBD\x81\xEF\xBD\x94\xEF\xBD\x93\xEF\xBC\xA1\xEF\xBD\x90"
	 "\xEF\xBD\x90\xEF\xBC\x81", 0, "whatsapp!", "WWWWWWWWN"},
	/* apostrophes: ’ ‘ ‛ ′ ʼ are ' */
	{"don\xE2\x80\x99t \xE2\x80\x98x \xE2\x80\x9By don\xE2\x80\xB2t don\xCA\xBCt", 0,
	 "don't 'x 'y don't don't", "WWWNW_NW_NW_WWWNW_WWWNW"},
	{"\xE2\x80\x9Cquoted\xE2\x80\x9D", 0, "\xE2\x80\x9Cquoted\xE2\x80\x9D", "NNNWWWWWWNNN"},
	/* hyphens, dashes, every kind of white space and control characters: one space */
	{"end\xE2\x80\x93to\xE2\x80\x94" "end-to\xE2\x80\x90" "end", 0, "end to end to end",
	 "WWW_WW_WWW_WW_WWW"},
	{"a\xC2\xA0" "b\xE2\x80\x89" "c\xE3\x80\x80" "d\xC2\x85" "e\x1B" "f\x7F" "g", 0,
	 "a b c d e f g", "W_W_W_W_W_W_W"},
	/* invisible characters fold to nothing and never split a word */
	{"Tu\xCC\x88rkiye", 0, "turkiye", "WWWWWWW"}, /* NFD */
	{"in\xC2\xAD" "for\xE2\x80\x8Dma\xE2\x80\x8Etion\xEF\xBB\xBF", 0, "information",
	 "WWWWWWWWWWW"},
	/* invalid UTF-8 is a space */
	{"a\xFF" "b\xC0\x80" "c\xED\xA0\x80" "d\xE4\xB8", 0, "a b c d", "W_W_W_W"},
	/* CJK characters are words by themselves; other scripts are word letters */
	{"\xE5\xBE\xAE\xE4\xBF\xA1 \xE3\x82\xAB\xE3\x83\x8A", 0, /* 微信 カナ */
	 "\xE5\xBE\xAE\xE4\xBF\xA1 \xE3\x82\xAB\xE3\x83\x8A", "CCCCCC_CCCCCC"},
	{"\xD9\xBE\xD8\xA7\xDA\xA9", 0, "\xD9\xBE\xD8\xA7\xDA\xA9", "WWWWWW"}, /* پاک */
	{"\xF0\x9F\x98\x80!", 0, "\xF0\x9F\x98\x80!", "NNNNN"},            /* emoji */
	/* keep_case: only spaces, hyphens, apostrophes and invisible characters change */
	{"T\xC3\xBCrkiye Don\xE2\x80\x99t A\xE2\x80\x93" "B", 1, "T\xC3\xBCrkiye Don't A B",
	 "WWWWWWWW_WWWNW_W_W"},
	{"\xEF\xBC\xB5\xEF\xBC\xB3", 1, "US", "WW"}, /* fullwidth ＵＳ */
	{"Tu\xCC\x88rkiye", 1, "Turkiye", "WWWWWWW"},
};

static void test_cases(const struct fold_table *t)
{
	struct buf out = {0}, cls = {0}, letters = {0};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct fold_case *c = &cases[i];
		buf_reset(&out);
		buf_reset(&cls);
		buf_reset(&letters);
		CHECK_INT(fold_string(t, c->in, strlen(c->in), c->keep_case, &out, &cls), 0);
		for (size_t k = 0; k < cls.len; k++)
			buf_putc(&letters, class_letter[(unsigned char)cls.data[k]]);
		if (!CHECK_STR(buf_str(&out), c->want) | !CHECK_STR(buf_str(&letters), c->classes))
			fprintf(stderr, "    case %zu\n", i);
		CHECK_INT(cls.len, out.len);
	}
	buf_free(&out);
	buf_free(&cls);
	buf_free(&letters);
}

/* fold_string appends (without a separator), and the class buffer is optional. */
static void test_append(const struct fold_table *t)
{
	struct buf out = {0}, cls = {0};

	CHECK_INT(fold_string(t, "Hong ", 5, 0, &out, &cls), 0);
	CHECK_INT(fold_string(t, " KONG", 5, 0, &out, NULL), 0);
	CHECK_INT(fold_string(t, "--", 2, 0, &out, &cls), 0);
	CHECK_STR(buf_str(&out), "hongkong");
	CHECK_INT(cls.len, 4);
	/* a buffer at its cap refuses the fold and stays as it was */
	out.max = out.len + 3;
	CHECK_INT(fold_string(t, "abcd", 4, 0, &out, NULL), -1);
	CHECK_STR(buf_str(&out), "hongkong");
	buf_free(&out);
	buf_free(&cls);
}

struct decode_case {
	const char *in;
	size_t len;
	uint32_t cp;
};

static const struct decode_case decode_cases[] = {
	{"a", 1, 'a'},
	{"\xC3\xA9", 2, 0xE9},
	{"\xE2\x80\x99", 3, 0x2019},
	{"\xF0\x9F\x98\x80", 4, 0x1F600},
	{"\xF4\x8F\xBF\xBF", 4, 0x10FFFF},
	{"\xC0\x80", 1, FOLD_BAD},         /* overlong */
	{"\xE0\x80\xAF", 1, FOLD_BAD},     /* overlong */
	{"\xED\xA0\x80", 1, FOLD_BAD},     /* surrogate */
	{"\xF4\x90\x80\x80", 1, FOLD_BAD}, /* beyond U+10FFFF */
	{"\xE2\x80", 1, FOLD_BAD},         /* truncated */
	{"\xE2" "ab", 1, FOLD_BAD},        /* not a continuation byte */
	{"\x80", 1, FOLD_BAD},
	{"\xFF", 1, FOLD_BAD},
};

static void test_decode(void)
{
	for (size_t i = 0; i < sizeof decode_cases / sizeof decode_cases[0]; i++) {
		const struct decode_case *c = &decode_cases[i];
		uint32_t cp = 0;
		if (!CHECK_INT(fold_decode((const unsigned char *)c->in, strlen(c->in), &cp), c->len) |
		    !CHECK_INT(cp, c->cp))
			fprintf(stderr, "    decode case %zu\n", i);
	}
}

/* Over every code point, in both modes: the fold takes the whole code point, is never longer
 * than it (fold_string relies on that), and is a fixed point: folding the fold again gives the
 * same bytes, all of the same class. The alert rules rely on that, since they fold patterns
 * and entries alike and read word boundaries off the folded text. */
static void test_every_code_point(const struct fold_table *t)
{
	struct buf utf8 = {0}, again = {0}, cls = {0};
	size_t bad_len = 0, longer = 0, unstable = 0;

	for (int keep = 0; keep <= 1; keep++) {
		for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
			const unsigned char *b;
			struct fold_char f;
			size_t n;
			if (cp >= 0xD800 && cp <= 0xDFFF)
				continue;
			buf_reset(&utf8);
			if (text_put_utf8(&utf8, cp) != 0)
				break;
			b = (const unsigned char *)utf8.data;
			n = utf8.len;
			bad_len += fold_next(t, b, n, keep, &f) != n;
			longer += f.len > n;
			if (f.cls == FOLD_SKIP || f.cls == FOLD_SPACE)
				continue;
			buf_reset(&again);
			buf_reset(&cls);
			if (fold_string(t, (const char *)f.b, f.len, keep, &again, &cls) != 0 ||
			    again.len != f.len || memcmp(again.data, f.b, f.len) != 0 ||
			    memchr(cls.data, f.cls, cls.len) != cls.data ||
			    (cls.len > 1 && memcmp(cls.data, cls.data + 1, cls.len - 1) != 0)) {
				if (unstable++ == 0)
					fprintf(stderr, "    U+%04X folds unstably\n", (unsigned)cp);
			}
		}
	}
	CHECK_INT(bad_len, 0);
	CHECK_INT(longer, 0);
	CHECK_INT(unstable, 0);
	buf_free(&utf8);
	buf_free(&again);
	buf_free(&cls);
}

int main(void)
{
	struct fold_table t;

	fold_table_init(&t);
	test_cases(&t);
	test_append(&t);
	test_decode();
	test_every_code_point(&t);
	return TEST_END();
}
