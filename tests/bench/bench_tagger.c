/*
 * bench_tagger.c — tagging throughput on one core with the full vocabulary.
 *
 * Usage: bench_tagger ENTRIES [ROUNDS] [TAGS]
 *   ENTRIES  one entry per line, "title<TAB>text" (tests/bench/entries_from_corpus.py makes one)
 *   ROUNDS   how many times every entry is tagged (default 50)
 *   TAGS     the vocabulary (default tags.txt)
 * Prints the vocabulary's compile time, then entries/s and MB/s of title+text in CPU time
 * (CLOCK_PROCESS_CPUTIME_ID), and the number of hits as a check that work was done.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crawler/readfile.h"
#include "parsers/buf.h"
#include "parsers/tagger.h"

struct entry {
	const char *title, *text;
	size_t title_len, text_len;
};

/* Reads a whole file into b (at most 256 MiB). Returns 0 or -1. */
static int slurp(const char *path, struct buf *b)
{
	char reason[256];

	return readfile(path, (size_t)256 << 20, b, reason, sizeof reason);
}

static double cpu_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Splits the lines of b into entries (appended to list). Returns 0 or -1. */
static int split_entries(const struct buf *b, struct buf *list, size_t *bytes)
{
	const char *p = b->data, *end = b->data + b->len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl != NULL ? nl : end;
		const char *tab = memchr(p, '\t', (size_t)(eol - p));
		struct entry e = {.title = p, .title_len = (size_t)((tab != NULL ? tab : eol) - p)};
		if (tab != NULL) {
			e.text = tab + 1;
			e.text_len = (size_t)(eol - tab - 1);
		}
		*bytes += e.title_len + e.text_len;
		if (buf_append(list, &e, sizeof e) != 0)
			return -1;
		p = eol + 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct buf input = {0}, vocab = {0}, list = {0};
	struct tag_hits h = {0};
	const char *tags = argc > 3 ? argv[3] : "tags.txt";
	long rounds = 50;
	size_t bytes = 0, n, hits = 0;
	struct tagger *t = NULL;
	char *err = NULL, *end;
	double t0, t1;
	int rc = 1;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: bench_tagger ENTRIES [ROUNDS] [TAGS]\n");
		return 2;
	}
	if (argc > 2) {
		rounds = strtol(argv[2], &end, 10);
		if (*end != '\0' || rounds < 1) {
			fprintf(stderr, "bench_tagger: bad ROUNDS '%s'\n", argv[2]);
			return 2;
		}
	}
	if (slurp(argv[1], &input) != 0 || slurp(tags, &vocab) != 0) {
		fprintf(stderr, "bench_tagger: cannot read %s or %s\n", argv[1], tags);
		goto fail;
	}
	if (split_entries(&input, &list, &bytes) != 0)
		goto fail;
	n = list.len / sizeof(struct entry);

	t0 = cpu_seconds();
	t = tagger_new(vocab.data, vocab.len, tags, &err);
	t1 = cpu_seconds();
	if (t == NULL) {
		fprintf(stderr, "bench_tagger: %s\n", err != NULL ? err : "out of memory");
		goto fail;
	}
	printf("vocabulary: %zu platforms, %zu countries, %zu topics, compiled in %.1f ms\n",
	       tagger_count(t, "platform"), tagger_count(t, "country"), tagger_count(t, "topic"),
	       (t1 - t0) * 1e3);

	t0 = cpu_seconds();
	for (long r = 0; r < rounds; r++) {
		const struct entry *e = (const struct entry *)list.data;
		for (size_t i = 0; i < n; i++) {
			if (tagger_tag(t, e[i].title, e[i].title_len, e[i].text, e[i].text_len, &h) != 0)
				goto fail;
			hits += h.n;
		}
	}
	t1 = cpu_seconds();
	printf("%zu entries (%.0f bytes each) x %ld rounds: %.0f entries/s, %.1f MB/s, "
	       "%.2f us/entry (%zu hits)\n",
	       n, n > 0 ? (double)bytes / (double)n : 0.0, rounds,
	       (double)n * (double)rounds / (t1 - t0), (double)bytes * (double)rounds / (t1 - t0) / 1e6,
	       (t1 - t0) * 1e6 / ((double)n * (double)rounds), hits);
	rc = 0;
fail:
	free(err);
	tag_hits_free(&h);
	tagger_free(t);
	buf_free(&input);
	buf_free(&vocab);
	buf_free(&list);
	return rc;
}
