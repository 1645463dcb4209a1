/*
 * cmd_stories.c — `stories`, `story ID` and `retag`: reading the stories newsmon built, and
 * re-tagging everything after tags.txt changed.
 */
#include "crawler/cmd_stories.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crawler/ingest.h"
#include "crawler/lock.h"
#include "crawler/log.h"
#include "parsers/date.h"
#include "store/query.h"
#include "store/store.h"

static struct store *open_read(const struct cli *cli)
{
	char err[512];
	struct store *s = store_open(cli->db, STORE_READ, err, sizeof err);

	if (s == NULL)
		log_user("%s", err);
	return s;
}

/* "2020-07-06" of a Unix time. */
static const char *day(int64_t t, char out[DATE_TEXT_SIZE])
{
	date_format(t, out);
	out[10] = '\0';
	return out;
}

static int print_story_line(const struct query_story *st, void *arg)
{
	char first[DATE_TEXT_SIZE], last[DATE_TEXT_SIZE], title[512];

	(void)arg;
	printf("%6lld  %s .. %s  %3lld entr%s, %2lld outlet%s  %s\n", (long long)st->id,
	       day(st->first, first), day(st->last, last), (long long)st->entries,
	       st->entries == 1 ? "y" : "ies", (long long)st->outlets, st->outlets == 1 ? " " : "s",
	       log_safe(title, sizeof title, st->title));
	return 0;
}

int cmd_stories(const struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"since", required_argument, NULL, 's'},
		{"tag", required_argument, NULL, 't'},
		{"limit", required_argument, NULL, 'n'},
		{NULL, 0, NULL, 0},
	};
	int64_t since = INT64_MIN;
	const char *tag = NULL;
	long limit = 50;
	struct store *s;
	int c, rc;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 's' && cli_date("--since", optarg, &since) == 0)
			continue;
		if (c == 't' && strchr(optarg, ':'))
			tag = optarg;
		else if (c == 'n' && cli_number("--limit", optarg, 1, 1000000, &limit) == 0)
			continue;
		else
			goto usage;
	}
	if (optind != argc)
		goto usage;
	if ((s = open_read(cli)) == NULL)
		return EXIT_RUNTIME;
	rc = query_stories(s, since, tag, (int)limit, print_story_line, NULL);
	if (rc < 0)
		log_user("%s", store_error(s));
	store_close(s);
	return rc < 0 ? EXIT_RUNTIME : EXIT_OK;
usage:
	fputs("usage: newsmon stories [--since DATE] [--tag kind:value] [--limit N]\n", stderr);
	return EXIT_USAGE;
}

static int print_head(const struct query_story *st, void *arg)
{
	char first[DATE_TEXT_SIZE], last[DATE_TEXT_SIZE], title[1024];

	(void)arg;
	printf("Story %lld: %s\n", (long long)st->id, log_safe(title, sizeof title, st->title));
	printf("%lld entr%s from %lld outlet%s, %s to %s\n\n", (long long)st->entries,
	       st->entries == 1 ? "y" : "ies", (long long)st->outlets, st->outlets == 1 ? "" : "s",
	       date_format(st->first, first), date_format(st->last, last));
	return 0;
}

/* Does line (of len bytes) appear as a whole line of text? */
static int has_line(const char *text, const char *line, size_t len)
{
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n");
		if (n == len && memcmp(p, line, len) == 0)
			return 1;
		p += n + (p[n] == '\n');
	}
	return 0;
}

/* The paragraphs of `from` missing in `to`, each printed with the marker. */
static void print_missing(const char *from, const char *to, const char *marker)
{
	char safe[2048];

	for (const char *p = from; *p;) {
		size_t n = strcspn(p, "\n");
		if (n && !has_line(to, p, n)) {
			char line[2048];
			snprintf(line, sizeof line, "%.*s", (int)(n < 2000 ? n : 2000), p);
			printf("                        %s %s\n", marker, log_safe(safe, sizeof safe, line));
		}
		p += n + (p[n] == '\n');
	}
}

static int print_member(const struct query_member *m, void *arg)
{
	char at[DATE_TEXT_SIZE], seen[DATE_TEXT_SIZE], feed[256], title[1024], url[2048], why[512];

	(void)arg;
	printf("%s  %-9s  #%lld %s\n", date_format(m->at, at), m->relation, (long long)m->id,
	       log_safe(title, sizeof title, m->title));
	printf("%24s %s  %s\n", "", log_safe(feed, sizeof feed, m->feed_title),
	       log_safe(url, sizeof url, m->url ? m->url : ""));
	/* a duplicate's reason names its entry; a follow-up's is about the story and its original */
	if (m->reason && strcmp(m->relation, "follow-up") == 0)
		printf("%24s why: %s; original #%lld\n", "", log_safe(why, sizeof why, m->reason),
		       (long long)m->related_to);
	else if (m->reason)
		printf("%24s why: %s\n", "", log_safe(why, sizeof why, m->reason));
	for (size_t i = 0; i < m->nhistory; i++) {
		const struct query_revision *r = &m->history[i];
		printf("%24s revision %d, %s:\n", "", r->version + 1, date_format(r->replaced, seen));
		if (strcmp(r->title, r->next_title) != 0) {
			printf("                        - title: %s\n", log_safe(title, sizeof title, r->title));
			printf("                        + title: %s\n",
			       log_safe(title, sizeof title, r->next_title));
		}
		print_missing(r->text, r->next_text, "-");
		print_missing(r->next_text, r->text, "+");
	}
	if (m->ntags) {
		printf("%24s tags:", "");
		for (size_t i = 0; i < m->ntags; i++)
			printf(" %s", m->tags[i]);
		putchar('\n');
	}
	return 0;
}

int cmd_story(const struct cli *cli, int argc, char **argv)
{
	struct store *s;
	long id;
	int rc;

	if (argc != 2 || cli_number("story", argv[1], 1, LONG_MAX, &id) < 0) {
		fputs("usage: newsmon story ID\n", stderr);
		return EXIT_USAGE;
	}
	if ((s = open_read(cli)) == NULL)
		return EXIT_RUNTIME;
	rc = query_story(s, id, print_head, print_member, NULL);
	if (rc == 1)
		log_user("no story %ld (newsmon stories lists them)", id);
	else if (rc < 0)
		log_user("%s", store_error(s));
	store_close(s);
	return rc == 0 ? EXIT_OK : EXIT_RUNTIME;
}

int cmd_retag(const struct cli *cli, int argc, char **argv)
{
	struct ingest *ing;
	char err[512];
	int status, lock;
	int64_t n;

	(void)argv;
	if (argc != 1) {
		fputs("usage: newsmon retag\n", stderr);
		return EXIT_USAGE;
	}
	ing = ingest_open(cli, err, sizeof err, &status);
	if (ing == NULL || ingest_vocabulary(ing, err, sizeof err, &status) < 0) {
		log_user("%s", err);
		ingest_close(ing);
		return status;
	}
	/* one transaction over every entry: a crawl starting meanwhile would time out on it, so
	 * retag waits for a running crawl and holds the crawl lock while it works */
	lock = lock_acquire(cli->db, true, err, sizeof err);
	if (lock < 0) {
		log_user("%s", err);
		ingest_close(ing);
		return EXIT_RUNTIME;
	}
	n = ingest_retag(ing);
	if (n < 0)
		log_user("%s", ingest_error(ing));
	else
		fprintf(stderr, "retag: %lld entries tagged with %s\n", (long long)n, cli->tags);
	ingest_close(ing);
	close(lock);
	return n < 0 ? EXIT_RUNTIME : EXIT_OK;
}
