/*
 * hash.c — FNV-1a with a splitmix64 finish (see hash.h).
 */
#include "parsers/hash.h"

uint64_t hash64(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	h ^= h >> 31;
	return h;
}

char *hash_hex(uint64_t h, char out[HASH_HEX_SIZE])
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 15; i >= 0; i--, h >>= 4)
		out[i] = digits[h & 15];
	out[16] = '\0';
	return out;
}
