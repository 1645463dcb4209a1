/*
 * bench_parse.c — feed_parse throughput over a corpus held in memory, without JSON output.
 *
 * Usage: bench_parse [-r ROUNDS] [-u URL] FILE...
 *   Loads every FILE into memory first, then ROUNDS times (default 3) parses each one with
 *   feed_parser_parse, one parser for the whole run as the crawler has (base URL URL, default
 *   https://bench.example.org/feed.xml; no HTTP charset) and frees it with feed_free. Prints one line of key=value pairs on stdout, for
 *   tests/bench/parse_report.py:
 *     files bytes largest   the corpus (bytes summed over the files, once)
 *     entries unusable bozo per round: entries kept, documents that were no feed, recovered ones
 *     cpu wall              seconds of the fastest round (CLOCK_PROCESS_CPUTIME_ID and
 *                           CLOCK_MONOTONIC, each the minimum over the rounds)
 *     cpu_first             CPU seconds of the first round, which also pays for growing the
 *                           heap to its peak (first-touch page faults); later rounds reuse it,
 *                           as a crawl does after its first documents
 *     rss_loaded rss_peak   ru_maxrss in KiB after loading the files and after the last round:
 *                           their difference is the most the parser ever held on top of the corpus
 * Exits 1 when a file cannot be read or feed_parse runs out of memory, 2 on bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "crawler/readfile.h"
#include "parsers/buf.h"
#include "parsers/feed.h"

static double seconds(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long max_rss_kib(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
}

/* One round over every document with one parser, as the crawler parses. Returns 0, or -1 when
 * the parser ran out of memory. */
static int parse_all(struct feed_parser *fp, const struct buf *docs, int n, const char *url,
                     size_t *entries, size_t *unusable, size_t *bozo)
{
	*entries = *unusable = *bozo = 0;
	for (int i = 0; i < n; i++) {
		struct feed *f = feed_parser_parse(fp, docs[i].data, docs[i].len, url, NULL);
		if (f == NULL)
			return -1;
		*entries += f->nentries;
		*unusable += f->format == FEED_UNKNOWN;
		*bozo += f->bozo;
		feed_free(f);
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *url = "https://bench.example.org/feed.xml";
	long rounds = 3;
	struct buf *docs = NULL;
	struct feed_parser *fp = NULL;
	size_t bytes = 0, largest = 0, entries = 0, unusable = 0, bozo = 0;
	double best_cpu = 0, best_wall = 0, first_cpu = 0;
	long rss_loaded;
	char err[256], *end;
	int c, n, rc = 1;

	while ((c = getopt(argc, argv, "r:u:")) != -1) {
		if (c == 'r') {
			rounds = strtol(optarg, &end, 10);
			if (*end != '\0' || rounds < 1)
				goto usage;
		} else if (c == 'u') {
			url = optarg;
		} else {
			goto usage;
		}
	}
	n = argc - optind;
	if (n < 1)
		goto usage;
	docs = calloc((size_t)n, sizeof *docs);
	if (docs == NULL)
		return 1;
	for (int i = 0; i < n; i++) {
		if (readfile(argv[optind + i], FEED_MAX_DOCUMENT, &docs[i], err, sizeof err) < 0) {
			fprintf(stderr, "bench_parse: %s: %s\n", argv[optind + i], err);
			goto done;
		}
		bytes += docs[i].len;
		if (docs[i].len > largest)
			largest = docs[i].len;
	}
	feed_init();
	fp = feed_parser_new();
	if (fp == NULL)
		goto done;
	rss_loaded = max_rss_kib();

	for (long r = 0; r < rounds; r++) {
		double c0 = seconds(CLOCK_PROCESS_CPUTIME_ID), w0 = seconds(CLOCK_MONOTONIC);
		if (parse_all(fp, docs, n, url, &entries, &unusable, &bozo) < 0) {
			fprintf(stderr, "bench_parse: out of memory\n");
			goto done;
		}
		double cpu = seconds(CLOCK_PROCESS_CPUTIME_ID) - c0, wall = seconds(CLOCK_MONOTONIC) - w0;
		if (r == 0)
			first_cpu = cpu;
		if (r == 0 || cpu < best_cpu)
			best_cpu = cpu;
		if (r == 0 || wall < best_wall)
			best_wall = wall;
	}
	printf("files=%d bytes=%zu largest=%zu rounds=%ld entries=%zu unusable=%zu bozo=%zu "
	       "cpu=%.6f wall=%.6f cpu_first=%.6f rss_loaded=%ld rss_peak=%ld\n",
	       n, bytes, largest, rounds, entries, unusable, bozo, best_cpu, best_wall, first_cpu,
	       rss_loaded, max_rss_kib());
	rc = 0;
done:
	feed_parser_free(fp);
	for (int i = 0; i < n; i++)
		buf_free(&docs[i]);
	free(docs);
	return rc;
usage:
	fputs("usage: bench_parse [-r ROUNDS] [-u URL] FILE...\n", stderr);
	return 2;
}
