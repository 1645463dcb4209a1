/*
 * fuzz_tagsfile.c — arbitrary bytes as a tags.txt: tagger_new must return a tagger or a
 * "FILE:LINE: message", never crash or leak; a tagger that compiles must then tag a fixed
 * entry and list its values.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/tagger.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void count(const char *kind, const char *value, void *arg)
{
	if (kind == NULL || value == NULL || value[0] == '\0')
		abort();
	(*(size_t *)arg)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char title[] = "WhatsApp and Telegram refuse Hong Kong data requests";
	static const char text[] = "Signal, X, LINE, \xE5\xBE\xAE\xE4\xBF\xA1, T\xC3\xBCrkiye, data request";
	char *copy = malloc(size > 0 ? size : 1), *err = NULL;
	struct tag_hits h = {0};
	struct tagger *t;
	size_t n = 0;

	if (copy == NULL)
		abort();
	memcpy(copy, data, size);
	t = tagger_new(copy, size, "fuzz", &err);
	if (t == NULL) {
		if (err != NULL && strncmp(err, "fuzz:", 5) != 0)
			abort();
		free(err);
	} else {
		if (tagger_tag(t, title, sizeof title - 1, text, sizeof text - 1, &h) != 0)
			abort();
		tagger_each(t, count, &n);
		if (n < 1 || tagger_count(t, "topic") < 1)
			abort();
		tag_hits_free(&h);
		tagger_free(t);
	}
	free(copy);
	return 0;
}
