/*
 * cmd_store.c — the commands that write and read the store directly: import, export, search.
 */
#include "crawler/cmd_store.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crawler/clock.h"
#include "crawler/ingest.h"
#include "crawler/lock.h"
#include "crawler/log.h"
#include "crawler/parsepool.h"
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

/* A file read for import, while it is parsed on the pool's thread. A file that cannot be read
 * still goes through the pool, so that every file's lines come out in the order given. */
struct import_job {
	struct parse_job parse;    /* first: the pool hands this back */
	const char *path;          /* borrowed from argv */
	char *own_url;             /* its file:// URL when no --url was given */
	struct buf body;
	int64_t started;           /* ms */
	char error[512];           /* why the file could not be read; "" when it was */
};

static void import_job_free(struct import_job *job)
{
	if (job == NULL)
		return;
	ingest_parsed_free(job->parse.parsed);
	buf_free(&job->body);
	free(job->own_url);
	free(job);
}

/* Reads path, to be stored under url (NULL: its file:// URL). NULL when out of memory. */
static struct import_job *import_read(const char *path, const char *url)
{
	struct import_job *job = calloc(1, sizeof *job);

	if (job == NULL)
		return NULL;
	job->path = path;
	job->started = clock_ms();
	if (url == NULL && (job->own_url = file_url(path)) == NULL)
		snprintf(job->error, sizeof job->error, "cannot resolve the path: %s", strerror(errno));
	else if (readfile(path, FEED_MAX_DOCUMENT, &job->body, job->error, sizeof job->error) == 0)
		job->parse.doc = (struct ingest_document){
			.feed_url = url ? url : job->own_url,
			.body = buf_str(&job->body),
			.len = job->body.len,
			.fetched = clock_now(),
		};
	return job;
}

/* Stores a parsed job, says how it went and frees it. Returns 0, or 1 when the file could not
 * be read or was not a feed, or -1 when the store failed. */
static int import_store(struct ingest *ing, struct import_job *job)
{
	struct ingest_report *report = &job->parse.report;
	char safe[1024];
	int rc = 0;

	if (job->error[0]) {
		log_user("%s: %s", job->path, job->error);
		rc = 1;
	} else if (job->parse.parsed == NULL) {
		log_user("%s: out of memory parsing", job->path);
		rc = -1;
	} else if (ingest_store(ing, &job->parse.doc, job->parse.parsed, clock_ms() - job->started,
	                        NULL, report) < 0) {
		log_user("%s: %s", job->path, ingest_error(ing));
		rc = -1;
	} else {
		if (report->error)
			fprintf(stderr, "import %s: %s\n", job->path,
			        log_safe(safe, sizeof safe, report->error));
		if (report->usable)
			fprintf(stderr, "import %s: %zu entries (%zu new, %zu updated, %zu unchanged)\n",
			        job->path, report->result.entries, report->result.new_entries,
			        report->result.updated, report->result.unchanged);
		else
			rc = 1;
	}
	import_job_free(job);
	return rc;
}

/* Imports job's file: parsed on the pool's thread while this one stores the file before it
 * (else here, without a pool). Stores what the pool holds but the newest job, or everything
 * when job is NULL. Returns the number of files not stored, or -1 when the store failed (the
 * pool may still hold jobs then: import_discard). */
static int import_file(struct ingest *ing, struct parsepool *pool, struct import_job *job)
{
	int failed = 0, r;

	if (pool == NULL) {
		if (job == NULL)
			return 0;
		job->parse.parsed = ingest_parse(ingest_parser(ing), &job->parse.doc, &job->parse.report);
		return import_store(ing, job);
	}
	if (job)
		parsepool_submit(pool, &job->parse);
	while (parsepool_held(pool) > (job ? 1 : 0)) {
		r = import_store(ing, (struct import_job *)parsepool_next(pool, true));
		if (r < 0)
			return -1;
		failed += r;
	}
	return failed;
}

/* Frees what the pool still holds, unstored, once the import has failed. */
static void import_discard(struct parsepool *pool)
{
	struct parse_job *job;

	while (pool && (job = parsepool_next(pool, true)) != NULL)
		import_job_free((struct import_job *)job);
}

int cmd_import(const struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"url", required_argument, NULL, 'u'},
		{NULL, 0, NULL, 0},
	};
	const char *url = NULL, **paths = calloc((size_t)argc + 1, sizeof *paths),
	           **urls = calloc((size_t)argc + 1, sizeof *urls);
	struct ingest *ing = NULL;
	struct parsepool *pool = NULL;
	struct story_stats stats;
	char err[512];
	int c, files = 0, failed = 0, r, rc = EXIT_RUNTIME, lock = -1;

	if (paths == NULL || urls == NULL) {
		log_user("out of memory");
		goto done;
	}
	/* every mistake in the arguments is found before anything is imported; "-": files come
	 * back in order (as option 1), each under the --url given before it */
	while ((c = getopt_long(argc, argv, "-", longopts, NULL)) != -1) {
		if (c == 'u') {
			url = optarg;
		} else if (c == 1) {
			paths[files] = optarg;
			urls[files++] = url;
		} else {
			files = 0;
			break;
		}
	}
	if (files == 0) {
		fputs("usage: newsmon import [--url URL] FILE... (each FILE is stored under the --url "
		      "before it, else under its file:// URL)\n", stderr);
		rc = EXIT_USAGE;
		goto done;
	}
	ing = ingest_open(cli, err, sizeof err, &rc);
	if (ing == NULL || ingest_vocabulary(ing, err, sizeof err, &rc) < 0) {
		log_user("%s", err);
		goto done;
	}
	/* A crawl links the entries it stored only once its fetches are all in; an import linking
	 * meanwhile would take them, and their alerts, from it. So an import waits for the crawl. */
	rc = EXIT_RUNTIME;
	lock = lock_acquire(cli->db, true, err, sizeof err);
	if (lock < 0) {
		log_user("%s", err);
		goto done;
	}
	pool = parsepool_new(); /* NULL: files are parsed on this thread */
	for (int i = 0; i < files; i++) {
		struct import_job *job = import_read(paths[i], urls[i]);
		if (job == NULL) {
			log_user("%s: out of memory", paths[i]);
			goto done;
		}
		if ((r = import_file(ing, pool, job)) < 0)
			goto done;
		failed += r;
	}
	if ((r = import_file(ing, pool, NULL)) < 0)
		goto done;
	failed += r;
	/* its parser's buffers are not needed to process */
	parsepool_free(pool);
	pool = NULL;
	if (ingest_finish(ing, NULL, &stats) < 0) {
		log_user("%s", ingest_error(ing));
		goto done;
	}
	log_msg(LOG_INFO, "import.linked", "entries=%zu stories=%zu follow_ups=%zu duplicates=%zu",
	        stats.processed, stats.stories, stats.follow_ups, stats.duplicates);
	rc = failed ? EXIT_RUNTIME : EXIT_OK;
done:
	import_discard(pool);
	parsepool_free(pool);
	ingest_close(ing);
	if (lock >= 0)
		close(lock);
	free(paths);
	free(urls);
	return rc;
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
