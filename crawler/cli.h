/*
 * cli.h — what every command gets from the command line, and the exit statuses (DESIGN.md).
 */
#ifndef NEWSMON_CLI_H
#define NEWSMON_CLI_H

#include <stdint.h>

#define EXIT_OK      0   /* the command did its job */
#define EXIT_RUNTIME 1   /* a runtime failure */
#define EXIT_USAGE   2   /* bad usage or a configuration error; nothing was done */
#define EXIT_LOCKED  75  /* another crawl holds the database lock (EX_TEMPFAIL) */

struct cli {
	const char *db;     /* --db, else $NEWSMON_DB, else "newsmon.db" */
	const char *tags;   /* --tags, else "tags.txt" */
	const char *feeds;  /* --feeds, else "feeds.txt" */
};

/* A command: argv[0] is its name, the rest its arguments. Returns an exit status. */
typedef int cli_command(const struct cli *cli, int argc, char **argv);

/* Reads a date given on the command line ("2020-07-06", "2020-07-06T10:00:00Z", RFC 822...)
 * into *out. Returns 0, or -1 after telling the user what was wrong with option's value. */
int cli_date(const char *option, const char *text, int64_t *out);

/* Reads a whole number in [min, max] given to option. Returns 0, or -1 after telling the user. */
int cli_number(const char *option, const char *text, long min, long max, long *out);

#endif
