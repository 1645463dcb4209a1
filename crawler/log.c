/*
 * log.c — stderr logging (see log.h).
 */
#include "crawler/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "parsers/text.h"

static enum log_level current = LOG_WARN;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

void log_set_level(enum log_level level)
{
	current = level;
}

enum log_level log_get_level(void)
{
	return current;
}

void log_msg(enum log_level level, const char *event, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int n;

	if (level > current)
		return;
	n = snprintf(line, sizeof line, "%s %s ", level_names[level], event);
	if (n < 0 || (size_t)n >= sizeof line)
		return;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", line);
}

void log_user(const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	fprintf(stderr, "newsmon: %s\n", line);
}

char *log_safe(char *out, size_t size, const char *s)
{
	size_t w = 0;
	int blank = 0;

	if (size == 0)
		return out;
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p && w + 1 < size; p++) {
		int control = *p < 0x20 || *p == 0x7F || (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F);
		if (control) {
			if (*p == 0xC2)
				p++;
			if (!blank)
				out[w++] = ' ';
			blank = 1;
			continue;
		}
		blank = 0;
		out[w++] = (char)*p;
	}
	/* never end inside a UTF-8 sequence cut by the size limit */
	out[text_utf8_prefix(out, w)] = '\0';
	return out;
}
