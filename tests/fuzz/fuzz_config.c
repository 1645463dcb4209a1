/* fuzz_config.c — libFuzzer target for feeds.txt: any bytes either read into feeds whose URLs
 * are all http(s) and whose intervals are positive, or fail with a FILE:LINE message. */
#include "crawler/config.h"
#include "crawler/url.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *err = NULL;
	struct config *c = config_parse((const char *)data, size, "feeds.txt", &err);

	if (c == NULL) {
		if (err && strncmp(err, "feeds.txt:", 10) != 0)
			abort();
		free(err);
		return 0;
	}
	for (size_t i = 0; i < c->n; i++) {
		const struct config_feed *f = &c->feeds[i];
		if (!url_is_web(f->url) || f->every < 0 || f->labels == NULL || f->line < 1)
			abort();
		for (size_t k = 0; k < i; k++)
			if (strcmp(c->feeds[k].url, f->url) == 0)
				abort();
	}
	config_free(c);
	return 0;
}
