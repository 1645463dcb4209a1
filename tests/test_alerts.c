/*
 * test_alerts.c — alert rules: what matches, every syntax error, the example rules file, and
 * the alert line and JSON with hostile feed text (run from the repository root).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crawler/alerts.h"
#include "crawler/readfile.h"
#include "parsers/buf.h"
#include "parsers/date.h"
#include "parsers/tagger.h"
#include "tests/test.h"

#define MAX_TAGS 8

/* Splits "a|b|c" into tags (pointers into copy, which must hold the text). Returns the count. */
static size_t split_tags(const char *s, char *copy, size_t size, const char **tags)
{
	size_t n = 0;

	if (s == NULL || *s == '\0')
		return 0;
	snprintf(copy, size, "%s", s);
	for (char *p = copy; p != NULL && n < MAX_TAGS;) {
		char *bar = strchr(p, '|');
		tags[n++] = p;
		if (bar != NULL)
			*bar++ = '\0';
		p = bar;
	}
	return n;
}

static void add_hit(const char *rule, void *arg)
{
	struct buf *b = arg;
	buf_printf(b, "%s%s", b->len > 0 ? " " : "", rule);
}

/* Evaluates r on one entry; the names of the rules hit, space-separated, into out. */
static int eval(struct alert_rules *r, const char *title, const char *text, const char *tags,
                struct buf *out)
{
	char copy[256];
	const char *v[MAX_TAGS];
	struct alert_entry e = {.title = title, .text = text, .tags = v};

	e.ntags = split_tags(tags, copy, sizeof copy, v);
	buf_reset(out);
	buf_puts(out, "");
	return alerts_eval(r, &e, add_hit, out);
}

struct match_case {
	const char *expr, *title, *text, *tags;
	int want;
};

static const struct match_case match_cases[] = {
	/* a word, in the title or in the text */
	{"whatsapp", "WhatsApp refuses", "", "", 1},
	{"whatsapp", NULL, "it said WHATSAPP", "", 1},
	{"whatsapp", "Telegram refuses", "Signal too", "", 0},
	/* AND, also implied; its terms may be in different fields */
	{"whatsapp telegram", "WhatsApp", "and Telegram", "", 1},
	{"whatsapp telegram", "WhatsApp only", "", "", 0},
	{"whatsapp AND telegram", "Telegram, WhatsApp", "", "", 1},
	/* OR, NOT */
	{"whatsapp OR telegram", "", "Telegram", "", 1},
	{"whatsapp OR telegram", "", "Signal", "", 0},
	{"NOT whatsapp", "Telegram", "", "", 1},
	{"NOT whatsapp", "Telegram", "and WhatsApp", "", 0},
	/* precedence: NOT, then AND, then OR */
	{"a OR b AND c", "a", "", "", 1},
	{"a OR b AND c", "b", "", "", 0},
	{"a OR b AND c", "c b", "", "", 1},
	{"b c OR a", "b", "", "", 0},
	{"NOT a AND b", "b", "", "", 1},
	{"NOT a AND b", "a b", "", "", 0},
	{"NOT a OR b", "a", "", "", 0},
	{"NOT a OR b", "a b", "", "", 1},
	{"NOT a b OR c", "c a", "", "", 1},
	/* parentheses */
	{"(a OR b) c", "a", "", "", 0},
	{"(a OR b) c", "b c", "", "", 1},
	{"NOT (a OR b)", "c", "", "", 1},
	{"NOT (a OR b)", "c b", "", "", 0},
	{"((a)) (NOT NOT b)", "a b", "", "", 1},
	{"a OR (b (c OR d)) OR e", "b d", "", "", 1},
	{"a OR (b (c OR d)) OR e", "b e", "", "", 1},
	{"a OR (b (c OR d)) OR e", "b", "x", "", 0},
	/* phrases: adjacent words; white space, hyphens and dashes alike; whole words */
	{"\"data request\"", "Data-request received", "", "", 1},
	{"\"data request\"", "", "a data\n  request", "", 1},
	{"\"data request\"", "", "data \xE2\x80\x94 request", "", 1},
	{"\"data request\"", "", "data requests", "", 0},
	{"\"data request\"", "", "request data", "", 0},
	{"data-request", "", "a data request", "", 1},
	{"\"hong kong\"", "Hong", "Kong", "", 0}, /* never across title and text */
	{"\"hong kong\"", "", "Hong Kong-based", "", 1},
	/* words: whole words, any case, accents folded as the tagger folds them */
	{"meta", "Metadata and metaverse", "", "", 0},
	{"meta", "Meta's new policy", "", "", 1},
	{"request", "", "requests", "", 0},
	{"line", "online deadline", "", "", 0},
	{"us", "", "U.S. officials", "", 0},
	{"ai", "", "she said", "", 0},
	{"ai", "", "AI-powered", "", 1},
	{"230", "", "Section 230", "", 1},
	{"230", "", "2300", "", 0},
	{"turkiye", "T\xC3\xBCrkiye", "", "", 1},
	{"T\xC3\xBCrkiye", "", "TURKIYE", "", 1},
	{"t\xC3\xBCrkiye", "", "Tu\xCC\x88rkiye", "", 1}, /* NFD */
	{"strasse", "Stra\xC3\x9F" "e", "", "", 1},
	{"\xD1\x80\xD0\xBE\xD1\x81\xD1\x81\xD0\xB8\xD1\x8F", "\xD0\xA0\xD0\x9E\xD0\xA1\xD0\xA1\xD0\x98\xD0\xAF",
	 "", "", 1}, /* россия / РОССИЯ */
	{"whatsapp's", "", "WhatsApp\xE2\x80\x99s data", "", 1}, /* curly and straight apostrophes */
	{"\"don't\"", "", "they don\xE2\x80\x99t", "", 1},
	{"whatsapp", "", "\xEF\xBC\xB7\xEF\xBD\x88\xEF\xBD\x81\xEF\xBD\x94\xEF\xBD\x93\xEF\xBC\xA1"
	                 "\xEF\xBD\x90\xEF\xBD\x90", "", 1}, /* fullwidth */
	{"c++", "", "C++ code", "", 1},
	{"c++", "", "c+ code", "", 0},
	{"U.S.", "", "the U.S. government", "", 1},
	{"x", "", "X-ray", "", 1}, /* a hyphen is a space, so X stands alone */
	/* terms that start with no letter: CJK, symbols */
	{"\"\xE5\xBE\xAE\xE4\xBF\xA1\"", "", "\xE7\x94\xA8\xE5\xBE\xAE\xE4\xBF\xA1\xE5\x8F\x91", "", 1},
	{"\"#MeToo\"", "", "the #metoo movement", "", 1},
	{"\"#MeToo\"", "", "the #metoos", "", 0},
	{"\"#MeToo\"", "", "#metoos and #MeToo.", "", 1},
	/* prefixes */
	{"encrypt*", "", "encrypted", "", 1},
	{"encrypt*", "", "Encryption", "", 1},
	{"encrypt*", "", "encrypt", "", 1},
	{"encrypt*", "", "decrypt", "", 0},
	{"encrypt*", "", "encryp", "", 0},
	{"encrypt* meta", "", "metadata encryption", "", 0},
	{"stras*", "", "Stra\xC3\x9F" "e", "", 1},
	{"end-to-end*", "", "end-to-endless", "", 1},
	{"end-to-end*", "", "end to", "", 0},
	{"data* OR data", "", "database", "", 1},
	/* meta* makes "data" of "databank" a prefix looked up, which finds "data" and
	 * "data request"; neither matches there */
	{"data OR \"data request\" OR meta*", "", "databank", "", 0},
	{"data OR \"data request\" OR meta*", "", "databank data", "", 1},
	/* tag terms: kind and value compare regardless of case (and accents) */
	{"platform:WhatsApp", "", "", "country:HK|platform:WhatsApp", 1},
	{"platform:WhatsApp", "", "", "platform:Telegram", 0},
	{"platform:WhatsApp", "WhatsApp", "", "", 0}, /* tags are not text */
	{"PLATFORM:whatsapp", "", "", "platform:WhatsApp", 1},
	{"country:hk", "", "", "country:HK", 1},
	{"topic:HK", "", "", "country:HK", 0},
	{"platform:\"App Store\"", "", "", "platform:App Store", 1},
	{"platform:\"App Store\"", "", "", "platform:App", 0},
	{"platform:App Store", "store", "", "platform:App Store", 0}, /* platform:App AND store */
	{"platform:Telefonica", "", "", "platform:Telef\xC3\xB3nica", 1},
	{"topic:data-request", "", "", "notatag|topic:data-request", 1},
	{"country:HK topic:data-request NOT platform:Zoom", "", "", "country:HK|topic:data-request", 1},
	{"country:HK topic:data-request NOT platform:Zoom", "", "",
	 "country:HK|platform:Zoom|topic:data-request", 0},
	/* comments */
	{"a # b", "a", "", "", 1},
	{"a#b", "a", "", "", 0},
	{"\"#\" a", "# a", "", "", 1},
};

static void test_matching(void)
{
	struct buf rules = {0}, hits = {0};

	for (size_t i = 0; i < sizeof match_cases / sizeof match_cases[0]; i++) {
		const struct match_case *c = &match_cases[i];
		char *err = NULL;
		struct alert_rules *r;
		buf_reset(&rules);
		buf_printf(&rules, "r = %s\n", c->expr);
		r = alerts_compile(rules.data, rules.len, "t", &err);
		if (!CHECK(r != NULL)) {
			fprintf(stderr, "    case %zu: %s: %s\n", i, c->expr, err ? err : "out of memory");
			free(err);
			continue;
		}
		CHECK_INT(eval(r, c->title, c->text, c->tags, &hits), 0);
		if (!CHECK_STR(buf_str(&hits), c->want ? "r" : ""))
			fprintf(stderr, "    case %zu: %s on \"%s\" / \"%s\" / %s\n", i, c->expr,
			        c->title ? c->title : "(null)", c->text, c->tags);
		alerts_free(r);
	}
	buf_free(&rules);
	buf_free(&hits);
}

/* Several rules: hits in file order, terms shared between rules, the same object reused. */
static void test_several_rules(void)
{
	static const char text[] =
		"# several rules\n"
		"\n"
		"  zeta = whatsapp\n"
		"alpha=whatsapp telegram\r\n"
		"Mid.rule_2 = NOT whatsapp\n"
		"hk = country:HK   # a comment\n"
		"last = \"hong kong\" OR hk";
	char *err = NULL;
	struct alert_rules *r = alerts_compile(text, sizeof text - 1, "several", &err);
	struct buf hits = {0};

	if (!CHECK(r != NULL)) {
		fprintf(stderr, "    %s\n", err ? err : "out of memory");
		free(err);
		return;
	}
	CHECK_INT(alerts_count(r), 5);
	CHECK_INT(eval(r, "WhatsApp and Telegram", "in Hong Kong", "country:HK", &hits), 0);
	CHECK_STR(buf_str(&hits), "zeta alpha hk last");
	CHECK_INT(eval(r, "", "", "", &hits), 0);
	CHECK_STR(buf_str(&hits), "Mid.rule_2");
	CHECK_INT(eval(r, NULL, NULL, NULL, &hits), 0);
	CHECK_STR(buf_str(&hits), "Mid.rule_2");
	CHECK_INT(eval(r, "whatsapp", "HK", "", &hits), 0);
	CHECK_STR(buf_str(&hits), "zeta last");
	alerts_free(r);
	buf_free(&hits);
}

struct error_case {
	const char *rules, *want;
};

static const struct error_case error_cases[] = {
	{"hk data requests\n", "a.txt:1: missing '=' (a rule is NAME = EXPRESSION)"},
	{"# c\n = whatsapp\n", "a.txt:2: missing rule name before '='"},
	{"hk data = whatsapp\n", "a.txt:1: rule name 'hk data' contains a space (names are letters, "
	                         "digits, '-', '_' and '.')"},
	{"hk/data = whatsapp\n", "a.txt:1: rule name 'hk/data' may only contain letters, digits, "
	                         "'-', '_' and '.'"},
	{"t\xC3\xBCrkiye = x\n", "a.txt:1: rule name 't\xC3\xBCrkiye' may only contain letters, "
	                         "digits, '-', '_' and '.'"},
	{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa = x\n",
	 "a.txt:1: rule name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is longer than 64 characters"},
	{"hk = a\nx = b\nHK = c\n", "a.txt:3: rule 'HK' is already defined on line 1"},
	{"hk =\n", "a.txt:1: empty expression after '='"},
	{"hk =   # nothing yet\n", "a.txt:1: empty expression after '='"},
	{"hk = (whatsapp OR telegram\n", "a.txt:1: unbalanced parenthesis: '(' is never closed"},
	{"hk = whatsapp (\n", "a.txt:1: unbalanced parenthesis: '(' is never closed"},
	{"hk = whatsapp OR telegram)\n", "a.txt:1: unbalanced parenthesis: ')' without '('"},
	{"hk = ) whatsapp\n", "a.txt:1: unbalanced parenthesis: ')' without '('"},
	{"hk = whatsapp ()\n", "a.txt:1: empty parentheses '()'"},
	{"hk = \"data request\n", "a.txt:1: unterminated quote in '\"data request' (a phrase ends "
	                          "with '\"')"},
	{"hk = platform:\"App Store\n", "a.txt:1: unterminated quote in '\"App Store' (a phrase "
	                                "ends with '\"')"},
	{"hk = whatsapp AND\n", "a.txt:1: 'AND' at the end of the expression needs a term after it"},
	{"hk = whatsapp OR\n", "a.txt:1: 'OR' at the end of the expression needs a term after it"},
	{"hk = whatsapp NOT\n", "a.txt:1: 'NOT' at the end of the expression needs a term after it"},
	{"hk = OR whatsapp\n", "a.txt:1: 'OR' needs a term before it"},
	{"hk = (AND whatsapp)\n", "a.txt:1: 'AND' needs a term before it"},
	{"hk = whatsapp AND OR telegram\n", "a.txt:1: expected a term between 'AND' and 'OR'"},
	{"hk = (whatsapp NOT)\n", "a.txt:1: expected a term between 'NOT' and ')'"},
	{"hk = whatsapp or telegram\n", "a.txt:1: 'or' is not an operator: write OR, or \"or\" to "
	                                "look for the word"},
	{"hk = Not whatsapp\n", "a.txt:1: 'Not' is not an operator: write NOT, or \"Not\" to look "
	                        "for the word"},
	{"hk = \xE2\x80\x9C" "data request\xE2\x80\x9D\n",
	 "a.txt:1: curly quote in '\xE2\x80\x9C" "data': phrases are quoted with straight quotes (\")"},
	{"hk = encrypt *\n", "a.txt:1: '*' must end a word, as in encrypt*"},
	{"hk = a \"--\"\n", "a.txt:1: '\"--\"' has no letters, digits or symbols"},
	{"hk = a \"\"\n", "a.txt:1: '\"\"' has no letters, digits or symbols"},
	{"hk = plattform:WhatsApp\n", "a.txt:1: unknown tag kind 'plattform' in "
	                              "'plattform:WhatsApp' (kinds are platform, country and topic; "
	                              "quote a phrase that contains ':')"},
	{"hk = 10:00\n", "a.txt:1: unknown tag kind '10' in '10:00' (kinds are platform, country and "
	                 "topic; quote a phrase that contains ':')"},
	{"hk = country:\n", "a.txt:1: no tag value in 'country:'"},
	{"hk = country:\"\"\n", "a.txt:1: no tag value in 'country:\"\"'"},
	{"hk = a\x01\n", "a.txt:1: control character U+0001"},
	{"hk = a\xFF\n", "a.txt:1: invalid UTF-8"},
	{"ok = a\nhk = b \"c\n", "a.txt:2: unterminated quote in '\"c' (a phrase ends with '\"')"},
	/* the name is checked before the expression after it */
	{"hk data = (\n", "a.txt:1: rule name 'hk data' contains a space (names are letters, "
	                  "digits, '-', '_' and '.')"},
	{"hk = a\nHk = (\n", "a.txt:2: rule 'Hk' is already defined on line 1"},
};

static void test_errors(void)
{
	char sentinel[] = "untouched", *err;
	struct buf big = {0};
	struct alert_rules *r;

	for (size_t i = 0; i < sizeof error_cases / sizeof error_cases[0]; i++) {
		const struct error_case *c = &error_cases[i];
		err = NULL;
		r = alerts_compile(c->rules, strlen(c->rules), "a.txt", &err);
		CHECK(r == NULL);
		if (!CHECK_STR(err, c->want))
			fprintf(stderr, "    error case %zu\n", i);
		free(err);
		alerts_free(r);
	}

	/* nesting: 32 levels are fine, 33 are not */
	for (int depth = 32; depth <= 33; depth++) {
		buf_reset(&big);
		buf_puts(&big, "deep = ");
		for (int i = 0; i < depth; i++)
			buf_puts(&big, i % 2 ? "NOT " : "(");
		buf_puts(&big, "a");
		for (int i = 0; i < depth; i += 2)
			buf_puts(&big, ")");
		err = NULL;
		r = alerts_compile(big.data, big.len, NULL, &err);
		if (depth == 32)
			CHECK(r != NULL && err == NULL);
		else
			CHECK_STR(err, "alerts:1: parentheses and NOTs nested deeper than 32");
		free(err);
		alerts_free(r);
	}

	/* a term longer than 200 bytes once folded */
	buf_reset(&big);
	buf_puts(&big, "long = ");
	for (int i = 0; i < 201; i++)
		buf_putc(&big, 'a');
	err = NULL;
	r = alerts_compile(big.data, big.len, "a.txt", &err);
	CHECK(r == NULL);
	CHECK(err != NULL && strstr(err, "a.txt:1: 'aaaa") == err &&
	      strstr(err, "' is longer than 200 bytes") != NULL);
	free(err);
	buf_free(&big);

	/* success leaves *err alone; the text need not be NUL-terminated; CRLF and a BOM are fine;
	 * an empty file or one of comments only has no rules */
	{
		static const char ok[] = "\xEF\xBB\xBF" "a = b\r\nc = d\r\nXYZ";
		static const char *const empty[] = {"", "\n\n", "# only\n  # comments\n", "\xEF\xBB\xBF"};
		struct buf hits = {0};
		err = sentinel;
		r = alerts_compile(ok, sizeof ok - 4, "a.txt", &err);
		CHECK(r != NULL && err == sentinel && alerts_count(r) == 2);
		alerts_free(r);
		for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
			r = alerts_compile(empty[i], strlen(empty[i]), "a.txt", &err);
			CHECK(r != NULL && err == sentinel && alerts_count(r) == 0);
			if (r != NULL)
				CHECK_INT(eval(r, "title", "text", "country:HK", &hits), 0);
			CHECK_STR(buf_str(&hits), "");
			alerts_free(r);
		}
		buf_free(&hits);
	}
}

struct example_case {
	const char *title, *text, *tags, *want;
};

static const struct example_case example_cases[] = {
	{"WhatsApp and Telegram refuse Hong Kong data requests",
	 "Both apps paused reviewing government requests for user data from Hong Kong.",
	 "country:HK|platform:Telegram|platform:WhatsApp|topic:data-request",
	 "hk-data-requests refused-requests"},
	{"Apple pulls VPN apps from China App Store", "The apps were removed at Beijing's request.",
	 "country:CN|platform:App Store|platform:Apple", "cn-app-removals"},
	{"Ofcom and the Online Safety Act", "Client-side scanning would break end-to-end encryption.",
	 "country:GB|topic:encryption|topic:platform-regulation", "uk-eu-backdoors"},
	{"T\xC3\xBCrkiye blocks access to Discord", "The court order cited child safety.",
	 "country:TR|platform:Discord", "tr-blocks"},
	{"Turkey recipes for Thanksgiving", "Block out an afternoon.", "country:TR", ""},
	{"Meta hiring: transparency report lead", "Join the team.",
	 "platform:Meta|topic:transparency-report", ""},
};

static void test_example_file(void)
{
	struct buf text = {0}, hits = {0};
	struct alert_rules *r;
	char *err = NULL, why[256];

	if (!CHECK(readfile("alerts.example.txt", 1 << 20, &text, why, sizeof why) == 0)) {
		fprintf(stderr, "    alerts.example.txt: %s (run from the repository root)\n", why);
		buf_free(&text);
		return;
	}
	r = alerts_compile(text.data, text.len, "alerts.example.txt", &err);
	if (!CHECK(r != NULL)) {
		fprintf(stderr, "    %s\n", err ? err : "out of memory");
		free(err);
		buf_free(&text);
		return;
	}
	CHECK_INT(alerts_count(r), 12);
	for (size_t i = 0; i < sizeof example_cases / sizeof example_cases[0]; i++) {
		const struct example_case *c = &example_cases[i];
		CHECK_INT(eval(r, c->title, c->text, c->tags, &hits), 0);
		if (!CHECK_STR(buf_str(&hits), c->want))
			fprintf(stderr, "    example case %zu\n", i);
	}
	alerts_free(r);
	buf_free(&text);
	buf_free(&hits);
}

static void add_unknown(const char *tag, size_t line, void *arg)
{
	buf_printf(arg, "%s%zu:%s", ((struct buf *)arg)->len > 0 ? " " : "", line, tag);
}

/* Tag terms the vocabulary never gives are reported once each, folded, at the first rule
 * that uses them; values it has, in any case, without accents or with a space for a hyphen,
 * are not. */
static void test_unknown_tags(void)
{
	static const char vocab[] = "[platform]\nWhatsApp: WhatsApp\nTelefónica: Telefonica\n"
	                            "[country]\nHK: Hong Kong\n[topic]\ndata-request: subpoena\n";
	static const char rules[] = "a = platform:whatsapp country:HK\n"
	                            "b = platform:whatsap OR topic:\"data request\"\n"
	                            "# a comment\n"
	                            "c = NOT (platform:TELEFONICA OR platform:whatsap) topic:data-request\n"
	                            "d = country:XX encrypt*\n"
	                            "e = WhatsApp\n";
	struct buf out = {0}, text = {0};
	char *err = NULL, why[256];
	struct tagger *t = tagger_new(vocab, sizeof vocab - 1, "mini", &err);
	struct alert_rules *r = alerts_compile(rules, sizeof rules - 1, "rules", &err);

	if (!CHECK(t != NULL && r != NULL))
		goto done;
	CHECK_INT(alerts_unknown_tags(r, t, add_unknown, &out), 0);
	CHECK_STR(buf_str(&out), "2:platform:whatsap 5:country:xx");
	/* the report leaves evaluation as it was */
	buf_reset(&out);
	CHECK_INT(eval(r, "x", "y", "platform:WhatsApp|country:HK", &out), 0);
	CHECK_STR(buf_str(&out), "a");
	alerts_free(r);
	tagger_free(t);
	r = NULL;
	t = NULL;

	/* every tag of the example rules is in the shipped vocabulary */
	buf_reset(&out);
	if (!CHECK(readfile("tags.txt", 1 << 24, &text, why, sizeof why) == 0 &&
	           (t = tagger_new(text.data, text.len, "tags.txt", &err)) != NULL))
		goto done;
	buf_reset(&text);
	if (!CHECK(readfile("alerts.example.txt", 1 << 20, &text, why, sizeof why) == 0 &&
	           (r = alerts_compile(text.data, text.len, "alerts.example.txt", &err)) != NULL))
		goto done;
	CHECK_INT(alerts_unknown_tags(r, t, add_unknown, &out), 0);
	CHECK_STR(buf_str(&out), "");
done:
	if (err != NULL)
		fprintf(stderr, "    %s\n", err);
	free(err);
	alerts_free(r);
	tagger_free(t);
	buf_free(&out);
	buf_free(&text);
}

#define T0 INT64_C(1594022400) /* 2020-07-06T08:00:00Z */

struct line_case {
	const char *kind, *feed, *title, *url;
	int64_t published;
	const char *want;
};

static const struct line_case line_cases[] = {
	{"new", "Hong Kong Free Press", "WhatsApp refuses HK data requests",
	 "https://hongkongfp.com/2020/07/06/x/", T0,
	 "ALERT\thk\tnew\t2020-07-06T08:00:00Z\tHong Kong Free Press\tWhatsApp refuses HK data "
	 "requests\thttps://hongkongfp.com/2020/07/06/x/\n"},
	/* a tab, newlines and a run of controls: one space each */
	{"updated", "Feed\twith tab", "Line one\r\nline two\t\t\x01x", NULL, T0,
	 "ALERT\thk\tupdated\t2020-07-06T08:00:00Z\tFeed with tab\tLine one line two x\t\n"},
	/* ESC: the escape sequence loses its ESC, so the terminal shows it as text */
	{"follow-up", "\x1b[31mred\x1b[0m", "\x1b]0;title\x07", "http://e.test/\x1b[2J", T0,
	 "ALERT\thk\tfollow-up\t2020-07-06T08:00:00Z\t [31mred [0m\t ]0;title \thttp://e.test/ [2J\n"},
	/* C1 controls (U+009B is CSI, U+0085 NEL) and DEL; other UTF-8 is kept */
	{"new", "a\xC2\x9B" "31mb", "T\xC3\xBCrkiye\xC2\x85" "x\x7Fy", "", DATE_NONE,
	 "ALERT\thk\tnew\t\ta 31mb\tT\xC3\xBCrkiye x y\t\n"},
	/* NULL strings are empty fields */
	{NULL, NULL, NULL, NULL, DATE_NONE, "ALERT\thk\t\t\t\t\t\n"},
};

static void test_line(void)
{
	struct buf out = {0};

	for (size_t i = 0; i < sizeof line_cases / sizeof line_cases[0]; i++) {
		const struct line_case *c = &line_cases[i];
		buf_reset(&out);
		CHECK_INT(alerts_line(&out, "hk", c->kind, c->published, c->feed, c->title, c->url), 0);
		if (!CHECK_STR(buf_str(&out), c->want))
			fprintf(stderr, "    line case %zu\n", i);
	}
	/* lines append; a buffer that cannot grow is left as it was */
	buf_reset(&out);
	CHECK_INT(alerts_line(&out, "a", "new", T0, "f", "t", "u"), 0);
	CHECK_INT(alerts_line(&out, "b", "new", T0, "f", "t", "u"), 0);
	CHECK_STR(buf_str(&out), "ALERT\ta\tnew\t2020-07-06T08:00:00Z\tf\tt\tu\n"
	                         "ALERT\tb\tnew\t2020-07-06T08:00:00Z\tf\tt\tu\n");
	out.max = out.len + 20;
	CHECK_INT(alerts_line(&out, "c", "new", T0, "f", "t", "u"), -1);
	CHECK_INT(out.len, 78);
	CHECK_INT(strlen(out.data), 78);
	buf_free(&out);
}

static void test_json(void)
{
	static const char *const tags[] = {"country:HK", "platform:WhatsApp", "topic:data-request"};
	struct buf out = {0};

	CHECK_INT(alerts_json(&out, "hk", "new", T0, "HKFP", "WhatsApp \"refuses\"\t\x1b[1m",
	                      "https://hongkongfp.com/x", 42, 7, tags, 3), 0);
	CHECK_STR(buf_str(&out),
	          "{\"rule\":\"hk\",\"kind\":\"new\",\"published\":\"2020-07-06T08:00:00Z\","
	          "\"feed\":\"HKFP\",\"title\":\"WhatsApp \\\"refuses\\\" [1m\","
	          "\"url\":\"https://hongkongfp.com/x\",\"entry\":42,\"story\":7,"
	          "\"tags\":[\"country:HK\",\"platform:WhatsApp\",\"topic:data-request\"]}\n");
	/* missing values are null; no tags is an empty array; C1 controls are cleaned too */
	buf_reset(&out);
	CHECK_INT(alerts_json(&out, "r", "updated", DATE_NONE, NULL, "T\xC3\xBCrkiye\xC2\x9B",
	                      NULL, 1, 1, NULL, 0), 0);
	CHECK_STR(buf_str(&out),
	          "{\"rule\":\"r\",\"kind\":\"updated\",\"published\":null,\"feed\":null,"
	          "\"title\":\"T\xC3\xBCrkiye \",\"url\":null,\"entry\":1,\"story\":1,\"tags\":[]}\n");
	/* text that is not UTF-8 fails and appends nothing */
	CHECK_INT(alerts_json(&out, "r", "new", T0, "f", "bad \xFF here", "u", 1, 1, NULL, 0), -1);
	CHECK_INT(out.len, strlen(out.data));
	CHECK(strchr(out.data, '\n') == out.data + out.len - 1);
	buf_free(&out);
}

int main(void)
{
	test_matching();
	test_several_rules();
	test_errors();
	test_example_file();
	test_unknown_tags();
	test_line();
	test_json();
	return TEST_END();
}
