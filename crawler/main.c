/*
 * main.c — the newsmon command line (see README.md for every command).
 */
#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
	fputs("usage: newsmon [--db PATH] [--tags FILE] [-v|-q] COMMAND [ARGS]\n", out);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 2;
}
