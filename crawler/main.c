/*
 * main.c — the newsmon command line: global options, then one command (README.md lists them).
 */
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "crawler/cli.h"
#include "crawler/cmd_crawl.h"
#include "crawler/cmd_feeds.h"
#include "crawler/cmd_parse.h"
#include "crawler/cmd_store.h"
#include "crawler/cmd_stories.h"
#include "crawler/log.h"
#include "parsers/feed.h"

static const struct {
	const char *name;
	cli_command *run;
	const char *summary;
} commands[] = {
	{"crawl", cmd_crawl, "crawl [--feeds FILE] [--alerts FILE] [--alerts-json] [--force] [--wait]\n"
	                     "        [--jobs N] [--per-host N] [--host-delay MS] [--timeout SECONDS]\n"
	                     "        [--max-body BYTES]               fetch what is due"},
	{"parse", cmd_parse, "parse [--url URL] [--charset CHARSET] FILE|-  print one feed document as JSON"},
	{"import", cmd_import, "import [--url URL] FILE...              store feed documents"},
	{"export", cmd_export, "export [--format jsonl|csv] [--since DATE] [--feed URL]"},
	{"feeds", cmd_feeds, "feeds [--json]                         each feed's health"},
	{"discover", cmd_discover, "discover URL                           the feeds a page advertises"},
	{"opml", cmd_opml, "opml import FILE | opml export         exchange the feed list"},
	{"stories", cmd_stories, "stories [--since DATE] [--tag kind:value] [--limit N]"},
	{"story", cmd_story, "story ID                               one story's timeline"},
	{"retag", cmd_retag, "retag                                  re-tag every entry with --tags"},
	{"search", cmd_search, "search QUERY [--since DATE] [--tag kind:value] [--limit N] [--json]"},
};

static void usage(FILE *out)
{
	fputs("usage: newsmon [--db PATH] [--tags FILE] [--feeds FILE] [-v|-q] COMMAND [ARGS]\n"
	      "commands:\n", out);
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		fprintf(out, "  %s\n", commands[i].summary);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"db", required_argument, NULL, 'd'},
		{"tags", required_argument, NULL, 't'},
		{"feeds", required_argument, NULL, 'f'},
		{"verbose", no_argument, NULL, 'v'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct cli cli = {.db = getenv("NEWSMON_DB"), .tags = "tags.txt", .feeds = "feeds.txt"};
	int c, verbose = 0, quiet = 0;

	if (cli.db == NULL || *cli.db == '\0')
		cli.db = "newsmon.db";
	/* a file-size limit (ulimit -f) must fail a write, which the store reports, not kill us */
	signal(SIGXFSZ, SIG_IGN);
	/* Fixed, not glibc's sliding, thresholds: after a large block is freed glibc raises both,
	 * up to letting a thread's arena keep 64 MB of freed memory that malloc_trim cannot give
	 * back (it trims only the main arena's top). An import of large documents kept 8 MB in
	 * the parsing thread's arena through processing (peak 54 MB instead of 46). Should they be
	 * refused, the defaults serve. */
	mallopt(M_MMAP_THRESHOLD, 256 << 10);
	mallopt(M_TRIM_THRESHOLD, 1 << 20);
	/* "+": stop at the command name; its options are its own */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+vqh", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': cli.db = optarg; break;
		case 't': cli.tags = optarg; break;
		case 'f': cli.feeds = optarg; break;
		case 'v': verbose++; break;
		case 'q': quiet = 1; break;
		case 'h': usage(stdout); return EXIT_OK;
		default:
			log_user("unknown option '%s'", argv[optind - 1]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	log_set_level(quiet ? LOG_ERROR : verbose > 1 ? LOG_DEBUG : verbose ? LOG_INFO : LOG_WARN);
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	feed_init();
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_user("cannot initialise libcurl");
		return EXIT_RUNTIME;
	}
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
		if (strcmp(argv[optind], commands[i].name) == 0) {
			char **args = argv + optind;
			int nargs = argc - optind;
			optind = 0; /* restart getopt (GNU: 0 also resets its state) for the command */
			opterr = 1;
			return commands[i].run(&cli, nargs, args);
		}
	}
	log_user("unknown command '%s'", argv[optind]);
	usage(stderr);
	return EXIT_USAGE;
}
