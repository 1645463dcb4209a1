/*
 * ingest.c — parse, store, then process (see ingest.h).
 */
#include "crawler/ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "crawler/readfile.h"
#include "crawler/url.h"
#include "parsers/feed.h"
#include "parsers/tagger.h"

/* The tag vocabulary, compiled on a second thread while the database opens and a crawl
 * reads its feed list: 20-30 ms of a crawl's start (a crawl that finds nothing changed lasts
 * about 1.2 s). */
struct vocabulary {
	struct buf text;            /* tags.txt, until compiled */
	const char *path;
	struct tagger *tagger;
	char *mistake;              /* tagger_new's message for a mistake in it, malloc'd */
	thrd_t thread;
	bool compiling;             /* on the thread, not yet joined */
};

struct ingest {
	struct store *store;
	struct vocabulary vocabulary;
	struct feed_parser *parser; /* for the documents of ing's thread: its buffers are reused */
	const char *db_path;    /* borrowed from the cli, to name the database in errors */
	char error[512];
};

struct ingest_parsed {
	struct feed *feed;          /* NULL when there was no body */
	struct store_doc *entries;  /* prepared for storing; NULL unless the feed is usable */
};

/* The tag vocabulary is size-capped like any input: a tags.txt of more than this is a mistake. */
#define TAGS_MAX (16 << 20)

static int compile_vocabulary(void *arg)
{
	struct vocabulary *v = arg;

	v->tagger = tagger_new(buf_str(&v->text), v->text.len, v->path, &v->mistake);
	return 0;
}

/* Reads the vocabulary and starts compiling it (here when no thread can be had). */
static int start_vocabulary(struct vocabulary *v, const char *path, char *err, size_t errsize)
{
	char reason[256];

	v->path = path;
	if (readfile(path, TAGS_MAX, &v->text, reason, sizeof reason) < 0) {
		snprintf(err, errsize, "%s: %s (give the tag vocabulary with --tags FILE)", path, reason);
		return -1;
	}
	v->compiling = thrd_create(&v->thread, compile_vocabulary, v) == thrd_success;
	if (!v->compiling)
		compile_vocabulary(v);
	return 0;
}

int ingest_vocabulary(struct ingest *ing, char *err, size_t errsize, int *status)
{
	struct vocabulary *v = &ing->vocabulary;

	if (v->compiling) {
		thrd_join(v->thread, NULL);
		v->compiling = false;
	}
	buf_free(&v->text);
	if (v->tagger != NULL)
		return 0;
	snprintf(err, errsize, "%s", v->mistake ? v->mistake : "out of memory reading the tag vocabulary");
	*status = v->mistake ? EXIT_USAGE : EXIT_RUNTIME;
	return -1;
}

struct ingest *ingest_open(const struct cli *cli, char *err, size_t errsize, int *status)
{
	struct ingest *ing = calloc(1, sizeof *ing);

	*status = EXIT_RUNTIME;
	if (ing == NULL) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	if (start_vocabulary(&ing->vocabulary, cli->tags, err, errsize) < 0) {
		*status = EXIT_USAGE;
		goto fail;
	}
	ing->parser = feed_parser_new();
	if (ing->parser == NULL) {
		snprintf(err, errsize, "out of memory");
		goto fail;
	}
	ing->db_path = cli->db;
	ing->store = store_open(cli->db, STORE_WRITE, err, errsize);
	if (ing->store == NULL)
		goto fail;
	return ing;
fail:
	ingest_close(ing);
	return NULL;
}

void ingest_close(struct ingest *ing)
{
	if (ing == NULL)
		return;
	feed_parser_free(ing->parser);
	store_close(ing->store);
	if (ing->vocabulary.compiling)
		thrd_join(ing->vocabulary.thread, NULL);
	tagger_free(ing->vocabulary.tagger);
	free(ing->vocabulary.mistake);
	buf_free(&ing->vocabulary.text);
	free(ing);
}

/* The store's error, naming the database: "database or disk is full" alone does not say which
 * disk. */
static void store_failed(struct ingest *ing)
{
	snprintf(ing->error, sizeof ing->error, "%s: %s", ing->db_path, store_error(ing->store));
}

const char *ingest_error(const struct ingest *ing)
{
	return ing->error;
}

struct feed_parser *ingest_parser(struct ingest *ing)
{
	return ing->parser;
}

struct ingest_parsed *ingest_parse(struct feed_parser *parser, const struct ingest_document *doc,
                                   struct ingest_report *report)
{
	struct ingest_parsed *p = calloc(1, sizeof *p);

	memset(report, 0, sizeof *report);
	if (p == NULL)
		return NULL;
	if (doc->body == NULL) {
		report->error = doc->error;
		return p;
	}
	if (doc->hash_body) {
		hash_hex(hash64(doc->body, doc->len), report->body_hash);
		report->same_body = doc->previous_hash && strcmp(doc->previous_hash, report->body_hash) == 0;
		if (report->same_body)
			return p;
	}
	p->feed = feed_parser_parse(parser, doc->body, doc->len,
	                            doc->final_url ? doc->final_url : doc->feed_url, doc->charset);
	if (p->feed == NULL)
		goto fail;
	report->usable = p->feed->format != FEED_UNKNOWN;
	report->error = p->feed->error;
	report->ttl = p->feed->ttl;
	if (report->usable && (p->entries = store_doc_prepare(p->feed, url_canonical)) == NULL)
		goto fail;
	return p;
fail:
	ingest_parsed_free(p);
	memset(report, 0, sizeof *report);
	return NULL;
}

void ingest_parsed_free(struct ingest_parsed *p)
{
	if (p == NULL)
		return;
	store_doc_free(p->entries);
	feed_free(p->feed);
	free(p);
}

int ingest_store(struct ingest *ing, const struct ingest_document *doc,
                 struct ingest_parsed *parsed, int64_t ms,
                 const struct store_feed_update *update, struct ingest_report *report)
{
	struct store_fetch fetch = {
		.started = doc->fetched,
		.ms = ms,
		.status = doc->status,
		.bytes = (int64_t)doc->len,
		.url = doc->final_url ? doc->final_url : doc->feed_url,
		.error = doc->error,
		.update = update,
	};

	if (doc->body && !report->usable)
		fetch.error = report->error;
	if (store_ingest(ing->store, doc->feed_url, parsed->entries, &fetch, &report->result) < 0) {
		store_failed(ing);
		return -1;
	}
	return 0;
}

int64_t ingest_retag(struct ingest *ing)
{
	int64_t n = story_retag(ing->store, ing->vocabulary.tagger);

	if (n < 0)
		store_failed(ing);
	return n;
}

struct store *ingest_store_handle(struct ingest *ing)
{
	return ing->store;
}

const struct tagger *ingest_tagger(const struct ingest *ing)
{
	return ing->vocabulary.tagger;
}

int ingest_finish(struct ingest *ing, const struct story_hooks *hooks, struct story_stats *stats)
{
	if (story_process(ing->store, ing->vocabulary.tagger, hooks, stats) < 0) {
		store_failed(ing);
		return -1;
	}
	return 0;
}
