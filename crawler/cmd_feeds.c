/*
 * cmd_feeds.c — the feed list and its health: `feeds`, `discover URL`, `opml import|export`.
 */
#include "crawler/cmd_feeds.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crawler/config.h"
#include "crawler/fetch.h"
#include "crawler/log.h"
#include "crawler/readfile.h"
#include "crawler/sched.h"
#include "crawler/url.h"
#include "parsers/arena.h"
#include "parsers/date.h"
#include "parsers/feed.h"
#include "parsers/opml.h"
#include "store/store.h"

#define LIST_MAX (16 << 20)

/* ------------------------------------------------------------------ feeds */

/* One word for a feed's condition. */
static const char *state_of(const struct store_feed_health *f)
{
	if (!f->listed)
		return "removed";
	if (f->gone)
		return "gone";
	if (f->last_fetch == 0)
		return "new";
	if (f->failures >= SCHED_DEAD_AFTER)
		return "dead";
	if (f->failures > 0)
		return "failing";
	return "ok";
}

static const char *when(int64_t t, char out[DATE_TEXT_SIZE])
{
	return t ? date_format(t, out) : "-";
}

static int print_health(const struct store_feed_health *f, void *arg)
{
	int json = *(int *)arg;
	char last[DATE_TEXT_SIZE], ok[DATE_TEXT_SIZE], due[DATE_TEXT_SIZE], title[256], error[1024],
		url[2048], note[512];

	if (json) {
		json_t *j = json_pack("{s:I, s:s, s:s?, s:s, s:s, s:I, s:s?, s:i, s:s?, s:s?, s:I, s:s?, "
		                      "s:s?, s:s?}",
		                      "id", (json_int_t)f->id, "url", f->url, "title", f->title,
		                      "labels", f->labels, "state", state_of(f),
		                      "entries", (json_int_t)f->entries,
		                      "last_fetch", f->last_fetch ? date_format(f->last_fetch, last) : NULL,
		                      "last_status", f->last_status,
		                      "last_success", f->last_success ? date_format(f->last_success, ok) : NULL,
		                      "next_due", f->listed && !f->gone && f->next_due ? date_format(f->next_due, due) : NULL,
		                      "failures", (json_int_t)f->failures, "error", f->last_error,
		                      "moved_to", f->moved_to, "identity", f->identity_note);
		if (j) {
			json_dumpf(j, stdout, JSON_COMPACT);
			fputc('\n', stdout);
			json_decref(j);
		}
		return 0;
	}
	printf("%-8s %6lld  %-20s  %3d  %-20s  %s", state_of(f), (long long)f->entries,
	       when(f->last_fetch, last), f->last_status, f->listed && !f->gone ? when(f->next_due, due) : "-",
	       log_safe(url, sizeof url, f->url));
	if (f->title)
		printf("  \"%s\"", log_safe(title, sizeof title, f->title));
	if (*f->labels)
		printf("  [%s]", f->labels);
	if (f->failures)
		printf("  %lld failure%s in a row, last success %s", (long long)f->failures,
		       f->failures == 1 ? "" : "s", when(f->last_success, ok));
	if (f->last_error)
		printf("  error: %s", log_safe(error, sizeof error, f->last_error));
	if (f->moved_to)
		printf("  moved permanently to %s (change feeds.txt)", log_safe(url, sizeof url, f->moved_to));
	if (f->identity_note)
		printf("  entries: %s", log_safe(note, sizeof note, f->identity_note));
	putchar('\n');
	return 0;
}

int cmd_feeds(const struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	struct store *s;
	char err[512];
	int c, json = 0, rc;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c != 'j') {
			fputs("usage: newsmon feeds [--json]\n", stderr);
			return EXIT_USAGE;
		}
		json = 1;
	}
	s = store_open(cli->db, STORE_READ, err, sizeof err);
	if (s == NULL) {
		log_user("%s", err);
		return EXIT_RUNTIME;
	}
	if (!json)
		printf("%-8s %6s  %-20s  %3s  %-20s  %s\n", "STATE", "ENTRIES", "LAST FETCH", "ST",
		       "NEXT DUE", "FEED");
	rc = store_feeds_health(s, print_health, &json);
	if (rc < 0)
		log_user("%s", store_error(s));
	store_close(s);
	return rc < 0 ? EXIT_RUNTIME : EXIT_OK;
}

/* ------------------------------------------------------------------ discover */

struct discovery {
	const char *url;
	int found;
	const char *error;
	char error_buf[1024];
};

static void discovered(const struct fetch_result *r, void *arg)
{
	struct discovery *d = arg;
	struct feed *f;
	char safe[2048];

	if (r->error) {
		snprintf(d->error_buf, sizeof d->error_buf, "%s", r->error);
		d->error = d->error_buf;
		return;
	}
	f = feed_parse(r->body, r->len, r->url, r->charset);
	if (f == NULL) {
		d->error = "out of memory";
		return;
	}
	if (f->format != FEED_UNKNOWN) {
		/* the address is a feed itself */
		printf("%s\n", log_safe(safe, sizeof safe, r->url));
		d->found++;
	}
	for (size_t i = 0; i < f->nalternates; i++) {
		printf("%s\n", log_safe(safe, sizeof safe, f->alternates[i]));
		d->found++;
	}
	if (d->found == 0) {
		snprintf(d->error_buf, sizeof d->error_buf, "%s", f->html ? "the page advertises no feed"
		                                                          : f->error ? f->error : "no feed");
		d->error = d->error_buf;
	}
	feed_free(f);
}

int cmd_discover(const struct cli *cli, int argc, char **argv)
{
	struct fetch_options o = FETCH_DEFAULTS;
	struct fetch_request req = {0};
	struct discovery d = {0};
	struct fetcher *f;
	char err[512], safe[1024];

	(void)cli;
	if (argc != 2) {
		fputs("usage: newsmon discover URL\n", stderr);
		return EXIT_USAGE;
	}
	if (!url_is_web(argv[1])) {
		log_user("'%s' is not an http or https URL", log_safe(safe, sizeof safe, argv[1]));
		return EXIT_USAGE;
	}
	d.url = req.url = argv[1];
	o.timeout = 30;
	f = fetcher_new(&o, err, sizeof err);
	if (f == NULL || fetcher_run(f, &req, 1, discovered, &d, NULL, err, sizeof err) < 0) {
		log_user("%s", err);
		fetcher_free(f);
		return EXIT_RUNTIME;
	}
	fetcher_free(f);
	if (d.found == 0) {
		log_user("%s: %s", log_safe(safe, sizeof safe, argv[1]), d.error ? d.error : "no feed");
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

/* ------------------------------------------------------------------ opml */

static int opml_export(const struct cli *cli)
{
	struct buf text = {0}, out = {0};
	struct config *c = NULL;
	struct opml_feed *feeds = NULL;
	char reason[256], *err = NULL;
	int rc = EXIT_RUNTIME;

	if (readfile(cli->feeds, LIST_MAX, &text, reason, sizeof reason) < 0) {
		log_user("%s: %s", cli->feeds, reason);
		goto done;
	}
	c = config_parse(buf_str(&text), text.len, cli->feeds, &err);
	if (c == NULL) {
		log_user("%s", err ? err : "out of memory");
		rc = EXIT_USAGE;
		goto done;
	}
	feeds = calloc(c->n ? c->n : 1, sizeof *feeds);
	if (feeds == NULL)
		goto done;
	for (size_t i = 0; i < c->n; i++)
		feeds[i] = (struct opml_feed){c->feeds[i].url, c->feeds[i].title, c->feeds[i].labels};
	if (opml_write(&out, "newsmon feeds", feeds, c->n) < 0 ||
	    fwrite(buf_str(&out), 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
		log_user("cannot write the OPML");
		goto done;
	}
	rc = EXIT_OK;
done:
	free(err);
	free(feeds);
	config_free(c);
	buf_free(&text);
	buf_free(&out);
	return rc;
}

/* Appends the feeds of an OPML file that feeds.txt does not list yet. */
static int opml_import(const struct cli *cli, const char *path)
{
	struct buf list = {0}, doc = {0}, add = {0};
	struct config *c = NULL;
	struct arena *arena = arena_new();
	struct opml_feed *feeds;
	size_t n, added = 0, known = 0, refused = 0;
	char reason[256], *err = NULL, safe[1024];
	int rc = EXIT_RUNTIME;
	FILE *out = NULL;

	if (arena == NULL)
		goto done;
	/* a missing feeds.txt is an empty one: import creates it */
	if (readfile(cli->feeds, LIST_MAX, &list, reason, sizeof reason) < 0 && list.len == 0)
		buf_reset(&list);
	c = config_parse(buf_str(&list), list.len, cli->feeds, &err);
	if (c == NULL) {
		log_user("%s", err ? err : "out of memory");
		rc = EXIT_USAGE;
		goto done;
	}
	if (readfile(path, LIST_MAX, &doc, reason, sizeof reason) < 0) {
		log_user("%s: %s", path, reason);
		goto done;
	}
	int r = opml_read(buf_str(&doc), doc.len, arena, &feeds, &n, reason, sizeof reason);
	if (r < 0) {
		log_user("%s: %s", path, r == -1 ? reason : "out of memory");
		rc = r == -1 ? EXIT_USAGE : EXIT_RUNTIME;
		goto done;
	}
	if (list.len && list.data[list.len - 1] != '\n')
		buf_putc(&add, '\n');
	buf_printf(&add, "# imported from %s\n", path);
	for (size_t i = 0; i < n; i++) {
		bool listed = false;
		for (size_t k = 0; k < c->n && !listed; k++)
			listed = strcmp(c->feeds[k].url, feeds[i].url) == 0;
		for (size_t k = 0; k < i && !listed; k++)
			listed = strcmp(feeds[k].url, feeds[i].url) == 0;
		/* a line newsmon could not read back would break the whole list */
		if (!url_is_web(feeds[i].url) || strpbrk(feeds[i].url, " \t#\"")) {
			fprintf(stderr, "opml: skipped '%s': not an http or https URL\n",
			        log_safe(safe, sizeof safe, feeds[i].url));
			refused++;
			continue;
		}
		if (listed) {
			known++;
			continue;
		}
		buf_printf(&add, "%s%s%s\n", feeds[i].url, *feeds[i].labels ? " " : "", feeds[i].labels);
		added++;
	}
	if (added) {
		out = fopen(cli->feeds, "a");
		if (out == NULL || fwrite(add.data, 1, add.len, out) != add.len || fclose(out) != 0) {
			log_user("%s: cannot append the imported feeds", cli->feeds);
			goto done;
		}
	}
	fprintf(stderr, "opml: %zu feed%s added to %s, %zu already listed%s\n", added,
	        added == 1 ? "" : "s", cli->feeds, known, refused ? ", some skipped" : "");
	rc = EXIT_OK;
done:
	free(err);
	config_free(c);
	arena_free(arena);
	buf_free(&list);
	buf_free(&doc);
	buf_free(&add);
	return rc;
}

int cmd_opml(const struct cli *cli, int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "export") == 0)
		return opml_export(cli);
	if (argc == 3 && strcmp(argv[1], "import") == 0)
		return opml_import(cli, argv[2]);
	fputs("usage: newsmon [--feeds FILE] opml import FILE | opml export\n", stderr);
	return EXIT_USAGE;
}
