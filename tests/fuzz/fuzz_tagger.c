/*
 * fuzz_tagger.c — the real tags.txt (compiled once; $NEWSMON_TAGS overrides the path, run from
 * the repository root) tagging arbitrary bytes: the first byte gives the title's length, the
 * rest is split into title and text, each copied to a buffer of its exact size so that any
 * read past either end is caught.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/buf.h"
#include "parsers/tagger.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct tagger *load(void)
{
	const char *path = getenv("NEWSMON_TAGS") != NULL ? getenv("NEWSMON_TAGS") : "tags.txt";
	struct buf b = {0};
	char chunk[65536], *err = NULL;
	size_t n;
	struct tagger *t;
	FILE *f = fopen(path, "rb");

	if (f == NULL) {
		fprintf(stderr, "fuzz_tagger: cannot open %s (run from the repository root)\n", path);
		abort();
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (buf_append(&b, chunk, n) != 0)
			abort();
	fclose(f);
	t = tagger_new(b.data, b.len, path, &err);
	if (t == NULL) {
		fprintf(stderr, "fuzz_tagger: %s\n", err != NULL ? err : "out of memory");
		abort();
	}
	buf_free(&b);
	return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tagger *t;
	struct tag_hits h = {0};
	size_t title_len, text_len;
	char *title, *text;

	if (t == NULL)
		t = load();
	if (size == 0)
		return 0;
	title_len = data[0] < size - 1 ? data[0] : size - 1;
	text_len = size - 1 - title_len;
	title = malloc(title_len > 0 ? title_len : 1);
	text = malloc(text_len > 0 ? text_len : 1);
	if (title == NULL || text == NULL)
		abort();
	memcpy(title, data + 1, title_len);
	memcpy(text, data + 1 + title_len, text_len);
	if (tagger_tag(t, title, title_len, text, text_len, &h) == 0) {
		for (size_t i = 0; i < h.n; i++)
			if (h.v[i].in_title + h.v[i].in_text == 0 || h.v[i].in_title > title_len ||
			    h.v[i].in_text > text_len)
				abort(); /* a hit is found at least once, and at most once per byte */
	}
	tag_hits_free(&h);
	free(title);
	free(text);
	return 0;
}
