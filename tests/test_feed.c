/*
 * test_feed.c — the feed parser: every format, the extensions, xml:base, text constructs,
 * recovery, hostile documents, and the real-world corpus in ../shared/corpus/realworld.
 */
#include "parsers/buf.h"
#include "parsers/encoding.h"
#include "parsers/feed.h"
#include "tests/test.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

#define CORPUS "../shared/corpus/realworld/"

static char *date_text(int64_t t, char out[DATE_TEXT_SIZE])
{
	return t == DATE_NONE ? NULL : date_format(t, out);
}

static struct feed *parse_str(const char *doc, const char *url)
{
	struct feed *f = feed_parse(doc, strlen(doc), url, NULL);

	CHECK(f != NULL);
	return f;
}

static int read_path(const char *path, struct buf *out)
{
	FILE *fp = fopen(path, "rb");
	size_t n;

	buf_reset(out);
	if (fp == NULL)
		return -1;
	while (buf_reserve(out, 65536) == 0 &&
	       (n = fread(out->data + out->len, 1, out->cap - out->len - 1, fp)) > 0)
		out->len += n;
	fclose(fp);
	return 0;
}

/* Every string of a parsed feed is valid UTF-8 without controls other than tab and newline. */
static int clean_string(const char *s)
{
	if (s == NULL)
		return 1;
	size_t len = strlen(s);
	if (enc_utf8_valid_prefix(s, len) != len)
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7F ||
		    (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F))
			return 0;
	return 1;
}

static int feed_is_clean(const struct feed *f)
{
	int ok = clean_string(f->title) && clean_string(f->link) && clean_string(f->subtitle) &&
	         clean_string(f->encoding) &&
	         clean_string(f->author) && clean_string(f->error);
	for (size_t i = 0; i < f->nentries; i++) {
		const struct feed_entry *e = &f->entries[i];
		ok = ok && clean_string(e->id) && clean_string(e->title) && clean_string(e->link) &&
		     clean_string(e->summary) && clean_string(e->content) && clean_string(e->author);
		if (e->title)
			ok = ok && strchr(e->title, '\n') == NULL && strchr(e->title, '\t') == NULL;
		for (size_t k = 0; k < e->ncategories; k++)
			ok = ok && clean_string(e->categories[k]);
	}
	return ok;
}

/* ------------------------------------------------------------------ the corpus */

static const struct {
	const char *file;
	enum feed_format format;
	int bozo;
	const char *title;
	size_t entries;
	const char *id, *link, *published, *updated, *entry_title;
} corpus[] = {
	{"feed-rs__atom_example_2.xml", FEED_ATOM10, 0, "The Register - Science", 2,
	 "tag:theregister.co.uk,2005:story204156",
	 "http://go.theregister.com/feed/www.theregister.co.uk/2019/07/31/orbitbeyond_drops_nasa_moon_contract/",
	 NULL, "2019-07-31T11:54:28Z", NULL},
	{"feed-rs__rss_1.0_iso8859.xml", FEED_RSS10, 0, "Golem.de", 1,
	 "https://www.golem.de/news/digitalministerium-neue-glasfaserfoerderung-mit-schnellkasse-2301-171451.html",
	 "https://www.golem.de/news/digitalministerium-neue-glasfaserfoerderung-mit-schnellkasse-2301-171451.html",
	 "2023-01-25T18:03:02Z", NULL, "Digitalministerium: Neue Glasfaserförderung mit Schnellkasse"},
	{"feed-rs__rss_2.0_example_5.xml", FEED_RSS20, 0, "Ars Technica", 1,
	 "https://arstechnica.com/?p=1546121", "https://arstechnica.com/?p=1546121",
	 "2019-08-05T23:11:09Z", NULL, NULL},
	{"feed-rs__rss_2.0_kdist.xml", FEED_RSS20, 0, "Latest Linux Kernel Versions", 1,
	 "kernel.org,mainline,5.7-rc4,2020-05-03", "http://www.kernel.org/", "2020-05-03T21:56:15Z",
	 NULL, "5.7-rc4: mainline"},
	{"miniflux__encoding_ISO-8859-1.xml", FEED_RSS20, 0, "Golem.de", 40,
	 "https://www.golem.de/1810/137358-rss.html",
	 "https://www.golem.de/news/red-dead-redemption-2-hinweise-auf-pc-umsetzung-in-app-von-rockstar-games-1810-137358-rss.html",
	 "2018-10-28T12:48:00Z", NULL, NULL},
	{"miniflux__encoding_WINDOWS-1251.xml", FEED_RSS20, 0, "iBash.Org.Ru", 50,
	 "http://ibash.org.ru/quote.php?id=17703", "http://ibash.org.ru/quote.php?id=17703",
	 "2018-03-21T07:27:32Z", NULL, "Цитата #17703"},
	{"miniflux__no_encoding_ISO-8859-1.xml", FEED_RSS20, 1, NULL, 9, NULL,
	 "https://le-cercle-psy.scienceshumaines.com/perturbateurs-endocriniens-quels-effets-sur-le-cerveau_sh_39995",
	 "2018-10-17T10:30:00Z", NULL, "Perturbateurs endocriniens : quels effets sur le cerveau ?"},
	{"miniflux__rdf_UTF8.xml", FEED_RSS09, 0, "heise online News", 60, NULL,
	 "https://www.heise.de/newsticker/meldung/OLED-TVs-Vorsichtsmassnahmen-gegen-Einbrennen-4205274.html?wt_mc=rss.ho.beitrag.rdf",
	 NULL, NULL, "OLED-TVs: Vorsichtsmaßnahmen gegen Einbrennen"},
	{"miniflux__urdu_UTF8.xml", FEED_RSS20, 0, NULL, 26, "http://www.bbc.com/urdu/pakistan-42575603",
	 "http://www.bbc.com/urdu/pakistan-42575603", "2018-01-05T16:51:00Z", NULL, NULL},
	{"rss-parser__guardian.rss", FEED_RSS20, 0, "The Guardian", 55,
	 "https://www.theguardian.com/us-news/2018/jan/31/donald-trump-state-of-the-union-address-unity-discord",
	 "https://www.theguardian.com/us-news/2018/jan/31/donald-trump-state-of-the-union-address-unity-discord",
	 "2018-01-31T07:26:05Z", NULL, NULL},
	{"rss-parser__giantbomb-podcast.rss", FEED_RSS20, 0, "Giant Bombcast", 730, "1600-2823",
	 "https://www.giantbomb.com/shows/603-call-of-tuesday/2970-19653/free-podcast",
	 "2019-10-01T22:30:00Z", NULL, "Giant Bombcast 603: Call of Tuesday"},
	{"rss-parser__heise.atom", FEED_ATOM10, 0, "heise developer neueste Meldungen", 15,
	 "http://heise.de/-3088438",
	 "http://www.heise.de/developer/meldung/Java-Anwendungsserver-Red-Hat-gibt-WildFly-10-frei-3088438.html?wt_mc=rss.developer.beitrag.atom",
	 "2016-02-01T16:22:00Z", "2016-02-01T16:54:50Z", "Java-Anwendungsserver: Red Hat gibt WildFly 10 frei"},
	{"rss-parser__reddit-home.rss", FEED_ATOM10, 0, "reddit: the front page of the internet", 24,
	 "t3_42tizy",
	 "https://www.reddit.com/r/funny/comments/42tizy/how_the_british_as_seen_by_americans_and_europeans/",
	 "2016-01-26T20:31:34Z", NULL, "How the British as seen by Americans and Europeans"},
	{"rss-parser__uolNoticias.rss", FEED_RSS20, 1, "UOL Noticias", 15, NULL,
	 "https://noticias.uol.com.br/politica/eleicoes/2018/noticias/2018/09/24/ibope-bolsonaro-perde-de-haddad-ciro-e-alckmin-em-simulacoes-de-2-turno.htm",
	 "2018-09-24T22:42:40Z", NULL, NULL},
	{"feed-rs__jsonfeed_elastic_1.1.json", FEED_JSONFEED, 0, "Blog – InfluxData", 3, NULL,
	 "https://www.influxdata.com/blog/influxdb-outperforms-graphite-in-time-series-data-metrics-benchmark",
	 "2019-05-31T19:17:58Z", "2019-05-31T19:17:58Z", NULL},
	{"rss-parser__rss-1.rss", FEED_RSS10, 0, NULL, 69,
	 "http://science.sciencemag.org/cgi/content/short/356/6343/1134-a?rss=1",
	 "http://science.sciencemag.org/cgi/content/short/356/6343/1134-a?rss=1", "2017-06-15T17:29:47Z",
	 NULL, "Food for fungi"},
	{"feed-rs__atom_mediarss_youtube_1.xml", FEED_ATOM10, 0, "PBS Space Time", 1, "yt:video:0A1ouV7iD8o",
	 "https://www.youtube.com/watch?v=0A1ouV7iD8o", "2020-12-22T19:15:01Z", "2020-12-25T23:12:12Z",
	 "Navigating with Quantum Entanglement"},
	{"feed-rs__atom_scattered.xml", FEED_ATOM10, 1, "Scattered Thoughts", 1,
	 "https://www.scattered-thoughts.net/log/0042/", "https://www.scattered-thoughts.net/log/0042/",
	 "2023-12-01T00:00:00Z", "2023-12-01T00:00:00Z", NULL},
	{"feed-rs__rss_2.0_dbengines.xml", FEED_RSS20, 1, "DB-Engines.com Blog", 1,
	 "https://db-engines.com/en/blog_post/103", "https://db-engines.com/en/blog_post/103",
	 "2023-01-03T15:00:00Z", NULL, NULL},
	{"feed-rs__rss_2.0_invalid_1.xml", FEED_RSS20, 1, "Reuters: Most Read Articles", 0, NULL, NULL,
	 NULL, NULL, NULL},
};

static void test_corpus_expectations(void)
{
	struct buf body = {0};
	char d1[DATE_TEXT_SIZE], d2[DATE_TEXT_SIZE];

	for (size_t i = 0; i < sizeof corpus / sizeof *corpus; i++) {
		char path[512];
		snprintf(path, sizeof path, CORPUS "%s", corpus[i].file);
		if (!CHECK(read_path(path, &body) == 0)) {
			fprintf(stderr, "    cannot read %s\n", path);
			continue;
		}
		struct feed *f = feed_parse(buf_str(&body), body.len, NULL, NULL);
		if (!CHECK(f != NULL))
			continue;
		int failed = test_failed;
		CHECK_INT(f->format, corpus[i].format);
		CHECK_INT(f->bozo, corpus[i].bozo);
		if (corpus[i].title)
			CHECK_STR(f->title, corpus[i].title);
		CHECK_INT(f->nentries, corpus[i].entries);
		if (f->nentries && corpus[i].entries) {
			const struct feed_entry *e = &f->entries[0];
			CHECK_STR(e->id, corpus[i].id);
			CHECK_STR(e->link, corpus[i].link);
			CHECK_STR(date_text(e->published, d1), corpus[i].published);
			CHECK_STR(date_text(e->updated, d2), corpus[i].updated);
			if (corpus[i].entry_title)
				CHECK_STR(e->title, corpus[i].entry_title);
		}
		if (test_failed != failed)
			fprintf(stderr, "    in %s\n", corpus[i].file);
		feed_free(f);
	}
	buf_free(&body);
}

/* Every file of the corpus parses into something usable and clean. */
static void test_corpus_all(void)
{
	DIR *dir = opendir(CORPUS);
	struct dirent *de;
	struct buf body = {0};
	char path[512];
	int files = 0;

	if (!CHECK(dir != NULL))
		return;
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.' || strstr(de->d_name, ".md"))
			continue;
		snprintf(path, sizeof path, CORPUS "%s", de->d_name);
		if (read_path(path, &body) < 0)
			continue;
		files++;
		struct feed *f = feed_parse(buf_str(&body), body.len, "https://example.org/feed", NULL);
		if (!CHECK(f != NULL && f->format != FEED_UNKNOWN))
			fprintf(stderr, "    %s: %s\n", de->d_name, f && f->error ? f->error : "?");
		if (f && !CHECK(feed_is_clean(f)))
			fprintf(stderr, "    %s: a string is not clean UTF-8\n", de->d_name);
		feed_free(f);
	}
	closedir(dir);
	CHECK(files >= 48);
	buf_free(&body);
}

/* ------------------------------------------------------------------ formats */

static const char rss20[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\""
	" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\""
	" xmlns:atom=\"http://www.w3.org/2005/Atom\" xmlns:media=\"http://search.yahoo.com/mrss/\""
	" xmlns:sy=\"http://purl.org/rss/1.0/modules/syndication/\""
	" xmlns:feedburner=\"http://rssnamespace.org/feedburner/ext/1.0\">\n"
	"<channel>\n"
	" <title>Trade &amp;amp; Policy</title>\n"
	" <link>https://trade.example/</link>\n"
	" <description>Platform &lt;b&gt;policy&lt;/b&gt; news</description>\n"
	" <language>en-gb</language>\n"
	" <lastBuildDate>Tue, 07 Jul 2020 02:00:00 GMT</lastBuildDate>\n"
	" <managingEditor>desk@trade.example (News Desk)</managingEditor>\n"
	" <generator>WordPress 5.4</generator>\n"
	" <image><url>/logo.png</url><title>logo</title><link>https://trade.example/</link></image>\n"
	" <ttl>60</ttl><sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency>\n"
	" <atom:link rel=\"self\" href=\"https://trade.example/feed\"/>\n"
	" <item>\n"
	"  <title>WhatsApp, Telegram refuse Hong Kong data requests</title>\n"
	"  <link>https://trade.example/2020/07/06/hk-data?utm_source=rss</link>\n"
	"  <guid isPermaLink=\"false\">trade-1001</guid>\n"
	"  <pubDate>Mon, 06 Jul 2020 09:30:00 +0800</pubDate>\n"
	"  <dc:creator>Jane Doe</dc:creator>\n"
	"  <category>Privacy</category><category> Hong   Kong </category><dc:subject>Policy</dc:subject>\n"
	"  <description><![CDATA[<p>Summary with <a href=\"/related/1\">a link</a>.</p>]]></description>\n"
	"  <content:encoded><![CDATA[<p>Full text. See <a href=\"https://other.example/story\">this</a>"
	" and <a href='https://trade.example/a?x=1&amp;y=2'>that</a> and <a href=\"mailto:x@y\">mail</a>.</p>]]>"
	"</content:encoded>\n"
	"  <enclosure url=\"https://cdn.example/a.mp3\" type=\"audio/mpeg\" length=\"12345\"/>\n"
	"  <media:content url=\"https://cdn.example/v.mp4\" type=\"video/mp4\" fileSize=\"999\"/>\n"
	"  <comments>https://trade.example/2020/07/06/hk-data#comments</comments>\n"
	" </item>\n"
	" <item><title>Permalink guid</title><guid>https://trade.example/p/2</guid>"
	"<dc:date>2020-07-07T10:00:00+08:00</dc:date>"
	"<feedburner:origLink>https://trade.example/orig/2</feedburner:origLink></item>\n"
	" <item><title>Not a permalink</title><guid isPermaLink=\"false\">https://trade.example/p/3</guid></item>\n"
	" <item></item>\n"
	"</channel></rss>\n";

static void test_rss20(void)
{
	struct feed *f = parse_str(rss20, "https://trade.example/feed");
	char d[DATE_TEXT_SIZE];

	CHECK_INT(f->format, FEED_RSS20);
	CHECK_INT(f->bozo, 0);
	CHECK_STR(f->error, NULL);
	CHECK_STR(f->title, "Trade & Policy");
	CHECK_STR(f->link, "https://trade.example/");
	CHECK_STR(f->subtitle, "Platform policy news");
	CHECK_STR(f->language, "en-gb");
	CHECK_STR(date_text(f->updated, d), "2020-07-07T02:00:00Z");
	CHECK_STR(f->author, "desk@trade.example (News Desk)");
	CHECK_STR(f->generator, "WordPress 5.4");
	CHECK_STR(f->image, "https://trade.example/logo.png");
	CHECK_INT(f->ttl, 43200); /* twice daily beats <ttl>60</ttl> */
	if (!CHECK_INT(f->nentries, 3))
		goto done;
	const struct feed_entry *e = &f->entries[0];
	CHECK_STR(e->id, "trade-1001");
	CHECK_STR(e->title, "WhatsApp, Telegram refuse Hong Kong data requests");
	CHECK_STR(e->link, "https://trade.example/2020/07/06/hk-data?utm_source=rss");
	CHECK_STR(date_text(e->published, d), "2020-07-06T01:30:00Z");
	CHECK_STR(e->published_raw, "Mon, 06 Jul 2020 09:30:00 +0800");
	CHECK_STR(e->author, "Jane Doe");
	CHECK_INT(e->ncategories, 3);
	if (e->ncategories == 3)
		CHECK_STR(e->categories[1], "Hong Kong");
	CHECK_STR(e->summary, "<p>Summary with <a href=\"/related/1\">a link</a>.</p>");
	CHECK(e->content && strstr(e->content, "<p>Full text.") == e->content);
	CHECK_INT(e->nenclosures, 2);
	if (e->nenclosures == 2) {
		CHECK_STR(e->enclosures[0].url, "https://cdn.example/a.mp3");
		CHECK_STR(e->enclosures[0].type, "audio/mpeg");
		CHECK_INT(e->enclosures[0].length, 12345);
		CHECK_INT(e->enclosures[1].length, 999);
	}
	CHECK_STR(e->comments, "https://trade.example/2020/07/06/hk-data#comments");
	CHECK_INT(e->nhrefs, 3);
	if (e->nhrefs == 3) {
		CHECK_STR(e->hrefs[0], "https://trade.example/related/1");
		CHECK_STR(e->hrefs[1], "https://other.example/story");
		CHECK_STR(e->hrefs[2], "https://trade.example/a?x=1&y=2");
	}
	e = &f->entries[1];
	CHECK_STR(e->id, "https://trade.example/p/2");
	CHECK_STR(e->link, "https://trade.example/orig/2"); /* feedburner:origLink beats the guid */
	CHECK_STR(date_text(e->published, d), "2020-07-07T02:00:00Z");
	CHECK_STR(f->entries[2].link, NULL); /* isPermaLink="false" */
done:
	feed_free(f);
}

static void test_rss091_with_dtd_entities(void)
{
	struct feed *f = parse_str(
		"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
		"<!DOCTYPE rss PUBLIC \"-//Netscape Communications//DTD RSS 0.91//EN\"\n"
		" \"http://my.netscape.com/publish/formats/rss-0.91.dtd\">\n"
		"<rss version=\"0.91\"><channel><title>Old&nbsp;School</title><link>http://old.example/</link>"
		"<description>d</description><language>en</language>"
		"<item><title>Caf&eacute; news &copy;</title><link>http://old.example/1</link>"
		"<description>x&nbsp;y</description></item></channel></rss>", NULL);

	CHECK_INT(f->format, FEED_RSS09);
	CHECK_STR(f->title, "Old School");
	if (CHECK_INT(f->nentries, 1)) {
		CHECK_STR(f->entries[0].title, "Café news ©");
		CHECK_STR(f->entries[0].summary, "x\xC2\xA0y");
	}
	feed_free(f);
}

static void test_rss10_and_090(void)
{
	char d[DATE_TEXT_SIZE];
	struct feed *f = parse_str(
		"<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\""
		" xmlns=\"http://purl.org/rss/1.0/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
		"<channel rdf:about=\"http://r1.example/\"><title>R1</title><link>http://r1.example/</link>"
		"<description>desc</description><dc:language>fr</dc:language>"
		"<image rdf:resource=\"http://r1.example/i.png\"/></channel>"
		"<item rdf:about=\"http://r1.example/a\"><title>A</title><link>http://r1.example/a?x</link>"
		"<dc:date>2020-07-08</dc:date><dc:creator>X</dc:creator></item>"
		"<item rdf:about=\"http://r1.example/b\"><title>B</title></item></rdf:RDF>", NULL);

	CHECK_INT(f->format, FEED_RSS10);
	CHECK_STR(f->title, "R1");
	CHECK_STR(f->language, "fr");
	CHECK_STR(f->image, "http://r1.example/i.png");
	if (CHECK_INT(f->nentries, 2)) {
		CHECK_STR(f->entries[0].id, "http://r1.example/a");
		CHECK_STR(f->entries[0].link, "http://r1.example/a?x");
		CHECK_STR(date_text(f->entries[0].published, d), "2020-07-08T00:00:00Z");
		CHECK_STR(f->entries[0].author, "X");
		CHECK_STR(f->entries[1].link, "http://r1.example/b"); /* rdf:about */
	}
	feed_free(f);

	f = parse_str("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\""
	              " xmlns=\"http://my.netscape.com/rdf/simple/0.9/\"><channel><title>N</title>"
	              "<link>http://n.example/</link></channel><item><title>I</title>"
	              "<link>http://n.example/i</link></item></rdf:RDF>", NULL);
	CHECK_INT(f->format, FEED_RSS09);
	CHECK_INT(f->nentries, 1);
	feed_free(f);
}

static const char atom10[] =
	"<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:base=\"https://atom.example/blog/\">\n"
	" <title type=\"html\">Atom &amp;lt;Blog&amp;gt;</title>\n"
	" <subtitle>Plain &lt;not a tag&gt;</subtitle>\n"
	" <link href=\"/\" rel=\"alternate\" type=\"text/html\"/><link href=\"feed.atom\" rel=\"self\"/>\n"
	" <updated>2020-07-08T12:00:00Z</updated>\n"
	" <author><name>Ann</name><email>ann@atom.example</email></author>\n"
	" <generator uri=\"https://gen.example/\">Gen</generator>\n"
	" <logo>img/logo.png</logo>\n"
	" <entry xml:base=\"posts/\">\n"
	"  <title type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">X<b>HTML</b> title</div></title>\n"
	"  <id>urn:uuid:1</id>\n"
	"  <link href=\"one.html\"/>\n"
	"  <link rel=\"enclosure\" href=\"a.mp3\" type=\"audio/mpeg\" length=\"10\"/>\n"
	"  <link rel=\"related\" href=\"https://related.example/x\"/>\n"
	"  <link rel=\"replies\" type=\"text/html\" href=\"one.html#c\"/>\n"
	"  <published>2020-07-08T10:00:00+02:00</published><updated>2020-07-08T11:00:00Z</updated>\n"
	"  <summary type=\"text\">Text &amp; more</summary>\n"
	"  <content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Hello"
	" <a href=\"rel.html\">rel</a></p></div></content>\n"
	"  <category term=\"privacy\" label=\"Privacy\"/>\n"
	"  <source><title>Other feed</title><id>other</id><link href=\"https://other.example/\"/></source>\n"
	" </entry>\n"
	" <entry>\n"
	"  <title type=\"html\">&lt;b&gt;Bold&lt;/b&gt; &amp;amp; more</title><id>urn:uuid:2</id>\n"
	"  <link rel=\"alternate\" type=\"application/pdf\" href=\"doc.pdf\"/>\n"
	"  <link rel=\"alternate\" type=\"text/html\" href=\"page.html\"/>\n"
	"  <content type=\"html\">&lt;p&gt;escaped&lt;/p&gt;</content><updated>2020-07-09T00:00:00Z</updated>\n"
	" </entry>\n"
	" <entry><id>urn:uuid:3</id><source><title>Leaked title</title></source></entry>\n"
	"</feed>\n";

static void test_atom10(void)
{
	struct feed *f = parse_str(atom10, "https://elsewhere.example/feed.xml");
	char d[DATE_TEXT_SIZE];

	CHECK_INT(f->format, FEED_ATOM10);
	CHECK_INT(f->bozo, 0);
	CHECK_STR(f->title, "Atom <Blog>");
	CHECK_STR(f->subtitle, "Plain <not a tag>");
	CHECK_STR(f->link, "https://atom.example/");
	CHECK_STR(date_text(f->updated, d), "2020-07-08T12:00:00Z");
	CHECK_STR(f->author, "Ann (ann@atom.example)");
	CHECK_STR(f->generator, "Gen");
	CHECK_STR(f->image, "https://atom.example/blog/img/logo.png");
	if (!CHECK_INT(f->nentries, 3))
		goto done;
	const struct feed_entry *e = &f->entries[0];
	CHECK_STR(e->title, "XHTML title");
	CHECK_STR(e->id, "urn:uuid:1");
	CHECK_STR(e->link, "https://atom.example/blog/posts/one.html");
	CHECK_STR(e->comments, "https://atom.example/blog/posts/one.html#c");
	CHECK_STR(date_text(e->published, d), "2020-07-08T08:00:00Z");
	CHECK_STR(date_text(e->updated, d), "2020-07-08T11:00:00Z");
	CHECK_STR(e->summary, "Text & more");
	CHECK(e->content && strstr(e->content, "<p>Hello <a href=\"rel.html\">rel</a></p>") != NULL);
	if (CHECK_INT(e->nenclosures, 1)) {
		CHECK_STR(e->enclosures[0].url, "https://atom.example/blog/posts/a.mp3");
		CHECK_INT(e->enclosures[0].length, 10);
	}
	if (CHECK_INT(e->ncategories, 1))
		CHECK_STR(e->categories[0], "privacy");
	if (CHECK_INT(e->nhrefs, 2)) {
		CHECK_STR(e->hrefs[0], "https://related.example/x");
		CHECK_STR(e->hrefs[1], "https://atom.example/blog/posts/rel.html");
	}
	e = &f->entries[1];
	CHECK_STR(e->title, "Bold & more");
	CHECK_STR(e->link, "https://atom.example/blog/page.html");
	CHECK_STR(e->content, "<p>escaped</p>");
	CHECK_STR(f->entries[2].title, NULL); /* atom:source describes another feed */
done:
	feed_free(f);
}

static void test_atom03(void)
{
	char d[DATE_TEXT_SIZE];
	struct feed *f = parse_str(
		"<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\"><title>Old Atom</title>"
		"<link rel=\"alternate\" type=\"text/html\" href=\"http://a03.example/\"/>"
		"<modified>2004-01-01T00:00:00Z</modified><tagline>Tag</tagline>"
		"<entry><title>E</title><link rel=\"alternate\" type=\"text/html\" href=\"http://a03.example/e\"/>"
		"<id>tag:a03,2004:1</id><issued>2004-01-01T10:00:00-05:00</issued>"
		"<modified>2004-01-02T00:00:00Z</modified>"
		"<content type=\"text/html\" mode=\"escaped\">&lt;p&gt;Hi&lt;/p&gt;</content>"
		"<author><name>Bob</name></author></entry></feed>", NULL);

	CHECK_INT(f->format, FEED_ATOM03);
	CHECK_STR(f->subtitle, "Tag");
	CHECK_STR(date_text(f->updated, d), "2004-01-01T00:00:00Z");
	if (CHECK_INT(f->nentries, 1)) {
		CHECK_STR(f->entries[0].link, "http://a03.example/e");
		CHECK_STR(date_text(f->entries[0].published, d), "2004-01-01T15:00:00Z");
		CHECK_STR(date_text(f->entries[0].updated, d), "2004-01-02T00:00:00Z");
		CHECK_STR(f->entries[0].content, "<p>Hi</p>");
		CHECK_STR(f->entries[0].author, "Bob");
	}
	feed_free(f);
}

static void test_jsonfeed(void)
{
	char d[DATE_TEXT_SIZE];
	static const char doc[] =
		"{\"version\":\"https://jsonfeed.org/version/1\",\"title\":\"J &amp; F\","
		"\"home_page_url\":\"https://j.example/\",\"description\":\"d\",\"author\":{\"name\":\"Jo\"},"
		"\"items\":[{\"id\":1,\"url\":\"/p/1\",\"title\":\"One\","
		"\"content_html\":\"<p>Hi <a href=\\\"https://x.example/\\\">x</a></p>\",\"summary\":\"S\","
		"\"date_published\":\"2020-07-06T10:00:00+08:00\",\"tags\":[\"a\",\"b\"],"
		"\"attachments\":[{\"url\":\"https://j.example/a.mp3\",\"mime_type\":\"audio/mpeg\",\"size_in_bytes\":5}]},"
		"{\"id\":\"two\",\"external_url\":\"https://ext.example/\",\"content_text\":\"plain\\u0000text\\u001b\","
		"\"date_modified\":\"2020-07-07T00:00:00Z\",\"authors\":[{\"name\":\"Ann\"}]},"
		"\"not an object\"]}";
	struct feed *f = feed_parse(doc, sizeof doc - 1, "https://j.example/feed.json", NULL);

	CHECK_INT(f->format, FEED_JSONFEED);
	CHECK_STR(f->title, "J & F");
	CHECK_STR(f->author, "Jo");
	if (CHECK_INT(f->nentries, 2)) {
		const struct feed_entry *e = &f->entries[0];
		CHECK_STR(e->id, "1");
		CHECK_STR(e->link, "https://j.example/p/1");
		CHECK_STR(e->summary, "S");
		CHECK_STR(date_text(e->published, d), "2020-07-06T02:00:00Z");
		CHECK_INT(e->ncategories, 2);
		if (CHECK_INT(e->nenclosures, 1))
			CHECK_INT(e->enclosures[0].length, 5);
		if (CHECK_INT(e->nhrefs, 1))
			CHECK_STR(e->hrefs[0], "https://x.example/");
		e = &f->entries[1];
		CHECK_STR(e->link, "https://ext.example/");
		CHECK_STR(e->content, "plaintext");
		CHECK_STR(e->author, "Ann");
		CHECK_STR(date_text(e->updated, d), "2020-07-07T00:00:00Z");
	}
	feed_free(f);

	f = parse_str("{\"foo\": 1}", NULL);
	CHECK_INT(f->format, FEED_UNKNOWN);
	CHECK_STR(f->error, "not a feed: JSON without a JSON Feed version");
	feed_free(f);
	f = parse_str("{\"version\": ", NULL);
	CHECK_INT(f->format, FEED_UNKNOWN);
	CHECK(f->error && strncmp(f->error, "not a feed: invalid JSON", 24) == 0);
	feed_free(f);
}

/* ------------------------------------------------------------------ bad input */

static void test_recovery(void)
{
	struct feed *f = parse_str(
		"<rss version=\"2.0\"><channel><title>AT&T & Verizon</title>"
		"<item><title>Q&A: data requests&nbsp;explained &bogus;</title>"
		"<link>http://x.example/?a=1&b=2</link></item></channel></rss>", NULL);
	CHECK_INT(f->format, FEED_RSS20);
	CHECK_INT(f->bozo, 1);
	CHECK(f->error && strstr(f->error, "malformed XML, recovered (line 1:") == f->error);
	CHECK_STR(f->title, "AT&T & Verizon");
	if (CHECK_INT(f->nentries, 1)) {
		CHECK_STR(f->entries[0].title, "Q&A: data requests explained &bogus;");
		CHECK_STR(f->entries[0].link, "http://x.example/?a=1&b=2");
	}
	feed_free(f);

	f = parse_str("<rss version=\"2.0\"><channel><title>T</title><item><title>one</title></item>"
	              "<item><title>two</title><description>cut he", NULL);
	CHECK_INT(f->bozo, 1);
	if (CHECK_INT(f->nentries, 2))
		CHECK_STR(f->entries[1].title, "two");
	feed_free(f);

	f = parse_str("Content-Type: junk\r\n\r\n<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>"
	              "<title>Junk first</title></channel></rss>", NULL);
	CHECK_INT(f->bozo, 1);
	CHECK_STR(f->title, "Junk first");
	feed_free(f);

	/* undeclared prefixes: read by their conventional meaning */
	f = parse_str("<rss version=\"2.0\"><channel><item><title>t</title><dc:creator>Me</dc:creator>"
	              "<media:content url=\"http://m.example/a.jpg\"/></item></channel></rss>", NULL);
	CHECK_INT(f->bozo, 1);
	if (CHECK_INT(f->nentries, 1)) {
		CHECK_STR(f->entries[0].author, "Me");
		CHECK_INT(f->entries[0].nenclosures, 1);
	}
	feed_free(f);

	static const struct {
		const char *doc, *error;
	} unusable[] = {
		{"", "not a feed: the document is empty"},
		{" \n\t ", "not a feed: the document is empty"},
		{"<foo><bar/></foo>", "not a feed: the document is <foo>, not RSS or Atom"},
		{"hello world", "not a feed: no XML document could be read"},
		{"<html><body>x</body></html>", "not a feed: looks like an HTML page that advertises no feed"},
	};
	for (size_t i = 0; i < sizeof unusable / sizeof *unusable; i++) {
		f = parse_str(unusable[i].doc, NULL);
		CHECK_INT(f->format, FEED_UNKNOWN);
		if (!CHECK(f->error && strncmp(f->error, unusable[i].error, strlen(unusable[i].error)) == 0))
			fprintf(stderr, "    got: %s\n", f->error ? f->error : "NULL");
		feed_free(f);
	}

	static const char binary[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0\xff\xfe<\0\0";
	f = feed_parse(binary, sizeof binary - 1, NULL, NULL);
	CHECK(f != NULL && f->format == FEED_UNKNOWN && feed_is_clean(f));
	feed_free(f);
}

static void test_double_escaped_and_controls(void)
{
	struct feed *f = parse_str(
		"<rss version=\"2.0\"><channel><title>x</title><item>"
		"<title>\x1b[31mRed\x1b[0m&#x9B;2J\x07 title\r\nnext\x01</title>"
		"<description>&amp;lt;p&amp;gt;Hello &amp;amp; bye&amp;lt;/p&amp;gt;</description>"
		"<category>a\tb</category></item></channel></rss>", NULL);

	CHECK_INT(f->bozo, 1); /* ESC and BEL are not allowed in XML */
	CHECK(f->error && strstr(f->error, "encoding: 4 control characters removed (XML allows none)") != NULL);
	CHECK(f->error && strstr(f->error, "not valid") == NULL); /* nothing was invalid UTF-8 */
	if (CHECK_INT(f->nentries, 1)) {
		CHECK_STR(f->entries[0].title, "[31mRed[0m2J title next");
		CHECK_STR(f->entries[0].summary, "<p>Hello & bye</p>");
		CHECK_STR(f->entries[0].categories[0], "a b");
	}
	CHECK(feed_is_clean(f));
	feed_free(f);
}

static void test_http_charset_and_mislabels(void)
{
	static const char latin1[] = "<rss version=\"2.0\"><channel><title>Caf\xE9 \x93quoted\x94</title>"
	                             "</channel></rss>";
	struct feed *f = feed_parse(latin1, sizeof latin1 - 1, NULL, "ISO-8859-1");
	CHECK_INT(f->bozo, 0);
	CHECK_STR(f->encoding, "windows-1252");
	CHECK_STR(f->title, "Café “quoted”");
	feed_free(f);

	/* the same bytes with no charset anywhere: still readable, marked as repaired */
	f = feed_parse(latin1, sizeof latin1 - 1, NULL, NULL);
	CHECK_INT(f->bozo, 1);
	CHECK_STR(f->title, "Café “quoted”");
	feed_free(f);

	static const char utf16[] = "\xFF\xFE<\0r\0s\0s\0>\0<\0c\0h\0a\0n\0n\0e\0l\0>\0<\0t\0i\0t\0l\0e\0>\0"
	                            "\xE9\0<\0/\0t\0i\0t\0l\0e\0>\0<\0/\0c\0h\0a\0n\0n\0e\0l\0>\0<\0/\0r\0s\0s\0>\0";
	f = feed_parse(utf16, sizeof utf16 - 1, NULL, "utf-8");
	CHECK_STR(f->encoding, "UTF-16LE");
	CHECK_STR(f->title, "é");
	feed_free(f);
}

static void test_html_discovery(void)
{
	struct feed *f = parse_str(
		"<!DOCTYPE html><html><head><title>Site</title><base href=\"https://site.example/news/\">"
		"<link rel=\"alternate\" type=\"application/rss+xml\" title=\"RSS\" href=\"feed.xml\">"
		"<link rel=\"alternate\" type=\"application/atom+xml\" href=\"https://site.example/atom.xml\">"
		"<link rel=\"stylesheet\" href=\"s.css\">"
		"<link rel=\"alternate\" type=\"application/rss+xml\" href=\"javascript:alert(1)\">"
		"<LINK REL=\"Alternate feed\" TYPE=\"application/feed+json\" HREF=\"/feed.json\">"
		"<link rel=\"alternate\" type=\"application/rss+xml\" href=\"feed.xml\">"
		"</head><body><p>Hi</body></html>", "https://site.example/index.html");

	CHECK_INT(f->format, FEED_UNKNOWN);
	CHECK_INT(f->html, 1);
	if (CHECK_INT(f->nalternates, 3)) {
		CHECK_STR(f->alternates[0], "https://site.example/news/feed.xml");
		CHECK_STR(f->alternates[1], "https://site.example/atom.xml");
		CHECK_STR(f->alternates[2], "https://site.example/feed.json");
	}
	CHECK_STR(f->error, "not a feed: looks like an HTML page; it advertises 3 feeds: "
	                    "https://site.example/news/feed.xml https://site.example/atom.xml "
	                    "https://site.example/feed.json");
	feed_free(f);
}

/* ------------------------------------------------------------------ hostile documents */

#define LOL_DTD                                                                                    \
	"<!DOCTYPE rss [<!ENTITY lol \"lol\">"                                                     \
	"<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"                    \
	"<!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">"          \
	"<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">"          \
	"<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">"          \
	"<!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">"          \
	"<!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">"          \
	"<!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">"          \
	"<!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">"          \
	"<!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">]>"
#define PASSWD "file:///etc/passwd"

/* Entity and DTD attacks. The strict attempt reads a document with the push parser and keeps
 * its tree only when it is well-formed (a bozo feed came from the repair path), so "bozo" below
 * says the push parser refused the document, and "not bozo" that it read it: in both cases no
 * expansion may blow up and nothing outside the document may be read. */
static void test_entities_and_dtds(void)
{
	static const struct {
		const char *doc;
		int bozo;
		const char *title, *enclosure; /* the feed title, the first entry's enclosure URL */
	} cases[] = {
		/* billion laughs in text and in attribute values (which libxml2 always expands) */
		{LOL_DTD "<rss version=\"2.0\"><channel><title>&lol9;</title><item><title>x</title>"
		 "</item></channel></rss>", 1, NULL, NULL},
		{LOL_DTD "<rss version=\"2.0\"><channel><title>t</title><item><title>x</title>"
		 "<enclosure url=\"&lol9;\"/></item></channel></rss>", 1, "t", NULL},
		{LOL_DTD "<rss version=\"2.0\"><channel><title>t</title><item><title a=\"&lol5;\">x</title>"
		 "</item></channel></rss>", 1, "t", NULL},
		/* external general entities in text: never read */
		{"<!DOCTYPE rss [<!ENTITY xxe SYSTEM \"" PASSWD "\">]><rss version=\"2.0\"><channel>"
		 "<title>a&xxe;b</title></channel></rss>", 0, "ab", NULL},
		/* ... nor in an attribute value, where XML forbids them */
		{"<!DOCTYPE rss [<!ENTITY xxe SYSTEM \"" PASSWD "\">]><rss version=\"2.0\"><channel>"
		 "<title>T</title><item><title>i</title><enclosure url=\"&xxe;\"/></item></channel></rss>",
		 1, "T", NULL},
		/* external parameter entities, an external DTD subset, an entity declared through a
		 * parameter entity, an unparsed entity, XInclude */
		{"<!DOCTYPE rss [<!ENTITY % ext SYSTEM \"" PASSWD "\"> %ext;]><rss version=\"2.0\">"
		 "<channel><title>T</title></channel></rss>", 0, "T", NULL},
		{"<!DOCTYPE rss SYSTEM \"" PASSWD "\"><rss version=\"2.0\"><channel><title>T&amp;x</title>"
		 "</channel></rss>", 0, "T&x", NULL},
		{"<!DOCTYPE r [<!ENTITY % d \"<!ENTITY x SYSTEM '" PASSWD "'>\"> %d;]>"
		 "<rss version=\"2.0\"><channel><title>a&x;b</title></channel></rss>", 0, "ab", NULL},
		{"<!DOCTYPE rss [<!ENTITY inc SYSTEM \"/etc/passwd\" NDATA x>]><rss version=\"2.0\">"
		 "<channel><title>a&inc;b</title></channel></rss>", 1, "ab", NULL},
		{"<rss version=\"2.0\" xmlns:xi=\"http://www.w3.org/2001/XInclude\"><channel><title>a"
		 "<xi:include href=\"" PASSWD "\" parse=\"text\"/>b</title></channel></rss>", 0, "ab", NULL},
		/* an internal entity read once per reference stops at the field cap (quadratic blow-up) */
		{"<!DOCTYPE rss [<!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">]>"
		 "<rss version=\"2.0\"><channel><title>x</title><item><title>&a;&a;&a;&a;&a;&a;&a;&a;"
		 "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"
		 "</title><enclosure url=\"http://e.example/&a;\"/></item></channel></rss>", 0, "x",
		 "http://e.example/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct feed *f = parse_str(cases[i].doc, NULL);
		int failed = test_failed;
		CHECK_INT(f->bozo, cases[i].bozo);
		CHECK_STR(f->title, cases[i].title);
		CHECK(f->title == NULL || strlen(f->title) <= FEED_MAX_FIELD);
		for (size_t k = 0; k < f->nentries; k++)
			CHECK(f->entries[k].title == NULL || strlen(f->entries[k].title) <= FEED_MAX_FIELD);
		if (cases[i].enclosure && CHECK(f->nentries == 1 && f->entries[0].nenclosures == 1))
			CHECK_STR(f->entries[0].enclosures[0].url, cases[i].enclosure);
		if (test_failed != failed)
			fprintf(stderr, "    in case %zu\n", i);
		feed_free(f);
	}
}

/* Past XML_MAX_LOOKUP_LIMIT (10 MB) the push parser refuses a document without
 * XML_PARSE_HUGE; the strict attempt then reads it with the pull parser, so a document of that
 * size is read as well as a small one. */
static void test_large_document(void)
{
	static const size_t sizes[] = {9 * 1000 * 1000, 11 * 1000 * 1000};
	struct buf doc = {0};

	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
		size_t n = 0;
		buf_reset(&doc);
		buf_puts(&doc, "<rss version=\"2.0\"><channel><title>big</title>");
		while (doc.len < sizes[i])
			buf_printf(&doc, "<item><guid>g%zu</guid><description><![CDATA[<p>%02000zu</p>]]>"
			           "</description></item>", n, n), n++;
		buf_puts(&doc, "</channel></rss>");
		struct feed *f = feed_parse(doc.data, doc.len, NULL, NULL);
		CHECK_INT(f->bozo, 0);
		CHECK_STR(f->error, NULL);
		CHECK_STR(f->title, "big");
		if (CHECK_INT(f->nentries, n))
			CHECK_STR(f->entries[0].id, "g0");
		feed_free(f);
	}
	buf_free(&doc);
}

static void test_hostile(void)
{
	struct buf doc = {0};
	struct feed *f;

	f = parse_str("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
	              " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
	              " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
	              " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
	              " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
	              " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
	              " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
	              " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
	              " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
	              " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
	              "]>\n<rss version=\"2.0\"><channel><title>&lol9;</title><item><title>x</title></item>"
	              "</channel></rss>", NULL);
	CHECK(f->title == NULL || strlen(f->title) < 1000);
	CHECK_INT(f->bozo, 1);
	feed_free(f);

	f = parse_str("<?xml version=\"1.0\"?>\n<!DOCTYPE r [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\">"
	              " <!ENTITY web SYSTEM \"http://127.0.0.1:9/x\"> <!ENTITY ok \"fine\"> ]>\n"
	              "<rss version=\"2.0\"><channel><title>a&xxe;b&web;c&ok;</title></channel></rss>", NULL);
	CHECK_STR(f->title, "abcfine");
	feed_free(f);

	/* 10,000 levels of nesting inside an item: libxml2 stops at 256, the rest is kept */
	buf_puts(&doc, "<rss version=\"2.0\"><channel><title>deep</title><item><title>before</title></item><item>");
	for (int i = 0; i < 10000; i++)
		buf_puts(&doc, "<x>");
	for (int i = 0; i < 10000; i++)
		buf_puts(&doc, "</x>");
	buf_puts(&doc, "</item></channel></rss>");
	f = feed_parse(doc.data, doc.len, NULL, NULL);
	CHECK(f != NULL && f->bozo && f->nentries >= 1);
	CHECK_STR(f->title, "deep");
	feed_free(f);

	/* more entries than the cap */
	buf_reset(&doc);
	buf_puts(&doc, "<rss version=\"2.0\"><channel><title>many</title>");
	for (int i = 0; i < FEED_MAX_ENTRIES + 50; i++)
		buf_printf(&doc, "<item><guid>g%d</guid><title>t%d</title></item>", i, i);
	buf_puts(&doc, "</channel></rss>");
	f = feed_parse(doc.data, doc.len, NULL, NULL);
	CHECK_INT(f->nentries, FEED_MAX_ENTRIES);
	CHECK_INT(f->truncated, 1);
	CHECK_STR(f->error, "truncated: more than 10000 entries; kept the first 10000");
	CHECK_STR(f->entries[FEED_MAX_ENTRIES - 1].id, "g9999");
	feed_free(f);

	/* a description larger than the body cap, with a multi-byte character across the cut */
	buf_reset(&doc);
	buf_puts(&doc, "<rss version=\"2.0\"><channel><title>big</title><item><title>t</title><description>");
	for (size_t i = 0; i < FEED_MAX_BODY / 2 + 100; i++)
		buf_puts(&doc, "\xC3\xA9");
	buf_puts(&doc, "</description></item></channel></rss>");
	f = feed_parse(doc.data, doc.len, NULL, NULL);
	if (CHECK_INT(f->nentries, 1)) {
		CHECK(strlen(f->entries[0].summary) <= FEED_MAX_BODY);
		CHECK(strlen(f->entries[0].summary) >= FEED_MAX_BODY - 1);
	}
	CHECK_INT(f->truncated, 1);
	CHECK(feed_is_clean(f));
	feed_free(f);

	/* over the document limit: refused without reading */
	f = feed_parse(doc.data, (size_t)FEED_MAX_DOCUMENT + 1, NULL, NULL);
	CHECK_INT(f->format, FEED_UNKNOWN);
	CHECK_STR(f->error, "document too large: 67108865 bytes (the limit is 64 MiB)");
	feed_free(f);
	buf_free(&doc);
}

/* Inputs the fuzzer found (tests/data/fuzz/feed): first byte picks the HTTP charset and URL as
 * in tests/fuzz/fuzz_feed.c, the rest is the document. Each must parse into clean strings. */
static void test_fuzz_regressions(void)
{
	static const char *const charsets[] = {NULL, "utf-8", "iso-8859-1", "windows-1251",
	                                       "shift_jis", "utf-16"};
	static const char *const urls[] = {NULL, "https://example.org/feed.xml",
	                                   "http://news.example.com/a/b/rss?x=1&y=2"};
	DIR *dir = opendir("tests/data/fuzz/feed");
	struct dirent *de;
	struct buf body = {0};
	char path[512];
	int files = 0;

	if (!CHECK(dir != NULL))
		return;
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.' || strstr(de->d_name, ".md"))
			continue;
		snprintf(path, sizeof path, "tests/data/fuzz/feed/%s", de->d_name);
		if (read_path(path, &body) < 0 || body.len == 0)
			continue;
		files++;
		unsigned char pick = (unsigned char)body.data[0];
		struct feed *f = feed_parse(body.data + 1, body.len - 1, urls[(pick / 6) % 3],
		                            charsets[pick % 6]);
		if (!CHECK(f != NULL && feed_is_clean(f)))
			fprintf(stderr, "    %s\n", de->d_name);
		feed_free(f);
	}
	closedir(dir);
	CHECK(files >= 2);
	buf_free(&body);
}

/* ------------------------------------------------------------------ the reusable parser */

static int same_str(const char *a, const char *b)
{
	return (a == NULL || b == NULL) ? a == b : strcmp(a, b) == 0;
}

static int same_feed(const struct feed *a, const struct feed *b)
{
	int ok = a->format == b->format && a->bozo == b->bozo && a->truncated == b->truncated &&
	         same_str(a->error, b->error) && same_str(a->encoding, b->encoding) &&
	         same_str(a->title, b->title) && same_str(a->link, b->link) &&
	         same_str(a->subtitle, b->subtitle) && same_str(a->author, b->author) &&
	         same_str(a->image, b->image) && a->updated == b->updated && a->ttl == b->ttl &&
	         a->nentries == b->nentries && a->nalternates == b->nalternates;

	for (size_t i = 0; ok && i < a->nalternates; i++)
		ok = same_str(a->alternates[i], b->alternates[i]);
	for (size_t i = 0; ok && i < a->nentries; i++) {
		const struct feed_entry *x = &a->entries[i], *y = &b->entries[i];
		ok = same_str(x->id, y->id) && same_str(x->title, y->title) &&
		     same_str(x->link, y->link) && same_str(x->author, y->author) &&
		     same_str(x->summary, y->summary) && same_str(x->content, y->content) &&
		     same_str(x->comments, y->comments) && x->published == y->published &&
		     x->updated == y->updated && x->ncategories == y->ncategories &&
		     x->nenclosures == y->nenclosures && x->nhrefs == y->nhrefs;
		for (size_t k = 0; ok && k < x->ncategories; k++)
			ok = same_str(x->categories[k], y->categories[k]);
		for (size_t k = 0; ok && k < x->nenclosures; k++)
			ok = same_str(x->enclosures[k].url, y->enclosures[k].url) &&
			     same_str(x->enclosures[k].type, y->enclosures[k].type) &&
			     x->enclosures[k].length == y->enclosures[k].length;
		for (size_t k = 0; ok && k < x->nhrefs; k++)
			ok = same_str(x->hrefs[k], y->hrefs[k]);
	}
	return ok;
}

/* One parser over every document of the corpus and of this file, in turn and twice: each feed
 * is the one feed_parse() gives (nothing left over from the document before, large or small),
 * and the feeds stay valid after the parser is freed. */
static void test_reusable_parser(void)
{
	static const char *const docs[] = {rss20, atom10, "", "{\"foo\": 1}", "<html></html>",
	                                   "<rss version=\"2.0\"><channel><title>AT&T</title>"};
	struct feed_parser *fp = feed_parser_new();
	struct feed *kept[2 * (sizeof docs / sizeof *docs)] = {0};
	struct buf body = {0};
	DIR *dir = opendir(CORPUS);
	struct dirent *de;
	char path[512];
	size_t n = 0;

	if (!CHECK(fp != NULL && dir != NULL))
		return;
	for (int round = 0; round < 2; round++) {
		rewinddir(dir);
		while ((de = readdir(dir)) != NULL) {
			snprintf(path, sizeof path, CORPUS "%s", de->d_name);
			if (de->d_name[0] == '.' || read_path(path, &body) < 0)
				continue;
			struct feed *a = feed_parser_parse(fp, buf_str(&body), body.len, "https://example.org/f", NULL);
			struct feed *b = feed_parse(buf_str(&body), body.len, "https://example.org/f", NULL);
			if (!CHECK(a && b && same_feed(a, b)))
				fprintf(stderr, "    %s\n", de->d_name);
			feed_free(a);
			feed_free(b);
		}
		for (size_t i = 0; i < sizeof docs / sizeof *docs; i++)
			kept[n++] = feed_parser_parse(fp, docs[i], strlen(docs[i]), "https://example.org/f", NULL);
	}
	closedir(dir);
	feed_parser_free(fp);
	for (size_t i = 0; i < n; i++) {
		const char *doc = docs[i % (sizeof docs / sizeof *docs)];
		struct feed *b = feed_parse(doc, strlen(doc), "https://example.org/f", NULL);
		if (!CHECK(kept[i] && same_feed(kept[i], b)))
			fprintf(stderr, "    document %zu\n", i);
		feed_free(b);
		feed_free(kept[i]);
	}
	buf_free(&body);
	feed_parser_free(NULL);
}

int main(void)
{
	test_fuzz_regressions();
	test_corpus_expectations();
	test_corpus_all();
	test_rss20();
	test_rss091_with_dtd_entities();
	test_rss10_and_090();
	test_atom10();
	test_atom03();
	test_jsonfeed();
	test_recovery();
	test_double_escaped_and_controls();
	test_http_charset_and_mislabels();
	test_html_discovery();
	test_hostile();
	test_entities_and_dtds();
	test_large_document();
	test_reusable_parser();
	return TEST_END();
}
