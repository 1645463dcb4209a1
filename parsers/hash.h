/*
 * hash.h — a 64-bit non-cryptographic hash for identity keys and change detection.
 *
 * FNV-1a over the bytes, then the splitmix64 finaliser so that similar inputs spread over all
 * bits. Not for anything an attacker could profit from colliding: a collision here makes two
 * texts look equal (one revision missed), nothing worse.
 */
#ifndef NEWSMON_HASH_H
#define NEWSMON_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_HEX_SIZE 17 /* 16 hex digits and NUL */

/* Returns the hash of len bytes at data. */
uint64_t hash64(const void *data, size_t len);

/* Writes h as 16 lower-case hex digits into out and returns out. */
char *hash_hex(uint64_t h, char out[HASH_HEX_SIZE]);

#endif
