/* strmap: strings to indexes, a hash table (open addressing,
 * kept under half full) for the lookups the hot path makes once per frame
 * of every sample: a symbol's decoded name, a file's entry.  Keys are
 * copied; a map starts zeroed (STRMAP_INIT). */
#ifndef NPROF_STRMAP_H
#define NPROF_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap_slot {
	char *key;		/* NULL: free */
	uint64_t hash;
	size_t value;
};

struct strmap {
	struct strmap_slot *slots;
	size_t nslots;		/* 0 or a power of two */
	size_t n;		/* keys held */
};

#define STRMAP_INIT { NULL, 0, 0 }

/* The hash of `n` bytes at `mem`, mixed into `h` (to hash several
 * fields); of a string, from a fixed seed: what the map uses. */
uint64_t strmap_hash_mem(uint64_t h, const void *mem, size_t n);
uint64_t strmap_hash(const char *s);

/* 1 and *value when `key` is in the map; 0 when not. */
int strmap_get(const struct strmap *m, const char *key, size_t *value);
/* Sets `key`'s value, adding the key (copied) when new. */
void strmap_put(struct strmap *m, const char *key, size_t value);
/* Empties the map and frees what it holds; it can be used again. */
void strmap_release(struct strmap *m);
/* Bytes of memory it holds, keys included. */
size_t strmap_bytes(const struct strmap *m);

#endif
