/*
 * cli.c — reading option values the same way in every command (see cli.h).
 */
#include "crawler/cli.h"

#include <stdlib.h>
#include <string.h>

#include "crawler/log.h"
#include "parsers/date.h"

int cli_date(const char *option, const char *text, int64_t *out)
{
	char safe[128];

	*out = date_parse(text, strlen(text));
	if (*out != DATE_NONE)
		return 0;
	log_user("%s: cannot read the date '%s' (write it like 2020-07-06 or 2020-07-06T10:00:00Z)",
	         option, log_safe(safe, sizeof safe, text));
	return -1;
}

int cli_number(const char *option, const char *text, long min, long max, long *out)
{
	char *end, safe[64];
	long v = strtol(text, &end, 10);

	if (end != text && *end == '\0' && v >= min && v <= max) {
		*out = v;
		return 0;
	}
	log_user("%s: expected a number from %ld to %ld, not '%s'", option, min, max,
	         log_safe(safe, sizeof safe, text));
	return -1;
}
