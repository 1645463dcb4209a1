/*
 * fuzz_alerts.c — arbitrary bytes as an alert rules file, up to the first NUL; the bytes after
 * it are an entry: title, NUL, text, NUL, then tags separated by '\n'.
 *
 * alerts_compile must return rules or a "FILE:LINE: message", never crash or leak. Rules that
 * compile are checked against a small vocabulary (alerts_unknown_tags may only report tag
 * terms, on lines the file has), then evaluated on that entry twice (the same rules must hit,
 * in file order, each once) and on a fixed one. The entry's title and text also go through alerts_line, which
 * must give one line of exactly seven fields with no control character, and alerts_json.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crawler/alerts.h"
#include "parsers/buf.h"
#include "parsers/tagger.h"

#define MAX_TAGS 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct hits {
	struct buf names; /* each name and '\n' */
	size_t n;
};

static void on_hit(const char *rule, void *arg)
{
	struct hits *h = arg;
	if (rule == NULL || rule[0] == '\0' || buf_puts(&h->names, rule) != 0 ||
	    buf_putc(&h->names, '\n') != 0)
		abort();
	h->n++;
}

static void check_eval(struct alert_rules *r, const struct alert_entry *e)
{
	struct hits a = {0}, b = {0};

	if (alerts_eval(r, e, on_hit, &a) != 0 || alerts_eval(r, e, on_hit, &b) != 0)
		abort();
	if (a.n > alerts_count(r) || a.n != b.n || a.names.len != b.names.len ||
	    (a.names.len > 0 && memcmp(a.names.data, b.names.data, a.names.len) != 0))
		abort();
	buf_free(&a.names);
	buf_free(&b.names);
}

/* A small vocabulary for alerts_unknown_tags: the reports must be tag terms of real lines. */
static const char vocab[] = "[platform]\nWhatsApp: WhatsApp\nTelef\xC3\xB3nica: Telefonica\n"
                            "[country]\nHK: Hong Kong\n[topic]\ndata-request: subpoena\n";

static void on_unknown(const char *tag, size_t line, void *arg)
{
	size_t lines = *(size_t *)arg;

	if (tag == NULL || strchr(tag, ':') == NULL || line == 0 || line > lines)
		abort();
}

/* One line, seven fields, nothing a terminal would act on. */
static void check_line(const struct buf *line)
{
	const unsigned char *s = (const unsigned char *)line->data;
	size_t tabs = 0;

	if (line->len == 0 || s[line->len - 1] != '\n' || strlen(line->data) != line->len)
		abort();
	for (size_t i = 0; i + 1 < line->len; i++) {
		if (s[i] == '\t')
			tabs++;
		else if (s[i] < 0x20 || s[i] == 0x7F || (s[i] == 0xC2 && s[i + 1] >= 0x80 &&
		                                         s[i + 1] <= 0x9F))
			abort();
	}
	if (tabs != 6)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fixed_tags[] = {"country:HK", "platform:WhatsApp",
	                                         "topic:data-request"};
	const struct alert_entry fixed = {
		.title = "WhatsApp and Telegram refuse Hong Kong data requests",
		.text = "\xE5\xBE\xAE\xE4\xBF\xA1, T\xC3\xBCrkiye, Stra\xC3\x9F" "e, end-to-end #MeToo",
		.tags = fixed_tags,
		.ntags = 3,
	};
	const uint8_t *nul = memchr(data, 0, size);
	size_t rules_len = nul != NULL ? (size_t)(nul - data) : size, rest = size - rules_len;
	char *copy = malloc(size + 3), *err = NULL, *title, *text, *tags;
	const char *tagv[MAX_TAGS];
	struct alert_entry e = {.tags = tagv};
	struct buf out = {0};
	struct alert_rules *r;

	if (copy == NULL)
		abort();
	memcpy(copy, data, size);
	memset(copy + size, 0, 3);
	/* after the rules: title NUL text NUL tags; the three NULs of padding end each of them
	 * inside the copy however short the input */
	title = copy + rules_len + (rest > 0);
	text = title + strlen(title) + 1;
	tags = text + strlen(text) + 1;
	for (char *p = tags; *p != '\0' && e.ntags < MAX_TAGS;) {
		char *nl = strchr(p, '\n');
		tagv[e.ntags++] = p;
		if (nl == NULL)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	e.title = title;
	e.text = text;

	r = alerts_compile(copy, rules_len, "fuzz", &err);
	if (r == NULL) {
		if (err != NULL && strncmp(err, "fuzz:", 5) != 0)
			abort();
		free(err);
	} else {
		static struct tagger *t;
		size_t lines = 1;
		for (size_t i = 0; i < rules_len; i++)
			lines += copy[i] == '\n';
		if (t == NULL && (t = tagger_new(vocab, sizeof vocab - 1, "vocab", NULL)) == NULL)
			abort();
		if (alerts_unknown_tags(r, t, on_unknown, &lines) != 0)
			abort();
		check_eval(r, &e);
		check_eval(r, &fixed);
		alerts_free(r);
	}
	if (alerts_line(&out, "rule", "new", 0, text, title, tags) != 0)
		abort();
	check_line(&out);
	buf_reset(&out);
	alerts_json(&out, "rule", "new", 0, text, title, tags, 1, 2, tagv, e.ntags);
	buf_free(&out);
	free(copy);
	return 0;
}
