/*
 * arena.c — bump allocator over a chain of blocks (see arena.h).
 *
 * Blocks grow geometrically from 4 KiB to 1 MiB, so a small feed costs one small block and a
 * large one few mallocs; a request larger than a block gets a block of its own.
 */
#include "parsers/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_FIRST_BLOCK 4096
#define ARENA_MAX_BLOCK (1u << 20)

struct arena_block {
	struct arena_block *next;
	size_t used, size;
	alignas(max_align_t) unsigned char data[];
};

struct arena {
	struct arena_block *head;
	size_t next_size;
};

struct arena *arena_new(void)
{
	struct arena *a = calloc(1, sizeof *a);

	if (a)
		a->next_size = ARENA_FIRST_BLOCK;
	return a;
}

void *arena_alloc(struct arena *a, size_t n)
{
	const size_t align = alignof(max_align_t);
	struct arena_block *b = a->head;
	size_t size;

	if (n > SIZE_MAX / 2)
		return NULL;
	n = (n + align - 1) & ~(align - 1);
	if (b == NULL || b->size - b->used < n) {
		size = a->next_size;
		if (size < ARENA_MAX_BLOCK)
			a->next_size = size * 2;
		if (size < n)
			size = n;
		b = malloc(sizeof *b + size);
		if (b == NULL)
			return NULL;
		b->used = 0;
		b->size = size;
		b->next = a->head;
		a->head = b;
	}
	b->used += n;
	return b->data + b->used - n;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

void arena_free(struct arena *a)
{
	struct arena_block *b, *next;

	if (a == NULL)
		return;
	for (b = a->head; b; b = next) {
		next = b->next;
		free(b);
	}
	free(a);
}
