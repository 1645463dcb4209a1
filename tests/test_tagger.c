/*
 * test_tagger.c — the tagger against the real tags.txt (run from the repository root) and
 * against small inline vocabularies for the mechanics and the syntax errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crawler/readfile.h"
#include "parsers/buf.h"
#include "parsers/tagger.h"
#include "tests/test.h"

#define ISO_JSON "/usr/share/iso-codes/json/iso_3166-1.json"

/* Reads a whole file into b (at most 256 MiB). Returns 0 or -1. */
static int slurp(const char *path, struct buf *b)
{
	char reason[256];

	return readfile(path, (size_t)256 << 20, b, reason, sizeof reason);
}

/* The hits as "kind:value=T/X ..." (T title count, X text count), in the tagger's order. */
static const char *render(const struct tag_hits *h, struct buf *b)
{
	buf_reset(b);
	for (size_t i = 0; i < h->n; i++)
		buf_printf(b, "%s%s:%s=%u/%u", i > 0 ? " " : "", h->v[i].kind, h->v[i].value,
		           h->v[i].in_title, h->v[i].in_text);
	return buf_str(b);
}

struct tag_case {
	const char *title, *text, *want;
};

/* Each case tags (title, text) with the real vocabulary and expects exactly want. */
static const struct tag_case real_cases[] = {
	/* the story that shaped newsmon */
	{"WhatsApp and Telegram refuse Hong Kong data requests",
	 "Both apps paused reviewing government requests for user data from Hong Kong.",
	 "country:HK=1/1 platform:Telegram=1/0 platform:WhatsApp=1/0 topic:data-request=1/1"},
	/* substrings never match */
	{"Metadata, meta tags and metaverse", "", ""},
	{"The Telegraph reports telegrams", "", ""},
	{"Deadline for online forms", "ONLINE SIGNUP DEADLINE", ""},
	{"", "Unsignaled, signalling", ""},
	{"", "Chinatown and Indiana; Omanis? no: woman", ""},
	/* possessives and hyphenated compounds */
	{"WhatsApp's policy", "WhatsApp\xE2\x80\x99s policy and Meta's", "platform:Meta=0/1 platform:WhatsApp=1/1"},
	{"Hong Kong-based firm", "a pro-Beijing camp", "country:CN=0/1 country:HK=1/0"},
	{"", "end-to-end encryption, end to end encryption, end\xE2\x80\x93to\xE2\x80\x93" "end encryption",
	 "topic:encryption=0/3"},
	/* demonyms, capitals, agencies */
	{"Chinese and Russian hackers", "Hongkongers and Americans; the Kremlin; British MPs",
	 "country:CN=1/0 country:GB=0/1 country:HK=0/1 country:RU=1/1 country:US=0/1"},
	/* case and accent folding */
	{"T\xC3\x9CRKIYE", "T\xC3\xBCrkiye, Turkiye, TURKIYE, Tu\xCC\x88rkiye",
	 "country:TR=1/4"},
	{"\xCE\x95\xCE\x9B\xCE\x9B\xCE\x91\xCE\x94\xCE\x91", /* ΕΛΛΑΔΑ */
	 "\xCE\xB5\xCE\xBB\xCE\xBB\xCE\xAC\xCE\xB4\xCE\xB1", /* ελλάδα */
	 "country:GR=1/1"},
	{"\xD0\xA0\xD0\x9E\xD0\xA1\xD0\xA1\xD0\x98\xD0\xAF", /* РОССИЯ */
	 "\xD0\xAF\xD0\xBD\xD0\xB4\xD0\xB5\xD0\xBA\xD1\x81", /* Яндекс */
	 "country:RU=1/0 platform:Yandex=0/1"},
	{"", "C\xC3\xB4te d\xE2\x80\x99Ivoire and COTE D'IVOIRE", "country:CI=0/2"},
	{"", "\xEF\xBC\xB7\xEF\xBD\x88\xEF\xBD\x81\xEF\xBD\x94\xEF\xBD\x93\xEF\xBC\xA1\xEF\xBD\x90\xEF\xBD\x90",
	 "platform:WhatsApp=0/1"}, /* fullwidth ＷｈａｔｓＡｐｐ */
	/* an accent-folded alias that must keep its case: German "über" is not Uber */
	{"\xC3\x9C" "ber die Plattform", "Das ist \xC3\xBC" "ber Uber", "platform:Uber=0/1"},
	/* case-sensitive aliases */
	{"US officials", "Tell us more; the UK and uk; U.S.-based; the U.S.A.",
	 "country:GB=0/1 country:US=1/2"},
	{"Hong Kong", "HK and hk", "country:HK=1/1"},
	{"Apple pie and an apple", "", ""},
	{"Meta fined", "meta description", "platform:Meta=1/0"},
	/* context-dependent aliases, without and with their context */
	{"A strong Signal", "It sends a signal to markets.", ""},
	{"A strong Signal", "Signal is a messaging app.", "platform:Signal=1/1"},
	{"X changes its rules", "The company said on Monday.", ""},
	{"X changes its rules", "Elon Musk said x and X-rays.", "platform:X=1/0"},
	{"Twitter, now X", "", "platform:X=2/0"},
	{"LINE", "waiting in line for the deadline", ""},
	{"LINE hands data to police", "The messaging app is popular in Japan.",
	 "country:JP=0/1 platform:LINE=1/0"},
	{"Georgia votes", "Atlanta, Georgia", ""},
	{"Georgia blocks TikTok", "Tbilisi ordered it.", "country:GE=1/1 platform:TikTok=1/0"},
	{"Jim Jordan subpoenas Meta", "", "platform:Meta=1/0"},
	{"Jordan blocks Telegram", "Authorities in Amman said so.",
	 "country:JO=1/1 platform:Telegram=1/0"},
	{"Turkey recipes", "Roast the turkey.", ""},
	{"Turkey blocks X", "The government cited Musk's posts.",
	 "country:TR=1/0 platform:X=1/0"},
	/* CJK: characters are words by themselves */
	{"\xE5\xBE\xAE\xE4\xBF\xA1\xE5\x92\x8C\xE5\xBE\xAE\xE5\x8D\x9A\xE5\x9C\xA8\xE4\xB8\xAD\xE5\x9B\xBD",
	 "\xE7\x94\xA8WhatsApp\xE5\x8F\x91\xE9\x80\x81", /* 用WhatsApp发送 */
	 "country:CN=1/0 platform:WeChat=1/0 platform:Weibo=1/0 platform:WhatsApp=0/1"},
	{"\xE4\xB8\xAD\xE5\x9B\xBD\xE7\xA7\xBB\xE5\x8A\xA8", /* 中国移动 */
	 "\xEC\xB9\xB4\xEC\xB9\xB4\xEC\x98\xA4\xED\x86\xA1", /* 카카오톡 */
	 "country:CN=1/0 platform:China Mobile=1/0 platform:KakaoTalk=0/1"},
	/* counts in title and text */
	{"WhatsApp, WhatsApp", "WhatsApp", "platform:WhatsApp=2/1"},
	/* the leftmost-longest alias of a kind wins; kinds are independent */
	{"People's Republic of China", "the Republic of China", "country:CN=1/0 country:TW=0/1"},
	{"WeChat Pay", "", "platform:WeChat Pay=1/0"},
	{"New Mexico and New Jersey", "Papua New Guinea", "country:PG=0/1"},
	{"Democratic Republic of the Congo", "", "country:CD=1/0"},
	{"China Mobile", "", "country:CN=1/0 platform:China Mobile=1/0"},
	{"", "the Korean Peninsula; South Korea and North Korea",
	 "country:KP=0/1 country:KR=0/1"},
	/* white space, invalid UTF-8 */
	{"Hong\n\t Kong", "Hong\xC2\xA0Kong", "country:HK=1/1"},
	{"What\xFFsApp", "\xFFWhatsApp\xFE \xE4\xB8", "platform:WhatsApp=0/1"},
	/* topics */
	{"Apple received government requests for user data", "Google's transparency report",
	 "platform:Apple=1/0 platform:Google=0/1 topic:data-request=1/0 "
	 "topic:transparency-report=0/1"},
	{"Internet shutdown in Myanmar", "spyware and a data breach",
	 "country:MM=1/0 topic:data-breach=0/1 topic:internet-shutdown=1/0 topic:spyware=0/1"},
};

static void test_real_vocabulary(const struct tagger *t)
{
	struct tag_hits h = {0};
	struct buf out = {0};

	/* found by fuzz_tagger: a fresh result list whose first entry has no candidate at all */
	CHECK_INT(tagger_tag(t, "sx", 2, NULL, 0, &h), 0);
	CHECK_INT(h.n, 0);
	for (size_t i = 0; i < sizeof real_cases / sizeof real_cases[0]; i++) {
		const struct tag_case *c = &real_cases[i];
		int rc = tagger_tag(t, c->title, strlen(c->title), c->text, strlen(c->text), &h);
		CHECK_INT(rc, 0);
		if (!CHECK_STR(render(&h, &out), c->want))
			fprintf(stderr, "    case %zu: \"%s\" / \"%s\"\n", i, c->title, c->text);
	}
	/* the result list is replaced, not appended to; NULL with length 0 is empty */
	CHECK_INT(tagger_tag(t, NULL, 0, NULL, 0, &h), 0);
	CHECK_INT(h.n, 0);
	tag_hits_free(&h);
	CHECK(h.v == NULL && h.n == 0 && h.scratch.data == NULL);
	buf_free(&out);
}

struct each_state {
	size_t n, platforms, countries, topics, unsorted;
	int data_request;
	struct buf seen;   /* "country:XX\n" lines */
	char prev[256];
};

static void each_cb(const char *kind, const char *value, void *arg)
{
	struct each_state *s = arg;
	char cur[256];

	snprintf(cur, sizeof cur, "%s:%s", kind, value);
	if (s->n > 0 && strcmp(s->prev, cur) >= 0)
		s->unsorted++;
	snprintf(s->prev, sizeof s->prev, "%s", cur);
	s->n++;
	s->platforms += strcmp(kind, "platform") == 0;
	s->topics += strcmp(kind, "topic") == 0;
	if (strcmp(kind, "country") == 0) {
		s->countries++;
		buf_printf(&s->seen, "%s\n", value);
	}
	if (strcmp(kind, "topic") == 0 && strcmp(value, "data-request") == 0)
		s->data_request = 1;
}

/* Every alpha_2 in the iso-codes JSON must be a country value. */
static void check_iso_codes(const struct buf *seen)
{
	struct buf json = {0};
	const char *p;
	size_t codes = 0;

	if (slurp(ISO_JSON, &json) != 0) {
		printf("skipped: %s not found (tools/deps.sh tags)\n", ISO_JSON);
		buf_free(&json);
		return;
	}
	for (p = buf_str(&json); (p = strstr(p, "\"alpha_2\"")) != NULL; p++) {
		const char *q = strchr(p + 9, '"');
		char line[8];
		if (q == NULL || strlen(q) < 4 || q[3] != '"')
			break;
		snprintf(line, sizeof line, "%.2s\n", q + 1);
		codes++;
		if (!CHECK(strstr(buf_str(seen), line) != NULL))
			fprintf(stderr, "    country %.2s is missing\n", q + 1);
	}
	CHECK_INT(codes, 249);
	buf_free(&json);
}

static void test_vocabulary_contents(const struct tagger *t)
{
	struct each_state s = {0};

	tagger_each(t, each_cb, &s);
	CHECK(s.data_request);
	CHECK(s.platforms >= 80);
	CHECK(s.topics >= 15);
	CHECK_INT(s.countries, 249);
	CHECK_INT(s.unsorted, 0);
	CHECK_INT(s.platforms, tagger_count(t, "platform"));
	CHECK_INT(s.topics, tagger_count(t, "topic"));
	CHECK_INT(tagger_count(t, "context"), 0);
	check_iso_codes(&s.seen);
	buf_free(&s.seen);
}

/* A small vocabulary for the folding and boundary mechanics. */
static const char mini_vocab[] =
	"# mechanics\n"
	"[context]\n"
	"near: =NEEDLE | pin\n"
	"[platform]\n"
	"Strasse: strasse\n"
	"Sx: sx\n"
	"Dot: .net\n"
	"Hay: hay ~near\n"
	"Hay: haystack\n"
	"-: hay fever\n"
	"Plus: C++\n"
	"[topic]\n"
	"data-request: data request | data requests\n";

static const struct tag_case mini_cases[] = {
	{"STRASSE", "Stra\xC3\x9F" "e", "platform:Strasse=1/1"},
	{"\xC3\x9Fx", "x\xC3\x9F" "x", ""}, /* "sx" must not start inside the fold of ß */
	{"sx", "", "platform:Sx=1/0"},
	{"ASP.NET", "dotnet .NET", "platform:Dot=1/1"},
	{"hay", "no context", ""},
	{"hay", "a PIN", "platform:Hay=1/0"},
	{"hay", "a NEEDLE", "platform:Hay=1/0"},
	{"hay", "a needle, a Needle", ""}, /* context phrases can be case-sensitive too */
	{"hay fever", "needle", ""},
	{"haystack", "", "platform:Hay=1/0"},
	{"C++ and c++", "C+", "platform:Plus=2/0"},
	{"data request", "data requests, data-requests", "topic:data-request=1/2"},
};

static void test_mechanics(void)
{
	char *err = NULL;
	struct tagger *t = tagger_new(mini_vocab, sizeof mini_vocab - 1, "mini", &err);
	struct tag_hits h = {0};
	struct buf out = {0};

	if (!CHECK(t != NULL)) {
		fprintf(stderr, "    %s\n", err != NULL ? err : "out of memory");
		free(err);
		return;
	}
	CHECK(err == NULL);
	for (size_t i = 0; i < sizeof mini_cases / sizeof mini_cases[0]; i++) {
		const struct tag_case *c = &mini_cases[i];
		CHECK_INT(tagger_tag(t, c->title, strlen(c->title), c->text, strlen(c->text), &h), 0);
		if (!CHECK_STR(render(&h, &out), c->want))
			fprintf(stderr, "    mini case %zu\n", i);
	}
	tag_hits_free(&h);
	buf_free(&out);
	tagger_free(t);
}

struct error_case {
	const char *vocab, *want;
};

#define DR "[topic]\ndata-request: data request\n"

static const struct error_case error_cases[] = {
	{"[platform]\nFoo Bar\n", "t.txt:2: expected 'VALUE: ALIAS | ALIAS ...'"},
	{"[nope]\n", "t.txt:1: unknown section [nope] (expected [context], [platform], [country] or "
	             "[topic])"},
	{"[platform\n", "t.txt:1: a section header ends with ']'"},
	{"# c\nFoo: foo\n", "t.txt:2: 'Foo: foo' comes before the first [section]"},
	{DR "[country]\nXYZ: foo\n", "t.txt:4: country 'XYZ' is not an ISO 3166-1 alpha-2 code (two "
	                              "capital letters)"},
	{DR "[country]\nhk: foo\n", "t.txt:4: country 'hk' is not an ISO 3166-1 alpha-2 code (two "
	                             "capital letters)"},
	{"[topic]\nData Request: x\n", "t.txt:2: topic 'Data Request' must be a slug: lower-case "
	                               "letters, digits and '-'"},
	{DR "[platform]\nFoo: a || b\n", "t.txt:4: empty alias (nothing between '|', ':' or the end "
	                                 "of the line)"},
	{DR "[platform]\nFoo:\n", "t.txt:4: empty alias (nothing between '|', ':' or the end of the "
	                          "line)"},
	{DR "[platform]\n : a\n", "t.txt:4: empty value before ':'"},
	{DR "[platform]\nFoo: a ~nope\n", "t.txt:4: unknown context 'nope' (define it in [context] "
	                                  "above)"},
	{DR "[platform]\nFoo: a ~\n", "t.txt:4: a context name must follow '~'"},
	{"[context]\nc: a ~b\n", "t.txt:2: a context phrase cannot itself need a context ('~')"},
	{"[context]\nC: a\n", "t.txt:2: context name 'C' must be lower-case letters, digits, '-' or "
	                      "'_'"},
	{DR "[platform]\nFoo: abc\nBar: A-B-C | ABC\n", "t.txt:5: alias 'abc' is already listed on "
	                                                 "line 4"},
	{DR "[platform]\nFoo: ---\n", "t.txt:4: alias '---' has no letters, digits or symbols"},
	{DR "[platform]\nF|oo: x\n", "t.txt:4: platform name 'F|oo' cannot contain '|' or '~'"},
	{DR "[platform]\nFoo: a\xFF\n", "t.txt:4: invalid UTF-8"},
	{DR "[platform]\nFoo: a\x01\n", "t.txt:4: control character U+0001"},
	{"[platform]\nFoo: foo\n", "t.txt:2: no topic 'data-request' (newsmon requires it)"},
	{"", "t.txt:1: no topic 'data-request' (newsmon requires it)"},
};

static void test_errors(void)
{
	char sentinel[] = "untouched", *err;
	struct buf big = {0};
	struct tagger *t;

	for (size_t i = 0; i < sizeof error_cases / sizeof error_cases[0]; i++) {
		const struct error_case *c = &error_cases[i];
		err = NULL;
		t = tagger_new(c->vocab, strlen(c->vocab), "t.txt", &err);
		CHECK(t == NULL);
		if (!CHECK_STR(err, c->want))
			fprintf(stderr, "    error case %zu\n", i);
		free(err);
		tagger_free(t);
	}

	/* an alias longer than the limit */
	buf_puts(&big, DR "[platform]\nLong: ");
	for (int i = 0; i < 201; i++)
		buf_putc(&big, 'a');
	err = NULL;
	t = tagger_new(buf_str(&big), big.len, NULL, &err);
	CHECK(t == NULL);
	CHECK(err != NULL && strncmp(err, "tags:4: alias 'aaaa", 19) == 0 &&
	      strstr(err, "is longer than 200 bytes") != NULL);
	free(err);
	buf_free(&big);

	/* success leaves *err alone; the text need not be NUL-terminated; CRLF and a BOM are fine */
	{
		static const char ok[] = "\xEF\xBB\xBF[topic]\r\ndata-request: data request\r\nXYZ";
		err = sentinel;
		t = tagger_new(ok, sizeof ok - 4, "t.txt", &err);
		CHECK(t != NULL);
		CHECK(err == sentinel);
		tagger_free(t);
	}
}

/* A vocabulary too large for 16-bit transitions (more than 32,767 states) tags as the real one
 * does, and finds its own aliases. */
static void test_large_vocabulary(const struct buf *real)
{
	struct buf big = {0}, out = {0};
	struct tag_hits h = {0};
	char *err = NULL;
	struct tagger *t;

	buf_append(&big, real->data, real->len);
	buf_puts(&big, "\n[platform]\n");
	for (int i = 0; i < 3000; i++) /* about 3,000 x 20 states */
		buf_printf(&big, "Generated%04d: zq%04d platform | qz%04d service\n", i, i, i);
	t = tagger_new(buf_str(&big), big.len, "big.txt", &err);
	if (CHECK(t != NULL)) {
		test_real_vocabulary(t);
		CHECK(tagger_tag(t, "zq2999 platform fined", 21, "qz0001 service; WhatsApp", 24, &h) == 0);
		CHECK_STR(render(&h, &out), "platform:Generated0001=0/1 platform:Generated2999=1/0 "
		                            "platform:WhatsApp=0/1");
	} else {
		fprintf(stderr, "    %s\n", err != NULL ? err : "out of memory");
	}
	free(err);
	tagger_free(t);
	tag_hits_free(&h);
	buf_free(&out);
	buf_free(&big);
}

int main(void)
{
	struct buf vocab = {0};
	char *err = NULL;
	struct tagger *t;

	if (!CHECK(slurp("tags.txt", &vocab) == 0)) {
		fprintf(stderr, "    cannot read tags.txt: run from the repository root\n");
		return TEST_END();
	}
	t = tagger_new(vocab.data, vocab.len, "tags.txt", &err);
	if (CHECK(t != NULL)) {
		test_real_vocabulary(t);
		test_vocabulary_contents(t);
		test_large_vocabulary(&vocab);
	} else {
		fprintf(stderr, "    %s\n", err != NULL ? err : "out of memory");
		free(err);
	}
	tagger_free(t);
	buf_free(&vocab);
	test_mechanics();
	test_errors();
	return TEST_END();
}
