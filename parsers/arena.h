/*
 * arena.h — a bump allocator: many small allocations, one free.
 *
 * A parsed feed keeps all its strings and arrays in one arena, so freeing a feed is one call
 * and parsing costs no malloc per field.
 */
#ifndef NEWSMON_ARENA_H
#define NEWSMON_ARENA_H

#include <stddef.h>

struct arena;

/* Returns a new empty arena, or NULL when out of memory. Free it with arena_free(). */
struct arena *arena_new(void);

/* Returns n bytes aligned for any type, or NULL when out of memory (or n is absurd). The memory
 * belongs to the arena and lives until arena_free(). */
void *arena_alloc(struct arena *a, size_t n);

/* Returns a NUL-terminated copy of the n bytes at s (owned by the arena), or NULL. */
char *arena_strndup(struct arena *a, const char *s, size_t n);

/* Frees the arena and everything allocated from it. NULL is fine. */
void arena_free(struct arena *a);

#endif
