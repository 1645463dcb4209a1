/*
 * similar.c — words, tags and the linking decision (see similar.h).
 *
 * Words: letters and digits of any script, folded as the tagger folds them (case and accents
 * off); Chinese, Japanese and Korean text counts by pairs of characters; a word is stemmed only
 * by dropping a plural or possessive "s". Stop words (the
 * function words of English and the verbs every report uses) never count. The lead is the
 * first LEAD_BYTES of the text.
 */
#include "parsers/similar.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "parsers/fold.h"
#include "parsers/hash.h"

#define LEAD_BYTES 1200
/* A tag also counts as a word of the report, this heavy when central. */
#define TAG_WORD 3.0
#define MAX_WORD 40

/* A tag in the title or named at least twice is what the report is about; one mention in
 * passing is context, worth this much of it. */
#define CONTEXT_WEIGHT 0.3
/* A story's tag is central when at least this share of its reports has it central. */
#define STORY_CENTRAL 0.5
/* ... and named in it at all when its weighted share is at least this. */
#define STORY_PRESENT 0.15
/* Word closeness needed on top of the evidence; tuned on tests/data/stories (BENCHMARKS.md). */
#define WORDS_WITH_TAGS 0.33
#define WORDS_WITH_LINK 0.08

static const char *const stop_words[] = {
	"about", "according", "across", "added", "after", "again", "against", "ago", "all",
	"allow", "almost", "along", "already", "also", "although", "among", "and", "announced",
	"another", "any", "are", "around", "asked", "because", "been", "before", "being", "between",
	"both", "but", "can", "cannot", "could", "days", "did", "does", "doing", "done", "down",
	"during", "each", "early", "either", "even", "every", "few", "first", "for", "former",
	"from", "further", "get", "gets", "given", "had", "has", "have", "having", "her", "here",
	"him", "his", "how", "however", "including", "into", "its", "itself", "just", "last",
	"late", "later", "latest", "least", "less", "like", "made", "make", "makes", "many", "may",
	"might", "more", "most", "much", "must", "near", "need", "never", "new", "news", "next",
	"nor", "not", "now", "off", "once", "one", "only", "onto", "other", "others", "our", "out",
	"over", "own", "part", "per", "published", "report", "reported", "reports", "reuters",
	"said", "same", "say", "saying", "says", "see", "seen", "several", "she", "should",
	"since", "some", "still", "such", "take", "than", "that", "the", "their", "them", "then",
	"there", "these", "they", "this", "those", "though", "three", "through", "thursday",
	"time", "told", "too", "tuesday", "two", "under", "until", "update", "updated", "upon",
	"use", "used", "very", "was", "wednesday", "week", "were", "what", "when", "where",
	"whether", "which", "while", "who", "whom", "whose", "why", "will", "with", "within",
	"without", "would", "year", "years", "yesterday", "you", "your",
};

void similar_doc_free(struct similar_doc *d)
{
	free(d->tags);
	free(d->terms);
	memset(d, 0, sizeof *d);
}

static int push_term(struct similar_doc *d, uint64_t hash, double weight)
{
	if (d->nterms == d->terms_cap) {
		size_t cap = d->terms_cap ? d->terms_cap * 2 : 64;
		struct similar_term *t = realloc(d->terms, cap * sizeof *t);
		if (t == NULL)
			return -1;
		d->terms = t;
		d->terms_cap = cap;
	}
	d->terms[d->nterms++] = (struct similar_term){hash, weight};
	return 0;
}

/* A word's term: its hash, 63 bits so that it is a positive SQLite integer (terms.term). */
static uint64_t term_of(const void *word, size_t n)
{
	return hash64(word, n) >> 1;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

/* Built once for every document: the fold the tagger and the alert rules use, and the stop
 * words' terms, sorted, so that a word is looked up by the term it is kept under anyway. */
#define STOP_WORDS (sizeof stop_words / sizeof *stop_words)
static struct fold_table fold;
static uint64_t stop_terms[STOP_WORDS];
static once_flag words_once = ONCE_FLAG_INIT;

static void words_init(void)
{
	fold_table_init(&fold);
	for (size_t i = 0; i < STOP_WORDS; i++)
		stop_terms[i] = term_of(stop_words[i], strlen(stop_words[i]));
	qsort(stop_terms, STOP_WORDS, sizeof *stop_terms, cmp_u64);
}

static bool is_stop_term(uint64_t term)
{
	return bsearch(&term, stop_terms, STOP_WORDS, sizeof *stop_terms, cmp_u64) != NULL;
}

/* Keeps the word w[0..n) (folded) unless it is too short or a stop word; a plural or a
 * possessive is the same word. Returns 0 or -1. */
static int add_word(struct similar_doc *d, char *w, size_t n, double weight)
{
	uint64_t term;

	if (n < 3)
		return 0;
	if (n > 4 && w[n - 1] == 's' && w[n - 2] != 's') {
		if (n > 5 && memcmp(w + n - 3, "ies", 3) == 0) { /* policies: policy */
			w[n - 3] = 'y';
			n -= 2;
		} else {
			n--;
		}
	}
	term = term_of(w, n);
	return is_stop_term(term) ? 0 : push_term(d, term, weight);
}

/* Appends the words of s[0..len) with the given weight. Words are runs of letters and digits,
 * folded as fold.h says (case and accents off, curly apostrophes and dashes split words);
 * Chinese, Japanese and Korean, written without spaces, count by character pairs instead. */
static int add_words(struct similar_doc *d, const char *s, size_t len, double weight)
{
	const unsigned char *u = (const unsigned char *)s;
	char w[MAX_WORD];
	unsigned char cjk[8];
	size_t i = 0, n = 0, prev = 0, k;
	struct fold_char other;
	const struct fold_char *f;

	call_once(&words_once, words_init);
	while (i < len) {
		if (u[i] < 0x80) { /* ASCII folds through the table without decoding */
			f = &fold.cp[u[i++]];
		} else {
			i += fold_next(&fold, u + i, len - i, 0, &other);
			f = &other;
		}
		if (f->cls == FOLD_SKIP)
			continue;
		if (f->cls == FOLD_WORD) {
			if (n + f->len <= MAX_WORD) {
				memcpy(w + n, f->b, f->len);
				n += f->len;
			}
			prev = 0;
			continue;
		}
		if (add_word(d, w, n, weight) < 0)
			return -1;
		n = 0;
		if (f->cls != FOLD_SELF) {
			prev = 0;
			continue;
		}
		/* a pair of ideographs, kana or hangul: the nearest thing to a word there */
		if (prev > 0) {
			memcpy(cjk + prev, f->b, f->len);
			if (push_term(d, term_of(cjk, prev + f->len), weight) < 0)
				return -1;
		}
		for (k = 0; k < f->len; k++)
			cjk[k] = f->b[k];
		prev = f->len;
	}
	return add_word(d, w, n, weight);
}

static int cmp_term(const void *x, const void *y)
{
	const struct similar_term *a = x, *b = y;

	return a->hash < b->hash ? -1 : a->hash > b->hash;
}

/* Sorts and merges equal words, summing their weights. */
static void normalise_terms(struct similar_doc *d)
{
	size_t w = 0;

	if (d->nterms == 0) /* terms may still be NULL, which qsort must not be given */
		return;
	qsort(d->terms, d->nterms, sizeof *d->terms, cmp_term);
	for (size_t r = 0; r < d->nterms; r++) {
		if (w && d->terms[w - 1].hash == d->terms[r].hash)
			d->terms[w - 1].weight += d->terms[r].weight;
		else
			d->terms[w++] = d->terms[r];
	}
	d->nterms = w;
}

int similar_words(struct similar_doc *d, const char *title, const char *text)
{
	size_t lead = text ? strlen(text) : 0;

	d->nterms = 0;
	d->norm = 0;
	d->members = 1;
	if (lead > LEAD_BYTES)
		lead = LEAD_BYTES;
	if ((title && add_words(d, title, strlen(title), 2.0) < 0) ||
	    (text && add_words(d, text, lead, 1.0) < 0))
		return -1;
	normalise_terms(d);
	/* dampen repetition: a word said five times is not five times the evidence */
	for (size_t i = 0; i < d->nterms; i++)
		d->terms[i].weight = 1.0 + log(d->terms[i].weight);
	return 0;
}

/* Adds weight to term hash in d's sorted terms, inserting it in its place when new. */
static int insert_term(struct similar_doc *d, uint64_t hash, double weight)
{
	size_t lo = 0, hi = d->nterms;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->terms[mid].hash < hash)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < d->nterms && d->terms[lo].hash == hash) {
		d->terms[lo].weight += weight;
		return 0;
	}
	if (push_term(d, hash, weight) < 0)
		return -1;
	memmove(&d->terms[lo + 1], &d->terms[lo], (d->nterms - 1 - lo) * sizeof *d->terms);
	d->terms[lo] = (struct similar_term){hash, weight};
	return 0;
}

static int push_tag(struct similar_doc *d, int64_t id, enum similar_kind kind, double weight)
{
	if (d->ntags == d->tags_cap) {
		size_t cap = d->tags_cap ? d->tags_cap * 2 : 16;
		struct similar_tag *t = realloc(d->tags, cap * sizeof *t);
		if (t == NULL)
			return -1;
		d->tags = t;
		d->tags_cap = cap;
	}
	d->tags[d->ntags++] = (struct similar_tag){.id = id, .kind = kind, .weight = weight};
	return 0;
}

bool similar_central(unsigned in_title, unsigned in_text)
{
	return in_title > 0 || in_text >= 2;
}

int similar_add_tag(struct similar_doc *d, int64_t id, enum similar_kind kind, unsigned in_title,
                    unsigned in_text)
{
	double weight = similar_central(in_title, in_text) ? 1.0 : CONTEXT_WEIGHT;
	char word[32];
	int n;

	if (push_tag(d, id, kind, weight) < 0)
		return -1;
	/* The tag is also a word: "Chinese", "China" and "Beijing" are one word to the story. */
	n = snprintf(word, sizeof word, "\x01tag%lld", (long long)id);
	return insert_term(d, term_of(word, (size_t)n), weight * TAG_WORD);
}

static void compute_norm(struct similar_doc *d)
{
	double sum = 0;

	for (size_t i = 0; i < d->nterms; i++)
		sum += d->terms[i].weight * d->terms[i].weight;
	d->norm = sqrt(sum);
}

void similar_weigh(struct similar_doc *d, double (*idf)(uint64_t hash, void *arg), void *arg)
{
	for (size_t i = 0; i < d->nterms; i++)
		d->terms[i].weight *= idf(d->terms[i].hash, arg);
	compute_norm(d);
}

int similar_merge(struct similar_doc *s, const struct similar_doc *r)
{
	size_t i, k;

	/* words: add r's unit vector (the centroid direction is what matters); both term lists
	 * are sorted, so one linear merge */
	size_t cap = s->nterms + r->nterms + 1, a = 0, b = 0, m = 0;
	struct similar_term *merged = malloc(cap * sizeof *merged);
	if (merged == NULL)
		return -1;
	while (a < s->nterms || b < r->nterms) {
		if (b == r->nterms || (a < s->nterms && s->terms[a].hash < r->terms[b].hash)) {
			merged[m++] = s->terms[a++];
			continue;
		}
		double w = r->norm > 0 ? r->terms[b].weight / r->norm : 0;
		if (a < s->nterms && s->terms[a].hash == r->terms[b].hash)
			merged[m] = s->terms[a++], merged[m++].weight += w;
		else
			merged[m++] = (struct similar_term){r->terms[b].hash, w};
		b++;
	}
	free(s->terms);
	s->terms = merged;
	s->nterms = m;
	s->terms_cap = cap;
	compute_norm(s);
	/* tags: sum of weights, read as a mean over members */
	for (i = 0; i < r->ntags; i++) {
		for (k = 0; k < s->ntags && s->tags[k].id != r->tags[i].id; k++)
			;
		if (k < s->ntags)
			s->tags[k].weight += r->tags[i].weight;
		else if (push_tag(s, r->tags[i].id, r->tags[i].kind, r->tags[i].weight) < 0)
			return -1;
	}
	s->members++;
	return 0;
}

static double cosine(const struct similar_doc *a, const struct similar_doc *b)
{
	double dot = 0;
	size_t i = 0, k = 0;

	if (a->norm == 0 || b->norm == 0)
		return 0;
	while (i < a->nterms && k < b->nterms) {
		if (a->terms[i].hash < b->terms[k].hash)
			i++;
		else if (a->terms[i].hash > b->terms[k].hash)
			k++;
		else
			dot += a->terms[i++].weight * b->terms[k++].weight;
	}
	return dot / (a->norm * b->norm);
}

/* The share of a story's reports naming a tag, weighted by centrality. */
static double story_weight(const struct similar_doc *s, size_t k)
{
	return s->tags[k].weight / (double)(s->members ? s->members : 1);
}

/* The index of tag id in story s, or -1. */
static long story_tag(const struct similar_doc *s, int64_t id)
{
	for (size_t k = 0; k < s->ntags; k++)
		if (s->tags[k].id == id)
			return (long)k;
	return -1;
}

void similar_decide(const struct similar_doc *r, const struct similar_doc *s, bool linked,
                    struct similar_verdict *v)
{
	unsigned both = 0, either = 0;
	bool new_actor = false;

	memset(v, 0, sizeof *v);
	for (size_t i = 0; i < r->ntags; i++) {
		const struct similar_tag *t = &r->tags[i];
		long k = story_tag(s, t->id);
		double in_story = k < 0 ? 0 : story_weight(s, (size_t)k);
		bool central_in_report = t->weight >= 1.0;
		bool central_in_story = in_story >= STORY_CENTRAL;

		if (t->kind == KIND_PLATFORM && central_in_report && in_story < STORY_PRESENT)
			new_actor = true;
		if (t->kind == KIND_OTHER || !central_in_story)
			continue;
		either |= 1u << t->kind;
		if (central_in_story && central_in_report)
			both |= 1u << t->kind;
		if (v->nshared < sizeof v->shared / sizeof *v->shared)
			v->shared[v->nshared++] = t->id;
	}
	/* Tags central to both count. A tag central to the story that the report only names counts
	 * too (a report on the story's development need not headline it), unless the report is
	 * about a platform the story does not know: a report on a new actor must share what defines
	 * the story outright (a follow-up naming more platforms that did the same does; a report on
	 * another platform's different move does not). What a report headlines but the story only
	 * mentions (the law behind it, say) is context, never evidence. */
	v->shared_kinds = __builtin_popcount(new_actor || both == 0 ? both : either);
	v->words = cosine(r, s);
	v->score = v->words + 0.05 * v->shared_kinds + (linked ? 0.3 : 0);
	v->join = (linked && v->words >= WORDS_WITH_LINK) ||
	          (v->shared_kinds >= 2 && v->words >= WORDS_WITH_TAGS);
}

/* Copy detection compares bytes as they are (ASCII case aside): a copy is the same text. */
static bool word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

/* Hashes of the word trigrams of s (first 4000 bytes), sorted and unique, into out. */
static size_t trigrams(const char *s, uint64_t *out, size_t max)
{
	uint64_t words[3] = {0};
	size_t nwords = 0, n = 0, len = strlen(s);

	if (len > 4000)
		len = 4000;
	for (size_t i = 0; i < len && n < max;) {
		while (i < len && !word_byte((unsigned char)s[i]))
			i++;
		size_t start = i;
		uint64_t h = 0xcbf29ce484222325ull;
		while (i < len && word_byte((unsigned char)s[i])) {
			unsigned char c = (unsigned char)s[i++];
			h = (h ^ (c >= 'A' && c <= 'Z' ? c | 0x20 : c)) * 0x100000001b3ull;
		}
		if (i == start)
			break;
		words[0] = words[1];
		words[1] = words[2];
		words[2] = h;
		if (++nwords >= 3)
			out[n++] = words[0] * 31 * 31 + words[1] * 31 + words[2];
	}
	if (n)
		qsort(out, n, sizeof *out, cmp_u64);
	size_t w = 0;
	for (size_t r = 0; r < n; r++)
		if (w == 0 || out[w - 1] != out[r])
			out[w++] = out[r];
	return w;
}

#define MAX_TRIGRAMS 1024

double similar_containment(const char *a, const char *b)
{
	uint64_t *ta = malloc(2 * MAX_TRIGRAMS * sizeof *ta), *tb;
	size_t na, nb, i = 0, k = 0, common = 0;
	double result;

	if (ta == NULL)
		return 0;
	tb = ta + MAX_TRIGRAMS;
	na = trigrams(a, ta, MAX_TRIGRAMS);
	nb = trigrams(b, tb, MAX_TRIGRAMS);
	while (i < na && k < nb) {
		if (ta[i] < tb[k])
			i++;
		else if (ta[i] > tb[k])
			k++;
		else
			common++, i++, k++;
	}
	if (na == 0 || nb == 0) /* fewer than three words: equal or not */
		result = na == nb && strcmp(a, b) == 0 ? 1.0 : 0.0;
	else
		result = (double)common / (double)(na < nb ? na : nb);
	free(ta);
	return result;
}

size_t similar_term_hashes(const struct similar_doc *d, uint64_t *out, size_t max)
{
	size_t n = d->nterms < max ? d->nterms : max;

	for (size_t i = 0; i < n; i++)
		out[i] = d->terms[i].hash;
	return n;
}

/* Blob: "S1", then the counts and the entries, every number little-endian: words as 8-byte hash
 * and 4-byte float weight, tags as 8-byte id, 1-byte kind and 4-byte float weight. */
#define PACK_MAGIC "S1"

static int put_le(struct buf *out, uint64_t v, int bytes)
{
	unsigned char b[8];

	for (int i = 0; i < bytes; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	return buf_append(out, b, (size_t)bytes);
}

static uint64_t get_le(const unsigned char *p, int bytes)
{
	uint64_t v = 0;

	for (int i = bytes - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint32_t float_bits(double d)
{
	float f = (float)d;
	uint32_t u;

	memcpy(&u, &f, sizeof u);
	return u;
}

static double bits_float(uint32_t u)
{
	float f;

	memcpy(&f, &u, sizeof f);
	return f;
}

int similar_pack(const struct similar_doc *d, struct buf *out)
{
	int rc = buf_puts(out, PACK_MAGIC);

	rc |= put_le(out, d->nterms, 4) | put_le(out, d->ntags, 4);
	for (size_t i = 0; i < d->nterms && rc == 0; i++)
		rc |= put_le(out, d->terms[i].hash, 8) | put_le(out, float_bits(d->terms[i].weight), 4);
	for (size_t i = 0; i < d->ntags && rc == 0; i++)
		rc |= put_le(out, (uint64_t)d->tags[i].id, 8) | put_le(out, d->tags[i].kind, 1) |
		      put_le(out, float_bits(d->tags[i].weight), 4);
	return rc ? -1 : 0;
}

int similar_unpack(struct similar_doc *d, const void *blob, size_t len)
{
	const unsigned char *p = blob;
	uint64_t nterms, ntags;

	d->nterms = d->ntags = 0;
	d->norm = 0;
	d->members = 1;
	if (len < 10 || memcmp(p, PACK_MAGIC, 2) != 0)
		return -1;
	nterms = get_le(p + 2, 4);
	ntags = get_le(p + 6, 4);
	if (nterms > (len - 10) / 12 || 10 + nterms * 12 + ntags * 13 != len)
		return -1;
	p += 10;
	for (uint64_t i = 0; i < nterms; i++, p += 12)
		if (push_term(d, get_le(p, 8), bits_float((uint32_t)get_le(p + 8, 4))) < 0)
			return -1;
	for (uint64_t i = 0; i < ntags; i++, p += 13) {
		enum similar_kind kind = p[8] <= KIND_OTHER ? (enum similar_kind)p[8] : KIND_OTHER;
		if (push_tag(d, (int64_t)get_le(p, 8), kind, bits_float((uint32_t)get_le(p + 9, 4))) < 0)
			return -1;
	}
	/* a tampered blob must not break the sorted-words invariant the merges rely on */
	for (size_t i = 1; i < d->nterms; i++)
		if (d->terms[i - 1].hash >= d->terms[i].hash) {
			d->nterms = d->ntags = 0;
			return -1;
		}
	return 0;
}
