/* test_config.c — feeds.txt: every form of line, and each mistake with its FILE:LINE message. */
#include "crawler/config.h"
#include "tests/test.h"

#include <stdlib.h>

static void test_good(void)
{
	const char *text =
		"# a comment line\n"
		"\n"
		"https://a.example/feed   tech policy every=30m\n"
		"  https://b.example/rss.xml \"~Hong Kong Free Press\" hk every=1d # a trailing comment\n"
		"http://c.example/x?y=1#frag ~Short\r\n"
		"https://d.example/feed\n";
	char *err = (char *)"untouched";
	struct config *c = config_parse(text, strlen(text), "feeds.txt", &err);

	if (!CHECK(c != NULL)) {
		fprintf(stderr, "    %s\n", err);
		return;
	}
	CHECK_INT(c->n, 4);
	CHECK_STR(c->feeds[0].url, "https://a.example/feed");
	CHECK_STR(c->feeds[0].labels, "tech policy");
	CHECK_INT(c->feeds[0].every, 1800);
	CHECK_STR(c->feeds[0].title, NULL);
	CHECK_INT(c->feeds[0].line, 3);
	CHECK_STR(c->feeds[1].title, "Hong Kong Free Press");
	CHECK_STR(c->feeds[1].labels, "hk");
	CHECK_INT(c->feeds[1].every, 86400);
	CHECK_STR(c->feeds[2].url, "http://c.example/x?y=1#frag"); /* '#' inside a word is the URL's */
	CHECK_STR(c->feeds[2].title, "Short");
	CHECK_STR(c->feeds[3].labels, "");
	CHECK_INT(c->feeds[3].every, 0);
	config_free(c);

	c = config_parse("", 0, "feeds.txt", &err);
	CHECK(c != NULL && c->n == 0);
	config_free(c);
}

static const struct {
	const char *text, *error;
} bad[] = {
	{"ftp://a.example/feed\n", "feeds.txt:1: 'ftp://a.example/feed' is not an http or https URL"},
	{"\n\nfile:///etc/passwd\n", "feeds.txt:3: 'file:///etc/passwd' is not an http or https URL"},
	{"feed.xml tech\n", "feeds.txt:1: 'feed.xml' is not an http or https URL"},
	{"https://a.example/ every=soon\n",
	 "feeds.txt:1: every=soon: write a number and s, m, h, d or w, as in every=30m or every=6h"},
	{"https://a.example/ every=0m\n",
	 "feeds.txt:1: every=0m: write a number and s, m, h, d or w, as in every=30m or every=6h"},
	{"https://a.example/ evry=1h\n", "feeds.txt:1: unknown setting 'evry=1h' (only every= is known)"},
	{"https://a.example/ \"~Title\n", "feeds.txt:1: a quote that does not close"},
	{"https://a.example/ \"tech policy\"\n", "feeds.txt:1: a quoted word that is not a \"~Title\""},
	{"https://a.example/ ~One ~Two\n", "feeds.txt:1: two titles for one feed"},
	{"https://a.example/\nhttps://b.example/\nhttps://a.example/ tech\n",
	 "feeds.txt:3: feed already listed on line 1"},
	{"\"https://a.example/\"\n", "feeds.txt:1: 'https://a.example/' is not an http or https URL"},
};

static void test_bad(void)
{
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char *err = NULL;
		struct config *c = config_parse(bad[i].text, strlen(bad[i].text), "feeds.txt", &err);
		CHECK(c == NULL);
		CHECK_STR(err, bad[i].error);
		free(err);
		config_free(c);
	}
}

static void test_duration(void)
{
	static const struct {
		const char *text;
		int64_t seconds;
	} cases[] = {{"90s", 90}, {"30m", 1800}, {"6h", 21600}, {"1d", 86400}, {"2w", 1209600},
	             {"", -1}, {"m", -1}, {"10", -1}, {"10x", -1}, {"-1h", -1}, {"1h2", -1}};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		int64_t v = -1;
		int rc = config_duration(cases[i].text, strlen(cases[i].text), &v);
		CHECK_INT(rc == 0 ? v : -1, cases[i].seconds);
	}
}

int main(void)
{
	test_good();
	test_bad();
	test_duration();
	return TEST_END();
}
