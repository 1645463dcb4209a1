/*
 * url.h — which URLs newsmon may fetch, and the canonical form of an article URL: the identity
 * key under which the same story, re-published with tracking parameters, as an AMP page, with
 * or without "www." or TLS, is recognised as one. Both go through libcurl's URL API and do no
 * I/O (no DNS, no network); url.c's top comment lists every rule of the canonical form.
 * Thread-safe: no shared state.
 */
#ifndef NEWSMON_URL_H
#define NEWSMON_URL_H

/* The longest URL either function accepts, in bytes (without the NUL). Servers' default
 * request-line limits (Apache LimitRequestLine 8190, nginx 8 KiB buffers) mean that nothing
 * longer can be fetched, so nothing longer is an article's address. */
#define URL_MAX 8190

/* Returns 1 when url is an absolute http:// or https:// URL that libcurl parses as it stands
 * (as CURLOPT_URL would: no raw spaces, no control characters) and is at most URL_MAX bytes;
 * 0 otherwise, including for NULL and when memory runs out. */
int url_is_web(const char *url);

/* Returns the canonical form of an absolute http(s) URL: a NUL-terminated string allocated with
 * malloc that the caller owns and frees with free(). Returns NULL when url is NULL, is not an
 * http(s) URL libcurl can parse (raw spaces are tolerated here and encoded), is longer than
 * URL_MAX or its canonical form would be, is an AMP cache address that wraps no such URL, or
 * when memory runs out. The result is an identity key, never to be fetched: it always starts
 * with "https://", and url_canonical() of it returns an identical string. */
char *url_canonical(const char *url);

#endif
