/* strmap: strings to indexes, by open addressing. */
#include "strmap.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static struct strmap_slot *strmap_slot(const struct strmap *m, const char *key, uint64_t h);
static void strmap_grow(struct strmap *m);

/* Eight bytes a step (symbols run to a hundred bytes and more): each
 * word mixed in by a multiply, the tail by bytes, the length last. */
uint64_t strmap_hash_mem(uint64_t h, const void *mem, size_t n)
{
	const unsigned char *s = mem;
	uint64_t w;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 32;
	}
	for (w = 0; i < n; i++)
		w = w << 8 | s[i];
	h = (h ^ w ^ (uint64_t)n << 56) * 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 29);
}

uint64_t strmap_hash(const char *s)
{
	return strmap_hash_mem(14695981039346656037ull, s, strlen(s));
}

/* The slot holding `key`, or the free one where it would go. */
static struct strmap_slot *strmap_slot(const struct strmap *m, const char *key, uint64_t h)
{
	size_t mask = m->nslots - 1, k = (size_t)h & mask;

	for (; m->slots[k].key; k = (k + 1) & mask)
		if (m->slots[k].hash == h && strcmp(m->slots[k].key, key) == 0)
			break;
	return &m->slots[k];
}

static void strmap_grow(struct strmap *m)
{
	struct strmap_slot *old = m->slots;
	size_t nold = m->nslots;

	m->nslots = nold ? nold * 2 : 16;
	m->slots = xcalloc(m->nslots, sizeof(*m->slots));
	for (size_t i = 0; i < nold; i++)
		if (old[i].key)
			*strmap_slot(m, old[i].key, old[i].hash) = old[i];
	free(old);
}

int strmap_get(const struct strmap *m, const char *key, size_t *value)
{
	const struct strmap_slot *s;

	if (!m->n)
		return 0;
	s = strmap_slot(m, key, strmap_hash(key));
	if (!s->key)
		return 0;
	*value = s->value;
	return 1;
}

void strmap_put(struct strmap *m, const char *key, size_t value)
{
	uint64_t h = strmap_hash(key);
	struct strmap_slot *s;

	if (2 * (m->n + 1) > m->nslots)
		strmap_grow(m);
	s = strmap_slot(m, key, h);
	if (!s->key) {
		s->key = xstrdup(key);
		s->hash = h;
		m->n++;
	}
	s->value = value;
}

void strmap_release(struct strmap *m)
{
	for (size_t i = 0; i < m->nslots; i++)
		free(m->slots[i].key);
	free(m->slots);
	m->slots = NULL;
	m->nslots = m->n = 0;
}

size_t strmap_bytes(const struct strmap *m)
{
	size_t b = m->nslots * sizeof(*m->slots);

	for (size_t i = 0; i < m->nslots; i++)
		if (m->slots[i].key)
			b += strlen(m->slots[i].key) + 1;
	return b;
}
