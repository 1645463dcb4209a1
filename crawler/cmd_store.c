/*
 * cmd_store.c — the commands that write and read the store directly: import, export, search.
 */
#include "crawler/cmd_store.h"

#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crawler/clock.h"
#include "crawler/ingest.h"
#include "crawler/lock.h"
#include "crawler/log.h"
#include "crawler/readfile.h"
#include "parsers/date.h"
#include "parsers/feed.h"
#include "store/query.h"
#include "store/store.h"

/* The URL a local file is stored under when --url is not given. */
static char *file_url(const char *path)
{
	char *real = realpath(path, NULL), *url = NULL;

	if (real && asprintf(&url, "file://%s", real) < 0)
		url = NULL;
	free(real);
	return url;
}

/* Imports one file under url (NULL: its file:// URL). Returns 0, or 1 when it could not be
 * stored, or -1 when the store failed. */
static int import_file(struct ingest *ing, const char *path, const char *url, struct buf *body)
{
	char *own_url = url ? NULL : file_url(path);
	struct ingest_report report;
	char err[512], safe[1024];
	int64_t started = clock_ms();
	int rc = 0;

	if (url == NULL && own_url == NULL) {
		log_user("%s: cannot resolve the path", path);
		return 1;
	}
	if (readfile(path, FEED_MAX_DOCUMENT, body, err, sizeof err) < 0) {
		log_user("%s: %s", path, err);
		free(own_url);
		return 1;
	}
	struct ingest_document doc = {
		.feed_url = url ? url : own_url,
		.body = buf_str(body),
		.len = body->len,
		.fetched = clock_now(),
	};
	struct ingest_parsed *parsed = ingest_parse(ingest_parser(ing), &doc, &report);
	if (parsed == NULL) {
		log_user("%s: out of memory parsing", path);
		rc = -1;
	} else if (ingest_store(ing, &doc, parsed, clock_ms() - started, NULL, &report) < 0) {
		log_user("%s: %s", path, ingest_error(ing));
		rc = -1;
	} else {
		if (report.error)
			fprintf(stderr, "import %s: %s\n", path, log_safe(safe, sizeof safe, report.error));
		if (report.usable)
			fprintf(stderr, "import %s: %zu entries (%zu new, %zu updated, %zu unchanged)\n",
			        path, report.result.entries, report.result.new_entries,
			        report.result.updated, report.result.unchanged);
		else
			rc = 1;
	}
	ingest_parsed_free(parsed);
	free(own_url);
	return rc;
}

int cmd_import(const struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"url", required_argument, NULL, 'u'},
		{NULL, 0, NULL, 0},
	};
	const char *url = NULL;
	struct ingest *ing = NULL;
	struct story_stats stats;
	struct buf body = {0};
	char err[512];
	int c, files = 0, failed = 0, rc, lock;

	ing = ingest_open(cli, err, sizeof err, &rc);
	if (ing == NULL) {
		log_user("%s", err);
		return rc;
	}
	/* A crawl links the entries it stored only once its fetches are all in; an import linking
	 * meanwhile would take them, and their alerts, from it. So an import waits for the crawl. */
	lock = lock_acquire(cli->db, true, err, sizeof err);
	if (lock < 0) {
		log_user("%s", err);
		ingest_close(ing);
		return EXIT_RUNTIME;
	}
	rc = EXIT_RUNTIME;
	/* "-": files come back in order (as option 1), each under the --url given before it */
	while ((c = getopt_long(argc, argv, "-", longopts, NULL)) != -1) {
		if (c == 'u') {
			url = optarg;
		} else if (c == 1) {
			int r = import_file(ing, optarg, url, &body);
			if (r < 0)
				goto done;
			failed += r;
			files++;
		} else {
			goto usage;
		}
	}
	if (files == 0)
		goto usage;
	if (ingest_finish(ing, NULL, &stats) < 0) {
		log_user("%s", ingest_error(ing));
		goto done;
	}
	log_msg(LOG_INFO, "import.linked", "entries=%zu stories=%zu follow_ups=%zu duplicates=%zu",
	        stats.processed, stats.stories, stats.follow_ups, stats.duplicates);
	rc = failed ? EXIT_RUNTIME : EXIT_OK;
done:
	ingest_close(ing);
	buf_free(&body);
	close(lock);
	return rc;
usage:
	ingest_close(ing);
	buf_free(&body);
	close(lock);
	fputs("usage: newsmon import [--url URL] FILE... (each FILE is stored under the --url before "
	      "it, else under its file:// URL)\n", stderr);
	return EXIT_USAGE;
}

static struct store *open_for_reading(const struct cli *cli)
{
	char err[512];
	struct store *s = store_open(cli->db, STORE_READ, err, sizeof err);

	if (s == NULL)
		log_user("%s", err);
	return s;
}

int cmd_export(const struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"format", required_argument, NULL, 'f'},
		{"since", required_argument, NULL, 's'},
		{"feed", required_argument, NULL, 'u'},
		{NULL, 0, NULL, 0},
	};
	enum query_format format = QUERY_JSONL;
	int64_t since = INT64_MIN;
	const char *feed = NULL;
	struct store *s;
	int c, rc;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'f' && strcmp(optarg, "jsonl") == 0)
			format = QUERY_JSONL;
		else if (c == 'f' && strcmp(optarg, "csv") == 0)
			format = QUERY_CSV;
		else if (c == 's' && cli_date("--since", optarg, &since) == 0)
			continue;
		else if (c == 'u')
			feed = optarg;
		else
			goto usage;
	}
	if (optind != argc)
		goto usage;
	if ((s = open_for_reading(cli)) == NULL)
		return EXIT_RUNTIME;
	rc = query_export(s, stdout, format, since, feed) < 0 ? EXIT_RUNTIME : EXIT_OK;
	if (rc != EXIT_OK)
		log_user("%s", store_error(s));
	store_close(s);
	return rc;
usage:
	fputs("usage: newsmon export [--format jsonl|csv] [--since DATE] [--feed URL]\n", stderr);
	return EXIT_USAGE;
}

struct search_output {
	int json;
	int count;
};

static int print_hit(const struct query_hit *hit, void *arg)
{
	struct search_output *o = arg;
	char date[DATE_TEXT_SIZE], feed[256], title[1024], snippet[2048], url[2048];

	o->count++;
	date_format(hit->at, date);
	if (o->json) {
		json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s?, s:s}", "id", (json_int_t)hit->id,
		                      "published", date, "feed", hit->feed_url, "feed_title",
		                      hit->feed_title, "title", hit->title, "url", hit->url, "snippet",
		                      hit->snippet);
		if (j) {
			json_dumpf(j, stdout, JSON_COMPACT);
			fputc('\n', stdout);
			json_decref(j);
		}
		return 0;
	}
	printf("%.10s  %s  %s\n    %s\n    %s\n", date, log_safe(feed, sizeof feed, hit->feed_title),
	       log_safe(title, sizeof title, hit->title), log_safe(snippet, sizeof snippet, hit->snippet),
	       log_safe(url, sizeof url, hit->url ? hit->url : ""));
	return 0;
}

int cmd_search(const struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"since", required_argument, NULL, 's'},
		{"tag", required_argument, NULL, 't'},
		{"limit", required_argument, NULL, 'n'},
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	struct query_search q = {.since = INT64_MIN, .limit = 20};
	struct search_output out = {0};
	struct store *s;
	long limit;
	int c, rc;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 's' && cli_date("--since", optarg, &q.since) == 0)
			continue;
		if (c == 't' && strchr(optarg, ':'))
			q.tag = optarg;
		else if (c == 'n' && cli_number("--limit", optarg, 1, 100000, &limit) == 0)
			q.limit = (int)limit;
		else if (c == 'j')
			out.json = 1;
		else
			goto usage;
	}
	if (optind != argc - 1)
		goto usage;
	q.match = argv[optind];
	if ((s = open_for_reading(cli)) == NULL)
		return EXIT_RUNTIME;
	rc = query_search(s, &q, print_hit, &out);
	if (rc != 0)
		log_user("search: %s", store_error(s));
	else if (out.count == 0 && !out.json)
		fputs("no entries match\n", stderr);
	store_close(s);
	return rc == 0 ? EXIT_OK : rc == 1 ? EXIT_USAGE : EXIT_RUNTIME;
usage:
	fputs("usage: newsmon search QUERY [--since DATE] [--tag kind:value] [--limit N] [--json]\n",
	      stderr);
	return EXIT_USAGE;
}
