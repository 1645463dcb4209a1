/* fuzz_opml.c — libFuzzer target for OPML: any bytes read or fail cleanly, and whatever was read
 * writes out as OPML that reads back to the same feeds. */
#include "parsers/arena.h"
#include "parsers/opml.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	struct opml_feed *feeds, *again;
	struct buf out = {0};
	size_t n, m;
	char err[256];

	if (a == NULL)
		return 0;
	if (opml_read((const char *)data, size, a, &feeds, &n, err, sizeof err) == 0 &&
	    opml_write(&out, "fuzz", feeds, n) == 0) {
		if (opml_read(out.data, out.len, a, &again, &m, err, sizeof err) != 0 || m != n)
			abort();
		for (size_t i = 0; i < n; i++)
			if (!same(feeds[i].url, again[i].url) || !same(feeds[i].title, again[i].title))
				abort();
	}
	buf_free(&out);
	arena_free(a);
	return 0;
}
