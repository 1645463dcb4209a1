/*
 * readfile.c — read a file or standard input into a buffer (see readfile.h).
 */
#include "crawler/readfile.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int readfile(const char *path, size_t max, struct buf *out, char *err, size_t errsize)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t n;
	int rc = -1;

	buf_reset(out);
	if (f == NULL) {
		snprintf(err, errsize, "cannot open: %s", strerror(errno));
		return -1;
	}
	for (;;) {
		if (buf_reserve(out, 65536) < 0) {
			snprintf(err, errsize, "out of memory");
			goto done;
		}
		n = fread(out->data + out->len, 1, out->cap - out->len - 1, f);
		out->len += n;
		out->data[out->len] = '\0';
		if (out->len > max) {
			snprintf(err, errsize, "larger than %zu MiB", max >> 20);
			goto done;
		}
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		snprintf(err, errsize, "cannot read: %s", strerror(errno));
		goto done;
	}
	rc = 0;
done:
	if (f != stdin)
		fclose(f);
	return rc;
}
