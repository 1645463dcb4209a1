/*
 * url.c — URL checks and canonical article URLs through libcurl's URL API (curl_url_set and
 * curl_url_get, libcurl 7.88). libcurl does all the URL parsing. This file rewrites the parts
 * libcurl hands back and joins them; only a numeric host goes through libcurl once more (rule
 * 3). No I/O happens: no DNS, and no IDN conversion.
 *
 * The canonical form is an identity key for duplicate detection, never a URL to fetch. Two
 * URLs that a reader would call "the same article" map to the same string. The rules, in order:
 *
 *  1. Parsing. libcurl parses with CURLU_URLENCODE | CURLU_ALLOW_SPACE, so raw spaces and
 *     bytes >= 0x80 (IRIs in non-English feeds) are encoded like their %-forms; a space in the
 *     query becomes '+', as in a form. Control characters make libcurl reject the URL. Only
 *     http and https are accepted; CURLU_NON_SUPPORT_SCHEME is not set, so javascript:,
 *     mailto: and data: fail in libcurl, and file:, ftp: and libcurl's other schemes fail
 *     the scheme check. libcurl lower-cases the scheme, normalises IPv4 forms (0x7f.1 becomes
 *     127.0.0.1) and resolves the dot-segments "." and ".." (RFC 3986 §5.2.4). Inputs or
 *     results longer than URL_MAX give NULL.
 *  2. Scheme, userinfo, port, fragment. The scheme is always https: http and https serve the
 *     same article on news sites. user:password, the IPv6 zone id and the fragment are dropped.
 *     Ports 80 and 443 are dropped (either one, because the scheme is folded); other ports
 *     stay. The fragment is dropped even when it is a "#!" route, because AJAX crawling
 *     (hashbang) routes died out in 2015.
 *  3. Host. ASCII letters are lower-cased (IPv6 literals included) and trailing dots removed.
 *     Leading labels listed in dropped_host_labels (www, www1, www2 ..., amp) are removed
 *     while two or more labels remain, so www.com stays. IDN hosts stay as libcurl gives
 *     them: raw UTF-8 and punycode are not folded together, because libcurl's CURLU_PUNYCODE
 *     needs a UTF-8 locale on 7.88.
 *     A host whose last label starts with a digit is left as it is: it is an address that
 *     libcurl may normalise (1.2.3.4, or 0x7f.1 spelt 0X7F.1), and stripping it could make
 *     another address. libcurl 7.88 normalises IPv4 forms before it decodes %-escapes in the
 *     host (http://%32/ has the host "2", which a second parse reads as 0.0.0.2), so the
 *     final URL of such a host is parsed once more.
 *     libcurl also checks a host before it decodes it, and can hand back bytes it refuses
 *     raw ("%7f"): a host with other bytes than letters, digits, "-._" and UTF-8 gives NULL.
 *  4. AMP caches. A URL on an AMP cache host (amp_caches: *.cdn.ampproject.org /c/ and /v/,
 *     google.TLD /amp/) is replaced by the URL it wraps (its scheme, "s/" for https, folds
 *     into https anyway). The outer query goes with it, and the rules start again from 1, at
 *     most AMP_UNWRAP_MAX times; a wrapper around anything but an http(s) URL gives NULL.
 *  5. Percent-encoding, in path and query (RFC 3986 §6.2.2.1-2). %-escapes of unreserved
 *     characters are decoded, except %2E: decoding it would create dot-segments after
 *     libcurl resolved them. Bytes that may not appear raw are escaped: space, "<>\^`{|}
 *     and controls. A '%' without two hex digits becomes %25, so that every '%' of the key
 *     starts an escape (left alone, "%%41" would become "%A", a new escape for the next
 *     pass). Hex digits are lower case: RFC 3986 §2.1 prefers upper case, but libcurl 7.88
 *     lower-cases them when a path or query is set, and either case is a stable key.
 *  6. Path. The path is case-sensitive and is never changed other than this. Trailing '/'
 *     is removed, so /a/ and /a are one: WordPress adds the slash, aggregators drop it, and
 *     CMSs redirect one form to the other. No publisher serves two articles as /a and /a/.
 *     The AMP suffixes in amp_path_suffixes are removed from the end, repeatedly: a last
 *     segment "amp", and ".amp" / ".amp.html" on the last segment (BBC, NYT). The empty path
 *     becomes "/". An "amp" segment in the middle of a path stays: no rule can tell it from a
 *     real one.
 *  7. Query. Split on '&'. Empty parameters and the tracking parameters in tracking_params
 *     are removed; names match ASCII-case-insensitively. The rest are sorted by name (bytes),
 *     keeping the order of equal names, since ?id=2&id=1 may differ from ?id=1&id=2. An
 *     empty query is removed. '+' and %20 are not folded.
 */
#include "crawler/url.h"

#include "parsers/buf.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

/* libcurl's parse flags for url_canonical(); url_is_web() uses none, as CURLOPT_URL does. */
#define CANONICAL_PARSE_FLAGS (CURLU_URLENCODE | CURLU_ALLOW_SPACE)

/* A sane AMP cache URL wraps one URL. Nested wrappers can only be crafted on purpose. */
#define AMP_UNWRAP_MAX 4

/*
 * Host patterns, used by the tables below:
 *   ".suffix"  a host that ends with .suffix and has at least one more label before it;
 *   "name.*"   name followed by a top-level domain: one label, or "co." or "com." plus one
 *              label (google.com, google.de, google.co.uk, google.com.au);
 *   "host"     host itself or any subdomain of it.
 */

enum param_match {
	PARAM_NAME,   /* the name is this string */
	PARAM_PREFIX, /* the name starts with this string */
};

struct tracking_param {
	const char *name;
	size_t len;
	enum param_match match;
	const char *value; /* NULL: any value; else the value must start with this */
	const char *host;  /* NULL: on every host; else a host pattern */
};

#define NAME(n) {n, sizeof(n) - 1, PARAM_NAME, NULL, NULL}
#define PREFIX(n) {n, sizeof(n) - 1, PARAM_PREFIX, NULL, NULL}
#define VALUE(n, v) {n, sizeof(n) - 1, PARAM_NAME, v, NULL}
#define ON_HOST(n, h) {n, sizeof(n) - 1, PARAM_NAME, NULL, h}

/*
 * The query parameters that never select content, only record how a reader arrived. The
 * sources are ClearURLs' globalRules and provider rules, Miniflux's urlcleaner, and real
 * feeds in shared/corpus/realworld (heise.de ?wt_mc=, Medium ?source=rss..., Science
 * ?rss=1, BBC ?at_medium=). Left out on purpose:
 *   feed    WordPress ?feed=rss2 and golem.de rss.php?feed=RSS2.0 select a feed document;
 *   share   Jetpack's ?share=twitter is an action URL, and other sites use the name for content;
 *   s, t    search terms and page ids on most sites, so they are removed only on Twitter;
 *   sr, src, from, partner: too common as real parameters.
 */
static const struct tracking_param tracking_params[] = {
	/* Analytics campaign tags: Google Analytics, Matomo/Piwik, Webtrekk/Mapp (heise.de),
	 * AT Internet (BBC feeds), Google's cross-domain linker. */
	PREFIX("utm_"), PREFIX("mtm_"), NAME("pk_campaign"), NAME("pk_kwd"), NAME("pk_source"),
	NAME("pk_medium"), NAME("wt_mc"), NAME("wt_zmc"), NAME("at_medium"), NAME("at_campaign"),
	PREFIX("at_custom"), NAME("_ga"), NAME("_gl"),
	/* Ad-click identifiers: Google, Microsoft, Facebook, Instagram, Yandex, Twitter, TikTok,
	 * LinkedIn, Openstat. */
	NAME("gclid"), NAME("dclid"), NAME("gbraid"), NAME("wbraid"), NAME("gclsrc"),
	NAME("msclkid"), NAME("fbclid"), NAME("fb_action_ids"), NAME("fb_action_types"),
	NAME("fb_ref"), NAME("fb_source"), NAME("igshid"), NAME("igsh"), NAME("yclid"),
	NAME("ysclid"), NAME("twclid"), NAME("ttclid"), NAME("li_fat_id"), NAME("_openstat"),
	/* Newsletter and marketing-automation click tracking: Mailchimp, HubSpot, Marketo,
	 * Omeda/Olytics, Vero, Beehiiv; Yahoo's consent redirect (TechCrunch, Engadget). */
	NAME("mc_cid"), NAME("mc_eid"), NAME("_hsenc"), NAME("_hsmi"), NAME("__hssc"),
	NAME("__hstc"), NAME("__hsfp"), NAME("hsctatracking"), NAME("mkt_tok"),
	NAME("oly_anon_id"), NAME("oly_enc_id"), NAME("rb_clickid"), NAME("vero_id"),
	NAME("vero_conv"), NAME("_bhlid"), NAME("guccounter"), NAME("guce_referrer"),
	NAME("guce_referrer_sig"),
	/* Publishers' campaign and share codes: Guardian CMP, NYT smid/smtyp, MSN ocid, Yahoo and
	 * TechCrunch ncid/sr_share, Alibaba spm, Reuters feed links, and the tags feeds add:
	 * Science ?rss=1, Medium ?source=rss-..., NYT ?partner=rss&emc=rss. */
	NAME("cmp"), NAME("ito"), NAME("smid"), NAME("smtyp"), NAME("cmpid"), NAME("ocid"),
	NAME("ncid"), NAME("sr_share"), NAME("spm"), NAME("feedtype"), NAME("feedname"),
	NAME("rss"), VALUE("source", "rss"), VALUE("partner", "rss"), VALUE("emc", "rss"),
	/* Referrer echoes: Ghost and many others add ?ref=site, Twitter's embeds ?ref_src=. */
	NAME("ref"), NAME("ref_src"), NAME("ref_url"), NAME("referrer"),
	/* Twitter's share counters (?s=20&t=...) and impression tag, on Twitter only. */
	ON_HOST("s", "twitter.com"), ON_HOST("t", "twitter.com"), ON_HOST("s", "x.com"),
	ON_HOST("t", "x.com"), NAME("__twitter_impression"),
	/* AMP switches: ?amp, ?amp=1, WaPo ?outputType=amp, Google's AMP viewer (amp_js_v ...). */
	NAME("amp"), VALUE("outputtype", "amp"), PREFIX("amp_"), NAME("usqp"),
};

#undef NAME
#undef PREFIX
#undef VALUE
#undef ON_HOST

/* Leading host labels that name the same site: www, wwwN load-balancer aliases (www1, www2),
 * and amp. (AMP editions such as amp.theguardian.com keep the article path). */
static const struct host_label {
	const char *label;
	int digits; /* 1: the label may be followed by decimal digits */
} dropped_host_labels[] = {
	{"www", 1},
	{"amp", 0},
};

/* AMP caches: a URL on host, whose path starts with prefix, wraps the URL that follows
 * prefix, scheme removed (https://developers.google.com/amp/cache/overview: "c" for an AMP
 * document, then "s" when the origin is https; "v" is Google's AMP viewer). The query passes
 * through. A longer prefix comes before its own prefix. */
static const struct amp_cache {
	const char *host; /* a host pattern */
	const char *prefix;
} amp_caches[] = {
	{".cdn.ampproject.org", "/c/s/"},
	{".cdn.ampproject.org", "/v/s/"},
	{".cdn.ampproject.org", "/c/"},
	{".cdn.ampproject.org", "/v/"},
	{"google.*", "/amp/s/"},
	{"google.*", "/amp/"},
};

/* AMP suffixes removed from the end of a path, each replaced by replacement, which is never
 * longer than suffix. */
static const struct path_suffix {
	const char *suffix;
	const char *replacement;
} amp_path_suffixes[] = {
	{"/amp", ""},          /* /2020/07/06/story/amp: WordPress AMP plugin, many CMSs */
	{".amp.html", ".html"}, /* /2020/07/06/technology/story.amp.html: NYT */
	{".amp", ""},          /* /news/world-asia-china-53315386.amp: BBC */
};

static int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* 1 when the n bytes at a and b are equal ignoring ASCII case. (strncasecmp follows the locale.) */
static int ascii_caseeq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ascii_lower((unsigned char)a[i]) != ascii_lower((unsigned char)b[i]))
			return 0;
	return 1;
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int hex_value(int c)
{
	if (is_digit(c))
		return c - '0';
	c = ascii_lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* RFC 3986 §2.3 */
static int is_unreserved(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '-' ||
	       c == '.' || c == '_' || c == '~';
}

/* RFC 3986 §2.2: gen-delims and sub-delims carry meaning, so they stay as they are written. */
static int is_reserved(int c)
{
	return c != '\0' && strchr(":/?#[]@!$&'()*+,;=", c) != NULL;
}

/* 1 when host matches pattern (the forms are described above the tables). */
static int host_matches(const char *host, const char *pattern)
{
	size_t hl = strlen(host), pl = strlen(pattern);
	const char *rest;

	if (pattern[0] == '.')
		return hl > pl && memcmp(host + hl - pl, pattern, pl) == 0;
	if (pl >= 2 && pattern[pl - 1] == '*') {
		if (hl <= pl - 1 || memcmp(host, pattern, pl - 1) != 0)
			return 0;
		rest = host + pl - 1;
		if (strncmp(rest, "co.", 3) == 0)
			rest += 3;
		else if (strncmp(rest, "com.", 4) == 0)
			rest += 4;
		return rest[0] != '\0' && strchr(rest, '.') == NULL;
	}
	if (hl == pl)
		return memcmp(host, pattern, pl) == 0;
	return hl > pl && host[hl - pl - 1] == '.' && memcmp(host + hl - pl, pattern, pl) == 0;
}

/* 1 when the label that starts host (up to its first '.') is one of dropped_host_labels. */
static int is_dropped_label(const char *host, size_t len)
{
	size_t i, j, ll;

	for (i = 0; i < sizeof dropped_host_labels / sizeof dropped_host_labels[0]; i++) {
		ll = strlen(dropped_host_labels[i].label);
		if (len < ll || !ascii_caseeq(host, dropped_host_labels[i].label, ll))
			continue;
		for (j = ll; j < len && dropped_host_labels[i].digits && is_digit(host[j]); j++)
			;
		if (j == len)
			return 1;
	}
	return 0;
}

/* 1 when host (not an IPv6 literal) has only bytes of DNS names and IDNs. libcurl 7.88
 * checks a host before it decodes its %-escapes, so it hands back hosts such as "%7f" decoded
 * into a byte that it refuses in a raw URL. */
static int is_host_name(const char *host)
{
	const unsigned char *p;

	for (p = (const unsigned char *)host; *p != '\0'; p++)
		if (!(is_unreserved(*p) && *p != '~') && *p < 0x80)
			return 0;
	return 1;
}

/* Appends the canonical form of host (rule 3) to out. Returns 1 when host was left as it is
 * because it is numeric, 0 when it was canonicalised, -1 when it has a byte that no host name
 * has or memory ran out. */
static int canonical_host(struct buf *out, const char *host)
{
	size_t start = 0, end = strlen(host), last, dot, i;
	const char *d;

	/* An IPv6 literal only needs its hex digits lower-cased. */
	if (host[0] != '[') {
		if (!is_host_name(host))
			return -1;
		while (end > 0 && host[end - 1] == '.')
			end--;
		for (last = end; last > 0 && host[last - 1] != '.'; last--)
			;
		if (last == end || is_digit(host[last]))
			return buf_puts(out, host) != 0 ? -1 : 1;
		while ((d = memchr(host + start, '.', end - start)) != NULL) {
			dot = (size_t)(d - host);
			if (memchr(host + dot + 1, '.', end - dot - 1) == NULL ||
			    !is_dropped_label(host + start, dot - start))
				break;
			start = dot + 1;
		}
	}
	if (buf_reserve(out, end - start) != 0)
		return -1;
	for (i = start; i < end; i++)
		if (buf_putc(out, ascii_lower((unsigned char)host[i])) != 0)
			return -1;
	return 0;
}

/* Appends s[0..n) to out with its percent-encoding normalised (rule 5). Returns 0, or -1 when
 * out of memory. */
static int normalise_percent(struct buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0, len;
	char esc[3] = {'%', 0, 0};
	int hi, lo, c;

	for (i = 0; i < n; i += len) {
		c = (unsigned char)s[i];
		len = 1;
		if (c == '%' && i + 2 < n && (hi = hex_value((unsigned char)s[i + 1])) >= 0 &&
		    (lo = hex_value((unsigned char)s[i + 2])) >= 0) {
			c = hi * 16 + lo;
			len = 3;
		} else if (is_unreserved(c) || is_reserved(c)) {
			continue;
		}
		/* c is a decoded escape or a byte to escape (a stray '%' among them). */
		if (buf_append(out, s + run, i - run) != 0)
			return -1;
		run = i + len;
		if (is_unreserved(c) && c != '.') {
			if (buf_putc(out, c) != 0)
				return -1;
			continue;
		}
		esc[1] = hex[c >> 4];
		esc[2] = hex[c & 15];
		if (buf_append(out, esc, 3) != 0)
			return -1;
	}
	return buf_append(out, s + run, n - run);
}

/* The URL that an AMP cache URL wraps, without its scheme (which rule 2 folds anyway): a
 * pointer into path, or NULL when host and path are no AMP cache's. */
static const char *amp_cache_inner(const char *host, const char *path)
{
	size_t i, pl;

	for (i = 0; i < sizeof amp_caches / sizeof amp_caches[0]; i++) {
		pl = strlen(amp_caches[i].prefix);
		if (strncmp(path, amp_caches[i].prefix, pl) == 0 &&
		    host_matches(host, amp_caches[i].host))
			return path + pl;
	}
	return NULL;
}

/* 1 when the last segment of path[0..len) is a real name, not "", "." or "..". */
static int last_segment_is_name(const char *path, size_t len)
{
	size_t start = len;

	while (start > 0 && path[start - 1] != '/')
		start--;
	if (len == start)
		return 0;
	return !(len - start <= 2 && path[start] == '.' && path[len - 1] == '.');
}

/* Rule 6 on a normalised path, in place. Cutting only shortens the path, so the buffer's
 * allocation always has room for the "/" of an emptied path and the NUL. */
static void strip_path(struct buf *path)
{
	const struct path_suffix *r;
	size_t i, sl, rl, stem;
	int changed;

	do {
		changed = 0;
		if (path->len > 1 && path->data[path->len - 1] == '/') {
			path->len--;
			changed = 1;
			continue;
		}
		for (i = 0; i < sizeof amp_path_suffixes / sizeof amp_path_suffixes[0]; i++) {
			r = &amp_path_suffixes[i];
			sl = strlen(r->suffix);
			rl = strlen(r->replacement);
			if (path->len < sl || memcmp(path->data + path->len - sl, r->suffix, sl) != 0)
				continue;
			stem = path->len - sl;
			/* /x/.amp must not become /x/ nor /x/..amp become the dot-segment /x/. */
			if (r->suffix[0] != '/' && rl == 0 && !last_segment_is_name(path->data, stem))
				continue;
			memcpy(path->data + stem, r->replacement, rl);
			path->len = stem + rl;
			changed = 1;
			break;
		}
	} while (changed);
	if (path->len == 0)
		path->data[path->len++] = '/';
	path->data[path->len] = '\0';
}

/* 1 when the query parameter name=value is a tracking parameter on host. */
static int is_tracking_param(const char *name, size_t name_len, const char *value,
                             size_t value_len, const char *host)
{
	const struct tracking_param *t;
	size_t i, vl;

	for (i = 0; i < sizeof tracking_params / sizeof tracking_params[0]; i++) {
		t = &tracking_params[i];
		if (t->match == PARAM_NAME ? name_len != t->len : name_len < t->len)
			continue;
		if (!ascii_caseeq(name, t->name, t->len))
			continue;
		if (t->value != NULL) {
			vl = strlen(t->value);
			if (value_len < vl || !ascii_caseeq(value, t->value, vl))
				continue;
		}
		if (t->host != NULL && !host_matches(host, t->host))
			continue;
		return 1;
	}
	return 0;
}

struct param {
	const char *text; /* name[=value], not NUL-terminated */
	size_t len, name_len;
	size_t pos; /* position in the query: keeps the sort stable */
};

static int param_compare(const void *pa, const void *pb)
{
	const struct param *a = pa, *b = pb;
	size_t n = a->name_len < b->name_len ? a->name_len : b->name_len;
	int c = memcmp(a->text, b->text, n);

	if (c != 0)
		return c;
	if (a->name_len != b->name_len)
		return a->name_len < b->name_len ? -1 : 1;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* Appends the canonical form of the raw query (rule 7, with rule 5) to out: empty when no
 * parameter is left. Returns 0, or -1 when out of memory. */
static int canonical_query(struct buf *out, const char *raw, const char *host)
{
	struct buf norm = {0};
	struct param *params = NULL;
	const char *p, *end, *amp, *eq;
	size_t count = 1, n = 0, i;
	int rc = -1;

	if (normalise_percent(&norm, raw, strlen(raw)) != 0)
		goto done;
	p = buf_str(&norm);
	end = p + norm.len;
	for (amp = p; (amp = memchr(amp, '&', (size_t)(end - amp))) != NULL; amp++)
		count++;
	params = malloc(count * sizeof *params);
	if (params == NULL)
		goto done;
	for (; p <= end; p = amp + 1) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		if (amp == p)
			continue;
		eq = memchr(p, '=', (size_t)(amp - p));
		params[n].text = p;
		params[n].len = (size_t)(amp - p);
		params[n].name_len = eq != NULL ? (size_t)(eq - p) : params[n].len;
		params[n].pos = n;
		if (!is_tracking_param(p, params[n].name_len, eq != NULL ? eq + 1 : amp,
		                       eq != NULL ? (size_t)(amp - eq - 1) : 0, host))
			n++;
	}
	qsort(params, n, sizeof *params, param_compare);
	for (i = 0; i < n; i++)
		if ((i > 0 && buf_putc(out, '&') != 0) ||
		    buf_append(out, params[i].text, params[i].len) != 0)
			goto done;
	rc = 0;
done:
	free(params);
	buf_free(&norm);
	return rc;
}

/* Parses url (at most URL_MAX bytes) with flags. Returns a handle to free with
 * curl_url_cleanup() when it is an http or https URL, else NULL. */
static CURLU *parse_web(const char *url, unsigned int flags)
{
	CURLU *h = NULL;
	char *scheme = NULL;

	if (url == NULL || strnlen(url, URL_MAX + 1) > URL_MAX)
		return NULL;
	h = curl_url();
	if (h == NULL)
		goto fail;
	if (curl_url_set(h, CURLUPART_URL, url, flags) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
		goto fail;
	if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)
		goto fail;
	curl_free(scheme);
	return h;
fail:
	curl_free(scheme);
	curl_url_cleanup(h);
	return NULL;
}

/* Gets part into *out (free with curl_free()). A missing port or query is no error: *out is
 * NULL then. Returns 0, or -1 on any other error. */
static int get_part(CURLU *h, CURLUPart part, char **out)
{
	CURLUcode rc = curl_url_get(h, part, out, 0);

	if (rc == CURLUE_OK)
		return 0;
	*out = NULL;
	return rc == CURLUE_NO_PORT || rc == CURLUE_NO_QUERY ? 0 : -1;
}

int url_is_web(const char *url)
{
	CURLU *h = parse_web(url, 0);

	if (h == NULL)
		return 0;
	curl_url_cleanup(h);
	return 1;
}

/*
 * Rules 1-7 in one pass per URL, a pass per unwrapped AMP cache URL. cur is the URL being
 * canonicalised: url itself, or the URL an AMP cache wraps, built in src.
 */
char *url_canonical(const char *url)
{
	struct buf src = {0}, host = {0}, path = {0}, query = {0}, joined = {0};
	CURLU *h = NULL;
	char *raw_host = NULL, *raw_path = NULL, *raw_query = NULL, *port = NULL, *full = NULL;
	char *out = NULL;
	const char *cur = url, *inner;
	int unwraps, numeric = 0;

	for (unwraps = 0;; unwraps++) {
		h = parse_web(cur, CANONICAL_PARSE_FLAGS);
		if (h == NULL || get_part(h, CURLUPART_HOST, &raw_host) != 0 ||
		    get_part(h, CURLUPART_PATH, &raw_path) != 0 ||
		    get_part(h, CURLUPART_QUERY, &raw_query) != 0 ||
		    (numeric = canonical_host(&host, raw_host)) < 0 ||
		    normalise_percent(&path, raw_path, strlen(raw_path)) != 0)
			goto done;
		inner = amp_cache_inner(buf_str(&host), buf_str(&path));
		if (inner == NULL)
			break;
		if (unwraps == AMP_UNWRAP_MAX)
			goto done;
		buf_reset(&src);
		if (buf_printf(&src, "https://%s%s%s", inner, raw_query != NULL ? "?" : "",
		               raw_query != NULL ? raw_query : "") != 0)
			goto done;
		cur = buf_str(&src);
		curl_url_cleanup(h);
		h = NULL;
		curl_free(raw_host);
		curl_free(raw_path);
		curl_free(raw_query);
		raw_host = raw_path = raw_query = NULL;
		buf_reset(&host);
		buf_reset(&path);
	}
	strip_path(&path);
	if ((raw_query != NULL && canonical_query(&query, raw_query, buf_str(&host)) != 0) ||
	    get_part(h, CURLUPART_PORT, &port) != 0)
		goto done;
	/* rule 2: https, and no userinfo, zone id or fragment */
	if (buf_printf(&joined, "https://%s", buf_str(&host)) != 0 ||
	    (port != NULL && strcmp(port, "80") != 0 && strcmp(port, "443") != 0 &&
	     buf_printf(&joined, ":%s", port) != 0) ||
	    buf_append(&joined, path.data, path.len) != 0 ||
	    (query.len > 0 &&
	     (buf_putc(&joined, '?') != 0 || buf_append(&joined, query.data, query.len) != 0)))
		goto done;
	if (numeric) { /* rule 3: what libcurl makes of a numeric host once decoded */
		if (curl_url_set(h, CURLUPART_URL, buf_str(&joined), CANONICAL_PARSE_FLAGS) !=
		            CURLUE_OK ||
		    curl_url_get(h, CURLUPART_URL, &full, 0) != CURLUE_OK)
			goto done;
		buf_reset(&joined);
		if (buf_puts(&joined, full) != 0)
			goto done;
	}
	if (joined.len <= URL_MAX)
		out = strdup(buf_str(&joined));
done:
	curl_free(full);
	curl_free(port);
	curl_free(raw_query);
	curl_free(raw_path);
	curl_free(raw_host);
	curl_url_cleanup(h);
	buf_free(&query);
	buf_free(&path);
	buf_free(&host);
	buf_free(&src);
	buf_free(&joined);
	return out;
}
