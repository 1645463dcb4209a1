/*
 * readfile.h — a whole file (or standard input) into memory, with a cap.
 */
#ifndef NEWSMON_READFILE_H
#define NEWSMON_READFILE_H

#include <stddef.h>

#include "parsers/buf.h"

/* Reads path ("-" for standard input) into out, replacing its contents. Returns 0; or -1 with
 * a one-line reason in err (errsize bytes) when the file cannot be opened or read, or is larger
 * than max bytes. */
int readfile(const char *path, size_t max, struct buf *out, char *err, size_t errsize);

#endif
