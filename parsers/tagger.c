/*
 * tagger.c — compiles tags.txt into an Aho-Corasick automaton and tags entries with it.
 *
 * Text is folded one code point at a time (parsers/fold.h: lower case, accents stripped,
 * ß -> ss, curly apostrophes to ', hyphens, dashes and runs of white space to one space) and
 * the folded bytes drive a dense DFA whose columns are the byte values that occur in some
 * alias (every other byte shares column 0). Aliases go through the same fold, so an alias
 * matches exactly the texts that fold to it. A ring of the last RING folded bytes remembers
 * which original offset each came from, which is what the word-boundary and case-sensitive
 * checks look at; nothing is copied per entry.
 *
 * Per entry: the title, then the text, are scanned once each; every alias found there (with its
 * boundaries and letter case right) becomes a candidate. Context phrases only set bits. Then
 * candidates whose context is missing are dropped, and within one field and one kind the
 * leftmost-longest candidate wins where two overlap, so "People's Republic of China" counts
 * once and "New Mexico" (a blocker) hides "Mexico". The survivors are counted per value.
 */
#include "parsers/tagger.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/arena.h"
#include "parsers/fold.h"
#include "parsers/text.h"

enum kind { K_COUNTRY, K_PLATFORM, K_TOPIC, K_CONTEXT, K_NONE };

/* Kinds sort by name, which is the order of the enum, so value ids sort by kind then name. */
static const char *const kind_names[] = {"country", "platform", "topic", "context"};

#define NONE UINT32_MAX
#define RING 256          /* folded bytes remembered; a power of two above MAX_ALIAS */
#define MAX_ALIAS 200     /* folded bytes in one alias */
#define MAX_CONTEXTS 64   /* context sets: bits of a uint64_t */
#define MAX_VOCAB ((size_t)64 << 20) /* bytes of tags.txt: offsets then fit a uint32_t */
#define MAX_TABLE ((size_t)1 << 31) /* bytes of DFA while it is built (32-bit transitions) */
/* In a transition, the top bit says the target state has uses to check. */
#define NARROW_HIT ((uint32_t)1 << 15)
#define WIDE_HIT ((uint32_t)1 << 31)
#define DATA_REQUEST "data-request"

enum { F_CASE = 1, F_LEFT = 2, F_RIGHT = 4 };   /* struct use flags */
enum { R_FIRST = 1, R_PREV_WORD = 2 };          /* ring flags */

/* One alias (or context phrase, or blocker) ending on a DFA state. */
struct use {
	uint64_t need;      /* context sets one of which the entry must contain; 0: none needed */
	uint64_t gives;     /* context sets this phrase belongs to (kind K_CONTEXT) */
	uint32_t value;     /* value id, or NONE for blockers and context phrases */
	uint32_t next;      /* next use on the same state, or NONE */
	uint32_t exact;     /* offset in tagger.exact of the case-kept form (F_CASE) */
	uint16_t flen;      /* folded length */
	uint16_t exact_len;
	unsigned char kind, flags;
};

struct value {
	const char *name;
	unsigned kind;
};

struct tagger {
	struct arena *arena;  /* value names */
	struct value *values; /* sorted by kind, then name: the id is the index */
	size_t nvalues;
	struct use *uses;
	char *exact;          /* case-kept forms of the case-sensitive aliases */
	/* The transitions, a row per state, with the hit bit set when the target state has uses
	 * (report[target] != NONE). While the states fit, 16 bits each: the target state, rows
	 * 1 << shift apart (the shipped tags.txt: 12,000 states, 3.1 MB instead of 5.5, which a
	 * crawl holds through its peak memory); else 32 bits: the target row's offset (state *
	 * ncls), so that a step needs no multiplication either way. */
	uint16_t *narrow;
	uint32_t *wide;       /* NULL when narrow is used; during the build, the table of states */
	unsigned shift;
	uint32_t *out;        /* per state: its first use, or NONE */
	uint32_t *report;     /* per state: first state on its failure chain with uses, or NONE */
	uint32_t *rnext;      /* per state: report[] of its failure state */
	uint32_t nstates, ncls;
	unsigned char cls[256];
	unsigned char ascii_cls[128]; /* cls[] of the fold of each ASCII character */
	struct fold_table fold;
};

/* A match found by the scan; after resolution, use holds the value id instead. */
struct cand {
	size_t start, end;    /* original byte offsets in the field */
	uint32_t use;
	unsigned char field;  /* 0 title, 1 text */
	unsigned char kind;
};

/* ---- compiling the vocabulary ------------------------------------------------------------- */

struct vrec { /* a value as read, before duplicates are merged */
	const char *name;
	uint32_t kind, idx;
};

struct arec { /* an alias as read; becomes the struct use of the same index */
	uint64_t need, gives;
	size_t line;
	uint32_t value; /* vrec index, then value id; NONE for blockers and context phrases */
	uint32_t fold_off, exact_off;
	uint16_t fold_len, exact_len;
	unsigned char kind, flags;
};

struct parse {
	const char *file;
	size_t line;
	char *err;               /* the message of a syntax error */
	struct tagger *t;
	unsigned kind;           /* the current section */
	struct buf values;       /* struct vrec */
	struct buf aliases;      /* struct arec */
	struct buf folded;       /* folded alias bytes */
	struct buf folded_cls;   /* the enum fold_class of each byte of folded */
	struct buf exact;        /* case-kept alias bytes */
	const char *ctx[MAX_CONTEXTS];
	size_t nctx;
};

/* Records "FILE:LINE: message" (nothing when out of memory, which then reads as such).
 * Returns -1. */
static int parse_error(struct parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int parse_error(struct parse *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	p->err = buf_file_message(p->file, p->line, fmt, ap);
	va_end(ap);
	return -1;
}

/* How much of s (n bytes) to quote in a message: at most 60 bytes, cut on a character. */
static int clip(const char *s, size_t n)
{
	return (int)(n <= 60 ? n : text_utf8_prefix(s, 60));
}

static void trim(const char **s, size_t *n)
{
	while (*n > 0 && (**s == ' ' || **s == '\t'))
		(*s)++, (*n)--;
	while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

static int is_name(const char *s, size_t n, const char *extra)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr(extra, c) != NULL))
			return 0;
	}
	return n > 0;
}

/* The line must be UTF-8 without control characters (tab aside): names and aliases end up in
 * messages and in the database. */
static int check_line(struct parse *p, const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint32_t cp;
		i += fold_decode(s + i, n - i, &cp);
		if (cp == FOLD_BAD)
			return parse_error(p, "invalid UTF-8");
		if ((cp < 0x20 && cp != '\t') || cp == 0x7F)
			return parse_error(p, "control character U+%04X", (unsigned)cp);
	}
	return 0;
}

/* Returns the bit of the context set called name (defining it in [context]), or -1. */
static int context_bit(struct parse *p, const char *name, size_t n, int define)
{
	for (size_t k = 0; k < p->nctx; k++)
		if (strlen(p->ctx[k]) == n && memcmp(p->ctx[k], name, n) == 0)
			return (int)k;
	if (!define)
		return parse_error(p, "unknown context '%.*s' (define it in [context] above)",
		                   clip(name, n), name);
	if (p->nctx == MAX_CONTEXTS)
		return parse_error(p, "too many context sets (at most %d)", MAX_CONTEXTS);
	p->ctx[p->nctx] = arena_strndup(p->t->arena, name, n);
	if (p->ctx[p->nctx] == NULL)
		return -1;
	return (int)p->nctx++;
}

/* Parses "[=]TEXT[ ~CONTEXT...]" and records it. Returns 0 or -1. */
static int parse_alias(struct parse *p, const char *s, size_t n, uint32_t value, uint64_t gives)
{
	struct arec a = {.value = value, .gives = gives, .line = p->line,
	                 .kind = (unsigned char)p->kind};
	const char *tilde;
	size_t tn, off;

	trim(&s, &n);
	if (n > 0 && s[0] == '=') {
		a.flags |= F_CASE;
		s++, n--;
		trim(&s, &n);
	}
	tilde = memchr(s, '~', n);
	tn = tilde != NULL ? (size_t)(tilde - s) : n;
	while (tilde != NULL) {
		const char *name = tilde + 1, *end = s + n;
		int bit;
		if (p->kind == K_CONTEXT)
			return parse_error(p, "a context phrase cannot itself need a context ('~')");
		tilde = memchr(name, '~', (size_t)(end - name));
		size_t nn = (size_t)((tilde != NULL ? tilde : end) - name);
		trim(&name, &nn);
		if (nn == 0)
			return parse_error(p, "a context name must follow '~'");
		bit = context_bit(p, name, nn, 0);
		if (bit < 0)
			return -1;
		a.need |= (uint64_t)1 << bit;
	}
	trim(&s, &tn);
	if (tn == 0)
		return parse_error(p, "empty alias (nothing between '|', ':' or the end of the line)");

	off = p->folded.len;
	if (fold_string(&p->t->fold, s, tn, 0, &p->folded, &p->folded_cls) != 0)
		return -1;
	if (p->folded.len == off)
		return parse_error(p, "alias '%.*s' has no letters, digits or symbols", clip(s, tn), s);
	if (p->folded.len - off > MAX_ALIAS)
		return parse_error(p, "alias '%.*s' is longer than %d bytes", clip(s, tn), s, MAX_ALIAS);
	a.fold_off = (uint32_t)off;
	a.fold_len = (uint16_t)(p->folded.len - off);
	a.flags |= (p->folded_cls.data[off] == FOLD_WORD ? F_LEFT : 0) |
	           (p->folded_cls.data[p->folded.len - 1] == FOLD_WORD ? F_RIGHT : 0);
	if (a.flags & F_CASE) {
		off = p->exact.len;
		if (fold_string(&p->t->fold, s, tn, 1, &p->exact, NULL) != 0)
			return -1;
		a.exact_off = (uint32_t)off;
		a.exact_len = (uint16_t)(p->exact.len - off);
	}
	return buf_append(&p->aliases, &a, sizeof a);
}

static int check_value(struct parse *p, const char *s, size_t n)
{
	switch (p->kind) {
	case K_CONTEXT:
		if (!is_name(s, n, "-_"))
			return parse_error(p, "context name '%.*s' must be lower-case letters, digits, "
			                   "'-' or '_'", clip(s, n), s);
		break;
	case K_COUNTRY:
		if (n != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z')
			return parse_error(p, "country '%.*s' is not an ISO 3166-1 alpha-2 code (two "
			                   "capital letters)", clip(s, n), s);
		break;
	case K_TOPIC:
		if (!is_name(s, n, "-"))
			return parse_error(p, "topic '%.*s' must be a slug: lower-case letters, digits "
			                   "and '-'", clip(s, n), s);
		break;
	default:
		if (memchr(s, '|', n) != NULL || memchr(s, '~', n) != NULL)
			return parse_error(p, "platform name '%.*s' cannot contain '|' or '~'",
			                   clip(s, n), s);
		break;
	}
	return 0;
}

static int parse_line(struct parse *p, const char *s, size_t n)
{
	const char *colon, *value, *rest;
	size_t vn, rn;
	uint32_t id = NONE;
	uint64_t gives = 0;

	trim(&s, &n);
	if (n == 0 || s[0] == '#')
		return 0;
	if (s[0] == '[') {
		const char *name = s + 1;
		size_t nn = n - 1;
		if (s[n - 1] != ']')
			return parse_error(p, "a section header ends with ']'");
		nn--;
		trim(&name, &nn);
		for (unsigned k = K_COUNTRY; k < K_NONE; k++) {
			if (strlen(kind_names[k]) == nn && memcmp(kind_names[k], name, nn) == 0) {
				p->kind = k;
				return 0;
			}
		}
		return parse_error(p, "unknown section [%.*s] (expected [context], [platform], "
		                   "[country] or [topic])", clip(name, nn), name);
	}
	if (p->kind == K_NONE)
		return parse_error(p, "'%.*s' comes before the first [section]", clip(s, n), s);
	colon = memchr(s, ':', n);
	if (colon == NULL)
		return parse_error(p, "expected 'VALUE: ALIAS | ALIAS ...'");
	value = s;
	vn = (size_t)(colon - s);
	trim(&value, &vn);
	if (vn == 0)
		return parse_error(p, "empty value before ':'");
	if (p->kind == K_CONTEXT) {
		int bit;
		if (check_value(p, value, vn) != 0)
			return -1;
		bit = context_bit(p, value, vn, 1);
		if (bit < 0)
			return -1;
		gives = (uint64_t)1 << bit;
	} else if (!(vn == 1 && value[0] == '-')) {
		struct vrec v = {.kind = p->kind, .idx = (uint32_t)(p->values.len / sizeof v)};
		if (check_value(p, value, vn) != 0)
			return -1;
		v.name = arena_strndup(p->t->arena, value, vn);
		if (v.name == NULL || buf_append(&p->values, &v, sizeof v) != 0)
			return -1;
		id = v.idx;
	}
	rest = colon + 1;
	rn = (size_t)(s + n - rest);
	for (;;) {
		const char *bar = memchr(rest, '|', rn);
		size_t an = bar != NULL ? (size_t)(bar - rest) : rn;
		if (parse_alias(p, rest, an, id, gives) != 0)
			return -1;
		if (bar == NULL)
			return 0;
		rn -= an + 1;
		rest = bar + 1;
	}
}

static int vrec_cmp(const void *a, const void *b)
{
	const struct vrec *x = a, *y = b;
	int c;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	c = strcmp(x->name, y->name);
	if (c != 0)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Merges repeated values, numbers them in output order and points the aliases at the
 * numbers. Returns 0, or -1 when out of memory. */
static int number_values(struct parse *p)
{
	struct vrec *v = (struct vrec *)p->values.data;
	struct arec *a = (struct arec *)p->aliases.data;
	size_t nv = p->values.len / sizeof *v, na = p->aliases.len / sizeof *a, k = 0;
	uint32_t *map = malloc(nv * sizeof *map);

	p->t->values = malloc(nv * sizeof *p->t->values);
	if (map == NULL || p->t->values == NULL) {
		free(map);
		return -1;
	}
	qsort(v, nv, sizeof *v, vrec_cmp);
	for (size_t i = 0; i < nv; i++) {
		if (i == 0 || v[i].kind != v[i - 1].kind || strcmp(v[i].name, v[i - 1].name) != 0) {
			p->t->values[k].name = v[i].name;
			p->t->values[k].kind = v[i].kind;
			k++;
		}
		map[v[i].idx] = (uint32_t)(k - 1);
	}
	p->t->nvalues = k;
	for (size_t i = 0; i < na; i++)
		if (a[i].value != NONE)
			a[i].value = map[a[i].value];
	free(map);
	return 0;
}

/* Builds the trie of the folded aliases, then turns it into the Aho-Corasick DFA breadth
 * first (a state's missing transitions are those of its failure state, complete by then).
 * Returns 0 or -1 (a duplicate alias, or out of memory). */
static int build_automaton(struct parse *p)
{
	struct tagger *t = p->t;
	const struct arec *a = (const struct arec *)p->aliases.data;
	const unsigned char *fb = (const unsigned char *)p->folded.data;
	size_t na = p->aliases.len / sizeof *a, max_states = p->folded.len + 1, ncls = 1;
	uint32_t *fail = NULL, *queue = NULL;
	unsigned char used[256] = {0};
	int rc = -1;

	for (size_t i = 0; i < p->folded.len; i++)
		used[fb[i]] = 1;
	for (unsigned b = 0; b < 256; b++)
		t->cls[b] = used[b] ? (unsigned char)ncls++ : 0;
	t->ncls = (uint32_t)ncls;
	if (max_states > MAX_TABLE / sizeof *t->wide / ncls)
		return parse_error(p, "the vocabulary is too large");
	t->wide = calloc(max_states * ncls, sizeof *t->wide);
	t->out = malloc(max_states * sizeof *t->out);
	t->uses = malloc((na > 0 ? na : 1) * sizeof *t->uses);
	if (t->wide == NULL || t->out == NULL || t->uses == NULL)
		return -1;
	memset(t->out, 0xFF, max_states * sizeof *t->out);

	t->nstates = 1;
	for (size_t i = 0; i < na; i++) {
		uint32_t st = 0;
		for (size_t k = 0; k < a[i].fold_len; k++) {
			uint32_t *next = &t->wide[(size_t)st * ncls + t->cls[fb[a[i].fold_off + k]]];
			if (*next == 0)
				*next = t->nstates++;
			st = *next;
		}
		for (uint32_t u = t->out[st]; u != NONE && a[i].kind != K_CONTEXT; u = t->uses[u].next) {
			if (t->uses[u].kind == a[i].kind) {
				p->line = a[i].line;
				return parse_error(p, "alias '%.*s' is already listed on line %zu",
				                   clip((const char *)fb + a[i].fold_off, a[i].fold_len),
				                   (const char *)fb + a[i].fold_off, a[u].line);
			}
		}
		t->uses[i] = (struct use){.need = a[i].need, .gives = a[i].gives,
		                          .value = a[i].value, .next = t->out[st],
		                          .exact = a[i].exact_off, .flen = a[i].fold_len,
		                          .exact_len = a[i].exact_len, .kind = a[i].kind,
		                          .flags = a[i].flags};
		t->out[st] = (uint32_t)i;
	}

	fail = malloc(t->nstates * sizeof *fail);
	queue = malloc(t->nstates * sizeof *queue);
	t->report = malloc(t->nstates * sizeof *t->report);
	t->rnext = malloc(t->nstates * sizeof *t->rnext);
	if (fail == NULL || queue == NULL || t->report == NULL || t->rnext == NULL)
		goto fail;
	size_t head = 0, tail = 0;
	fail[0] = 0;
	t->report[0] = t->rnext[0] = NONE;
	for (size_t c = 0; c < ncls; c++) {
		uint32_t s = t->wide[c];
		if (s != 0) {
			fail[s] = 0;
			queue[tail++] = s;
		}
	}
	while (head < tail) {
		uint32_t r = queue[head++];
		uint32_t *row = &t->wide[(size_t)r * ncls];
		const uint32_t *frow = &t->wide[(size_t)fail[r] * ncls];
		t->rnext[r] = t->report[fail[r]];
		t->report[r] = t->out[r] != NONE ? r : t->rnext[r];
		for (size_t c = 0; c < ncls; c++) {
			if (row[c] != 0) {
				fail[row[c]] = frow[c];
				queue[tail++] = row[c];
			} else {
				row[c] = frow[c];
			}
		}
	}
	for (unsigned c = 0; c < 128; c++)
		t->ascii_cls[c] = t->cls[t->fold.cp[c].b[0]];
	/* the report test rides along with the transition */
	size_t cells = (size_t)t->nstates * ncls;
	const uint32_t hit_bit = t->nstates < NARROW_HIT ? NARROW_HIT : WIDE_HIT;
	if (hit_bit == NARROW_HIT) {
		while ((1u << t->shift) < ncls)
			t->shift++;
		t->narrow = calloc((size_t)t->nstates << t->shift, sizeof *t->narrow);
		if (t->narrow == NULL)
			goto fail;
	}
	for (size_t k = 0; k < cells; k++) {
		uint32_t s = t->wide[k], hit = t->report[s] != NONE ? hit_bit : 0;
		if (t->narrow != NULL)
			t->narrow[(k / ncls << t->shift) + k % ncls] = (uint16_t)(s | hit);
		else
			t->wide[k] = s * (uint32_t)ncls | hit;
	}
	if (t->narrow != NULL) {
		free(t->wide);
		t->wide = NULL;
	} else {
		uint32_t *shrunk = realloc(t->wide, cells * sizeof *t->wide);
		if (shrunk != NULL)
			t->wide = shrunk;
	}
	rc = 0;
fail:
	free(fail);
	free(queue);
	return rc;
}

static int has_data_request(const struct parse *p)
{
	const struct vrec *v = (const struct vrec *)p->values.data;
	for (size_t i = 0; i < p->values.len / sizeof *v; i++)
		if (v[i].kind == K_TOPIC && strcmp(v[i].name, DATA_REQUEST) == 0)
			return 1;
	return 0;
}

struct tagger *tagger_new(const char *text, size_t len, const char *filename, char **err)
{
	struct parse p = {.file = filename != NULL ? filename : "tags", .kind = K_NONE};
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0;

	p.t = calloc(1, sizeof *p.t);
	if (p.t == NULL)
		goto fail;
	p.t->arena = arena_new();
	if (p.t->arena == NULL)
		goto fail;
	fold_table_init(&p.t->fold);
	if (len > MAX_VOCAB) {
		parse_error(&p, "the vocabulary is larger than %zu MiB", MAX_VOCAB >> 20);
		goto fail;
	}
	if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		i = 3; /* a byte order mark, as some editors write */
	while (i < len) {
		const unsigned char *nl = memchr(s + i, '\n', len - i);
		size_t end = nl != NULL ? (size_t)(nl - s) : len, n = end - i;
		if (n > 0 && s[i + n - 1] == '\r')
			n--;
		p.line++;
		if (check_line(&p, s + i, n) != 0 || parse_line(&p, text + i, n) != 0)
			goto fail;
		i = end + 1;
	}
	if (!has_data_request(&p)) {
		p.line = p.line > 0 ? p.line : 1;
		parse_error(&p, "no topic '%s' (newsmon requires it)", DATA_REQUEST);
		goto fail;
	}
	if (number_values(&p) != 0 || build_automaton(&p) != 0)
		goto fail;
	p.t->exact = buf_steal(&p.exact);
	if (p.t->exact == NULL)
		goto fail;
	buf_free(&p.values);
	buf_free(&p.aliases);
	buf_free(&p.folded);
	buf_free(&p.folded_cls);
	return p.t;
fail:
	tagger_free(p.t);
	buf_free(&p.values);
	buf_free(&p.aliases);
	buf_free(&p.folded);
	buf_free(&p.folded_cls);
	buf_free(&p.exact);
	*err = p.err;
	return NULL;
}

void tagger_free(struct tagger *t)
{
	if (t == NULL)
		return;
	arena_free(t->arena);
	free(t->values);
	free(t->uses);
	free(t->exact);
	free(t->narrow);
	free(t->wide);
	free(t->out);
	free(t->report);
	free(t->rnext);
	free(t);
}

/* ---- tagging ------------------------------------------------------------------------------ */

struct scan {
	const struct tagger *t;
	struct buf *cands; /* struct cand */
	uint64_t ctx;      /* context sets seen in the entry */
	int oom;
};

/* Whether the first visible code point at or after s[i] is a word letter or digit. */
static int word_follows(const struct tagger *t, const unsigned char *s, size_t n, size_t i)
{
	while (i < n) {
		struct fold_char f;
		size_t l = fold_next(&t->fold, s + i, n - i, 0, &f);
		if (f.cls != FOLD_SKIP)
			return f.cls == FOLD_WORD;
		i += l;
	}
	return 0;
}

/* Whether s[start, end) has exactly the letters of want (case-kept fold, wn bytes). */
static int exact_equal(const struct tagger *t, const unsigned char *s, size_t start, size_t end,
                       const char *want, size_t wn)
{
	size_t i = start, w = 0;
	unsigned prev = FOLD_SPACE;

	while (i < end) {
		struct fold_char f;
		i += fold_next(&t->fold, s + i, end - i, 1, &f);
		if (f.cls == FOLD_SKIP || (f.cls == FOLD_SPACE && prev == FOLD_SPACE))
			continue;
		prev = f.cls;
		if (f.len > wn - w || memcmp(want + w, f.b, f.len) != 0)
			return 0;
		w += f.len;
	}
	return w == wn;
}

/* Checks the uses that end on the state of transition value st, the scan having consumed
 * s[0, i) and pos folded bytes, and records what qualifies. */
static void matched(struct scan *sc, uint32_t st, const unsigned char *s, size_t n, size_t i,
                    size_t pos, const size_t *ring_off, const unsigned char *ring_flag,
                    unsigned field)
{
	const struct tagger *t = sc->t;
	uint32_t state = t->narrow != NULL ? st & ~NARROW_HIT : (st & ~WIDE_HIT) / t->ncls;
	int follows = -1;

	for (uint32_t r = t->report[state]; r != NONE; r = t->rnext[r]) {
		for (uint32_t u = t->out[r]; u != NONE; u = t->uses[u].next) {
			const struct use *a = &t->uses[u];
			size_t b = (pos - a->flen) % RING;
			struct cand c;
			if (!(ring_flag[b] & R_FIRST))
				continue; /* starts inside a folded character (the second s of ß) */
			if ((a->flags & F_LEFT) && (ring_flag[b] & R_PREV_WORD))
				continue;
			if (a->flags & F_RIGHT) {
				if (follows < 0)
					follows = word_follows(t, s, n, i);
				if (follows)
					continue;
			}
			if ((a->flags & F_CASE) &&
			    !exact_equal(t, s, ring_off[b], i, t->exact + a->exact, a->exact_len))
				continue;
			if (a->kind == K_CONTEXT) {
				sc->ctx |= a->gives;
				continue;
			}
			c = (struct cand){.start = ring_off[b], .end = i, .use = u,
			                  .field = (unsigned char)field, .kind = a->kind};
			if (buf_append(sc->cands, &c, sizeof c) != 0)
				sc->oom = 1;
		}
	}
}

/* The transition from st (its hit bit may be set) on byte class cls; narrow is a constant
 * wherever this is inlined, so each table width gets its own loop. */
static inline __attribute__((always_inline)) uint32_t
step(const struct tagger *t, bool narrow, uint32_t st, unsigned cls)
{
	if (narrow)
		return t->narrow[((size_t)(st & ~NARROW_HIT) << t->shift) + cls];
	return t->wide[(st & ~WIDE_HIT) + cls];
}

/* One pass over a field: fold each code point, feed its bytes to the DFA, and look at the
 * matches once the whole code point is in (a match never ends inside one). ASCII, most of
 * the text, takes a short path: it folds to one byte. */
static inline __attribute__((always_inline)) void
scan_table(struct scan *sc, const unsigned char *s, size_t n, unsigned field, bool narrow)
{
	const struct tagger *t = sc->t;
	size_t ring_off[RING];
	unsigned char ring_flag[RING];
	size_t pos = 0, i = 0;
	uint32_t st = 0;
	unsigned prev = FOLD_SPACE;

	while (i < n) {
		unsigned char c = s[i];
		if (c < 0x80) {
			unsigned cls = t->fold.cp[c].cls;
			if (cls == FOLD_SPACE && prev == FOLD_SPACE) {
				i++;
				continue;
			}
			ring_off[pos % RING] = i;
			ring_flag[pos % RING] = R_FIRST | (prev == FOLD_WORD ? R_PREV_WORD : 0);
			pos++;
			i++;
			st = step(t, narrow, st, t->ascii_cls[c]);
			prev = cls;
		} else {
			struct fold_char f;
			size_t o = i;
			unsigned char flag = R_FIRST | (prev == FOLD_WORD ? R_PREV_WORD : 0);
			i += fold_next(&t->fold, s + i, n - i, 0, &f);
			if (f.cls == FOLD_SKIP || (f.cls == FOLD_SPACE && prev == FOLD_SPACE))
				continue;
			for (unsigned k = 0; k < f.len; k++) {
				ring_off[pos % RING] = o;
				ring_flag[pos % RING] = flag;
				flag = 0;
				pos++;
				st = step(t, narrow, st, t->cls[f.b[k]]);
			}
			prev = f.cls;
		}
		if (st & (narrow ? NARROW_HIT : WIDE_HIT))
			matched(sc, st, s, n, i, pos, ring_off, ring_flag, field);
	}
}

static void scan(struct scan *sc, const unsigned char *s, size_t n, unsigned field)
{
	if (sc->t->narrow != NULL)
		scan_table(sc, s, n, field, true);
	else
		scan_table(sc, s, n, field, false);
}

static int cand_by_position(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->field != y->field)
		return x->field < y->field ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end > y->end ? -1 : 1; /* the longest first */
	return 0;
}

static int cand_by_value(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->use != y->use)
		return x->use < y->use ? -1 : 1;
	return x->field < y->field ? -1 : x->field > y->field;
}

/* Turns the candidates into out: context filter, leftmost-longest per field and kind, counts
 * per value. Returns 0 or -1 (out of memory). */
static int resolve(const struct tagger *t, const struct scan *sc, struct tag_hits *out)
{
	struct cand *c = (struct cand *)out->scratch.data;
	size_t n = out->scratch.len / sizeof *c, m = 0, k = 0, distinct = 0, end = 0;
	unsigned field = 2, kind = K_NONE;

	if (n == 0)
		return 0; /* c may be NULL: nothing was ever found with this out */
	for (size_t i = 0; i < n; i++) {
		uint64_t need = t->uses[c[i].use].need;
		if (need == 0 || (need & sc->ctx) != 0)
			c[m++] = c[i];
	}
	qsort(c, m, sizeof *c, cand_by_position);
	for (size_t i = 0; i < m; i++) {
		if (c[i].field != field || c[i].kind != kind) {
			field = c[i].field;
			kind = c[i].kind;
			end = 0;
		} else if (c[i].start < end) {
			continue;
		}
		end = c[i].end;
		if (t->uses[c[i].use].value == NONE)
			continue; /* a blocker: hides what it overlaps, counts for nothing */
		c[k] = c[i];
		c[k].use = t->uses[c[i].use].value;
		k++;
	}
	qsort(c, k, sizeof *c, cand_by_value);
	for (size_t i = 0; i < k; i++)
		distinct += i == 0 || c[i].use != c[i - 1].use;
	if (distinct > out->cap) {
		struct tag_hit *v = realloc(out->v, distinct * sizeof *v);
		if (v == NULL)
			return -1;
		out->v = v;
		out->cap = distinct;
	}
	for (size_t i = 0; i < k; i++) {
		struct tag_hit *h;
		if (i == 0 || c[i].use != c[i - 1].use) {
			h = &out->v[out->n++];
			h->kind = kind_names[t->values[c[i].use].kind];
			h->value = t->values[c[i].use].name;
			h->in_title = h->in_text = 0;
		}
		h = &out->v[out->n - 1];
		if (c[i].field == 0)
			h->in_title++;
		else
			h->in_text++;
	}
	return 0;
}

int tagger_tag(const struct tagger *t, const char *title, size_t title_len, const char *text,
               size_t text_len, struct tag_hits *out)
{
	struct scan sc = {.t = t, .cands = &out->scratch};

	out->n = 0;
	buf_reset(&out->scratch);
	if (title_len > 0)
		scan(&sc, (const unsigned char *)title, title_len, 0);
	if (text_len > 0)
		scan(&sc, (const unsigned char *)text, text_len, 1);
	if (sc.oom || resolve(t, &sc, out) != 0) {
		out->n = 0;
		return -1;
	}
	return 0;
}

void tag_hits_free(struct tag_hits *h)
{
	if (h == NULL)
		return;
	free(h->v);
	buf_free(&h->scratch);
	*h = (struct tag_hits){0};
}

void tagger_each(const struct tagger *t, void (*fn)(const char *kind, const char *value, void *arg),
                 void *arg)
{
	for (size_t i = 0; i < t->nvalues; i++)
		fn(kind_names[t->values[i].kind], t->values[i].name, arg);
}

size_t tagger_count(const struct tagger *t, const char *kind)
{
	size_t n = 0;
	for (size_t i = 0; i < t->nvalues; i++)
		n += strcmp(kind_names[t->values[i].kind], kind) == 0;
	return n;
}
