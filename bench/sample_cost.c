/* What a sample costs the profile: stacks as the recorder hands them in
 * (Numba's mangled linkage names for line frames, native frames with
 * their library's path, the interpreter's frames outside), fed through
 * profile_add_sample.  Prints ns per sample; for counts that do not
 * depend on the machine's load, run it under callgrind and divide the
 * instructions of profile_add_sample by the samples:
 *   make bench/sample_cost
 *   valgrind --tool=callgrind --toggle-collect=profile_add_sample bench/sample_cost
 * usage: bench/sample_cost [SAMPLES] [DISTINCT_STACKS] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "profile.h"

#define DEPTH 24

static const char *const funcs[] = {
	"_ZN8__main__6kernelB2v1B38c8tJTIcFKzyF2ILShI4CrgQElQb6HczSBAA_3dE5ArrayIdLi1E1C7mutable7alignedE",
	"_ZN8__main__12inner_helperB2v1B38c8tJTIcFKzyF2ILShI4CrgQElQb6HczSBAA_3dEd",
	"_ZN5numba2np8arraymath11_3clambda_3eB2v1B38c8tJTIcFKzyF2ILShI4CrgQElQb6HczSBAA_3dEdd",
	"_ZN6mymod3sim9step_2dB2v1B38c8tJTIcFKzyF2ILShI4CrgQElQb6HczSBAA_3dE5ArrayIdLi2E1C7mutable7alignedEx",
};
static const char *const files[] = {
	"/home/user/project/sim.py",
	"/home/user/project/sim.py",
	"/usr/lib/python3/dist-packages/numba/np/arraymath.py",
	"/home/user/project/mymod/sim.py",
};

static int is_internal(const char *file, void *ctx);
static size_t make_stack(unsigned long s, struct frame *f);
static double now(void);

static int is_internal(const char *file, void *ctx)
{
	(void)ctx;
	return file[5] == 'l';	/* /usr/lib/... */
}

/* Innermost first: a libm function, 1-4 line frames (the inner ones
 * inlined), then the interpreter's frames around the jitted code. */
static size_t make_stack(unsigned long s, struct frame *f)
{
	size_t n = 0;
	int lines = 1 + (int)(s % 4);

	if (s % 3 == 0)
		f[n++] = (struct frame){ .func = "sin", .lib = "/usr/lib/x86_64-linux-gnu/libm.so.6" };
	for (int d = 0; d < lines; d++) {
		int k = (int)((s / 4 + (unsigned long)d) % 4);

		f[n++] = (struct frame){ .func = funcs[k], .file = files[k],
					 .line = 20 + (int)((s >> d) % 16) + 10 * k,
					 .inlined = d + 1 < lines };
	}
	while (n < DEPTH)
		f[n++] = (struct frame){ .func = n % 2 ? "_PyEval_EvalFrameDefault" : "PyObject_Call",
					 .lib = "/usr/bin/python3.11" };
	return n;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	unsigned long samples = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
	unsigned long stacks = argc > 2 ? strtoul(argv[2], NULL, 10) : 200;
	struct profile *p = profile_new(is_internal, NULL);
	struct frame f[DEPTH];
	double t0, t1;

	t0 = now();
	for (unsigned long s = 0; s < samples; s++) {
		struct profile_origin o = { 1000, 1000 + (int)(s % 2), (long long)(s + 1) * 1000000 };
		size_t n = make_stack((s * 7919) % stacks, f);

		profile_add_sample(p, &o, f, n);
	}
	t1 = now();
	printf("%lu samples of %lu distinct stacks (%zu frames, %zu trie nodes): %.0f ns a sample\n",
	       samples, stacks, p->nframes, p->nstacks, (t1 - t0) / (double)samples);
	profile_free(p);
	return 0;
}
