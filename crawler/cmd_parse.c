/*
 * cmd_parse.c — `newsmon parse`: parse one document, print its JSON (see README.md).
 */
#include "crawler/cmd_parse.h"

#include <getopt.h>
#include <stdio.h>

#include "crawler/feedjson.h"
#include "crawler/log.h"
#include "crawler/readfile.h"
#include "parsers/feed.h"

int cmd_parse(const struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"url", required_argument, NULL, 'u'},
		{"charset", required_argument, NULL, 'c'},
		{NULL, 0, NULL, 0},
	};
	const char *url = NULL, *charset = NULL, *path;
	struct buf body = {0};
	struct feed *feed = NULL;
	char err[256], safe[1024];
	int c, rc = EXIT_RUNTIME;

	(void)cli;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'u')
			url = optarg;
		else if (c == 'c')
			charset = optarg;
		else
			goto usage;
	}
	if (optind != argc - 1)
		goto usage;
	path = argv[optind];
	if (readfile(path, FEED_MAX_DOCUMENT, &body, err, sizeof err) < 0) {
		log_user("%s: %s", path, err);
		goto done;
	}
	feed = feed_parse(buf_str(&body), body.len, url, charset);
	if (feed == NULL) {
		log_user("%s: out of memory", path);
		goto done;
	}
	if (feed->format == FEED_UNKNOWN) {
		log_user("%s: %s", path, log_safe(safe, sizeof safe, feed->error));
		goto done;
	}
	if (feedjson_write(feed, stdout) < 0 || fflush(stdout) != 0) {
		log_user("%s: cannot write the JSON", path);
		goto done;
	}
	rc = EXIT_OK;
done:
	feed_free(feed);
	buf_free(&body);
	return rc;
usage:
	fputs("usage: newsmon parse [--url URL] [--charset CHARSET] FILE|-\n", stderr);
	return EXIT_USAGE;
}
