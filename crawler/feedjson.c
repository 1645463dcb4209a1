/*
 * feedjson.c — struct feed to the pinned parse JSON, through jansson.
 *
 * Every key of the pinned shape is always present; what the feed lacks is null.
 */
#include "crawler/feedjson.h"

#include <jansson.h>
#include <string.h>

#include "parsers/feed.h"

static json_t *string_or_null(const char *s)
{
	json_t *v = s ? json_stringn(s, strlen(s)) : NULL;

	return v ? v : json_null();
}

static json_t *date_or_null(int64_t t)
{
	char text[DATE_TEXT_SIZE];

	return t == DATE_NONE ? json_null() : json_string(date_format(t, text));
}

static json_t *render_entry(const struct feed_entry *e)
{
	json_t *categories = json_array(), *enclosures = json_array();
	size_t i;

	for (i = 0; i < e->ncategories; i++)
		json_array_append_new(categories, string_or_null(e->categories[i]));
	for (i = 0; i < e->nenclosures; i++) {
		const struct feed_enclosure *enc = &e->enclosures[i];
		json_array_append_new(enclosures,
		                      json_pack("{s:o, s:o, s:o}", "url", string_or_null(enc->url),
		                                "type", string_or_null(enc->type), "length",
		                                enc->length < 0 ? json_null() : json_integer(enc->length)));
	}
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
	                 "id", string_or_null(e->id),
	                 "title", string_or_null(e->title),
	                 "link", string_or_null(e->link),
	                 "author", string_or_null(e->author),
	                 "published", date_or_null(e->published),
	                 "updated", date_or_null(e->updated),
	                 "summary", string_or_null(e->summary),
	                 "content", string_or_null(e->content),
	                 "categories", categories,
	                 "enclosures", enclosures,
	                 "comments", string_or_null(e->comments));
}

int feedjson_write(const struct feed *f, FILE *out)
{
	json_t *entries = json_array(), *root;
	int rc;

	for (size_t i = 0; i < f->nentries; i++)
		json_array_append_new(entries, render_entry(&f->entries[i]));
	root = json_pack("{s:s, s:b, s:{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}, s:o}",
	                 "format", feed_format_name(f->format),
	                 "bozo", f->bozo,
	                 "feed",
	                 "title", string_or_null(f->title),
	                 "link", string_or_null(f->link),
	                 "subtitle", string_or_null(f->subtitle),
	                 "language", string_or_null(f->language),
	                 "updated", date_or_null(f->updated),
	                 "author", string_or_null(f->author),
	                 "generator", string_or_null(f->generator),
	                 "image", string_or_null(f->image),
	                 "entries", entries);
	if (root == NULL)
		return -1;
	rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (rc == 0 && fputc('\n', out) == EOF)
		rc = -1;
	return rc;
}
