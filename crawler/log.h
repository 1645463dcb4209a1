/*
 * log.h — stderr logging: one line per event, "LEVEL event key=value ...".
 *
 * Only crawler/ logs; libraries return a status and a message. Values are written as given
 * after log_safe() has made them printable, so feed text never puts control characters or
 * escape sequences on a terminal.
 */
#ifndef NEWSMON_LOG_H
#define NEWSMON_LOG_H

#include <stddef.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* The level at and below which lines are written (default LOG_WARN; -q sets LOG_ERROR and
 * -v LOG_INFO, -vv LOG_DEBUG). */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/* Writes "LEVEL event fields\n" to stderr when level is enabled. */
void log_msg(enum log_level level, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Writes "newsmon: message\n" to stderr whatever the level: for errors a command reports to
 * its user (bad usage, a file it cannot open). */
void log_user(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Copies s into out (size bytes, always NUL-terminated) with control characters (C0, DEL, C1,
 * including ESC, CR, LF and TAB) replaced by spaces and runs of them collapsed: text safe to put
 * on a terminal or into a tab-separated line. Returns out. */
char *log_safe(char *out, size_t size, const char *s);

#endif
