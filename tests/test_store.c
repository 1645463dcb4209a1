/*
 * test_store.c — the store on a real SQLite file: schema and refusals, identity, revisions,
 * broken GUIDs, duplicates across feeds, stories, search and export.
 */
#include "crawler/url.h"
#include "parsers/feed.h"
#include "parsers/tagger.h"
#include "store/db.h"
#include "store/query.h"
#include "store/store.h"
#include "store/story.h"
#include "tests/test.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/newsmon-test-store-XXXXXX";
static char path[256];
static struct tagger *tagger;

static struct store *fresh_store(void)
{
	char err[512];
	struct store *s;

	snprintf(path, sizeof path, "%s/t.db", dir);
	unlink(path);
	s = store_open(path, STORE_WRITE, err, sizeof err);
	if (!CHECK(s != NULL))
		fprintf(stderr, "    %s\n", err);
	return s;
}

/* Runs SQL returning one integer. */
static int64_t scalar(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db_handle(store_db(s)), sql, -1, &st, NULL) != SQLITE_OK)
		return -2;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static char *text_of(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	char *v = NULL;

	if (sqlite3_prepare_v2(db_handle(store_db(s)), sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

/* Parses doc and stores it for feed url at time now. */
static struct store_ingest_result put(struct store *s, const char *url, const char *doc, int64_t now)
{
	struct store_ingest_result r = {0};
	struct store_fetch fetch = {.started = now, .ms = 1, .bytes = (int64_t)strlen(doc), .url = url};
	struct feed *f = feed_parse(doc, strlen(doc), url, NULL);
	struct store_doc *d = f ? store_doc_prepare(f, url_canonical) : NULL;

	CHECK(d != NULL);
	if (!CHECK(store_ingest(s, url, d, &fetch, &r) == 0))
		fprintf(stderr, "    %s\n", store_error(s));
	store_doc_free(d);
	feed_free(f);
	return r;
}

static void process(struct store *s)
{
	struct story_stats stats;

	if (!CHECK(story_process(s, tagger, NULL, &stats) == 0))
		fprintf(stderr, "    %s\n", store_error(s));
}

#define RSS_HEAD "<rss version=\"2.0\"><channel><title>T</title><link>https://t.example/</link>"
#define RSS_TAIL "</channel></rss>"

static void test_refusals(void)
{
	char err[512], other[300];
	struct store *s;
	FILE *f;

	/* not SQLite at all */
	snprintf(other, sizeof other, "%s/junk.db", dir);
	f = fopen(other, "w");
	fputs("this is not a database, just text that is long enough to look like a header......"
	      "........................................................................", f);
	fclose(f);
	s = store_open(other, STORE_WRITE, err, sizeof err);
	CHECK(s == NULL);
	CHECK(strstr(err, "junk.db") && strstr(err, "not a database"));

	/* another program's SQLite database is never touched */
	snprintf(other, sizeof other, "%s/other.db", dir);
	sqlite3 *h;
	sqlite3_open(other, &h);
	sqlite3_exec(h, "CREATE TABLE accounts(id INTEGER)", NULL, NULL, NULL);
	sqlite3_close(h);
	s = store_open(other, STORE_WRITE, err, sizeof err);
	CHECK(s == NULL);
	CHECK(strstr(err, "another program") != NULL);
	sqlite3_open(other, &h);
	sqlite3_stmt *st;
	sqlite3_prepare_v2(h, "SELECT count(*) FROM sqlite_schema", -1, &st, NULL);
	sqlite3_step(st);
	CHECK_INT(sqlite3_column_int(st, 0), 1);
	sqlite3_finalize(st);
	sqlite3_close(h);

	/* a newer schema than this program knows */
	s = fresh_store();
	store_close(s);
	sqlite3_open(path, &h);
	sqlite3_exec(h, "PRAGMA user_version = 99", NULL, NULL, NULL);
	sqlite3_close(h);
	s = store_open(path, STORE_WRITE, err, sizeof err);
	CHECK(s == NULL);
	CHECK(strstr(err, "newer than this newsmon") != NULL);

	/* read-only file: reading works, writing is refused with a clear reason */
	unlink(path);
	s = fresh_store();
	store_close(s);
	chmod(path, 0444);
	if (geteuid() != 0) { /* root writes anyway */
		s = store_open(path, STORE_WRITE, err, sizeof err);
		CHECK(s == NULL && strstr(err, "read-only") != NULL);
	}
	s = store_open(path, STORE_READ, err, sizeof err);
	CHECK(s != NULL);
	store_close(s);
	chmod(path, 0644);

	/* a missing database is an error for readers, not created */
	snprintf(other, sizeof other, "%s/missing.db", dir);
	s = store_open(other, STORE_READ, err, sizeof err);
	CHECK(s == NULL && access(other, F_OK) != 0);
}

static void test_identity_and_revisions(void)
{
	struct store *s = fresh_store();
	struct store_ingest_result r;
	const char *v1 = RSS_HEAD
		"<item><guid>a</guid><title>WhatsApp refuses Hong Kong data requests</title>"
		"<link>https://t.example/a</link><description>&lt;p&gt;WhatsApp said it would pause."
		"&lt;/p&gt;</description><pubDate>Mon, 06 Jul 2020 09:00:00 +0800</pubDate></item>"
		"<item><title>No guid, a link</title><link>https://t.example/b?utm_source=x</link></item>"
		"<item><title>Neither guid nor link</title><pubDate>Mon, 06 Jul 2020 10:00:00 GMT</pubDate></item>"
		RSS_TAIL;
	/* the same text written differently: entities, markup case, white space */
	const char *v1_reencoded = RSS_HEAD
		"<item><guid>a</guid><title>WhatsApp refuses Hong Kong  data requests</title>"
		"<link>https://t.example/a</link><description><![CDATA[<P>WhatsApp said it would"
		"   pause.</P>]]></description><pubDate>Mon, 06 Jul 2020 09:00:00 +0800</pubDate></item>"
		RSS_TAIL;
	const char *v2 = RSS_HEAD
		"<item><guid>a</guid><title>WhatsApp refuses Hong Kong data requests</title>"
		"<link>https://t.example/a</link><description>&lt;p&gt;WhatsApp said it would pause."
		"&lt;/p&gt;&lt;p&gt;UPDATE &amp;ndash; 10:00 7/7/20: Telegram joined.&lt;/p&gt;"
		"</description><pubDate>Mon, 06 Jul 2020 09:00:00 +0800</pubDate></item>"
		"<item><title>No guid, a link</title><link>https://t.example/b?utm_source=y</link></item>"
		RSS_TAIL;
	const char *v2_and_back = RSS_HEAD
		"<item><guid>a</guid><title>WhatsApp refuses Hong Kong data requests</title>"
		"<link>https://t.example/a</link><description>&lt;p&gt;WhatsApp said it would pause."
		"&lt;/p&gt;&lt;p&gt;UPDATE &amp;ndash; 10:00 7/7/20: Telegram joined.&lt;/p&gt;"
		"</description><pubDate>Mon, 06 Jul 2020 09:00:00 +0800</pubDate></item>"
		"<item><title>Neither guid nor link</title><pubDate>Mon, 06 Jul 2020 10:00:00 GMT</pubDate></item>"
		RSS_TAIL;

	if (s == NULL)
		return;
	r = put(s, "https://t.example/feed", v1, 1000);
	CHECK_INT(r.new_entries, 3);
	r = put(s, "https://t.example/feed", v1, 2000);
	CHECK_INT(r.new_entries, 0);
	CHECK_INT(r.updated, 0);
	CHECK_INT(r.unchanged, 3);
	r = put(s, "https://t.example/feed", v1_reencoded, 2500);
	CHECK_INT(r.updated, 0);
	CHECK_INT(r.unchanged, 1);
	r = put(s, "https://t.example/feed", v2, 3000);
	CHECK_INT(r.updated, 1);
	CHECK_INT(r.new_entries, 0); /* the link entry is the same entry under new tracking */
	CHECK_INT(scalar(s, "SELECT revisions FROM entries WHERE guid = 'a'"), 1);
	CHECK_INT(scalar(s, "SELECT count(*) FROM revisions"), 1);
	char *old = text_of(s, "SELECT text FROM revisions");
	CHECK_STR(old, "WhatsApp said it would pause.");
	free(old);
	CHECK_INT(scalar(s, "SELECT seen FROM revisions"), 1000);
	CHECK_INT(scalar(s, "SELECT replaced FROM revisions"), 3000);
	CHECK_INT(scalar(s, "SELECT count(*) FROM entries"), 3);
	/* the full-text index follows the revision */
	CHECK_INT(scalar(s, "SELECT count(*) FROM entries_fts WHERE entries_fts MATCH 'Telegram'"), 1);
	/* the entry that dropped out of the feed is kept, and when it returns it is the same */
	r = put(s, "https://t.example/feed", v2_and_back, 4000);
	CHECK_INT(r.new_entries, 0);
	CHECK_INT(r.updated, 0);
	CHECK_INT(scalar(s, "SELECT count(*) FROM entries"), 3);
	/* every fetch recorded with its counts */
	CHECK_INT(scalar(s, "SELECT count(*) FROM fetches"), 5);
	CHECK_INT(scalar(s, "SELECT entries_updated FROM fetches WHERE started = 3000"), 1);
	/* keys: guid, canonical link, hash of title and date */
	CHECK_INT(scalar(s, "SELECT count(*) FROM entries WHERE key = 'g:a'"), 1);
	CHECK_INT(scalar(s, "SELECT count(*) FROM entries WHERE key = 'u:https://t.example/b'"), 1);
	CHECK_INT(scalar(s, "SELECT count(*) FROM entries WHERE key LIKE 'h:%'"), 1);
	CHECK_INT(sqlite3_exec(db_handle(store_db(s)), "INSERT INTO entries_fts(entries_fts) "
	                       "VALUES ('integrity-check')", NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT(scalar(s, "SELECT count(*) FROM entries_fts WHERE entries_fts MATCH 'pause'"), 1);
	store_close(s);
}

/* Each new version of an entry replaces the last in the search index. */
static void test_search_follows_revisions(void)
{
	struct store *s = fresh_store();
	struct store_ingest_result r;
	const char *version[] = {
		RSS_HEAD "<item><guid>a</guid><title>Apple statement</title>"
		"<description>first wording alpha</description></item>" RSS_TAIL,
		RSS_HEAD "<item><guid>a</guid><title>Apple statement</title>"
		"<description>second wording bravo</description></item>" RSS_TAIL,
		RSS_HEAD "<item><guid>a</guid><title>Apple statement</title>"
		"<description>third wording charlie</description></item>" RSS_TAIL,
	};

	if (s == NULL)
		return;
	for (size_t i = 0; i < 3; i++) {
		r = put(s, "https://t.example/feed", version[i], 1000 * (int64_t)(i + 1));
		CHECK_INT(i ? r.updated : r.new_entries, 1);
	}
	CHECK_INT(scalar(s, "SELECT count(*) FROM revisions"), 2);
	CHECK_INT(scalar(s, "SELECT count(*) FROM entries_fts WHERE entries_fts MATCH 'alpha'"), 0);
	CHECK_INT(scalar(s, "SELECT count(*) FROM entries_fts WHERE entries_fts MATCH 'bravo'"), 0);
	CHECK_INT(scalar(s, "SELECT count(*) FROM entries_fts WHERE entries_fts MATCH 'charlie'"), 1);
	CHECK_INT(scalar(s, "SELECT count(*) FROM entries_fts WHERE entries_fts MATCH 'wording'"), 1);
	CHECK_INT(sqlite3_exec(db_handle(store_db(s)), "INSERT INTO entries_fts(entries_fts) "
	                       "VALUES ('integrity-check')", NULL, NULL, NULL), SQLITE_OK);
	store_close(s);
}

static void test_broken_guids(void)
{
	struct store *s = fresh_store();
	struct store_ingest_result r;
	char *note;
	/* a CMS that gives every item the same guid */
	const char *doc1 = RSS_HEAD
		"<item><guid>same</guid><title>First story</title><link>https://t.example/1</link></item>"
		RSS_TAIL;
	const char *doc2 = RSS_HEAD
		"<item><guid>same</guid><title>Second story</title><link>https://t.example/2</link></item>"
		"<item><guid>same</guid><title>First story</title><link>https://t.example/1</link></item>"
		RSS_TAIL;
	/* and one that repeats the link too */
	const char *doc3 = RSS_HEAD
		"<item><guid>same</guid><title>Third story</title><link>https://t.example/1</link></item>"
		"<item><guid>same</guid><title>Second story</title><link>https://t.example/2</link></item>"
		"<item><guid>same</guid><title>First story</title><link>https://t.example/1</link></item>"
		RSS_TAIL;

	if (s == NULL)
		return;
	r = put(s, "https://t.example/feed", doc1, 100);
	CHECK_INT(r.new_entries, 1);
	r = put(s, "https://t.example/feed", doc2, 200);
	CHECK_INT(r.new_entries, 1); /* the second story; the first is recognised */
	CHECK_INT(r.unchanged, 1);
	CHECK_INT(scalar(s, "SELECT identity FROM feeds"), 1);
	note = text_of(s, "SELECT identity_note FROM feeds");
	CHECK(note && strstr(note, "GUIDs repeat") != NULL);
	free(note);
	r = put(s, "https://t.example/feed", doc3, 300);
	CHECK_INT(r.new_entries, 1);
	CHECK_INT(r.unchanged, 2);
	CHECK_INT(scalar(s, "SELECT identity FROM feeds"), 2);
	CHECK_INT(scalar(s, "SELECT count(*) FROM entries"), 3);
	CHECK_INT(scalar(s, "SELECT sum(revisions) FROM entries"), 0);

	/* most entries without a GUID: said in the feed's health */
	r = put(s, "https://u.example/feed", RSS_HEAD
		"<item><title>a</title><link>https://u.example/a</link></item>"
		"<item><title>b</title><link>https://u.example/b</link></item>"
		"<item><title>c</title><link>https://u.example/c</link></item>"
		"<item><guid>d</guid><title>d</title></item>" RSS_TAIL, 100);
	CHECK_INT(r.new_entries, 4);
	note = text_of(s, "SELECT identity_note FROM feeds WHERE url = 'https://u.example/feed'");
	CHECK(note && strstr(note, "no GUID") != NULL);
	free(note);
	/* an exact repeat inside one document is one entry */
	r = put(s, "https://v.example/feed", RSS_HEAD
		"<item><guid>x</guid><title>x</title></item><item><guid>x</guid><title>x</title></item>"
		RSS_TAIL, 100);
	CHECK_INT(r.new_entries, 1);
	store_close(s);
}

static const char story_text[] =
	"WhatsApp and Telegram said on Monday they would stop processing requests for user data "
	"from Hong Kong law enforcement while they assess the national security law imposed by "
	"Beijing. The pause covers government requests for user information.";

static void test_duplicates_and_stories(void)
{
	struct store *s = fresh_store();
	char doc[4096];

	if (s == NULL)
		return;
	/* the original, then an aggregator copy with tracking parameters, then a copy under the
	 * aggregator's own URL with the same title and text, then an unrelated story */
	snprintf(doc, sizeof doc, RSS_HEAD "<item><guid>o1</guid><title>WhatsApp, Telegram pause "
	         "Hong Kong data requests</title><link>https://trade.example/hk</link>"
	         "<description>%s</description><pubDate>Mon, 06 Jul 2020 02:00:00 GMT</pubDate></item>"
	         RSS_TAIL, story_text);
	put(s, "https://trade.example/feed", doc, 1600000000);
	snprintf(doc, sizeof doc, RSS_HEAD "<item><guid>c1</guid><title>WhatsApp, Telegram pause "
	         "Hong Kong data requests</title><link>https://trade.example/hk?utm_source=agg&amp;"
	         "utm_medium=rss</link><description>%s</description><pubDate>Mon, 06 Jul 2020 "
	         "05:00:00 GMT</pubDate></item>"
	         "<item><guid>c2</guid><title>WhatsApp, Telegram pause Hong Kong data requests!</title>"
	         "<link>https://agg.example/item/77</link><description>%s Originally published by "
	         "Trade.</description><pubDate>Mon, 06 Jul 2020 06:00:00 GMT</pubDate></item>"
	         "<item><guid>u1</guid><title>Weather: a sunny week ahead</title>"
	         "<link>https://agg.example/item/78</link><description>Sunshine all week.</description>"
	         "<pubDate>Mon, 06 Jul 2020 07:00:00 GMT</pubDate></item>" RSS_TAIL,
	         story_text, story_text);
	put(s, "https://agg.example/feed", doc, 1600000000);
	process(s);
	int64_t o1 = scalar(s, "SELECT id FROM entries WHERE guid = 'o1'");
	CHECK_INT(scalar(s, "SELECT count(*) FROM entry_story WHERE relation = 'duplicate'"), 2);
	CHECK_INT(scalar(s, "SELECT related_to FROM entry_story WHERE entry_id = "
	                    "(SELECT id FROM entries WHERE guid = 'c1')"), o1);
	CHECK_INT(scalar(s, "SELECT related_to FROM entry_story WHERE entry_id = "
	                    "(SELECT id FROM entries WHERE guid = 'c2')"), o1);
	char *why = text_of(s, "SELECT link_reason FROM entry_story WHERE entry_id = "
	                    "(SELECT id FROM entries WHERE guid = 'c1')");
	CHECK(why && strstr(why, "same canonical URL") == why);
	free(why);
	why = text_of(s, "SELECT link_reason FROM entry_story WHERE entry_id = "
	                    "(SELECT id FROM entries WHERE guid = 'c2')");
	CHECK(why && strstr(why, "same title and text") == why);
	free(why);
	CHECK_INT(scalar(s, "SELECT count(DISTINCT story_id) FROM entry_story"), 2);
	CHECK_INT(scalar(s, "SELECT relation = 'original' FROM entry_story WHERE entry_id = "
	                    "(SELECT id FROM entries WHERE guid = 'u1')"), 1);
	/* tags came with processing */
	CHECK_INT(scalar(s, "SELECT count(*) FROM entry_tags et JOIN tags t ON t.id = et.tag_id "
	                    "WHERE et.entry_id = (SELECT id FROM entries WHERE guid = 'o1') AND "
	                    "t.kind || ':' || t.value IN ('platform:WhatsApp', 'platform:Telegram', "
	                    "'country:HK', 'topic:data-request', 'topic:national-security-law')"), 5);
	CHECK_INT(scalar(s, "SELECT count(*) FROM pending"), 0);

	/* a copy seen before its original: when the original arrives, the roles swap */
	snprintf(doc, sizeof doc, RSS_HEAD "<item><guid>early-copy</guid><title>Zoom closes "
	         "activist accounts at Beijing's request</title><link>https://agg.example/item/90?"
	         "utm_source=x</link><description>Zoom said it ended three meetings marking the "
	         "Tiananmen anniversary at the request of the Chinese government and suspended the "
	         "hosts' accounts.</description><pubDate>Thu, 11 Jun 2020 12:00:00 GMT</pubDate>"
	         "</item>" RSS_TAIL);
	put(s, "https://agg.example/feed", doc, 1600000000);
	process(s);
	snprintf(doc, sizeof doc, RSS_HEAD "<item><guid>real</guid><title>Zoom closes activist "
	         "accounts at Beijing's request</title><link>https://agg.example/item/90</link>"
	         "<description>Zoom said it ended three meetings marking the Tiananmen anniversary at "
	         "the request of the Chinese government and suspended the hosts' accounts."
	         "</description><pubDate>Thu, 11 Jun 2020 09:00:00 GMT</pubDate></item>" RSS_TAIL);
	put(s, "https://trade.example/feed", doc, 1600000100);
	process(s);
	int64_t real = scalar(s, "SELECT id FROM entries WHERE guid = 'real'");
	CHECK_INT(scalar(s, "SELECT relation = 'original' FROM entry_story WHERE entry_id = "
	                    "(SELECT id FROM entries WHERE guid = 'real')"), 1);
	CHECK_INT(scalar(s, "SELECT relation = 'duplicate' FROM entry_story WHERE entry_id = "
	                    "(SELECT id FROM entries WHERE guid = 'early-copy')"), 1);
	CHECK_INT(scalar(s, "SELECT related_to FROM entry_story WHERE entry_id = "
	                    "(SELECT id FROM entries WHERE guid = 'early-copy')"), real);
	CHECK_INT(scalar(s, "SELECT original FROM stories WHERE id = (SELECT story_id FROM entry_story "
	                    "WHERE entry_id = (SELECT id FROM entries WHERE guid = 'real'))"), real);
	store_close(s);
}

static int count_hit(const struct query_hit *hit, void *arg)
{
	(void)hit;
	(*(int *)arg)++;
	return 0;
}

static void test_search_and_export(void)
{
	struct store *s = fresh_store();
	struct query_search q = {.since = INT64_MIN, .limit = 10};
	int hits = 0;
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;

	if (s == NULL)
		return;
	put(s, "https://t.example/feed", RSS_HEAD
		"<item><guid>e1</guid><title>Café, \"quotes\" and commas</title><link>https://t.example/e1"
		"</link><description>Résumé of the Telegram case</description>"
		"<pubDate>Mon, 06 Jul 2020 09:00:00 GMT</pubDate></item>" RSS_TAIL, 1700000000);
	process(s);
	q.match = "resume"; /* diacritics removed */
	CHECK_INT(query_search(s, &q, count_hit, &hits), 0);
	CHECK_INT(hits, 1);
	q.match = "telegram AND";
	CHECK_INT(query_search(s, &q, count_hit, &hits), 1);
	CHECK(strstr(store_error(s), "cannot read the query") != NULL);
	q.match = "telegram";
	q.tag = "platform:Telegram";
	hits = 0;
	CHECK_INT(query_search(s, &q, count_hit, &hits), 0);
	CHECK_INT(hits, 1);
	q.tag = "country:HK";
	hits = 0;
	CHECK_INT(query_search(s, &q, count_hit, &hits), 0);
	CHECK_INT(hits, 0);

	mem = open_memstream(&buf, &len);
	CHECK_INT(query_export(s, mem, QUERY_JSONL, INT64_MIN, NULL), 0);
	fclose(mem);
	CHECK(buf && strstr(buf, "\"title\":\"Café, \\\"quotes\\\" and commas\"") != NULL);
	CHECK(buf && strstr(buf, "\"published\":\"2020-07-06T09:00:00Z\"") != NULL);
	CHECK(buf && strstr(buf, "\"first_seen\":\"2023-11-14T22:13:20Z\"") != NULL);
	CHECK(buf && strstr(buf, "\"tags\":[\"platform:Telegram\"]") != NULL);
	CHECK(buf && strstr(buf, "\"relation\":\"original\",\"related_to\":null") != NULL);
	free(buf);
	mem = open_memstream(&buf, &len);
	CHECK_INT(query_export(s, mem, QUERY_CSV, INT64_MIN, NULL), 0);
	fclose(mem);
	CHECK(buf && strncmp(buf, "id,feed,guid,url,title,published,first_seen,revisions,tags,story,"
	                          "relation,related_to\r\n", 86) == 0);
	CHECK(buf && strstr(buf, ",\"Café, \"\"quotes\"\" and commas\",") != NULL);
	free(buf);
	/* --since after the entry: nothing */
	mem = open_memstream(&buf, &len);
	CHECK_INT(query_export(s, mem, QUERY_JSONL, 1600000000, NULL), 0);
	fclose(mem);
	CHECK_INT(len, 0);
	free(buf);
	store_close(s);
}

int main(void)
{
	FILE *f;
	char *vocab;
	long n;

	if (mkdtemp(dir) == NULL)
		return 1;
	f = fopen("tags.txt", "rb");
	if (!CHECK(f != NULL))
		return TEST_END();
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	vocab = malloc((size_t)n);
	CHECK(fread(vocab, 1, (size_t)n, f) == (size_t)n);
	fclose(f);
	tagger = tagger_new(vocab, (size_t)n, "tags.txt", NULL);
	free(vocab);
	CHECK(tagger != NULL);

	test_refusals();
	test_identity_and_revisions();
	test_search_follows_revisions();
	test_broken_guids();
	test_duplicates_and_stories();
	test_search_and_export();

	tagger_free(tagger);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return TEST_END();
}
