/*
 * cmd_crawl.c — `newsmon crawl`: fetch what is due, store each document as it arrives, then
 * tag, link and alert the run's new and changed entries in order of publication.
 *
 * A document is parsed, and its rows derived, on a second thread (parsepool) while this one
 * stores the document before it: the fetcher and SQLite stay on this thread.
 *
 * stdout carries alert lines and nothing else (cron mails it); everything else goes to stderr:
 * one line per failed feed and a summary at the end, a live progress line only on a terminal,
 * each fetch with -v. Configuration mistakes (feeds.txt, the alert rules) stop the run before
 * anything is fetched (exit 2); a crawl in which feeds failed still did its job (exit 0).
 */
#include "crawler/cmd_crawl.h"

#include <curl/curl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crawler/alerts.h"
#include "crawler/clock.h"
#include "crawler/config.h"
#include "crawler/fetch.h"
#include "crawler/ingest.h"
#include "crawler/lock.h"
#include "crawler/log.h"
#include "crawler/parsepool.h"
#include "crawler/readfile.h"
#include "crawler/sched.h"
#include "parsers/arena.h"
#include "parsers/buf.h"

#define CONFIG_MAX (16 << 20)

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* A feed due in this run, copied out of the store. */
struct job {
	struct fetch_request req;
	int64_t id, every, ttl, failures;
	const char *url, *title, *body_hash;
	int line;                  /* in feeds.txt */
};

struct crawl {
	struct ingest *ing;
	struct parsepool *pool;    /* parses what arrives while this thread stores */
	struct arena *arena;
	struct buf jobs;           /* struct job[] */
	struct buf failures;       /* lines about failed feeds, printed at the end */
	struct buf notes;          /* moved feeds */
	struct alert_rules *rules;
	bool alerts_json;
	struct buf alerts;         /* this batch's alert lines, printed once it commits */
	size_t total, done, fetched, not_modified, failed, new_entries, updated, alerted;
	int64_t started_ms;
	bool tty, store_failed;
	char store_error[512];
};

/* ------------------------------------------------------------------ options and config */

struct crawl_options {
	const char *feeds, *alerts;
	bool force, wait, alerts_json;
	struct fetch_options fetch;
};

static int read_config(const char *path, struct config **out)
{
	struct buf text = {0};
	char reason[256], *err = NULL;

	if (readfile(path, CONFIG_MAX, &text, reason, sizeof reason) < 0) {
		log_user("%s: %s", path, reason);
		buf_free(&text);
		return -1;
	}
	*out = config_parse(buf_str(&text), text.len, path, &err);
	buf_free(&text);
	if (*out == NULL) {
		log_user("%s", err ? err : "out of memory reading the feed list");
		free(err);
		return -1;
	}
	return 0;
}

static int read_rules(const char *path, struct alert_rules **out)
{
	struct buf text = {0};
	char reason[256], *err = NULL;

	if (readfile(path, CONFIG_MAX, &text, reason, sizeof reason) < 0) {
		log_user("%s: %s", path, reason);
		buf_free(&text);
		return -1;
	}
	*out = alerts_compile(buf_str(&text), text.len, path, &err);
	buf_free(&text);
	if (*out == NULL) {
		log_user("%s", err ? err : "out of memory reading the alert rules");
		free(err);
		return -1;
	}
	return 0;
}

/* A rule's tag the vocabulary never gives is a mistake that would otherwise go unseen (the
 * rule just never fires): said on every run, but the crawl goes on, as a vocabulary edited
 * after the rules must not stop the night's fetching. */
struct unknown_tag_note {
	const char *rules, *tags;
};

static void note_unknown_tag(const char *tag, size_t line, void *arg)
{
	const struct unknown_tag_note *n = arg;

	log_user("%s:%zu: %s is not a tag of %s: that term never matches", n->rules, line, tag,
	         n->tags);
}

/* ------------------------------------------------------------------ selecting the due feeds */

struct due {
	struct crawl *c;
	const struct config *config;
};

static const char *keep(struct crawl *c, const char *s)
{
	return s ? arena_strndup(c->arena, s, strlen(s)) : NULL;
}

static int add_job(const struct store_feed_state *f, void *arg)
{
	struct due *d = arg;
	struct crawl *c = d->c;
	struct job j = {
		.id = f->id,
		.every = f->every,
		.ttl = f->ttl,
		.failures = f->failures,
		.url = keep(c, f->url),
		.title = keep(c, f->title),
		.body_hash = keep(c, f->body_hash),
	};

	j.req.url = keep(c, f->fetch_url);
	j.req.etag = keep(c, f->etag);
	j.req.last_modified = keep(c, f->last_modified);
	for (size_t i = 0; i < d->config->n; i++)
		if (strcmp(d->config->feeds[i].url, f->url) == 0)
			j.line = d->config->feeds[i].line;
	if (j.url == NULL || j.title == NULL || j.req.url == NULL ||
	    buf_append(&c->jobs, &j, sizeof j) < 0)
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ each fetch as it ends */

static void progress(struct crawl *c)
{
	double secs = (double)(clock_ms() - c->started_ms) / 1000.0;

	if (!c->tty)
		return;
	fprintf(stderr, "\r%zu/%zu feeds, %zu failed, %.1f feeds/s ", c->done, c->total, c->failed,
	        secs > 0 ? (double)c->done / secs : 0.0);
	fflush(stderr);
}

/* A fetch that has ended, with copies of what storing it needs, while its document is parsed
 * and its rows derived on the pool's thread. */
struct arrival {
	struct parse_job parse;    /* first: the pool hands this back */
	struct arena *copies;      /* of the strings and the body */
	struct job *j;
	const char *permanent, *etag, *last_modified;
	int64_t max_age, retry_after, ms;
	size_t len;                /* bytes received */
	bool not_modified;
};

static void arrival_free(struct arrival *a)
{
	if (a == NULL)
		return;
	ingest_parsed_free(a->parse.parsed);
	arena_free(a->copies);
	free(a);
}

/* A copy of s in a's arena; NULL for NULL, and *failed set when out of memory. */
static const char *copy(struct arrival *a, const char *s, size_t len, bool *failed)
{
	const char *kept = s ? arena_strndup(a->copies, s, len) : NULL;

	*failed |= s != NULL && kept == NULL;
	return kept;
}

static const char *copy_str(struct arrival *a, const char *s, bool *failed)
{
	return copy(a, s, s ? strlen(s) : 0, failed);
}

/* What storing r will need, copied: r lives only during the fetcher's callback. NULL when
 * out of memory. */
static struct arrival *arrival_new(const struct fetch_result *r)
{
	struct arrival *a = calloc(1, sizeof *a);
	struct job *j = r->req->user;
	bool failed = false;

	if (a == NULL || (a->copies = arena_new()) == NULL) {
		arrival_free(a);
		return NULL;
	}
	a->j = j;
	a->parse.doc = (struct ingest_document){
		.feed_url = j->url,
		.final_url = copy_str(a, r->url, &failed),
		.charset = copy_str(a, r->charset, &failed),
		.fetched = clock_now(),
		.status = r->status,
		.error = copy_str(a, r->error, &failed),
	};
	a->permanent = copy_str(a, r->permanent, &failed);
	a->etag = copy_str(a, r->etag, &failed);
	a->last_modified = copy_str(a, r->last_modified, &failed);
	a->max_age = r->max_age;
	a->retry_after = r->retry_after;
	a->ms = r->ms;
	a->len = r->len;
	if (r->error == NULL && r->status == 304) {
		a->not_modified = true;
	} else if (r->error == NULL) {
		a->parse.doc.body = copy(a, r->body, r->len, &failed);
		a->parse.doc.len = r->len;
		a->parse.doc.hash_body = true;
		a->parse.doc.previous_hash = j->body_hash;
	}
	if (failed) {
		arrival_free(a);
		return NULL;
	}
	return a;
}

/* Stores what a fetch brought, once its document is parsed: in the order the fetches ended. */
static void finish(struct crawl *c, struct arrival *a)
{
	struct job *j = a->j;
	struct ingest_document *doc = &a->parse.doc;
	struct ingest_report *rep = &a->parse.report;
	struct store_feed_update up = {
		.etag = j->req.etag,
		.last_modified = j->req.last_modified,
		.body_hash = j->body_hash,
		.ttl = j->ttl,
	};
	char safe[1024], title[256];
	const char *error = doc->error;

	if (c->store_failed)
		goto done;
	if (a->parse.parsed == NULL) {
		snprintf(c->store_error, sizeof c->store_error, "%s: out of memory parsing", j->url);
		goto stop;
	}
	c->done++;
	if (rep->same_body) { /* as good as a 304 */
		a->not_modified = true;
		doc->body = NULL;
		doc->len = 0;
	}
	if (error == NULL && doc->status == 304) {
		/* RFC 9111 §4.3.4: a 304 refreshes the validators it carries */
		if (a->etag)
			up.etag = a->etag;
		if (a->last_modified)
			up.last_modified = a->last_modified;
	} else if (error == NULL) {
		up.etag = a->etag;
		up.last_modified = a->last_modified;
		if (doc->body)
			up.body_hash = rep->body_hash;
	}
	if (doc->body && !rep->usable) {
		error = rep->error;
		up.body_hash = j->body_hash; /* the same broken body next time is still broken */
	}
	struct sched_input in = {
		.now = doc->fetched,
		.feed_id = j->id,
		.every = j->every,
		.feed_ttl = rep->usable ? rep->ttl : j->ttl,
		.max_age = a->max_age,
		.retry_after = a->retry_after,
		.failures = error ? j->failures + 1 : 0,
		.status = doc->status,
	};
	up.ttl = in.feed_ttl;
	up.next_due = sched_next_due(&in);
	up.gone = sched_gone(doc->status);
	if (a->permanent && error == NULL) {
		up.fetch_url = up.moved_to = a->permanent;
		buf_printf(&c->notes, "crawl: %s moved permanently to %s%s%d%s\n",
		           log_safe(safe, sizeof safe, j->url), a->permanent,
		           j->line ? "; change line " : "", j->line, j->line ? " of the feed list" : "");
	}
	if (ingest_store(c->ing, doc, a->parse.parsed, a->ms, &up, rep) < 0) {
		snprintf(c->store_error, sizeof c->store_error, "%s", ingest_error(c->ing));
		goto stop;
	}
	if (error) {
		c->failed++;
		log_safe(title, sizeof title, j->title);
		log_safe(safe, sizeof safe, j->req.url);
		buf_printf(&c->failures, "crawl: failed %s%s%s%s: %s%s\n",
		           strcmp(title, safe) ? title : "", strcmp(title, safe) ? " <" : "", safe,
		           strcmp(title, safe) ? ">" : "", error,
		           up.gone ? "; the feed is gone and will not be fetched again (crawl --force "
		                     "retries it)" : "");
	} else if (a->not_modified) {
		c->not_modified++;
	} else {
		c->fetched++;
		c->new_entries += rep->result.new_entries;
		c->updated += rep->result.updated;
	}
	log_msg(LOG_INFO, "fetch.done", "url=%s status=%d ms=%lld bytes=%zu new=%zu updated=%zu%s%s",
	        log_safe(safe, sizeof safe, j->req.url), doc->status, (long long)a->ms, a->len,
	        rep->result.new_entries, rep->result.updated, error ? " error=" : "",
	        error ? error : "");
	progress(c);
	goto done;
stop:
	/* the database is what this run is for: without it, stop */
	c->store_failed = true;
	stop_requested = 1;
done:
	arrival_free(a);
}

/* Stores what is still in the pool, once it is parsed. */
static void finish_pool(struct crawl *c)
{
	struct parse_job *job;

	if (c->pool == NULL)
		return;
	while ((job = parsepool_next(c->pool, true)) != NULL)
		finish(c, (struct arrival *)job);
}

static void fetched(const struct fetch_result *r, void *arg)
{
	struct crawl *c = arg;
	struct arrival *a;

	if (r->interrupted || c->store_failed)
		return;
	a = arrival_new(r);
	if (a == NULL) {
		snprintf(c->store_error, sizeof c->store_error, "%s: out of memory",
		         ((struct job *)r->req->user)->url);
		c->store_failed = true;
		stop_requested = 1;
		return;
	}
	if (c->pool == NULL) { /* no second thread to be had: parse here */
		a->parse.parsed = ingest_parse(ingest_parser(c->ing), &a->parse.doc, &a->parse.report);
		finish(c, a);
		return;
	}
	parsepool_submit(c->pool, &a->parse);
	/* all but the newest: the pool's thread parses that one while this one goes back to the
	 * network, and no parsed document waits for the next fetch to end */
	while (parsepool_held(c->pool) > 1)
		finish(c, (struct arrival *)parsepool_next(c->pool, true));
}

/* ------------------------------------------------------------------ alerts after linking */

static const char *const event_kinds[] = {
	[STORY_NEW] = "new",
	[STORY_UPDATED] = "updated",
	[STORY_FOLLOW_UP] = "follow-up",
};

struct alert_call {
	struct crawl *c;
	const struct story_event *ev;
	int rc;
};

static void alert_hit(const char *rule, void *arg)
{
	struct alert_call *a = arg;
	const struct story_event *ev = a->ev;
	const char *kind = event_kinds[ev->kind];

	if (a->c->alerts_json)
		a->rc |= alerts_json(&a->c->alerts, rule, kind, ev->published, ev->feed_title, ev->title,
		                     ev->url, ev->entry_id, ev->story_id, ev->tags, ev->ntags);
	else
		a->rc |= alerts_line(&a->c->alerts, rule, kind, ev->published, ev->feed_title, ev->title,
		                     ev->url);
	a->c->alerted++;
}

static int on_event(const struct story_event *ev, void *arg)
{
	struct crawl *c = arg;
	struct alert_call call = {.c = c, .ev = ev};
	struct alert_entry e = {.title = ev->title, .text = ev->text, .tags = ev->tags,
	                        .ntags = ev->ntags};

	if (c->rules == NULL)
		return 0;
	if (alerts_eval(c->rules, &e, alert_hit, &call) < 0 || call.rc < 0)
		return -1;
	return 0;
}

static void on_batch(bool committed, void *arg)
{
	struct crawl *c = arg;

	/* an alert is printed only once its entry is durably processed: never twice, and a run
	 * that is killed before the commit alerts on the next run instead */
	if (committed && c->alerts.len) {
		fwrite(c->alerts.data, 1, c->alerts.len, stdout);
		fflush(stdout);
	}
	buf_reset(&c->alerts);
}

/* ------------------------------------------------------------------ the command */

static int parse_options(int argc, char **argv, const struct cli *cli, struct crawl_options *o)
{
	static const struct option longopts[] = {
		{"feeds", required_argument, NULL, 'f'},
		{"alerts", required_argument, NULL, 'a'},
		{"alerts-json", no_argument, NULL, 'J'},
		{"force", no_argument, NULL, 'F'},
		{"wait", no_argument, NULL, 'w'},
		{"jobs", required_argument, NULL, 'j'},
		{"per-host", required_argument, NULL, 'p'},
		{"host-delay", required_argument, NULL, 'd'},
		{"timeout", required_argument, NULL, 't'},
		{"max-body", required_argument, NULL, 'm'},
		{NULL, 0, NULL, 0},
	};
	long v;
	int c;

	*o = (struct crawl_options){.feeds = cli->feeds, .fetch = FETCH_DEFAULTS};
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': o->feeds = optarg; break;
		case 'a': o->alerts = optarg; break;
		case 'J': o->alerts_json = true; break;
		case 'F': o->force = true; break;
		case 'w': o->wait = true; break;
		case 'j':
			if (cli_number("--jobs", optarg, 1, 1000, &v) < 0)
				return -1;
			o->fetch.jobs = (int)v;
			break;
		case 'p':
			if (cli_number("--per-host", optarg, 1, 100, &v) < 0)
				return -1;
			o->fetch.per_host = (int)v;
			break;
		case 'd':
			if (cli_number("--host-delay", optarg, 0, 3600000, &v) < 0)
				return -1;
			o->fetch.host_delay_ms = v;
			break;
		case 't':
			if (cli_number("--timeout", optarg, 1, 3600, &v) < 0)
				return -1;
			o->fetch.timeout = v;
			/* a stall is given a quarter of the whole budget, at least 2 seconds */
			o->fetch.low_speed_time = v / 4 > 30 ? 30 : v / 4 < 2 ? 2 : v / 4;
			o->fetch.connect_timeout = v < 10 ? v : 10;
			break;
		case 'm':
			if (cli_number("--max-body", optarg, 1024, 1L << 30, &v) < 0)
				return -1;
			o->fetch.max_body = (size_t)v;
			break;
		default:
			return -1;
		}
	}
	return optind == argc ? 0 : -1;
}

static void summary(const struct crawl *c, bool interrupted)
{
	double secs = (double)(clock_ms() - c->started_ms) / 1000.0;

	if (c->tty)
		fputs("\r\033[K", stderr);
	fputs(buf_str(&c->notes), stderr);
	fputs(buf_str(&c->failures), stderr);
	if (log_get_level() >= LOG_WARN)
		fprintf(stderr, "crawl: %zu feeds: %zu fetched, %zu not modified, %zu failed; %zu new "
		        "entries, %zu updated; %zu alerts; %.1f s%s\n", c->total, c->fetched,
		        c->not_modified, c->failed, c->new_entries, c->updated, c->alerted, secs,
		        interrupted ? " (interrupted: the rest waits for the next run)" : "");
}

int cmd_crawl(const struct cli *cli, int argc, char **argv)
{
	struct crawl_options o;
	struct crawl c = {.started_ms = clock_ms(), .tty = isatty(STDERR_FILENO) == 1};
	struct config *config = NULL;
	struct fetcher *fetcher = NULL;
	struct fetch_request *reqs = NULL;
	struct store_listed_feed *listed = NULL;
	struct story_stats stats;
	struct sigaction sa = {.sa_handler = on_signal};
	char err[512];
	int lock = -1, rc = EXIT_RUNTIME, status;
	size_t n;

	if (parse_options(argc, argv, cli, &o) < 0) {
		fputs("usage: newsmon crawl [--feeds FILE] [--alerts FILE] [--alerts-json] [--force] "
		      "[--wait] [--jobs N] [--per-host N] [--host-delay MS] [--timeout SECONDS] "
		      "[--max-body BYTES]\n", stderr);
		return EXIT_USAGE;
	}
	c.alerts_json = o.alerts_json;
	/* every mistake in the configuration is found before anything is fetched */
	if (read_config(o.feeds, &config) < 0 || (o.alerts && read_rules(o.alerts, &c.rules) < 0)) {
		rc = EXIT_USAGE;
		goto done;
	}
	lock = lock_acquire(cli->db, o.wait, err, sizeof err);
	if (lock < 0) {
		log_user("%s", err);
		rc = lock == -2 ? EXIT_LOCKED : EXIT_RUNTIME;
		goto done;
	}
	c.ing = ingest_open(cli, err, sizeof err, &status);
	if (c.ing == NULL) {
		log_user("%s", err);
		rc = status;
		goto done;
	}
	c.arena = arena_new();
	listed = calloc(config->n ? config->n : 1, sizeof *listed);
	if (c.arena == NULL || listed == NULL) {
		log_user("out of memory");
		goto done;
	}
	for (size_t i = 0; i < config->n; i++)
		listed[i] = (struct store_listed_feed){config->feeds[i].url, config->feeds[i].title,
		                                       config->feeds[i].labels, config->feeds[i].every};
	struct store *store = ingest_store_handle(c.ing);
	struct due due = {.c = &c, .config = config};
	if (store_sync_feeds(store, listed, config->n, clock_now()) < 0 ||
	    store_due_feeds(store, clock_now(), o.force, add_job, &due) < 0) {
		log_user("%s", store_error(store));
		goto done;
	}
	/* the vocabulary compiled meanwhile; a mistake in it still stops the run before any fetch */
	if (ingest_vocabulary(c.ing, err, sizeof err, &status) < 0) {
		log_user("%s", err);
		rc = status;
		goto done;
	}
	struct unknown_tag_note note = {.rules = o.alerts, .tags = cli->tags};
	if (c.rules &&
	    alerts_unknown_tags(c.rules, ingest_tagger(c.ing), note_unknown_tag, &note) < 0) {
		log_user("out of memory");
		goto done;
	}
	n = c.jobs.len / sizeof(struct job);
	c.total = n;
	reqs = calloc(n ? n : 1, sizeof *reqs);
	if (reqs == NULL) {
		log_user("out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		struct job *j = &((struct job *)c.jobs.data)[i];
		reqs[i] = j->req;
		reqs[i].user = j;
	}
	fetcher = fetcher_new(&o.fetch, err, sizeof err);
	if (fetcher == NULL) {
		log_user("%s", err);
		goto done;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* without a second thread, documents are parsed as they arrive (fetched) */
	c.pool = parsepool_new();
	int fetch_rc = fetcher_run(fetcher, reqs, n, fetched, &c, &stop_requested, err, sizeof err);
	finish_pool(&c);
	/* its parser's buffers are not needed to process (peak memory) */
	parsepool_free(c.pool);
	c.pool = NULL;
	if (fetch_rc < 0) {
		log_user("%s", err);
		goto done;
	}
	if (c.store_failed) {
		log_user("%s", c.store_error);
		goto done;
	}
	if (!stop_requested) {
		struct story_hooks hooks = {.event = on_event, .batch_done = on_batch, .arg = &c};
		if (ingest_finish(c.ing, &hooks, &stats) < 0) {
			log_user("%s", ingest_error(c.ing));
			goto done;
		}
	}
	summary(&c, stop_requested);
	rc = EXIT_OK;
done:
	parsepool_free(c.pool);
	fetcher_free(fetcher);
	free(reqs);
	free(listed);
	ingest_close(c.ing);
	alerts_free(c.rules);
	config_free(config);
	arena_free(c.arena);
	buf_free(&c.jobs);
	buf_free(&c.failures);
	buf_free(&c.notes);
	buf_free(&c.alerts);
	if (lock >= 0)
		close(lock);
	return rc;
}
