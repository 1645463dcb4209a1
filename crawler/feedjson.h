/*
 * feedjson.h — a parsed feed as the JSON object `newsmon parse` prints (pinned in DESIGN.md).
 */
#ifndef NEWSMON_FEEDJSON_H
#define NEWSMON_FEEDJSON_H

#include <stdio.h>

struct feed;

/* Writes feed as one JSON object (UTF-8, indented) and a newline to out. Returns 0, or -1 when
 * out of memory or the write failed. */
int feedjson_write(const struct feed *feed, FILE *out);

#endif
