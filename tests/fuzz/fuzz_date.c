/* fuzz_date.c — libFuzzer target for date_parse(): no crash, no read past len, and every date it
 * returns survives date_format() and date_parse() again unchanged. */
#include "parsers/date.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[DATE_TEXT_SIZE];
	int64_t t = date_parse((const char *)data, size);

	if (t == DATE_NONE)
		return 0;
	if (t < DATE_MIN || t > DATE_MAX)
		abort();
	date_format(t, text);
	if (strlen(text) != DATE_TEXT_SIZE - 1 || date_parse(text, strlen(text)) != t)
		abort();
	return 0;
}
