/* The JIT object fixtures (tests/data/jit/NAME.elf, made by
 * tests/data/jit/make-fixture.py from NAME.py) for the tests of the
 * modules that read Numba's JIT objects: kernel.elf by default; helpers.elf
 * and power.elf for line-0 code in and after inlined callees. */
#ifndef NPROF_TEST_JITFIXTURE_H
#define NPROF_TEST_JITFIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Lines of kernel.py the fixture's line tables name. */
#define FIXTURE_HELPER_BODY 8
#define FIXTURE_CALL_LINE 14

/* Lines of helpers.py and power.py. */
#define HELPERS_HELPER_BODY 10
#define HELPERS_CALL_LINE 17
#define POWER_LINE 12

/* The bytes of fixture NAME.elf, malloc'd; its size in *n. */
static inline unsigned char *jitfixture_load_named(const char *name, size_t *n)
{
	const char *srcdir = getenv("srcdir");
	char *path = xasprintf("%s/data/jit/%s.elf", srcdir ? srcdir : ".", name);
	FILE *f = fopen(path, "rb");
	unsigned char *img;
	long size;

	if (!f)
		fatal("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	img = xmalloc((size_t)size);
	if (fread(img, 1, (size_t)size, f) != (size_t)size)
		fatal("cannot read %s", path);
	fclose(f);
	free(path);
	*n = (size_t)size;
	return img;
}

static inline unsigned char *jitfixture_load(size_t *n)
{
	return jitfixture_load_named("kernel", n);
}

#endif
