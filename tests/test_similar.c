/* test_similar.c — words, copies and the linking decision of parsers/similar.c. */
#include <string.h>

#include "parsers/similar.h"
#include "tests/test.h"

static double flat(uint64_t hash, void *arg)
{
	(void)hash;
	(void)arg;
	return 1.0;
}

/* A report from title and text with tags given as (id, kind, in_title, in_text) quadruples. */
static void report(struct similar_doc *d, const char *title, const char *text, const int *tags,
                   size_t ntags)
{
	CHECK(similar_words(d, title, text) == 0);
	d->ntags = 0;
	for (size_t i = 0; i < ntags; i++)
		CHECK(similar_add_tag(d, tags[4 * i], (enum similar_kind)tags[4 * i + 1],
		                      (unsigned)tags[4 * i + 2], (unsigned)tags[4 * i + 3]) == 0);
	similar_weigh(d, flat, NULL);
}

enum { HK = 1, WHATSAPP, TELEGRAM, DATA_REQUEST, NSL, TIKTOK, FACEBOOK };

static void test_words(void)
{
	struct similar_doc a = {0}, b = {0};

	CHECK(similar_words(&a, "The Policies of Platforms", "said the platform's policy") == 0);
	/* "the", "said" are stop words; plurals and possessives fold: policy, platform */
	CHECK_INT(a.nterms, 2);
	CHECK(similar_words(&b, "", "") == 0);
	CHECK_INT(b.nterms, 0);
	similar_doc_free(&a);
	similar_doc_free(&b);
}

/* The words of a and b, as sorted hash sets, are the same. */
static int same_words(const char *a, const char *b)
{
	struct similar_doc x = {0}, y = {0};
	uint64_t hx[32], hy[32];
	size_t nx, ny;

	CHECK(similar_words(&x, a, "") == 0 && similar_words(&y, b, "") == 0);
	nx = similar_term_hashes(&x, hx, 32);
	ny = similar_term_hashes(&y, hy, 32);
	similar_doc_free(&x);
	similar_doc_free(&y);
	return nx > 0 && nx == ny && memcmp(hx, hy, nx * sizeof *hx) == 0;
}

/* Words fold as the tagger folds them, in every script; CJK text counts by character pairs. */
static void test_words_unicode(void)
{
	struct similar_doc a = {0}, b = {0};
	uint64_t ha[64], hb[64];
	size_t na, nb, shared = 0;

	CHECK(same_words("Türkiye blocks Волна", "TURKIYE BLOCKS волна"));
	/* a curly apostrophe or a dash splits words as a straight one does */
	CHECK(same_words("WhatsApp\u2019s encryption\u2014again", "WhatsApp's encryption again"));
	/* no spaces in Chinese: 香港 警方 要求 (Hong Kong police request) shares pairs with a
	 * longer sentence that contains it, and a sentence about something else shares none */
	CHECK(similar_words(&a, "香港警方要求用戶資料", "") == 0);
	CHECK(similar_words(&b, "WhatsApp拒絕香港警方要求", "") == 0);
	na = similar_term_hashes(&a, ha, 64);
	nb = similar_term_hashes(&b, hb, 64);
	for (size_t i = 0; i < na; i++)
		for (size_t j = 0; j < nb; j++)
			shared += ha[i] == hb[j];
	CHECK_INT(na, 9);
	CHECK_INT(shared, 5);
	CHECK(!same_words("香港警方要求", "東京天氣晴朗"));
	similar_doc_free(&a);
	similar_doc_free(&b);
}

static void test_containment(void)
{
	const char *text = "WhatsApp and Telegram said on Monday they would stop processing requests "
	                   "for user data from Hong Kong law enforcement.";
	char copy[512];

	snprintf(copy, sizeof copy, "%s Originally published by TechTrade.", text);
	CHECK(similar_containment(text, copy) > 0.95);
	CHECK(similar_containment(text, "Zoom closed the account of a US group after a memorial "
	                                "meeting marking the Tiananmen anniversary.") < 0.1);
	CHECK(similar_containment("short", "short") == 1.0);
	CHECK(similar_containment("short", "other") == 0.0);
}

static void test_decide(void)
{
	struct similar_doc first = {0}, story = {0}, follow = {0}, other = {0}, context = {0};
	struct similar_verdict v;
	const int first_tags[] = {HK, KIND_COUNTRY, 1, 3, WHATSAPP, KIND_PLATFORM, 1, 2,
	                          TELEGRAM, KIND_PLATFORM, 1, 2, DATA_REQUEST, KIND_TOPIC, 0, 2,
	                          NSL, KIND_TOPIC, 0, 1};
	const int follow_tags[] = {HK, KIND_COUNTRY, 1, 2, FACEBOOK, KIND_PLATFORM, 1, 1,
	                           WHATSAPP, KIND_PLATFORM, 0, 1, DATA_REQUEST, KIND_TOPIC, 1, 1};
	const int other_tags[] = {HK, KIND_COUNTRY, 1, 3, TIKTOK, KIND_PLATFORM, 1, 3,
	                          DATA_REQUEST, KIND_TOPIC, 0, 1, NSL, KIND_TOPIC, 0, 1};
	const int context_tags[] = {HK, KIND_COUNTRY, 1, 2, NSL, KIND_TOPIC, 1, 2};

	report(&first, "WhatsApp and Telegram pause Hong Kong data requests",
	       "WhatsApp and Telegram said they would stop processing requests for user data from "
	       "Hong Kong authorities after the security law.", first_tags, 5);
	CHECK(similar_merge(&story, &first) == 0);
	report(&follow, "Facebook joins WhatsApp in pausing Hong Kong data requests",
	       "Facebook said it would stop processing requests for user data from Hong Kong "
	       "authorities, as WhatsApp and Telegram did.", follow_tags, 4);
	similar_decide(&follow, &story, false, &v);
	CHECK(v.join);
	CHECK(v.shared_kinds >= 2);
	CHECK(v.nshared >= 2);

	/* another platform's different move, same city, same law: not this story */
	report(&other, "TikTok to leave Hong Kong app stores",
	       "TikTok will withdraw its app from Hong Kong stores within days, the company said.",
	       other_tags, 4);
	similar_decide(&other, &story, false, &v);
	CHECK(!v.join);

	/* same country and same law, a different event, no platform */
	report(&context, "Hong Kong police make first arrests under the security law",
	       "Police arrested protesters carrying flags under the national security law.",
	       context_tags, 2);
	similar_decide(&context, &story, false, &v);
	CHECK(!v.join);
	CHECK(v.shared_kinds < 2);

	/* a link is strong evidence, but not for unrelated words */
	similar_decide(&context, &story, true, &v);
	CHECK(v.words < 0.08 ? !v.join : v.join);

	similar_doc_free(&first);
	similar_doc_free(&story);
	similar_doc_free(&follow);
	similar_doc_free(&other);
	similar_doc_free(&context);
}

static void test_pack(void)
{
	struct similar_doc a = {0}, b = {0};
	struct buf blob = {0};
	const int tags[] = {HK, KIND_COUNTRY, 1, 3, TIKTOK, KIND_PLATFORM, 0, 1};

	report(&a, "TikTok to leave Hong Kong", "TikTok will withdraw its app within days.", tags, 2);
	CHECK(similar_words(&a, "TikTok to leave Hong Kong", "TikTok will withdraw its app.") == 0);
	a.ntags = 0;
	CHECK(similar_add_tag(&a, HK, KIND_COUNTRY, 1, 3) == 0);
	CHECK(similar_add_tag(&a, TIKTOK, KIND_PLATFORM, 0, 1) == 0);
	CHECK(similar_pack(&a, &blob) == 0);
	CHECK(similar_unpack(&b, blob.data, blob.len) == 0);
	CHECK_INT(b.nterms, a.nterms);
	CHECK_INT(b.ntags, 2);
	int same = b.nterms == a.nterms;
	for (size_t i = 0; same && i < a.nterms; i++)
		same = a.terms[i].hash == b.terms[i].hash &&
		       (float)a.terms[i].weight == (float)b.terms[i].weight;
	CHECK(same);
	CHECK(b.ntags == 2 && b.tags[1].id == TIKTOK && b.tags[1].kind == KIND_PLATFORM &&
	      b.tags[1].weight < 1.0);
	/* damaged blobs are refused, leaving the document empty */
	CHECK(similar_unpack(&b, blob.data, blob.len - 1) == -1);
	CHECK_INT(b.nterms, 0);
	CHECK(similar_unpack(&b, "XX", 2) == -1);
	blob.data[10] ^= 0x40; /* the first hash now out of order, or not: either way no crash */
	similar_unpack(&b, blob.data, blob.len);
	buf_free(&blob);
	similar_doc_free(&a);
	similar_doc_free(&b);
}

int main(void)
{
	test_pack();
	test_words();
	test_words_unicode();
	test_containment();
	test_decide();
	return TEST_END();
}
