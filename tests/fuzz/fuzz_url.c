/* fuzz_url.c — url_canonical on arbitrary bytes. A canonical form must be a fixed point
 * (canonicalising it again gives the identical string) and a URL libcurl parses as it stands. */
#include "crawler/url.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *url, *canon, *again;

	url = malloc(size + 1);
	if (url == NULL)
		return 0;
	memcpy(url, data, size);
	url[size] = '\0';
	(void)url_is_web(url);
	canon = url_canonical(url);
	if (canon != NULL) {
		again = url_canonical(canon);
		if (again == NULL || strcmp(again, canon) != 0 || !url_is_web(canon))
			abort();
		free(again);
	}
	free(canon);
	free(url);
	return 0;
}
