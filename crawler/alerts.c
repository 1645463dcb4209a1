/*
 * alerts.c — alert rules (syntax and matching in alerts.h) and the alert line.
 *
 * Compiling: a line is split at its first '=', and the expression parsed by recursive descent
 * into a tree of nodes. AND and OR take any number of children, so a long chain of terms
 * stays a shallow tree; nesting (parentheses, NOT) is capped at MAX_DEPTH, which bounds the
 * recursion of both the parser and the evaluator. Each distinct term (a folded word, prefix,
 * phrase or tag) is kept once, however many rules use it.
 *
 * Evaluating: the title and the text are folded once into one buffer, with a '\n' between
 * them (no pattern contains one, so nothing matches across), along with the class of every
 * folded byte. A term that starts with a letter or digit can only match where a word of the
 * entry starts, so those terms are indexed by their leading word: at each word of the entry,
 * the word itself and its prefixes of the lengths some prefix term has are looked up in a
 * hash table, and the terms found there are compared byte for byte. Terms that start with
 * anything else (CJK, '#', '$') are found with memmem. Tags are looked up in the table of
 * terms. Then each rule's tree is evaluated over the terms found, short-circuiting.
 */
#include "crawler/alerts.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crawler/log.h"
#include "parsers/arena.h"
#include "parsers/date.h"
#include "parsers/encoding.h"
#include "parsers/fold.h"
#include "parsers/tagger.h"
#include "parsers/text.h"

#define NONE UINT32_MAX
#define MAX_FILE ((size_t)16 << 20) /* bytes of a rules file: offsets then fit a uint32_t */
#define MAX_NAME 64                 /* bytes of a rule name */
#define MAX_TERM 200                /* folded bytes of a word, phrase or tag */
#define MAX_DEPTH 32                /* nested parentheses and NOTs */
#define QUOTE 60                    /* bytes of the input quoted in a message */

enum term_kind { TERM_WORD, TERM_PREFIX, TERM_TAG };
enum op { OP_TERM, OP_NOT, OP_AND, OP_OR };

static const char *const tag_kinds[] = {"platform", "country", "topic"};

struct term {
	uint32_t off, len;   /* the folded key in r->keys: the pattern, or "kind:value" */
	uint32_t lead;       /* words: bytes of the leading word, the index key; 0 when the
	                      * pattern starts with no letter or digit (found by memmem) */
	uint32_t next;       /* the next term with the same leading word, or NONE */
	unsigned char kind;  /* enum term_kind */
	unsigned char right; /* the match must end on a word boundary */
};

struct node {
	uint32_t arg;       /* OP_TERM: the term; otherwise the first child */
	uint32_t next;      /* the next sibling, or NONE */
	unsigned char op;   /* enum op */
};

struct rule {
	const char *name;   /* in the arena */
	size_t line;
	uint32_t root;
};

struct slot {
	uint32_t hash, id;  /* id NONE: empty */
};

struct map {            /* open addressing, linear probing, at most half full */
	struct slot *slot;
	size_t mask, n;
};

struct alert_rules {
	struct arena *arena;
	struct buf rules;      /* struct rule, in file order */
	struct buf nodes;      /* struct node */
	struct buf terms;      /* struct term */
	struct buf keys;       /* the folded keys of the terms */
	struct map by_key;     /* every term, by kind and key */
	struct map by_lead;    /* indexed terms by leading word: the first of a chain */
	uint32_t *scanned;     /* terms found by memmem */
	size_t nscanned;
	unsigned char lead_len[MAX_TERM + 1]; /* 1: some indexed term's leading word is this long */
	unsigned char prefix_len[MAX_TERM + 1]; /* 1: some one-word prefix term is this long */
	size_t max_prefix;                    /* the longest of those */
	unsigned char first[256];             /* 1: some indexed term's leading word starts so */
	int has_words, has_tags;
	struct fold_table fold;
	/* alerts_eval's scratch */
	struct buf text, cls;  /* the folded entry and the class of each of its bytes */
	struct buf tag;        /* the key of one of its tags */
	unsigned char *hit;    /* per term: found in the entry */
};

/* ---- hash tables ------------------------------------------------------------------------- */

/* What a lookup compares a stored id with. */
struct probe {
	const struct alert_rules *r;
	const char *s;
	size_t n;
	unsigned kind;
};

/* Returns the slot holding the id for which same(p, id) holds, or the empty slot where it
 * belongs. The map must have slots (map_reserve). */
static struct slot *map_find(const struct map *m, uint32_t h,
                             int (*same)(const struct probe *p, uint32_t id),
                             const struct probe *p)
{
	for (size_t i = h & m->mask;; i = (i + 1) & m->mask) {
		struct slot *s = &m->slot[i];
		if (s->id == NONE || (s->hash == h && same(p, s->id)))
			return s;
	}
}

/* The id for which same(p, id) holds, or NONE (also when the map is empty). */
static uint32_t map_get(const struct map *m, uint32_t h,
                        int (*same)(const struct probe *p, uint32_t id), const struct probe *p)
{
	return m->slot != NULL ? map_find(m, h, same, p)->id : NONE;
}

/* Makes room for one more id, doubling the slots when the map is half full. Returns 0 or -1
 * (out of memory; the map is unchanged). */
static int map_reserve(struct map *m)
{
	size_t size = m->slot != NULL ? (m->mask + 1) * 2 : 16;
	struct slot *slot;

	if (m->slot != NULL && m->n + 1 <= (m->mask + 1) / 2)
		return 0;
	slot = malloc(size * sizeof *slot);
	if (slot == NULL)
		return -1;
	memset(slot, 0xFF, size * sizeof *slot);
	for (size_t i = 0; m->slot != NULL && i <= m->mask; i++) {
		size_t k = m->slot[i].hash & (size - 1);
		if (m->slot[i].id == NONE)
			continue;
		while (slot[k].id != NONE)
			k = (k + 1) & (size - 1);
		slot[k] = m->slot[i];
	}
	free(m->slot);
	m->slot = slot;
	m->mask = size - 1;
	return 0;
}

/* FNV-1a a byte at a time, so that the prefixes of a word hash on the way to the word, then
 * a multiply-xorshift so that the low bits, which pick the slot, depend on every byte. Only
 * the rules' own terms are stored, so text crafted to collide can make no chain longer. */
#define HASH_START 2166136261u

static uint32_t hash_step(uint32_t h, unsigned char c)
{
	return (h ^ c) * 16777619u;
}

static uint32_t hash_end(uint32_t h, unsigned kind)
{
	h ^= kind;
	h ^= h >> 16;
	h *= 0x7FEB352Du;
	return h ^ h >> 15;
}

static uint32_t hash_key(const char *s, size_t n, unsigned kind)
{
	uint32_t h = HASH_START;

	for (size_t i = 0; i < n; i++)
		h = hash_step(h, (unsigned char)s[i]);
	return hash_end(h, kind);
}

static const struct term *term_at(const struct alert_rules *r, uint32_t id)
{
	return (const struct term *)r->terms.data + id;
}

static int same_key(const struct probe *p, uint32_t id)
{
	const struct term *t = term_at(p->r, id);
	return t->kind == p->kind && t->len == p->n && memcmp(p->r->keys.data + t->off, p->s, p->n) == 0;
}

static int same_lead(const struct probe *p, uint32_t id)
{
	const struct term *t = term_at(p->r, id);
	return t->lead == p->n && memcmp(p->r->keys.data + t->off, p->s, p->n) == 0;
}

static int same_name(const struct probe *p, uint32_t id)
{
	const struct rule *rule = (const struct rule *)p->r->rules.data + id;
	return strlen(rule->name) == p->n && strncasecmp(rule->name, p->s, p->n) == 0;
}

/* ---- compiling --------------------------------------------------------------------------- */

enum tok { TOK_START, TOK_END, TOK_WORD, TOK_PHRASE, TOK_TAG, TOK_AND, TOK_OR, TOK_NOT,
           TOK_OPEN, TOK_CLOSE };

static const char *const tok_text[] = {[TOK_AND] = "AND", [TOK_OR] = "OR", [TOK_NOT] = "NOT",
                                       [TOK_OPEN] = "(", [TOK_CLOSE] = ")"};

struct parse {
	struct alert_rules *r;
	const char *file;
	size_t line;
	char *err;             /* the message of a syntax error */
	const char *s, *end;   /* the rest of the expression */
	enum tok tok, prev;    /* the current token and the one before it */
	const char *src;       /* the current token as written (for messages) */
	size_t srcn;
	const char *a, *b;     /* TOK_WORD, TOK_PHRASE: the text (a); TOK_TAG: kind (a), value (b) */
	size_t an, bn;
	int depth;
	struct buf cls;        /* the classes of the term being folded */
	struct map names;      /* the rules by name, regardless of case */
};

/* Records "FILE:LINE: message" (nothing when out of memory, which then reads as such).
 * Returns -1. */
static int fail(struct parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parse *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	p->err = buf_file_message(p->file, p->line, fmt, ap);
	va_end(ap);
	return -1;
}

/* How much of s (n bytes) a message quotes: at most QUOTE bytes, cut on a character. */
static int quote_len(const char *s, size_t n)
{
	return (int)(n <= QUOTE ? n : text_utf8_prefix(s, QUOTE));
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Reads a quoted string whose opening '"' is at q; on success *p->s is past the closing one
 * and (*text, *n) is what is between. Returns 0 or -1 (unterminated). */
static int read_quoted(struct parse *p, const char *q, const char **text, size_t *n)
{
	const char *close = memchr(q + 1, '"', (size_t)(p->end - q - 1));

	if (close == NULL)
		return fail(p, "unterminated quote in '%.*s' (a phrase ends with '\"')",
		            quote_len(q, (size_t)(p->end - q)), q);
	*text = q + 1;
	*n = (size_t)(close - q - 1);
	p->s = close + 1;
	return 0;
}

/* Moves to the next token. Returns 0 or -1 (an unterminated quote). */
static int next_token(struct parse *p)
{
	const char *s = p->s, *e, *colon;

	p->prev = p->tok;
	while (s < p->end && is_blank(*s))
		s++;
	p->src = s;
	p->s = s + 1;
	if (s == p->end || *s == '#') {
		p->tok = TOK_END;
		p->s = p->end;
	} else if (*s == '(' || *s == ')') {
		p->tok = *s == '(' ? TOK_OPEN : TOK_CLOSE;
	} else if (*s == '"') {
		p->tok = TOK_PHRASE;
		if (read_quoted(p, s, &p->a, &p->an) != 0)
			return -1;
	} else {
		for (e = s; e < p->end && !is_blank(*e) && *e != '(' && *e != ')' && *e != '"'; e++)
			continue;
		p->s = e;
		p->tok = TOK_WORD;
		p->a = s;
		p->an = (size_t)(e - s);
		colon = memchr(s, ':', p->an);
		if (p->an == 3 && memcmp(s, "AND", 3) == 0)
			p->tok = TOK_AND;
		else if (p->an == 2 && memcmp(s, "OR", 2) == 0)
			p->tok = TOK_OR;
		else if (p->an == 3 && memcmp(s, "NOT", 3) == 0)
			p->tok = TOK_NOT;
		else if (colon != NULL) {
			p->tok = TOK_TAG;
			p->an = (size_t)(colon - s);
			p->b = colon + 1;
			p->bn = (size_t)(e - p->b);
			if (p->bn == 0 && e < p->end && *e == '"' &&
			    read_quoted(p, e, &p->b, &p->bn) != 0)
				return -1;
		}
	}
	p->srcn = (size_t)(p->s - p->src);
	return 0;
}

/* Adds a node without siblings; *id gets its number. Returns 0 or -1. */
static int add_node(struct parse *p, unsigned op, uint32_t arg, uint32_t *id)
{
	struct node n = {.op = (unsigned char)op, .arg = arg, .next = NONE};

	*id = (uint32_t)(p->r->nodes.len / sizeof n);
	return buf_append(&p->r->nodes, &n, sizeof n);
}

/* Appends the key of the tag kind:value to out: both folded, as tag values compare. Returns 0
 * or -1 (out of memory). */
static int tag_key(const struct fold_table *fold, struct buf *out, const char *kind, size_t kn,
                   const char *value, size_t vn)
{
	if (fold_string(fold, kind, kn, 0, out, NULL) != 0 || buf_putc(out, ':') != 0)
		return -1;
	return fold_string(fold, value, vn, 0, out, NULL);
}

/* Keeps the term whose key was just appended to r->keys at off (of kind, its classes in
 * p->cls), or finds the same term kept before (and drops the key). *id gets the term.
 * Returns 0 or -1. */
static int intern(struct parse *p, unsigned kind, size_t off, uint32_t *id)
{
	struct alert_rules *r = p->r;
	struct term t = {.off = (uint32_t)off, .len = (uint32_t)(r->keys.len - off),
	                 .kind = (unsigned char)kind, .next = NONE};
	struct probe probe = {.r = r, .s = r->keys.data + off, .n = t.len, .kind = kind};
	uint32_t h = hash_key(probe.s, probe.n, kind);
	struct slot *slot;

	if (map_reserve(&r->by_key) != 0)
		return -1;
	slot = map_find(&r->by_key, h, same_key, &probe);
	if (slot->id != NONE) {
		r->keys.len = off;
		r->keys.data[off] = '\0';
		*id = slot->id;
		return 0;
	}
	if (kind != TERM_TAG) {
		const unsigned char *c = (const unsigned char *)p->cls.data;
		while (t.lead < t.len && c[t.lead] == FOLD_WORD)
			t.lead++;
		t.right = kind == TERM_WORD && c[t.len - 1] == FOLD_WORD;
		r->has_words = 1;
	} else {
		r->has_tags = 1;
	}
	if (buf_append(&r->terms, &t, sizeof t) != 0)
		return -1;
	*id = slot->id = (uint32_t)(r->terms.len / sizeof t - 1);
	slot->hash = h;
	r->by_key.n++;
	return 0;
}

/* Folds a word, prefix or phrase (n bytes at s) into r->keys and keeps it as a term of kind;
 * *id gets the term. Returns 0 or -1. */
static int add_text_term(struct parse *p, unsigned kind, const char *s, size_t n, uint32_t *id)
{
	struct alert_rules *r = p->r;
	size_t off = r->keys.len;

	buf_reset(&p->cls);
	if (fold_string(&r->fold, s, n, 0, &r->keys, &p->cls) != 0)
		return -1;
	if (r->keys.len == off)
		return fail(p, "'%.*s' has no letters, digits or symbols", quote_len(p->src, p->srcn),
		            p->src);
	if (r->keys.len - off > MAX_TERM)
		return fail(p, "'%.*s' is longer than %d bytes", quote_len(p->src, p->srcn), p->src,
		            MAX_TERM);
	return intern(p, kind, off, id);
}

/* The current token, a bare word: a word, or a prefix when it ends in '*'. */
static int add_word(struct parse *p, uint32_t *id)
{
	const char *s = p->a;
	size_t n = p->an;
	unsigned kind = TERM_WORD;

	if ((n == 2 && strncasecmp(s, "or", 2) == 0) || (n == 3 && strncasecmp(s, "and", 3) == 0) ||
	    (n == 3 && strncasecmp(s, "not", 3) == 0)) {
		char upper[4] = {0};
		for (size_t i = 0; i < n; i++)
			upper[i] = (char)(s[i] & ~0x20);
		return fail(p, "'%.*s' is not an operator: write %s, or \"%.*s\" to look for the word",
		            (int)n, s, upper, (int)n, s);
	}
	/* as word processors "correct" quotes: the phrase would be a word that never matches */
	if (memmem(s, n, "\xE2\x80\x9C", 3) != NULL || memmem(s, n, "\xE2\x80\x9D", 3) != NULL)
		return fail(p, "curly quote in '%.*s': phrases are quoted with straight quotes (\")",
		            quote_len(s, n), s);
	if (s[n - 1] == '*') {
		kind = TERM_PREFIX;
		if (--n == 0)
			return fail(p, "'*' must end a word, as in encrypt*");
	}
	return add_text_term(p, kind, s, n, id);
}

/* The current token, kind:value. */
static int add_tag(struct parse *p, uint32_t *id)
{
	struct alert_rules *r = p->r;
	size_t off = r->keys.len, k;

	for (k = 0; k < sizeof tag_kinds / sizeof tag_kinds[0]; k++)
		if (strlen(tag_kinds[k]) == p->an && strncasecmp(tag_kinds[k], p->a, p->an) == 0)
			break;
	if (k == sizeof tag_kinds / sizeof tag_kinds[0])
		return fail(p, "unknown tag kind '%.*s' in '%.*s' (kinds are platform, country and "
		            "topic; quote a phrase that contains ':')", quote_len(p->a, p->an), p->a,
		            quote_len(p->src, p->srcn), p->src);
	if (tag_key(&r->fold, &r->keys, p->a, p->an, p->b, p->bn) != 0)
		return -1;
	if (r->keys.len == off + p->an + 1)
		return fail(p, "no tag value in '%.*s'", quote_len(p->src, p->srcn), p->src);
	if (r->keys.len - off > MAX_TERM)
		return fail(p, "'%.*s' is longer than %d bytes", quote_len(p->src, p->srcn), p->src,
		            MAX_TERM);
	return intern(p, TERM_TAG, off, id);
}

/* The current token does not start a term where one is needed: says why. Returns -1. */
static int missing_term(struct parse *p)
{
	const char *prev = tok_text[p->prev], *cur = tok_text[p->tok];

	if (p->tok == TOK_END && p->prev == TOK_START)
		return fail(p, "empty expression after '='");
	if (p->tok == TOK_END)
		return fail(p, "'%s' at the end of the expression needs a term after it", prev);
	if (p->tok == TOK_CLOSE && p->prev == TOK_START)
		return fail(p, "unbalanced parenthesis: ')' without '('");
	if (p->prev == TOK_START || p->prev == TOK_OPEN)
		return fail(p, "'%s' needs a term before it", cur);
	return fail(p, "expected a term between '%s' and '%s'", prev, cur);
}

static int parse_list(struct parse *p, unsigned op, uint32_t *id);

/* Parses a term, NOT and what it applies to, or a parenthesised expression into *id. Returns
 * 0 or -1 (as do the other parsing functions). */
static int parse_unary(struct parse *p, uint32_t *id)
{
	uint32_t term;
	int rc;

	switch (p->tok) {
	case TOK_WORD:
	case TOK_PHRASE:
	case TOK_TAG:
		if (p->tok == TOK_WORD)
			rc = add_word(p, &term);
		else if (p->tok == TOK_PHRASE)
			rc = add_text_term(p, TERM_WORD, p->a, p->an, &term);
		else
			rc = add_tag(p, &term);
		if (rc != 0 || next_token(p) != 0)
			return -1;
		return add_node(p, OP_TERM, term, id);
	case TOK_NOT:
	case TOK_OPEN:
		if (++p->depth > MAX_DEPTH)
			return fail(p, "parentheses and NOTs nested deeper than %d", MAX_DEPTH);
		if (p->tok == TOK_NOT) {
			uint32_t child;
			if (next_token(p) != 0 || parse_unary(p, &child) != 0 ||
			    add_node(p, OP_NOT, child, id) != 0)
				return -1;
		} else {
			if (next_token(p) != 0)
				return -1;
			if (p->tok == TOK_CLOSE)
				return fail(p, "empty parentheses '()'");
			if (p->tok == TOK_END)
				return fail(p, "unbalanced parenthesis: '(' is never closed");
			if (parse_list(p, OP_OR, id) != 0)
				return -1;
			if (p->tok != TOK_CLOSE)
				return fail(p, "unbalanced parenthesis: '(' is never closed");
			if (next_token(p) != 0)
				return -1;
		}
		p->depth--;
		return 0;
	default:
		return missing_term(p);
	}
}

/* Parses operands joined by op (OP_OR; OP_AND, also joined by nothing) into one node with
 * them as its children, or the operand alone when there is one. */
static int parse_list(struct parse *p, unsigned op, uint32_t *id)
{
	uint32_t first, last, next, parent = NONE;

	if ((op == OP_AND ? parse_unary(p, &first) : parse_list(p, OP_AND, &first)) != 0)
		return -1;
	for (last = first;; last = next) {
		if (op == OP_OR ? p->tok == TOK_OR : p->tok == TOK_AND) {
			if (next_token(p) != 0)
				return -1;
		} else if (op == OP_OR || p->tok == TOK_OR || p->tok == TOK_END ||
		           p->tok == TOK_CLOSE) {
			*id = parent != NONE ? parent : first;
			return 0;
		}
		if ((op == OP_AND ? parse_unary(p, &next) : parse_list(p, OP_AND, &next)) != 0)
			return -1;
		if (parent == NONE && add_node(p, op, first, &parent) != 0)
			return -1;
		((struct node *)p->r->nodes.data)[last].next = next;
	}
}

/* Checks the name of a rule (n bytes at s): its characters, its length, that no rule before
 * has it. *slot gets the slot of p->names where it goes. Returns 0 or -1. */
static int check_name(struct parse *p, const char *s, size_t n, struct slot **slot)
{
	struct probe probe = {.r = p->r, .s = s, .n = n};
	char lower[MAX_NAME];

	if (n == 0)
		return fail(p, "missing rule name before '='");
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (is_blank(c))
			return fail(p, "rule name '%.*s' contains a space (names are letters, digits, "
			            "'-', '_' and '.')", quote_len(s, n), s);
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return fail(p, "rule name '%.*s' may only contain letters, digits, '-', '_' and "
			            "'.'", quote_len(s, n), s);
	}
	if (n > MAX_NAME)
		return fail(p, "rule name '%.*s...' is longer than %d characters", QUOTE / 2, s,
		            MAX_NAME);
	for (size_t i = 0; i < n; i++)
		lower[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	if (map_reserve(&p->names) != 0)
		return -1;
	*slot = map_find(&p->names, hash_key(lower, n, 0), same_name, &probe);
	if ((*slot)->id != NONE)
		return fail(p, "rule '%.*s' is already defined on line %zu", (int)n, s,
		            ((const struct rule *)p->r->rules.data)[(*slot)->id].line);
	(*slot)->hash = hash_key(lower, n, 0);
	return 0;
}

/* The line must be UTF-8 without control characters (tab aside). */
static int check_line(struct parse *p, const char *s, size_t n)
{
	size_t valid = enc_utf8_valid_prefix(s, n);

	for (size_t i = 0; i < valid; i++)
		if ((unsigned char)s[i] == 0x7F || ((unsigned char)s[i] < 0x20 && s[i] != '\t'))
			return fail(p, "control character U+%04X", (unsigned)s[i]);
	if (valid < n)
		return fail(p, "invalid UTF-8");
	return 0;
}

static int parse_line(struct parse *p, const char *s, size_t n)
{
	struct rule rule = {.line = p->line};
	const char *eq;
	struct slot *slot = NULL;
	size_t nn;

	while (n > 0 && is_blank(*s))
		s++, n--;
	if (n == 0 || *s == '#')
		return 0;
	eq = memchr(s, '=', n);
	if (eq == NULL)
		return fail(p, "missing '=' (a rule is NAME = EXPRESSION)");
	nn = (size_t)(eq - s);
	while (nn > 0 && is_blank(s[nn - 1]))
		nn--;
	/* the slot stays valid: nothing else goes into p->names until the rule is recorded */
	if (check_name(p, s, nn, &slot) != 0)
		return -1;
	p->s = eq + 1;
	p->end = s + n;
	p->tok = TOK_START;
	p->depth = 0;
	if (next_token(p) != 0 || parse_list(p, OP_OR, &rule.root) != 0)
		return -1;
	if (p->tok == TOK_CLOSE)
		return fail(p, "unbalanced parenthesis: ')' without '('");
	rule.name = arena_strndup(p->r->arena, s, nn);
	if (rule.name == NULL || buf_append(&p->r->rules, &rule, sizeof rule) != 0)
		return -1;
	slot->id = (uint32_t)(p->r->rules.len / sizeof rule - 1);
	p->names.n++;
	return 0;
}

/* Builds the index of the terms that start with a word, by leading word, and the list of
 * the others. Returns 0 or -1. */
static int build_index(struct alert_rules *r)
{
	size_t nterms = r->terms.len / sizeof(struct term);
	struct term *terms = (struct term *)r->terms.data;

	r->hit = calloc(nterms > 0 ? nterms : 1, 1);
	r->scanned = malloc((nterms > 0 ? nterms : 1) * sizeof *r->scanned);
	if (r->hit == NULL || r->scanned == NULL)
		return -1;
	for (uint32_t id = 0; id < nterms; id++) {
		struct term *t = &terms[id];
		struct probe probe = {.r = r, .s = r->keys.data + t->off, .n = t->lead};
		uint32_t h;
		struct slot *slot;
		if (t->kind == TERM_TAG)
			continue;
		if (t->lead == 0) {
			r->scanned[r->nscanned++] = id;
			continue;
		}
		if (map_reserve(&r->by_lead) != 0)
			return -1;
		h = hash_key(probe.s, probe.n, 0);
		slot = map_find(&r->by_lead, h, same_lead, &probe);
		if (slot->id == NONE) {
			slot->hash = h;
			r->by_lead.n++;
		}
		t->next = slot->id;
		slot->id = id;
		r->first[(unsigned char)probe.s[0]] = 1;
		r->lead_len[t->lead] = 1;
		if (t->kind == TERM_PREFIX && t->lead == t->len) {
			r->prefix_len[t->lead] = 1;
			if (t->lead > r->max_prefix)
				r->max_prefix = t->lead;
		}
	}
	return 0;
}

struct alert_rules *alerts_compile(const char *text, size_t len, const char *filename, char **err)
{
	struct parse p = {.file = filename != NULL ? filename : "alerts"};
	size_t i = 0;

	p.r = calloc(1, sizeof *p.r);
	if (p.r == NULL)
		goto fail;
	p.r->arena = arena_new();
	if (p.r->arena == NULL)
		goto fail;
	fold_table_init(&p.r->fold);
	if (len > MAX_FILE) {
		p.line = 1;
		fail(&p, "the rules file is larger than %zu MiB", MAX_FILE >> 20);
		goto fail;
	}
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		i = 3; /* a byte order mark, as some editors write */
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl != NULL ? (size_t)(nl - text) : len, n = end - i;
		if (n > 0 && text[i + n - 1] == '\r')
			n--;
		p.line++;
		if (check_line(&p, text + i, n) != 0 || parse_line(&p, text + i, n) != 0)
			goto fail;
		i = end + 1;
	}
	if (build_index(p.r) != 0)
		goto fail;
	buf_free(&p.cls);
	free(p.names.slot);
	return p.r;
fail:
	alerts_free(p.r);
	buf_free(&p.cls);
	free(p.names.slot);
	*err = p.err;
	return NULL;
}

void alerts_free(struct alert_rules *r)
{
	if (r == NULL)
		return;
	arena_free(r->arena);
	buf_free(&r->rules);
	buf_free(&r->nodes);
	buf_free(&r->terms);
	buf_free(&r->keys);
	free(r->by_key.slot);
	free(r->by_lead.slot);
	free(r->scanned);
	buf_free(&r->text);
	buf_free(&r->cls);
	buf_free(&r->tag);
	free(r->hit);
	free(r);
}

size_t alerts_count(const struct alert_rules *r)
{
	return r->rules.len / sizeof(struct rule);
}

/* ---- evaluating -------------------------------------------------------------------------- */

/* Marks the terms of the chain from id that match the folded entry at i, a word start. */
static void match_chain(struct alert_rules *r, uint32_t id, size_t i)
{
	const unsigned char *cls = (const unsigned char *)r->cls.data;
	size_t n = r->text.len;

	for (; id != NONE; id = term_at(r, id)->next) {
		const struct term *t = term_at(r, id);
		if (r->hit[id] || t->len > n - i ||
		    memcmp(r->text.data + i, r->keys.data + t->off, t->len) != 0)
			continue;
		if (!t->right || i + t->len == n || cls[i + t->len] != FOLD_WORD)
			r->hit[id] = 1;
	}
}

/* Looks up the word at [i, j) of the folded entry: whole, and its prefixes as long as some
 * one-word prefix term, hashing it once. */
static void match_word(struct alert_rules *r, size_t i, size_t j)
{
	const char *w = r->text.data + i;
	size_t n = j - i, whole = n <= MAX_TERM && r->lead_len[n];
	size_t last = whole ? n : (n - 1 < r->max_prefix ? n - 1 : r->max_prefix);
	struct probe probe = {.r = r, .s = w};
	uint32_t h = HASH_START;

	for (size_t len = 1; len <= last; len++) {
		h = hash_step(h, (unsigned char)w[len - 1]);
		if (len < n ? !r->prefix_len[len] : !whole)
			continue;
		probe.n = len;
		match_chain(r, map_get(&r->by_lead, hash_end(h, 0), same_lead, &probe), i);
	}
}

/* Folds the title and the text and marks the words, prefixes and phrases found. Returns 0
 * or -1. */
static int match_text(struct alert_rules *r, const struct alert_entry *e)
{
	const char *title = e->title != NULL ? e->title : "", *text = e->text != NULL ? e->text : "";
	const unsigned char *s, *cls;
	size_t n;

	buf_reset(&r->text);
	buf_reset(&r->cls);
	if (fold_string(&r->fold, title, strlen(title), 0, &r->text, &r->cls) != 0 ||
	    buf_putc(&r->text, '\n') != 0 || buf_putc(&r->cls, FOLD_SPACE) != 0 ||
	    fold_string(&r->fold, text, strlen(text), 0, &r->text, &r->cls) != 0)
		return -1;
	s = (const unsigned char *)r->text.data;
	cls = (const unsigned char *)r->cls.data;
	n = r->text.len;
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		if (cls[i] != FOLD_WORD) {
			i++;
			continue;
		}
		while (j < n && cls[j] == FOLD_WORD)
			j++;
		if (r->first[s[i]])
			match_word(r, i, j);
		i = j;
	}
	for (size_t k = 0; k < r->nscanned; k++) {
		uint32_t id = r->scanned[k];
		const struct term *t = term_at(r, id);
		const char *key = r->keys.data + t->off, *at = memmem(s, n, key, t->len);
		while (at != NULL && !r->hit[id]) {
			size_t after = (size_t)(at - r->text.data) + t->len;
			r->hit[id] = !t->right || after == n || cls[after] != FOLD_WORD;
			at = memmem(at + 1, n - (size_t)(at + 1 - r->text.data), key, t->len);
		}
	}
	return 0;
}

/* Marks the tag term kind:value, if the rules have it. Returns 0 or -1. */
static int mark_tag(struct alert_rules *r, const char *kind, size_t kn, const char *value,
                    size_t vn)
{
	struct probe probe = {.r = r, .kind = TERM_TAG};
	uint32_t id;

	buf_reset(&r->tag);
	if (tag_key(&r->fold, &r->tag, kind, kn, value, vn) != 0)
		return -1;
	probe.s = r->tag.data;
	probe.n = r->tag.len;
	id = map_get(&r->by_key, hash_key(probe.s, probe.n, TERM_TAG), same_key, &probe);
	if (id != NONE)
		r->hit[id] = 1;
	return 0;
}

/* Marks the tag terms among the entry's tags. Returns 0 or -1. */
static int match_tags(struct alert_rules *r, const struct alert_entry *e)
{
	for (size_t i = 0; i < e->ntags; i++) {
		const char *tag = e->tags[i], *colon = strchr(tag, ':');
		if (colon != NULL &&
		    mark_tag(r, tag, (size_t)(colon - tag), colon + 1, strlen(colon + 1)) != 0)
			return -1;
	}
	return 0;
}

static int eval_node(const struct alert_rules *r, uint32_t id)
{
	const struct node *nodes = (const struct node *)r->nodes.data, *n = &nodes[id];

	switch (n->op) {
	case OP_TERM:
		return r->hit[n->arg];
	case OP_NOT:
		return !eval_node(r, n->arg);
	case OP_AND:
		for (uint32_t c = n->arg; c != NONE; c = nodes[c].next)
			if (!eval_node(r, c))
				return 0;
		return 1;
	default:
		for (uint32_t c = n->arg; c != NONE; c = nodes[c].next)
			if (eval_node(r, c))
				return 1;
		return 0;
	}
}

int alerts_eval(struct alert_rules *r, const struct alert_entry *e,
                void (*hit)(const char *rule, void *arg), void *arg)
{
	const struct rule *rules = (const struct rule *)r->rules.data;
	size_t nrules = alerts_count(r);

	memset(r->hit, 0, r->terms.len / sizeof(struct term));
	if ((r->has_words && match_text(r, e) != 0) || (r->has_tags && match_tags(r, e) != 0))
		return -1;
	for (size_t i = 0; i < nrules; i++)
		if (eval_node(r, rules[i].root))
			hit(rules[i].name, arg);
	return 0;
}

/* ---- tag terms against the vocabulary ---------------------------------------------------- */

struct vocabulary_walk {
	struct alert_rules *r;
	int rc;
};

static void mark_value(const char *kind, const char *value, void *arg)
{
	struct vocabulary_walk *w = arg;

	if (w->rc == 0 && mark_tag(w->r, kind, strlen(kind), value, strlen(value)) != 0)
		w->rc = -1;
}

/* Reports the unmarked tag terms under node id, each once (it is marked then). */
static int report_unmarked(struct alert_rules *r, uint32_t id, size_t line,
                           void (*unknown)(const char *tag, size_t line, void *arg), void *arg)
{
	const struct node *n = &((const struct node *)r->nodes.data)[id];

	if (n->op != OP_TERM) {
		for (uint32_t c = n->arg; c != NONE; c = ((const struct node *)r->nodes.data)[c].next)
			if (report_unmarked(r, c, line, unknown, arg) != 0)
				return -1;
		return 0;
	}
	const struct term *t = term_at(r, n->arg);
	if (t->kind != TERM_TAG || r->hit[n->arg])
		return 0;
	r->hit[n->arg] = 1;
	buf_reset(&r->tag);
	if (buf_append(&r->tag, r->keys.data + t->off, t->len) != 0)
		return -1;
	unknown(buf_str(&r->tag), line, arg);
	return 0;
}

int alerts_unknown_tags(struct alert_rules *r, const struct tagger *t,
                        void (*unknown)(const char *tag, size_t line, void *arg), void *arg)
{
	struct vocabulary_walk walk = {.r = r};
	const struct rule *rules = (const struct rule *)r->rules.data;

	if (!r->has_tags)
		return 0;
	memset(r->hit, 0, r->terms.len / sizeof(struct term));
	tagger_each(t, mark_value, &walk);
	for (size_t i = 0; walk.rc == 0 && i < alerts_count(r); i++)
		walk.rc = report_unmarked(r, rules[i].root, rules[i].line, unknown, arg);
	return walk.rc;
}

/* ---- alert lines ------------------------------------------------------------------------- */

/* Appends s (NULL: nothing) with its control characters replaced as alerts_line says. */
static int put_clean(struct buf *out, const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (buf_reserve(out, n) != 0)
		return -1;
	/* log_safe never lengthens its input, so n + 1 bytes hold all of it */
	log_safe(out->data + out->len, n + 1, s);
	out->len += strlen(out->data + out->len);
	return 0;
}

/* Undoes a failed append: out back to len bytes. Returns -1. */
static int restore(struct buf *out, size_t len)
{
	out->len = len;
	if (out->data != NULL)
		out->data[len] = '\0';
	return -1;
}

int alerts_line(struct buf *out, const char *rule, const char *kind, int64_t published,
                const char *feed_title, const char *title, const char *url)
{
	char date[DATE_TEXT_SIZE] = "";
	const char *fields[] = {rule, kind, date, feed_title, title, url};
	size_t len = out->len;

	if (published != DATE_NONE)
		date_format(published, date);
	if (buf_puts(out, "ALERT") != 0)
		return restore(out, len);
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (buf_putc(out, '\t') != 0 || put_clean(out, fields[i]) != 0)
			return restore(out, len);
	if (buf_putc(out, '\n') != 0)
		return restore(out, len);
	return 0;
}

/* A JSON string of s cleaned as in alerts_line (tmp is scratch), json null for NULL; NULL
 * when out of memory or s is not UTF-8. */
static json_t *clean_string(struct buf *tmp, const char *s)
{
	if (s == NULL)
		return json_null();
	buf_reset(tmp);
	if (put_clean(tmp, s) != 0)
		return NULL;
	return json_stringn(tmp->data, tmp->len);
}

static int append_json(const char *buffer, size_t size, void *data)
{
	return buf_append(data, buffer, size);
}

int alerts_json(struct buf *out, const char *rule, const char *kind, int64_t published,
                const char *feed_title, const char *title, const char *url, int64_t entry_id,
                int64_t story_id, const char *const *tags, size_t ntags)
{
	char date[DATE_TEXT_SIZE];
	struct buf tmp = {0};
	json_t *o = json_object(), *array = json_array();
	size_t len = out->len;
	int rc = o != NULL && array != NULL ? 0 : -1;

	for (size_t i = 0; rc == 0 && i < ntags; i++)
		rc = json_array_append_new(array, clean_string(&tmp, tags[i]));
	struct {
		const char *key;
		json_t *value;
	} fields[] = {
		{"rule", clean_string(&tmp, rule)},
		{"kind", clean_string(&tmp, kind)},
		{"published", published != DATE_NONE ? json_string(date_format(published, date))
		                                      : json_null()},
		{"feed", clean_string(&tmp, feed_title)},
		{"title", clean_string(&tmp, title)},
		{"url", clean_string(&tmp, url)},
		{"entry", json_integer(entry_id)},
		{"story", json_integer(story_id)},
		{"tags", array},
	};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		if (fields[i].value == NULL)
			rc = -1;
		if (rc == 0)
			rc = json_object_set_new(o, fields[i].key, fields[i].value); /* steals it */
		else
			json_decref(fields[i].value);
	}
	if (rc == 0 && (json_dump_callback(o, append_json, out, JSON_COMPACT) != 0 ||
	                buf_putc(out, '\n') != 0))
		rc = restore(out, len);
	json_decref(o);
	buf_free(&tmp);
	return rc;
}
