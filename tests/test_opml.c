/* test_opml.c — OPML in (folders and categories as labels) and out (and back in). */
#include "parsers/arena.h"
#include "parsers/opml.h"
#include "tests/test.h"

#include <dirent.h>
#include <stdio.h>

/* Inputs the fuzzer found (tests/data/fuzz/opml): each reads, writes and reads back the same. */
static void test_fuzz_regressions(void)
{
	DIR *dir = opendir("tests/data/fuzz/opml");
	struct dirent *de;
	char path[512], data[65536], err[256];
	int files = 0;

	if (!CHECK(dir != NULL))
		return;
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "tests/data/fuzz/opml/%s", de->d_name);
		FILE *f = fopen(path, "rb");
		if (f == NULL)
			continue;
		size_t len = fread(data, 1, sizeof data, f);
		fclose(f);
		files++;
		struct arena *a = arena_new();
		struct opml_feed *feeds, *again;
		struct buf out = {0};
		size_t n, m;
		if (opml_read(data, len, a, &feeds, &n, err, sizeof err) == 0) {
			CHECK_INT(opml_write(&out, "again", feeds, n), 0);
			CHECK_INT(opml_read(out.data, out.len, a, &again, &m, err, sizeof err), 0);
			if (CHECK_INT(m, n))
				for (size_t i = 0; i < n; i++) {
					CHECK_STR(again[i].url, feeds[i].url);
					CHECK_STR(again[i].title, feeds[i].title);
				}
		}
		buf_free(&out);
		arena_free(a);
	}
	closedir(dir);
	CHECK(files >= 1);
}

int main(void)
{
	test_fuzz_regressions();
	const char *doc =
		"<?xml version=\"1.0\"?>\n<opml version=\"1.0\"><head><title>My feeds</title></head><body>"
		"<outline text=\"Tech News\"><outline text=\"Ars\" type=\"rss\" "
		"xmlUrl=\"https://feeds.arstechnica.com/arstechnica/index\"/>"
		"<outline text=\"Rights\"><outline title=\"EFF &amp; friends\" xmlUrl=\"https://www.eff.org/rss/updates.xml\" "
		"category=\"/Privacy,/Law/US\"/></outline></outline>"
		"<outline text=\"no feed here\"/><outline text=\"Loose\" xmlUrl=\"https://loose.example/feed\"/>"
		"</body></opml>";
	struct arena *a = arena_new();
	struct opml_feed *feeds;
	size_t n;
	char err[256];
	struct buf out = {0};

	CHECK_INT(opml_read(doc, strlen(doc), a, &feeds, &n, err, sizeof err), 0);
	if (CHECK_INT(n, 3)) {
		CHECK_STR(feeds[0].url, "https://feeds.arstechnica.com/arstechnica/index");
		CHECK_STR(feeds[0].title, "Ars");
		CHECK_STR(feeds[0].labels, "tech-news");
		CHECK_STR(feeds[1].title, "EFF & friends");
		CHECK_STR(feeds[1].labels, "tech-news rights privacy law us");
		CHECK_STR(feeds[2].labels, "");
	}
	CHECK_INT(opml_write(&out, "newsmon <feeds>", feeds, n), 0);
	CHECK(strstr(buf_str(&out), "<opml version=\"2.0\">") != NULL);
	CHECK(strstr(buf_str(&out), "<title>newsmon &lt;feeds&gt;</title>") != NULL);
	CHECK(strstr(buf_str(&out), "title=\"EFF &amp; friends\"") != NULL);
	CHECK(strstr(buf_str(&out), "category=\"tech-news,rights,privacy,law,us\"") != NULL);
	/* what was written reads back the same */
	struct opml_feed *again;
	size_t m;
	CHECK_INT(opml_read(out.data, out.len, a, &again, &m, err, sizeof err), 0);
	if (CHECK_INT(m, 3)) {
		CHECK_STR(again[1].url, "https://www.eff.org/rss/updates.xml");
		CHECK_STR(again[1].labels, "tech-news rights privacy law us");
	}
	CHECK_INT(opml_read("<rss/>", 6, a, &again, &m, err, sizeof err), -1);
	CHECK_STR(err, "not an OPML document (no <opml> root element)");
	CHECK_INT(opml_read("garbage", 7, a, &again, &m, err, sizeof err), -1);
	buf_free(&out);
	arena_free(a);
	return TEST_END();
}
