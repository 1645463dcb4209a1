/* test_url.c — url_is_web and url_canonical: every canonicalisation rule, URLs from real
 * feeds (shared/corpus/realworld), non-web and broken input, idempotence, length limits. */
#include "crawler/url.h"
#include "parsers/buf.h"
#include "tests/test.h"

#include <stdlib.h>

struct canon_case {
	const char *in;
	const char *want; /* NULL: url_canonical must return NULL */
};

static const struct canon_case canon_cases[] = {
	/* Scheme, host case, www, trailing dot, default ports, userinfo, fragment, empty path. */
	{"http://example.com/a", "https://example.com/a"},
	{"HTTPS://EXAMPLE.COM/a", "https://example.com/a"},
	{"http://www.example.com/a", "https://example.com/a"},
	{"https://www2.example.com/a", "https://example.com/a"},
	{"https://WWW.www.Example.com/a", "https://example.com/a"},
	{"https://www.com/", "https://www.com/"},
	{"https://wwwx.example.com/a", "https://wwwx.example.com/a"},
	{"https://example.com./a", "https://example.com/a"},
	{"https://www.example.com../a", "https://example.com/a"},
	{"http://example.com:80/a", "https://example.com/a"},
	{"https://example.com:443/a", "https://example.com/a"},
	{"http://example.com:443/a", "https://example.com/a"},
	{"http://example.com:0080/a", "https://example.com/a"},
	{"http://example.com:8080/a", "https://example.com:8080/a"},
	{"https://user:secret@example.com/a", "https://example.com/a"},
	{"https://example.com/a#comments", "https://example.com/a"},
	{"https://example.com/a#!/b", "https://example.com/a"},
	{"https://example.com", "https://example.com/"},
	{"https://example.com?", "https://example.com/"},
	/* Addresses: IPv6 lower-cased and bracketed, IPv4 forms normalised by libcurl, numeric
	 * hosts left alone; IDN as libcurl gives it. */
	{"http://[2001:DB8::1]:80/a", "https://[2001:db8::1]/a"},
	{"http://[::1]:8080/", "https://[::1]:8080/"},
	{"http://[fe80::1%25eth0]/a", "https://[fe80::1]/a"},
	{"http://0x7f.1/x", "https://127.0.0.1/x"},
	{"http://www.1.2.3.4/", "https://www.1.2.3.4/"},
	{"https:/%32/twitt/:ser.com/use32\2338 0000000?s=20&t=|Ab000000?s=0&t=|Ab000000?s=20&20&t=|Ab&d",
	 "https://0.0.0.2/twitt/:ser.com/use32%9b8%200000000?20&d&s=20&t=%7cAb000000?s=0"
	 "&t=%7cAb000000?s=20&t=%7cAb"},
	{"http://0X7F.%31/", "https://127.0.0.1/"},
	{"https:/%7F6w%6w%30", NULL},
	{"https://exa%20mple.com/", NULL},
	{"https://a%25b.com/", NULL},
	{"https://ex%41mple.com/", "https://example.com/"},
	{"http://www.bücher.de/", "https://bücher.de/"},
	{"http://xn--bcher-kva.de/", "https://xn--bcher-kva.de/"},
	/* Path: dot-segments, percent-encoding, IRIs, spaces, case, trailing slash. */
	{"https://example.com/a/./b/../c", "https://example.com/a/c"},
	{"https://example.com/../../a", "https://example.com/a"},
	{"https://example.com/%7euser/caf%c3%a9", "https://example.com/~user/caf%c3%a9"},
	{"https://example.com/café", "https://example.com/caf%c3%a9"},
	{"https://example.com/%41%2d%5F%30", "https://example.com/A-_0"},
	{"https://example.com/a%2fb", "https://example.com/a%2fb"},
	{"https://example.com/a%2eb/%2E%2E", "https://example.com/a%2eb/%2e%2e"},
	{"https://example.com/100%/x%zz", "https://example.com/100%25/x%25zz"},
	{"https://example.com/my file.pdf", "https://example.com/my%20file.pdf"},
	{"https://example.com/a{b}|c^\"", "https://example.com/a%7bb%7d%7cc%5e%22"},
	{"https://example.com/News/Story", "https://example.com/News/Story"},
	{"https://example.com/2020/07/06/story/", "https://example.com/2020/07/06/story"},
	{"https://example.com/a//", "https://example.com/a"},
	{"https://example.com/", "https://example.com/"},
	/* AMP path forms. */
	{"https://example.com/2020/07/06/story/amp/", "https://example.com/2020/07/06/story"},
	{"https://example.com/2020/07/06/story/amp", "https://example.com/2020/07/06/story"},
	{"https://example.com/amp", "https://example.com/"},
	{"https://www.nytimes.com/2020/07/06/technology/hong-kong-data.amp.html",
	 "https://nytimes.com/2020/07/06/technology/hong-kong-data.html"},
	{"https://www.bbc.co.uk/news/world-asia-china-53315386.amp",
	 "https://bbc.co.uk/news/world-asia-china-53315386"},
	{"https://example.com/a.amp.amp.html", "https://example.com/a.html"},
	{"https://example.com/x/.amp", "https://example.com/x/.amp"},
	{"https://example.com/x/..amp", "https://example.com/x/..amp"},
	{"https://example.com/amp/story", "https://example.com/amp/story"},
	{"https://example.com/champ", "https://example.com/champ"},
	{"https://amp.theguardian.com/world/2020/jul/06/x",
	 "https://theguardian.com/world/2020/jul/06/x"},
	{"https://example.com/a?amp", "https://example.com/a"},
	{"https://example.com/a?amp=1", "https://example.com/a"},
	{"https://www.washingtonpost.com/a/?outputType=amp", "https://washingtonpost.com/a"},
	{"https://example.com/a?outputType=print", "https://example.com/a?outputType=print"},
	/* AMP caches: Google's ampproject.org cache (/c/ and /v/, with and without s/) and the
	 * google.TLD/amp/ viewer; the outer query goes to the wrapped URL. */
	{"https://www-example-com.cdn.ampproject.org/c/s/www.example.com/2020/07/06/story/amp/",
	 "https://example.com/2020/07/06/story"},
	{"https://www-example-com.cdn.ampproject.org/v/s/www.example.com/a?amp_js_v=0.1&usqp=mq331AQ",
	 "https://example.com/a"},
	{"https://example-com.cdn.ampproject.org/c/example.com/a?id=3", "https://example.com/a?id=3"},
	{"https://www.google.com/amp/s/www.example.com/a.amp.html", "https://example.com/a.html"},
	{"https://www.google.co.uk/amp/s/amp.theguardian.com/world/2020/jul/06/x",
	 "https://theguardian.com/world/2020/jul/06/x"},
	{"https://www.google.com/search?q=amp", "https://google.com/search?q=amp"},
	{"https://cdn.ampproject.org/c/s/example.com/a", "https://cdn.ampproject.org/c/s/example.com/a"},
	{"https://google.example.com/amp/s/example.com/a",
	 "https://google.example.com/amp/s/example.com/a"},
	{"https://x.cdn.ampproject.org/c/s/", NULL},
	{"https://x.cdn.ampproject.org/c/s/exa mple.com/", NULL},
	{"https://a.cdn.ampproject.org/c/s/b.cdn.ampproject.org/c/s/c.cdn.ampproject.org/c/s/"
	 "d.cdn.ampproject.org/c/s/e.cdn.ampproject.org/c/s/example.com/a",
	 NULL},
	/* Query: tracking parameters by family, case-insensitive names, escaped names. */
	{"https://example.com/a?utm_source=rss&utm_medium=feed&utm_campaign=x",
	 "https://example.com/a"},
	{"https://example.com/a?id=7&fbclid=IwAR0&gclid=x&msclkid=y", "https://example.com/a?id=7"},
	{"https://example.com/a?UTM_Source=x&CMP=share_btn_tw", "https://example.com/a"},
	{"https://example.com/a?utm%5Fsource=x&%75tm_medium=y", "https://example.com/a"},
	{"https://medium.com/invironment/eight-reasons-you-shouldnt-grow-your-own-food-77cbb94ffe0b"
	 "?source=rss----d12c403d4976--food",
	 "https://medium.com/invironment/eight-reasons-you-shouldnt-grow-your-own-food-77cbb94ffe0b"},
	{"https://example.com/search?source=hp&q=x", "https://example.com/search?q=x&source=hp"},
	{"http://www.heise.de/developer/artikel/Ein-gutes-Szenario-3088146.html"
	 "?wt_mc=rss.developer.beitrag.atom",
	 "https://heise.de/developer/artikel/Ein-gutes-Szenario-3088146.html"},
	{"http://science.sciencemag.org/cgi/content/short/356/6340/816-a?rss=1",
	 "https://science.sciencemag.org/cgi/content/short/356/6340/816-a"},
	{"https://rss.golem.de/rss.php?feed=RSS2.0", "https://rss.golem.de/rss.php?feed=RSS2.0"},
	{"https://www.bbc.co.uk/news/world-asia-china-53315386?at_medium=RSS&at_campaign=KARANGA",
	 "https://bbc.co.uk/news/world-asia-china-53315386"},
	{"https://www.nytimes.com/2020/07/06/a.html?partner=rss&emc=rss&smid=tw-nytimes",
	 "https://nytimes.com/2020/07/06/a.html"},
	{"https://example.com/a?partner=acme", "https://example.com/a?partner=acme"},
	{"https://twitter.com/nzherald?ref_src=twsrc%5Etfw", "https://twitter.com/nzherald"},
	{"https://twitter.com/user/status/1280000000000000000?s=20&t=AbCd",
	 "https://twitter.com/user/status/1280000000000000000"},
	{"https://mobile.twitter.com/user/status/1?s=21", "https://mobile.twitter.com/user/status/1"},
	{"https://x.com/user/status/1?s=46&t=Zz", "https://x.com/user/status/1"},
	{"https://example.com/?s=hong+kong", "https://example.com/?s=hong+kong"},
	{"https://xx.com/?s=1&t=2", "https://xx.com/?s=1&t=2"},
	{"https://techcrunch.com/2020/07/06/x/?guccounter=1&guce_referrer=aHR0&guce_referrer_sig=AQ",
	 "https://techcrunch.com/2020/07/06/x"},
	{"https://example.com/a?utm_source=a&_ga=1&_gl=2&mtm_campaign=3&pk_campaign=4&wt_zmc=5"
	 "&at_custom1=6&dclid=7&gbraid=8&wbraid=9&gclsrc=10&fb_action_ids=11&fb_action_types=12"
	 "&fb_ref=13&fb_source=14&igshid=15&igsh=16&yclid=17&ysclid=18&twclid=19&ttclid=20"
	 "&li_fat_id=21&_openstat=22&mc_cid=23&mc_eid=24&_hsenc=25&_hsmi=26&__hssc=27&__hstc=28"
	 "&__hsfp=29&hsCtaTracking=30&mkt_tok=31&oly_anon_id=32&oly_enc_id=33&rb_clickid=34"
	 "&vero_id=35&vero_conv=36&_bhlid=37&ito=38&smtyp=39&cmpid=40&ocid=41&ncid=42"
	 "&sr_share=43&spm=44&feedType=RSS&feedName=topNews&ref=hn&ref_url=46&referrer=47"
	 "&__twitter_impression=true&pk_kwd=48&pk_source=49&pk_medium=50",
	 "https://example.com/a"},
	/* Query: sorting (stable for equal names), empty parameters, encoding. */
	{"https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"},
	{"https://example.com/a?id=2&x=0&id=1", "https://example.com/a?id=2&id=1&x=0"},
	{"https://example.com/a?ab=1&a=2&a", "https://example.com/a?a=2&a&ab=1"},
	{"https://example.com/a?&&b=1&&", "https://example.com/a?b=1"},
	{"https://example.com/a?&&", "https://example.com/a"},
	{"https://example.com/a?q=caf%c3%a9&x=%7e&y=%2e", "https://example.com/a?q=caf%c3%a9&x=~&y=%2e"},
	{"https://example.com/a?q=\"x\"<y>", "https://example.com/a?q=%22x%22%3cy%3e"},
	{"https://example.com/a?q=hong kong", "https://example.com/a?q=hong+kong"},
	{"https://example.com/a?q=a%26b%3Dc", "https://example.com/a?q=a%26b%3dc"},
	{"https://example.com/a?q=%", "https://example.com/a?q=%25"},
	{"https://example.com/a?q=%%41%", "https://example.com/a?q=%25A%25"},
	{"https:/\363example\227.c/amp&/ss%%3%30F50", "https://\363example\227.c/amp&/ss%25%2530F50"},
	/* WordPress and CMS ids stay. */
	{"https://arstechnica.com/?p=1546121", "https://arstechnica.com/?p=1546121"},
	{"http://www.example.com/index.php?option=com_content&id=5&view=article",
	 "https://example.com/index.php?id=5&option=com_content&view=article"},
	/* Not http(s), not absolute, not a URL. */
	{"file:///etc/passwd", NULL},
	{"ftp://example.com/a", NULL},
	{"javascript:alert(1)", NULL},
	{"mailto:tips@example.com", NULL},
	{"data:text/html,<b>x</b>", NULL},
	{"gopher://example.com/", NULL},
	{"ws://example.com/", NULL},
	{"/relative/path", NULL},
	{"relative.html", NULL},
	{"//example.com/a", NULL},
	{"", NULL},
	{"garbage", NULL},
	{"http://", NULL},
	{"http://exa mple.com/", NULL},
	{"https://example.com:99999/", NULL},
	{"https://example.com/a\x01", NULL},
	{"https://example.com/a\nb", NULL},
};

/* Pairs of different articles that must keep different keys. */
static const char *const distinct_pairs[][2] = {
	{"https://example.com/a", "https://example.com/b"},
	{"https://example.com/a?id=1", "https://example.com/a?id=2"},
	{"https://example.com/?p=123", "https://example.com/?p=124"},
	{"https://example.com/a?id=1&id=2", "https://example.com/a?id=2&id=1"},
	{"https://example.com/A", "https://example.com/a"},
	{"https://example.com/a", "https://example.com:8080/a"},
	{"https://example.com/a", "https://example.org/a"},
	{"https://news.example.com/a", "https://example.com/a"},
	{"https://example.com/a%2fb", "https://example.com/a/b"},
	{"https://example.com/a?q=x", "https://example.com/a?Q=x"},
};

struct web_case {
	const char *in;
	int want;
};

static const struct web_case web_cases[] = {
	{"http://example.com/", 1},
	{"https://example.com", 1},
	{"HTTP://EXAMPLE.COM/a?b#c", 1},
	{"https://[::1]:8080/x", 1},
	{"https://user:pw@example.com/", 1},
	{"https://example.com/café", 1},
	{"https://www-example-com.cdn.ampproject.org/c/s/www.example.com/a", 1},
	{"ftp://example.com/", 0},
	{"file:///etc/passwd", 0},
	{"javascript:alert(1)", 0},
	{"mailto:tips@example.com", 0},
	{"data:text/plain,hi", 0},
	{"/relative", 0},
	{"example.com/a", 0},
	{"", 0},
	{"https://exa mple.com/", 0},
	{"https://example.com/a b", 0},
	{"https://example.com/\x7f", 0},
	{"https://example.com:65536/", 0},
};

static void test_canonical_table(void)
{
	size_t i;
	char *got, *again;

	for (i = 0; i < sizeof canon_cases / sizeof canon_cases[0]; i++) {
		got = url_canonical(canon_cases[i].in);
		if (!CHECK_STR(got, canon_cases[i].want))
			fprintf(stderr, "    input: \"%s\"\n", canon_cases[i].in);
		if (got != NULL) {
			again = url_canonical(got);
			CHECK_STR(again, got);
			CHECK_INT(url_is_web(got), 1);
			free(again);
		}
		free(got);
	}
	CHECK(url_canonical(NULL) == NULL);
}

static void test_distinct(void)
{
	size_t i;
	char *a, *b;

	for (i = 0; i < sizeof distinct_pairs / sizeof distinct_pairs[0]; i++) {
		a = url_canonical(distinct_pairs[i][0]);
		b = url_canonical(distinct_pairs[i][1]);
		CHECK(a != NULL && b != NULL && strcmp(a, b) != 0);
		free(a);
		free(b);
	}
}

static void test_is_web(void)
{
	size_t i;

	for (i = 0; i < sizeof web_cases / sizeof web_cases[0]; i++)
		if (!CHECK_INT(url_is_web(web_cases[i].in), web_cases[i].want))
			fprintf(stderr, "    input: \"%s\"\n", web_cases[i].in);
	CHECK_INT(url_is_web(NULL), 0);
}

/* "https://example.com/" followed by 'a' up to len bytes. */
static char *long_url(size_t len)
{
	struct buf b = {0};

	if (buf_puts(&b, "https://example.com/") != 0)
		return NULL;
	while (b.len < len)
		if (buf_putc(&b, 'a') != 0) {
			buf_free(&b);
			return NULL;
		}
	return buf_steal(&b);
}

static void test_long(void)
{
	char *at = long_url(URL_MAX), *over = long_url(URL_MAX + 1), *got;
	struct buf many = {0};
	int i, ok = 1;

	CHECK(at != NULL && over != NULL);
	got = url_canonical(at);
	CHECK_STR(got, at);
	free(got);
	CHECK(url_canonical(over) == NULL);
	CHECK_INT(url_is_web(at), 1);
	CHECK_INT(url_is_web(over), 0);
	free(at);
	free(over);

	/* Encoding may grow a URL past the limit: 3000 'é' are 6000 bytes, 18000 encoded. */
	ok = buf_puts(&many, "https://example.com/") == 0;
	for (i = 0; i < 3000 && ok; i++)
		ok = buf_puts(&many, "é") == 0;
	CHECK(ok);
	CHECK(url_canonical(buf_str(&many)) == NULL);

	/* Many parameters, tracking ones interleaved, in reverse order: all sorted and kept. */
	buf_reset(&many);
	ok = buf_puts(&many, "https://example.com/a?") == 0;
	for (i = 299; i >= 0 && ok; i--)
		ok = buf_printf(&many, "k%03d=%d&utm_x%d=y&", i, i, i) == 0;
	CHECK(ok);
	got = url_canonical(buf_str(&many));
	CHECK(got != NULL);
	if (got != NULL) {
		static const char head[] = "https://example.com/a?k000=0&k001=1&k002=2&";
		CHECK(strncmp(got, head, sizeof head - 1) == 0);
		CHECK(strstr(got, "utm") == NULL);
		CHECK(strlen(got) > 10 && strcmp(got + strlen(got) - 9, "&k299=299") == 0);
	}
	free(got);
	buf_free(&many);
}

int main(void)
{
	test_canonical_table();
	test_distinct();
	test_is_web();
	test_long();
	return TEST_END();
}
