/* jitlines: a debugger's frames in JIT code, named by nprof's line tables. */
#include "jitlines.h"

#include <string.h>

#include "elfcode.h"

static size_t jitlines_group(const uint64_t *pcs, size_t i, size_t n);
static uint64_t jitlines_lookup(const uint64_t *pcs, size_t i);

/* The debugger's frames from i on that share frame i's address. */
static size_t jitlines_group(const uint64_t *pcs, size_t i, size_t n)
{
	size_t j = i + 1;

	while (pcs[i] && j < n && pcs[j] == pcs[i])
		j++;
	return j;
}

/* A caller's address is where it returns to: its call is the
 * instruction before. */
static uint64_t jitlines_lookup(const uint64_t *pcs, size_t i)
{
	return i && pcs[i] ? pcs[i] - 1 : pcs[i];
}

size_t jitlines_name(struct codemap *map, const struct frame *in, const uint64_t *pcs, size_t n,
		     struct frame *out, size_t max, int *blind)
{
	size_t k = 0, i, j, m;

	if (blind)
		*blind = 0;

	/* The map read again first, if need be: a refresh may drop code
	 * whose strings frames already named would point into. */
	for (i = 0; i < n; i++) {
		if (pcs[i] && !codemap_find(map, jitlines_lookup(pcs, i))) {
			codemap_refresh(map);
			break;
		}
	}
	for (i = 0; i < n && k < max; i = j) {
		uint64_t lookup = jitlines_lookup(pcs, i);
		const struct codemap_entry *e = lookup ? codemap_find(map, lookup) : NULL;

		j = jitlines_group(pcs, i, n);
		m = e && e->jit ? elfcode_lines(e->code, lookup - e->bias, out + k, max - k) : 0;
		if (m && in[i].line <= 0 && blind)
			*blind = 1;
		/* All but the last of one address's frames were inlined. */
		for (size_t q = 0; q < m; q++) {
			out[k + q].inlined = q + 1 < m;
			out[k + q].lib = NULL;
		}
		if (!m) {
			m = j - i < max - k ? j - i : max - k;
			memcpy(out + k, in + i, m * sizeof(*out));
		}
		k += m;
	}
	return k;
}
