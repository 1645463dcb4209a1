/*
 * fetch.h — many HTTP(S) fetches at once on one libcurl multi handle, politely and safely.
 *
 * Politeness is ours, not curl's queue: a transfer is handed to libcurl only when its host has
 * fewer than per_host transfers running and host_delay has passed since the host's last start,
 * and at most `jobs` run at once; so the server never sees more than per_host connections from
 * us, and a queued feed never uses up its timeout waiting.
 *
 * Safety: http and https only, also for every redirect, which newsmon follows itself (at most
 * max_redirects, loops detected) so that each hop's status and target are known; the body is
 * capped in the write callback on decompressed bytes, so a gzip bomb stops at the cap; connect,
 * low-speed and total timeouts. Validators are sent back verbatim (conditional GET).
 */
#ifndef NEWSMON_FETCH_H
#define NEWSMON_FETCH_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

struct fetch_options {
	int jobs;               /* transfers at once, all hosts together */
	int per_host;           /* transfers at once to one host */
	int64_t host_delay_ms;  /* at least this between two request starts on one host */
	size_t max_body;        /* bytes after decompression */
	long timeout;           /* seconds for one transfer, everything included */
	long connect_timeout;   /* seconds */
	long low_speed_time;    /* seconds below 100 bytes/s before giving up */
	int max_redirects;
};

#define FETCH_DEFAULTS                                                                      \
	{                                                                                   \
		.jobs = 100, .per_host = 2, .host_delay_ms = 0, .max_body = 16u << 20,       \
		.timeout = 120, .connect_timeout = 10, .low_speed_time = 30,                \
		.max_redirects = 5                                                          \
	}

#define FETCH_USER_AGENT "newsmon/1.0 (feed crawler for platform-policy research; " \
                         "+https://github.com/newsmon/newsmon)"

struct fetch_request {
	const char *url;
	const char *etag, *last_modified;  /* validators to send back, or NULL */
	void *user;                        /* the caller's */
};

/* Everything borrowed: valid during the callback only. */
struct fetch_result {
	const struct fetch_request *req;
	const char *url;           /* the URL the response came from (after redirects) */
	const char *permanent;     /* where the leading 301/308 redirects led, or NULL */
	int status;                /* the final HTTP status; 0 when there was no response */
	const char *error;         /* why the fetch failed (transport, limits, HTTP >= 400, redirect
	                              refused), one line; NULL for a 2xx or 304 response */
	int interrupted;           /* stopped by a signal: neither success nor failure */
	const char *body;          /* the body (NUL-terminated), len bytes; "" when none */
	size_t len;
	const char *charset;       /* from Content-Type, or NULL */
	const char *etag, *last_modified;
	int64_t retry_after;       /* seconds the server asked us to wait (429/503), 0 if none */
	int64_t max_age;           /* Cache-Control max-age or Expires, seconds; -1 if none */
	int64_t ms;                /* from the first request to the end */
};

struct fetcher;

/* Returns a fetcher for the process (one curl multi handle), or NULL with a reason in err.
 * curl_global_init must have been called. */
struct fetcher *fetcher_new(const struct fetch_options *o, char *err, size_t errsize);
void fetcher_free(struct fetcher *f);

/* Fetches reqs[0..n) and calls done() for each as it completes, in completion order, on this
 * thread. When *stop becomes non-zero (a signal), no new transfer starts and the running ones
 * are abandoned, reported with interrupted set. Returns 0, or -1 with a reason in err when
 * libcurl itself failed. */
int fetcher_run(struct fetcher *f, struct fetch_request *reqs, size_t n,
                void (*done)(const struct fetch_result *r, void *arg), void *arg,
                volatile sig_atomic_t *stop, char *err, size_t errsize);

/* How many transfers are in flight and waiting, for a progress line. */
void fetcher_counts(const struct fetcher *f, size_t *running, size_t *waiting);

#endif
