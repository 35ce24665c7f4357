/* What a profile costs in memory: bytes per distinct stack and per
 * sample, by the heap (mallinfo2) and by the model's own count
 * (profile_bytes).  `make bench/profile_cost && bench/profile_cost`.
 * A run sampled at 1000 Hz for an hour is 3.6 million samples; its
 * distinct stacks are what its code has (hundreds to thousands). */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

#include "profile.h"

#define DEPTH 8

static size_t heap(void);
static void add(struct profile *p, unsigned long stack, long long t);

static size_t heap(void)
{
	struct mallinfo2 m = mallinfo2();

	return m.uordblks + m.hblkhd;
}

static void add(struct profile *p, unsigned long stack, long long t)
{
	static const char *const files[] = { "/u/a.py", "/u/b.py", "/u/c.py" };
	struct profile_origin o = { 1, 1 + (int)(stack % 4), t };
	struct frame f[DEPTH];

	for (int d = 0; d < DEPTH; d++) {
		f[d].func = d % 2 ? "__main__::kernel[abi:v1](double)" : "__main__::helper(long long)";
		f[d].file = files[d % 3];
		/* Each stack differs from the next in its innermost lines. */
		f[d].line = 10 + (int)((stack >> (3 * d)) % 8) + d * 10;
		f[d].inlined = d % 2;
		f[d].lib = NULL;
	}
	profile_add_sample(p, &o, f, DEPTH);
}

int main(int argc, char **argv)
{
	unsigned long stacks = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000;
	unsigned long samples = argc > 2 ? strtoul(argv[2], NULL, 10) : 3600000;
	size_t h0 = heap(), h1, h2, b1, b2;
	struct profile *p = profile_new(NULL, NULL);

	for (unsigned long s = 0; s < stacks; s++)
		add(p, s, (long long)s * 1000000);
	h1 = heap() - h0;
	b1 = profile_bytes(p);
	for (unsigned long s = 0; s < samples; s++)
		add(p, s % stacks, (long long)(stacks + s) * 1000000);
	h2 = heap() - h0;
	b2 = profile_bytes(p);
	printf("%lu distinct stacks (%zu trie nodes) of depth %d, then %lu more samples of them, 1 ms apart\n",
	       stacks, p->nstacks, DEPTH, samples);
	printf("heap: %zu bytes after the first samples, %zu after all\n", h1, h2);
	printf("per distinct stack: %.0f bytes (heap), %.0f (profile_bytes)\n",
	       (double)h1 / (double)stacks, (double)b1 / (double)stacks);
	printf("per sample: %.2f bytes (heap), %.2f (profile_bytes)\n",
	       (double)(h2 - h1) / (double)samples, (double)(b2 - b1) / (double)samples);
	profile_free(p);
	return 0;
}
