/*
 * fetch.c — the libcurl multi loop with per-host politeness (see fetch.h).
 *
 * The refill pattern of curl's 10-at-a-time.c: start what may start, curl_multi_perform,
 * drain curl_multi_info_read, then curl_multi_poll (which sleeps until there is something to
 * do, never a busy loop). A finished transfer that was a redirect goes back to the waiting list
 * with its new URL; its host is looked up again, since a redirect may change it.
 */
#include "crawler/fetch.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "crawler/clock.h"
#include "crawler/url.h"
#include "parsers/buf.h"

#define MAX_VISITED 8 /* URLs a redirect chain remembers to spot a loop */

struct host {
	char *name;
	int running;
	int64_t last_start_ms;
};

struct transfer {
	struct fetch_request *req;
	CURL *easy;
	struct curl_slist *headers;
	struct host *host;
	char *url;                 /* current URL, malloc'd */
	char *permanent;           /* end of the leading 301/308 chain, malloc'd */
	char *visited[MAX_VISITED];
	int nvisited, redirects;
	bool chain_permanent;      /* every redirect so far was 301/308 */
	bool too_big;
	size_t max_body;
	int64_t first_start_ms;
	struct buf body;
	char errbuf[CURL_ERROR_SIZE];
};

/* A list of transfers in order. */
struct queue {
	struct transfer **v;
	size_t n, cap;
};

struct fetcher {
	CURLM *multi;
	struct fetch_options o;
	struct host **hosts;        /* each allocated once: transfers keep pointers to them */
	size_t nhosts, hosts_cap;
	struct queue waiting;       /* not started yet, in order */
	struct queue active;        /* handed to libcurl */
};

/* The value of response header name from the last request, or NULL. */
static const char *header(CURL *easy, const char *name)
{
	struct curl_header *h;

	if (curl_easy_header(easy, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
		return NULL;
	return h->value;
}

/* A body not encoded whose length the server announced gets exactly that room at its first
 * bytes: grown by doubling, it could hold up to twice its size while it waits to be stored,
 * with --jobs of them at once. Failing to is harmless: the appends grow it. */
static void presize(struct transfer *t)
{
	const char *coding = header(t->easy, "Content-Encoding");
	curl_off_t length = -1;

	if (coding && strcasecmp(coding, "identity") != 0)
		return;
	if (curl_easy_getinfo(t->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) == CURLE_OK &&
	    length > 0 && (uint64_t)length <= t->max_body)
		buf_presize(&t->body, (size_t)length);
}

static size_t write_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct transfer *t = arg;
	size_t n = size * nmemb;

	/* the cap counts decompressed bytes: a gzip bomb stops here */
	if (t->body.len + n > t->max_body) {
		t->too_big = true;
		return CURL_WRITEFUNC_ERROR;
	}
	if (t->body.len == 0)
		presize(t);
	if (buf_append(&t->body, data, n) < 0)
		return CURL_WRITEFUNC_ERROR;
	return n;
}

static struct host *host_of(struct fetcher *f, const char *url)
{
	CURLU *u = curl_url();
	char *name = NULL;
	struct host *h = NULL;

	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK)
		curl_url_get(u, CURLUPART_HOST, &name, 0);
	curl_url_cleanup(u);
	for (size_t i = 0; i < f->nhosts; i++)
		if (strcasecmp(f->hosts[i]->name, name ? name : "") == 0) {
			h = f->hosts[i];
			goto done;
		}
	if (f->nhosts == f->hosts_cap) {
		size_t cap = f->hosts_cap ? f->hosts_cap * 2 : 64;
		struct host **more = realloc(f->hosts, cap * sizeof *more);
		if (more == NULL)
			goto done;
		f->hosts = more;
		f->hosts_cap = cap;
	}
	h = calloc(1, sizeof *h);
	if (h == NULL || (h->name = strdup(name ? name : "")) == NULL) {
		free(h);
		h = NULL;
		goto done;
	}
	h->last_start_ms = INT64_MIN / 2;
	f->hosts[f->nhosts++] = h;
done:
	curl_free(name);
	return h;
}

static int queue_push(struct queue *q, struct transfer *t)
{
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 256;
		struct transfer **more = realloc(q->v, cap * sizeof *more);
		if (more == NULL)
			return -1;
		q->v = more;
		q->cap = cap;
	}
	q->v[q->n++] = t;
	return 0;
}

static void queue_remove(struct queue *q, size_t i)
{
	memmove(&q->v[i], &q->v[i + 1], (q->n - i - 1) * sizeof *q->v);
	q->n--;
}

static void queue_drop(struct queue *q, struct transfer *t)
{
	for (size_t i = 0; i < q->n; i++)
		if (q->v[i] == t) {
			queue_remove(q, i);
			return;
		}
}

/* Sets up the easy handle for t's current URL. Every option is checked: one that fails makes
 * the transfer fail with a message instead of running half-configured. */
static CURLcode configure(struct fetcher *f, struct transfer *t)
{
	CURLcode rc = CURLE_OK;
	struct curl_slist *h = NULL;
	char line[1024];

#define SET(opt, val) \
	do { \
		if (rc == CURLE_OK) \
			rc = curl_easy_setopt(t->easy, opt, val); \
	} while (0)
	SET(CURLOPT_URL, t->url);
	SET(CURLOPT_PRIVATE, t);
	SET(CURLOPT_ERRORBUFFER, t->errbuf);
	SET(CURLOPT_WRITEFUNCTION, write_body);
	SET(CURLOPT_WRITEDATA, t);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_USERAGENT, FETCH_USER_AGENT);
	SET(CURLOPT_ACCEPT_ENCODING, "");
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)f->o.max_body);
	SET(CURLOPT_CONNECTTIMEOUT, f->o.connect_timeout);
	SET(CURLOPT_TIMEOUT, f->o.timeout);
	SET(CURLOPT_LOW_SPEED_LIMIT, 100L);
	SET(CURLOPT_LOW_SPEED_TIME, f->o.low_speed_time);
	h = curl_slist_append(h, "Accept: application/rss+xml, application/atom+xml, "
	                         "application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8");
	/* RFC 9110 §13.1: send the validators exactly as the server gave them */
	if (h && t->req->etag && snprintf(line, sizeof line, "If-None-Match: %s", t->req->etag) <
	                             (int)sizeof line)
		h = curl_slist_append(h, line);
	if (h && t->req->last_modified &&
	    snprintf(line, sizeof line, "If-Modified-Since: %s", t->req->last_modified) < (int)sizeof line)
		h = curl_slist_append(h, line);
	if (h == NULL)
		return CURLE_OUT_OF_MEMORY;
	curl_slist_free_all(t->headers);
	t->headers = h;
	SET(CURLOPT_HTTPHEADER, t->headers);
#undef SET
	return rc;
}

struct fetcher *fetcher_new(const struct fetch_options *o, char *err, size_t errsize)
{
	struct fetcher *f = calloc(1, sizeof *f);

	if (f == NULL || (f->multi = curl_multi_init()) == NULL) {
		snprintf(err, errsize, "cannot start libcurl (out of memory)");
		free(f);
		return NULL;
	}
	f->o = *o;
	if (curl_multi_setopt(f->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)o->jobs) != CURLM_OK ||
	    curl_multi_setopt(f->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)o->per_host) != CURLM_OK) {
		snprintf(err, errsize, "cannot configure libcurl's connection limits");
		fetcher_free(f);
		return NULL;
	}
	return f;
}

void fetcher_free(struct fetcher *f)
{
	if (f == NULL)
		return;
	curl_multi_cleanup(f->multi);
	for (size_t i = 0; i < f->nhosts; i++) {
		free(f->hosts[i]->name);
		free(f->hosts[i]);
	}
	free(f->hosts);
	free(f->waiting.v);
	free(f->active.v);
	free(f);
}

void fetcher_counts(const struct fetcher *f, size_t *running, size_t *waiting)
{
	*running = f->active.n;
	*waiting = f->waiting.n;
}

static void transfer_free(struct transfer *t)
{
	if (t == NULL)
		return;
	curl_easy_cleanup(t->easy);
	curl_slist_free_all(t->headers);
	free(t->url);
	free(t->permanent);
	for (int i = 0; i < t->nvisited; i++)
		free(t->visited[i]);
	buf_free(&t->body);
	free(t);
}

/* A transfer's easy handle, made when it starts: a crawl of 1,000 feeds made all of them
 * (about 6 KB each) before the first request went out. Returns 0, or -1 with t->errbuf set. */
static int set_up(struct fetcher *f, struct transfer *t)
{
	t->easy = curl_easy_init();
	if (t->easy == NULL) {
		snprintf(t->errbuf, sizeof t->errbuf, "out of memory");
		return -1;
	}
	if (configure(f, t) != CURLE_OK) {
		snprintf(t->errbuf, sizeof t->errbuf, "cannot configure the transfer");
		return -1;
	}
	return 0;
}

/* Starts waiting transfers while limits allow. Returns the milliseconds until a host delay
 * lets the next one start (-1: nothing is held back by a delay). */
static int64_t start_some(struct fetcher *f)
{
	int64_t now = clock_ms(), wait = -1;
	size_t i = 0;

	while (i < f->waiting.n && f->active.n < (size_t)f->o.jobs) {
		struct transfer *t = f->waiting.v[i];
		struct host *h = t->host;
		int64_t ready = h->last_start_ms + f->o.host_delay_ms;
		if (t->errbuf[0] || h->running >= f->o.per_host) {
			i++;
			continue;
		}
		if (ready > now) {
			if (wait < 0 || ready - now < wait)
				wait = ready - now;
			i++;
			continue;
		}
		if (t->easy == NULL && set_up(f, t) < 0) {
			wait = 0; /* it ends, as a failure, in the next round */
			i++;
			continue;
		}
		if (queue_push(&f->active, t) < 0) {
			snprintf(t->errbuf, sizeof t->errbuf, "out of memory");
			continue;
		}
		if (curl_multi_add_handle(f->multi, t->easy) != CURLM_OK) {
			f->active.n--;
			snprintf(t->errbuf, sizeof t->errbuf, "libcurl refused the transfer");
			continue;
		}
		queue_remove(&f->waiting, i);
		h->running++;
		h->last_start_ms = now;
		if (t->first_start_ms == 0)
			t->first_start_ms = now;
	}
	return wait;
}

/* The reason phrase of common statuses, for messages ("HTTP 404 Not Found"). */
static const char *reason_of(long status)
{
	static const struct {
		long status;
		const char *text;
	} reasons[] = {
		{400, "Bad Request"}, {401, "Unauthorized"}, {403, "Forbidden"}, {404, "Not Found"},
		{405, "Method Not Allowed"}, {406, "Not Acceptable"}, {408, "Request Timeout"},
		{410, "Gone"}, {429, "Too Many Requests"}, {451, "Unavailable For Legal Reasons"},
		{500, "Internal Server Error"}, {502, "Bad Gateway"}, {503, "Service Unavailable"},
		{504, "Gateway Timeout"},
	};
	for (size_t i = 0; i < sizeof reasons / sizeof *reasons; i++)
		if (reasons[i].status == status)
			return reasons[i].text;
	return "";
}

/* Cache-Control max-age, else Expires, in seconds from now; -1 when neither says. */
static int64_t cache_lifetime(CURL *easy)
{
	const char *cc = header(easy, "Cache-Control"), *expires;

	if (cc) {
		const char *p = strcasestr(cc, "max-age=");
		if (p) {
			char *end;
			long long v = strtoll(p + 8, &end, 10);
			if (end != p + 8 && v >= 0)
				return v;
		}
	}
	expires = header(easy, "Expires");
	if (expires) {
		time_t t = curl_getdate(expires, NULL);
		if (t != -1)
			return t > time(NULL) ? (int64_t)(t - time(NULL)) : 0;
	}
	return -1;
}

/* The charset parameter of a Content-Type, copied into out. */
static const char *charset_of(const char *type, char *out, size_t size)
{
	const char *p = type ? strcasestr(type, "charset=") : NULL;
	size_t n = 0;

	if (p == NULL)
		return NULL;
	p += 8;
	if (*p == '"')
		p++;
	while (p[n] && p[n] != '"' && p[n] != ';' && p[n] != ' ' && n + 1 < size)
		n++;
	memcpy(out, p, n);
	out[n] = '\0';
	return n ? out : NULL;
}

/* Decides what a 3xx response means for t. Returns 1 when t was re-queued for the next hop,
 * 0 when the chain ends here (an error has been written to errbuf). */
static int follow(struct fetcher *f, struct transfer *t, long status)
{
	char *target = NULL;

	curl_easy_getinfo(t->easy, CURLINFO_REDIRECT_URL, &target);
	if (target == NULL) {
		snprintf(t->errbuf, sizeof t->errbuf, "HTTP %ld redirect without a Location", status);
		return 0;
	}
	if (!url_is_web(target)) {
		snprintf(t->errbuf, sizeof t->errbuf, "redirect to '%.180s' refused: newsmon fetches "
		         "only http and https", target);
		return 0;
	}
	if (t->redirects >= f->o.max_redirects) {
		snprintf(t->errbuf, sizeof t->errbuf, "more than %d redirects (the last to %.180s)",
		         f->o.max_redirects, target);
		return 0;
	}
	for (int i = 0; i < t->nvisited; i++) {
		if (strcmp(t->visited[i], target) == 0) {
			snprintf(t->errbuf, sizeof t->errbuf, "redirect loop: back to %.180s", target);
			return 0;
		}
	}
	char *next = strdup(target);
	if (next == NULL) {
		snprintf(t->errbuf, sizeof t->errbuf, "out of memory");
		return 0;
	}
	if (t->nvisited < MAX_VISITED)
		t->visited[t->nvisited++] = t->url;
	else
		free(t->url);
	t->url = next;
	t->redirects++;
	/* RFC 9110 §15.4: 301 and 308 are permanent, 302, 303 and 307 are not */
	if (t->chain_permanent && (status == 301 || status == 308)) {
		free(t->permanent);
		t->permanent = strdup(next);
	} else {
		t->chain_permanent = false;
	}
	buf_reset(&t->body);
	t->host->running--;
	queue_drop(&f->active, t);
	t->host = host_of(f, t->url);
	if (t->host == NULL || configure(f, t) != CURLE_OK || queue_push(&f->waiting, t) < 0) {
		snprintf(t->errbuf, sizeof t->errbuf, "out of memory");
		t->host = NULL;
		return 0;
	}
	return 1;
}

/* Reports a finished (or failed) transfer and frees it. */
static void finish(struct transfer *t, CURLcode code, bool interrupted,
                   void (*done)(const struct fetch_result *, void *), void *arg)
{
	long status = 0;
	char *content_type = NULL, error[CURL_ERROR_SIZE + 128], charset[64];
	curl_off_t retry_after = 0;
	struct fetch_result r = {.req = t->req, .url = t->url, .permanent = t->permanent,
	                         .max_age = -1, .interrupted = interrupted};

	if (t->easy) /* else it never started */
		curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
	r.status = (int)status;
	r.ms = t->first_start_ms ? clock_ms() - t->first_start_ms : 0;
	if (interrupted) {
		r.error = "interrupted";
	} else if (t->too_big || code == CURLE_FILESIZE_EXCEEDED) {
		snprintf(error, sizeof error, "body larger than the %zu MiB cap; stopped reading",
		         t->max_body >> 20);
		r.error = error;
	} else if (t->errbuf[0] && code == CURLE_OK) { /* a refused or failed redirect */
		r.error = t->errbuf;
	} else if (code != CURLE_OK) {
		snprintf(error, sizeof error, "%s", t->errbuf[0] ? t->errbuf : curl_easy_strerror(code));
		r.error = error;
	} else if (status >= 400 || status < 200 || (status >= 300 && status != 304)) {
		const char *reason = reason_of(status);
		snprintf(error, sizeof error, "HTTP %ld%s%s", status, *reason ? " " : "", reason);
		r.error = error;
	}
	if (code == CURLE_OK && !interrupted) {
		curl_easy_getinfo(t->easy, CURLINFO_CONTENT_TYPE, &content_type);
		curl_easy_getinfo(t->easy, CURLINFO_RETRY_AFTER, &retry_after);
		r.charset = charset_of(content_type, charset, sizeof charset);
		r.etag = header(t->easy, "ETag");
		r.last_modified = header(t->easy, "Last-Modified");
		r.retry_after = retry_after;
		r.max_age = cache_lifetime(t->easy);
	}
	r.body = buf_str(&t->body);
	r.len = t->body.len;
	done(&r, arg);
	transfer_free(t);
}

/* Ends a transfer that libcurl holds. */
static void retire(struct fetcher *f, struct transfer *t)
{
	curl_multi_remove_handle(f->multi, t->easy);
	queue_drop(&f->active, t);
	if (t->host)
		t->host->running--;
}

int fetcher_run(struct fetcher *f, struct fetch_request *reqs, size_t n,
                void (*done)(const struct fetch_result *r, void *arg), void *arg,
                volatile sig_atomic_t *stop, char *err, size_t errsize)
{
	CURLMcode mc = CURLM_OK;
	int still;

	for (size_t i = 0; i < n; i++) {
		struct transfer *t = calloc(1, sizeof *t);
		if (t == NULL || (t->url = strdup(reqs[i].url)) == NULL) {
			transfer_free(t);
			snprintf(err, errsize, "out of memory");
			return -1;
		}
		t->req = &reqs[i];
		t->chain_permanent = true;
		t->max_body = f->o.max_body;
		t->body.max = f->o.max_body + 1;
		t->host = host_of(f, t->url);
		if (t->host == NULL || queue_push(&f->waiting, t) < 0) {
			transfer_free(t);
			snprintf(err, errsize, "out of memory");
			return -1;
		}
	}
	start_some(f);
	while ((f->waiting.n || f->active.n) && !(stop && *stop)) {
		int64_t wait;
		mc = curl_multi_perform(f->multi, &still);
		if (mc != CURLM_OK)
			break;
		CURLMsg *msg;
		int left;
		while ((msg = curl_multi_info_read(f->multi, &left)) != NULL) {
			struct transfer *t;
			long status = 0;
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
			curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
			curl_multi_remove_handle(f->multi, t->easy);
			if (msg->data.result == CURLE_OK && status >= 300 && status < 400 && status != 304 &&
			    follow(f, t, status))
				continue; /* the next hop waits its turn */
			queue_drop(&f->active, t);
			if (t->host)
				t->host->running--;
			finish(t, msg->data.result, false, done, arg);
		}
		/* a transfer whose setup failed ends here, as a failure */
		for (size_t i = 0; i < f->waiting.n;) {
			struct transfer *t = f->waiting.v[i];
			if (t->errbuf[0] == '\0') {
				i++;
				continue;
			}
			queue_remove(&f->waiting, i);
			finish(t, CURLE_FAILED_INIT, false, done, arg);
		}
		if (f->waiting.n == 0 && f->active.n == 0)
			break;
		/* refill now: a redirect's next hop or a freed slot need not wait for the poll */
		wait = start_some(f);
		mc = curl_multi_poll(f->multi, NULL, 0, wait >= 0 && wait < 1000 ? (int)wait + 1 : 1000,
		                     NULL);
		if (mc != CURLM_OK)
			break;
	}
	/* interrupted (or libcurl failed): abandon what is left, reporting each */
	while (f->active.n) {
		struct transfer *t = f->active.v[0];
		retire(f, t);
		finish(t, CURLE_OK, true, done, arg);
	}
	while (f->waiting.n) {
		struct transfer *t = f->waiting.v[f->waiting.n - 1];
		f->waiting.n--;
		finish(t, CURLE_OK, true, done, arg);
	}
	if (mc != CURLM_OK) {
		snprintf(err, errsize, "libcurl: %s", curl_multi_strerror(mc));
		return -1;
	}
	return 0;
}
