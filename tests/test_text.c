/* test_text.c — HTML to text, references, cleaning, UTF-8 cuts, and the encoding policy. */
#include "parsers/encoding.h"
#include "parsers/text.h"
#include "tests/test.h"

#include <stdlib.h>

/* A string literal and its length, NUL bytes included. */
#define LIT(s) s, sizeof(s) - 1

static const struct {
	const char *html;
	enum text_mode mode;
	const char *want;
} html_cases[] = {
	{"Hello <b>world</b>", TEXT_LINE, "Hello world"},
	{"  lots \n of\t\tspace  ", TEXT_LINE, "lots of space"},
	{"AT&amp;T &lt;3 &quot;q&quot; &apos;a&apos;", TEXT_LINE, "AT&T <3 \"q\" 'a'"},
	{"caf&eacute; &#233; &#xE9; &#XE9;", TEXT_LINE, "café é é é"},
	{"curly &#146;quote&#147; (windows-1252 refs)", TEXT_LINE, "curly ’quote“ (windows-1252 refs)"},
	{"ctl &#1;&#27;x &#0; &#xD800; &#x110000;", TEXT_LINE, "ctl x \xEF\xBF\xBD \xEF\xBF\xBD \xEF\xBF\xBD"},
	{"Q&A and x < y and a<b", TEXT_LINE, "Q&A and x < y and a"},
	{"unknown &bogus; stays, no semicolon &amp stays", TEXT_LINE, "unknown &bogus; stays, no semicolon &amp stays"},
	{"a<script>alert('<b>')</script>b<style>p{}</style>c", TEXT_LINE, "abc"},
	{"a<!-- <b>hidden</b> -->b", TEXT_LINE, "ab"},
	{"<p>One</p><p>Two<br>Three</p>", TEXT_BLOCK, "One\nTwo\nThree"},
	{"<div>\n  <p>One  two</p>\n\n\n<p>three</p></div>", TEXT_BLOCK, "One two\nthree"},
	{"<p>One</p><p>Two</p>", TEXT_LINE, "One Two"},
	{"<a href=\"x>y\" title='z'>link</a> text", TEXT_LINE, "link text"},
	{"<td>a</td><td>b</td>", TEXT_LINE, "a b"},
	{"no&nbsp;break&nbsp;&nbsp;space", TEXT_LINE, "no break space"},
	{"\xC2\x85" "C1\xC2\x9B" "control", TEXT_LINE, "C1control"},
	{"unterminated <b class=\"x", TEXT_LINE, "unterminated"},
	{"<P>Upper</P><BR/>case", TEXT_BLOCK, "Upper\ncase"},
	{"", TEXT_LINE, ""},
	{"<br><br>", TEXT_BLOCK, ""},
	{"UPDATE &ndash; 10:00 7/7/20", TEXT_LINE, "UPDATE – 10:00 7/7/20"},
};

static void test_html_to_text(void)
{
	for (size_t i = 0; i < sizeof html_cases / sizeof *html_cases; i++) {
		struct buf b = {0};
		CHECK(text_from_html(&b, html_cases[i].html, strlen(html_cases[i].html),
		                     html_cases[i].mode) == 0);
		CHECK_STR(buf_str(&b), html_cases[i].want);
		CHECK(b.len <= strlen(html_cases[i].html));
		buf_free(&b);
	}
}

static void test_clean_and_decode(void)
{
	struct buf b = {0};

	text_clean(&b, LIT(" a\tb\x01\x1b[31m c\n\nd "), TEXT_LINE);
	CHECK_STR(buf_str(&b), "a b[31m c d");
	buf_reset(&b);
	text_clean(&b, LIT("line1\n\n  line2\x07"), TEXT_BLOCK);
	CHECK_STR(buf_str(&b), "line1\nline2");
	buf_reset(&b);
	text_clean(&b, LIT("<p>keep  <b>html</b>\n\tas is\x01\x7f</p>"), TEXT_KEEP);
	CHECK_STR(buf_str(&b), "<p>keep  <b>html</b>\n\tas is</p>");
	buf_reset(&b);
	text_decode_entities(&b, LIT("&lt;p&gt;Tom &amp;amp; Jerry&lt;/p&gt; &unknown; &#233;"));
	CHECK_STR(buf_str(&b), "<p>Tom &amp; Jerry</p> &unknown; é");
	buf_reset(&b);
	/* raw controls between the references go as in TEXT_KEEP (found by fuzz_feed: a NEL in a
	 * double-escaped description reached the store) */
	text_decode_entities(&b, LIT("&lt;b&gt;a\xc2\x85" "b\x01\x1b[0m\tc\x7f&#13;&#1;&lt;/b&gt;"));
	CHECK_STR(buf_str(&b), "<b>ab[0m\tc</b>");
	buf_free(&b);

	CHECK(text_is_double_escaped(LIT("&lt;p&gt;Hello&lt;/p&gt;")) == 1);
	CHECK(text_is_double_escaped(LIT("<p>Hello</p> &lt;p&gt;")) == 0);
	CHECK(text_is_double_escaped(LIT("x &lt; 3 &lt;= y")) == 0);
}

/* text_keep_span finds the first byte TEXT_KEEP drops, in the eight-byte words it skips whole
 * and in the bytes it looks at one by one. */
static const struct {
	const char *s;
	size_t len, want;
} span_cases[] = {
	{LIT(""), 0},
	{LIT("short"), 5},
	{LIT("<p>a longer body, several words long, \xC3\xA9t\xC3\xA9</p>"), 47},
	{LIT("tab\tand\nnewline stay, CR does not: \r"), 35},
	{LIT("0123456789abcdef\x7f"), 16},
	{LIT("01234567\x01"), 8},
	{LIT("0123456\x1b[0m"), 7},
	{LIT("no-break\xC2\xA0space \xC2\xA9 kept, NEL \xC2\x85 not"), 29},
	{LIT("0123456\xC2\x9B"), 7},     /* C1 across the end of a word */
	{LIT("ends in a lone lead \xC2"), 21},
	{LIT("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\x00"), 18},
};

static void test_keep_span(void)
{
	for (size_t i = 0; i < sizeof span_cases / sizeof *span_cases; i++) {
		struct buf b = {0};
		size_t span = text_keep_span(span_cases[i].s, span_cases[i].len);
		if (!CHECK_INT(span, span_cases[i].want))
			fprintf(stderr, "    case %zu\n", i);
		/* the span is what text_clean copies before it first drops something */
		CHECK(text_clean(&b, span_cases[i].s, span_cases[i].len, TEXT_KEEP) == 0);
		CHECK(b.len >= span && memcmp(buf_str(&b), span_cases[i].s, span) == 0);
		CHECK((b.len == span_cases[i].len) == (span == span_cases[i].len));
		buf_free(&b);
	}
}

static void test_utf8_prefix(void)
{
	const char *s = "ab\xC3\xA9" "c\xE2\x80\x99"; /* a b é c ’ */

	CHECK_INT(text_utf8_prefix(s, 2), 2);
	CHECK_INT(text_utf8_prefix(s, 3), 2); /* inside é */
	CHECK_INT(text_utf8_prefix(s, 4), 4);
	CHECK_INT(text_utf8_prefix(s, 6), 5); /* inside ’ */
	CHECK_INT(text_utf8_prefix(s, 7), 5);
	CHECK_INT(text_utf8_prefix(s, 8), 8);
	CHECK_INT(text_utf8_prefix("\xE2\x80", 2), 0);
	CHECK_INT(text_utf8_prefix("", 0), 0);
}

static const struct {
	const char *name;
	const char *data;
	size_t len;                /* data may hold NUL bytes */
	const char *charset;
	const char *want;          /* the UTF-8 result */
	const char *want_encoding;
	int repairs;               /* > 0: at least one repair or control removed expected */
	int copied;                /* the input needed a copy */
} enc_cases[] = {
	{"plain UTF-8, no copy", LIT("<a>caf\xC3\xA9</a>"), NULL, "<a>caf\xC3\xA9</a>", "UTF-8", 0, 0},
	{"UTF-8 BOM dropped", LIT("\xEF\xBB\xBF<a/>"), NULL, "<a/>", "UTF-8", 0, 0},
	{"ISO-8859-1 declared, cp1252 quotes",
	 LIT("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\x93q\x94 caf\xE9</a>"), NULL,
	 "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\xE2\x80\x9Cq\xE2\x80\x9D caf\xC3\xA9</a>",
	 "windows-1252", 0, 1},
	{"undeclared Latin-1 (invalid UTF-8 read as 1252)", LIT("<a>caf\xE9 na\xEFve</a>"), NULL,
	 "<a>caf\xC3\xA9 na\xC3\xAFve</a>", "UTF-8", 1, 1},
	{"UTF-8 with a stray 1252 byte", LIT("<a>\xE2\x80\x9Cok\xE2\x80\x9D \x96 dash</a>"), NULL,
	 "<a>\xE2\x80\x9Cok\xE2\x80\x9D \xE2\x80\x93 dash</a>", "UTF-8", 1, 1},
	{"HTTP charset used without a declaration", LIT("<a>caf\xE9</a>"), "iso-8859-1",
	 "<a>caf\xC3\xA9</a>", "windows-1252", 0, 1},
	{"declaration beats HTTP charset",
	 LIT("<?xml version=\"1.0\" encoding=\"utf-8\"?><a>caf\xC3\xA9</a>"), "ISO-8859-1",
	 "<?xml version=\"1.0\" encoding=\"utf-8\"?><a>caf\xC3\xA9</a>", "UTF-8", 0, 0},
	{"single-byte label on valid UTF-8", LIT("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>caf\xC3\xA9</a>"),
	 NULL, "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>caf\xC3\xA9</a>", "UTF-8", 0, 0},
	{"windows-1251 through iconv", LIT("<?xml version=\"1.0\" encoding=\"windows-1251\"?><a>\xCF\xF0\xE8\xE2\xE5\xF2</a>"),
	 NULL, "<?xml version=\"1.0\" encoding=\"windows-1251\"?><a>Привет</a>", "windows-1251", 0, 1},
	{"Shift_JIS through iconv", LIT("<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><a>\x93\xfa\x96\x7b</a>"),
	 NULL, "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><a>日本</a>", "Shift_JIS", 0, 1},
	{"UTF-16LE with BOM", LIT("\xFF\xFE<\0a\0>\0\xE9\0<\0/\0a\0>\0"), NULL, "<a>\xC3\xA9</a>", "UTF-16LE", 0, 1},
	{"UTF-16BE without BOM", LIT("\0<\0?\0x\0m\0l\0?\0>"), NULL, "<?xml?>", "UTF-16BE", 0, 1},
	{"UTF-16 label on 8-bit bytes", LIT("<?xml version=\"1.0\" encoding=\"UTF-16\"?><a/>"), NULL,
	 "<?xml version=\"1.0\" encoding=\"UTF-16\"?><a/>", "UTF-8", 0, 0},
	{"unknown encoding read as UTF-8", LIT("<?xml version=\"1.0\" encoding=\"x-bogus-9\"?><a>\xC3\xA9</a>"), NULL,
	 "<?xml version=\"1.0\" encoding=\"x-bogus-9\"?><a>\xC3\xA9</a>", "UTF-8", 0, 0},
	{"unknown encoding on invalid bytes", LIT("<?xml version=\"1.0\" encoding=\"x-bogus-9\"?><a>\xE9</a>"), NULL,
	 "<?xml version=\"1.0\" encoding=\"x-bogus-9\"?><a>\xC3\xA9</a>", "UTF-8", 1, 1},
	{"forbidden controls removed", LIT("<a>x\x01y\x1B[0m\x00z</a>"), NULL, "<a>xy[0mz</a>", "UTF-8", 1, 1},
	{"overlong and surrogate sequences are not UTF-8", LIT("<a>\xC0\xAF\xED\xA0\x80</a>"), NULL,
	 "<a>\xC3\x80\xC2\xAF\xC3\xAD\xC2\xA0\xE2\x82\xAC</a>", "UTF-8", 1, 1},
	{"truncated multi-byte sequence at the end", LIT("<a>\xE2\x80"), NULL, "<a>\xC3\xA2\xE2\x82\xAC", "UTF-8", 1, 1},
	/* the scans take eight bytes at a time: tab, LF and CR inside such a word are text, any
	 * other control there is found */
	{"tab, CR and LF in long ASCII runs, no copy", LIT("<a>\tone\r\ntwo three\tfour\nfive six</a>"), NULL,
	 "<a>\tone\r\ntwo three\tfour\nfive six</a>", "UTF-8", 0, 0},
	{"a control inside a word of ASCII", LIT("<a>0123456\x0b" "89abcdef\x1f</a>"), NULL,
	 "<a>012345689abcdef</a>", "UTF-8", 1, 1},
	{"windows-1252 with long ASCII runs and controls",
	 LIT("<?xml version=\"1.0\" encoding=\"windows-1252\"?><a>caf\xE9 au lait,\tcr\xE8me\r\n\x80 5 \x01ok</a>"),
	 NULL, "<?xml version=\"1.0\" encoding=\"windows-1252\"?><a>caf\xC3\xA9 au lait,\tcr\xC3\xA8me\r\n\xE2\x82\xAC 5 ok</a>",
	 "windows-1252", 1, 1},
};

/* Bytes replaced and controls removed are counted apart, whichever decoder saw them. */
static void test_encoding_counts(void)
{
	static const struct {
		const char *data, *charset;
		size_t repairs, controls;
	} cases[] = {
		{"<a>caf\xE9 \x07\x1B[0m\x96</a>", NULL, 2, 2},        /* UTF-8 repaired */
		{"<a>caf\xE9 \x07\x1B[0m\x81</a>", "windows-1252", 1, 2}, /* 0x81 is unassigned */
		{"<a>\xCF\xF0\x07\x01</a>", "windows-1251", 0, 2},      /* through iconv */
		{"<a>ok\x0B</a>", NULL, 0, 1},
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct enc_result r;
		CHECK(enc_to_utf8(cases[i].data, strlen(cases[i].data), cases[i].charset, &r) == 0);
		if (!CHECK(r.repairs == cases[i].repairs && r.controls == cases[i].controls))
			fprintf(stderr, "    case %zu: repairs %zu, controls %zu\n", i, r.repairs,
			        r.controls);
		enc_result_free(&r);
	}
}

static void test_encoding(void)
{
	for (size_t i = 0; i < sizeof enc_cases / sizeof *enc_cases; i++) {
		struct enc_result r;
		CHECK(enc_to_utf8(enc_cases[i].data, enc_cases[i].len, enc_cases[i].charset, &r) == 0);
		if (!CHECK(r.len == strlen(enc_cases[i].want) && memcmp(r.data, enc_cases[i].want, r.len) == 0))
			fprintf(stderr, "    case: %s\n    got: %.*s\n", enc_cases[i].name, (int)r.len, r.data);
		if (!CHECK_STR(r.encoding, enc_cases[i].want_encoding))
			fprintf(stderr, "    case: %s\n", enc_cases[i].name);
		if (!CHECK((r.repairs + r.controls > 0) == (enc_cases[i].repairs > 0)))
			fprintf(stderr, "    case: %s (repairs %zu, controls %zu)\n", enc_cases[i].name,
			        r.repairs, r.controls);
		if (!CHECK((r.owned != NULL) == (enc_cases[i].copied != 0)))
			fprintf(stderr, "    case: %s\n", enc_cases[i].name);
		CHECK_INT(enc_utf8_valid_prefix(r.data, r.len), r.len);
		enc_result_free(&r);
	}
}

int main(void)
{
	test_html_to_text();
	test_clean_and_decode();
	test_keep_span();
	test_utf8_prefix();
	test_encoding();
	test_encoding_counts();
	return TEST_END();
}
