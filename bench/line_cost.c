/* What naming a sampled address costs (elfcode_lines): every address of
 * each JIT object's code looked up, as samples landing there would be,
 * and how many of them are line-0 code (placed by the row before them).
 * Counts that do not depend on the machine's load come from callgrind:
 *   NUMBA_DEBUGINFO=1 PYTHONPATH=share/shim /usr/bin/python3 bench/line_cost.py /tmp/big.elf
 *   make bench/line_cost
 *   valgrind --tool=callgrind --toggle-collect=elfcode_lines bench/line_cost /tmp/big.elf
 * and the instructions divided by the lookups it prints.
 * usage: bench/line_cost JIT-OBJECT... */
#include <stdio.h>
#include <stdlib.h>

#include "elfcode.h"
#include "util.h"

static unsigned char *load(const char *path, size_t *n);

static unsigned char *load(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *img;
	long size;

	if (!f || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) <= 0)
		fatal("cannot read %s", path);
	rewind(f);
	img = xmalloc((size_t)size);
	if (fread(img, 1, (size_t)size, f) != (size_t)size)
		fatal("cannot read %s", path);
	fclose(f);
	*n = (size_t)size;
	return img;
}

int main(int argc, char **argv)
{
	unsigned long lookups = 0, named = 0, frames = 0;

	for (int i = 1; i < argc; i++) {
		size_t n, nranges;
		unsigned char *img = load(argv[i], &n);
		struct elfcode *c = elfcode_open_jit(img, n);
		const struct elfcode_range *r;
		struct frame out[16];

		if (!c)
			fatal("%s: not a JIT object nprof can read", argv[i]);
		r = elfcode_ranges(c, &nranges);
		for (size_t k = 0; k < nranges; k++) {
			for (uint64_t a = r[k].lo; a < r[k].hi; a++) {
				size_t m = elfcode_lines(c, a, out, 16);

				lookups++;
				named += m > 0;
				frames += m;
			}
		}
		elfcode_free(c);
	}
	printf("%lu lookups, %lu named (%lu frames)\n", lookups, named, frames);
	return 0;
}
