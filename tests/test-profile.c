/* Tests of profile.c: aggregation, function names, Numba's own files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile.h"
#include "util.h"

#define KERNEL "__main__::kernel[abi:v1][abi:c8tJTC_2fWwKbcFpQAdBTgEQrlo6UyVFGMNAWVBgYHmKUJAA_3d_3d](Array<double, 1, C, mutable, aligned>)"
#define MAIN_PY "/home/u/kernel.py"
#define LIB_PY "/home/u/lib.py"
#define NUMBA_PY "/site/numba/np/arraymath.py"

static int under_numba(const char *file, void *ctx)
{
	int *calls = ctx;

	if (calls)
		(*calls)++;
	return strstr(file, "/numba/") != NULL;
}

static unsigned long line_self(const struct profile *p, const char *file, int line)
{
	const struct profile_file *f = profile_find_file(p, file);
	const struct profile_line *l = f ? profile_file_line(f, line) : NULL;

	return l ? l->self : 0;
}

static unsigned long line_total(const struct profile *p, const char *file, int line)
{
	const struct profile_file *f = profile_find_file(p, file);
	const struct profile_line *l = f ? profile_file_line(f, line) : NULL;

	return l ? l->total : 0;
}

static void test_other_and_bad(void **state)
{
	struct profile *p = profile_new(NULL, NULL);
	const struct frame c[] = { { "do_cos", "/src/m.c", 5 }, { "??", NULL, 0 } };
	const struct frame noline[] = { { "kernel", MAIN_PY, 0 } };
	const struct frame pyx[] = { { "f", "/src/m.pyx", 3 } };
	const struct frame corrupt[] = { { "f", MAIN_PY, 1 << 30 } };

	assert_int_equal(profile_add_stack(p, c, ARRAY_SIZE(c)), SAMPLE_OTHER);
	assert_int_equal(profile_add_stack(p, noline, 1), SAMPLE_OTHER);
	assert_int_equal(profile_add_stack(p, pyx, 1), SAMPLE_OTHER);
	assert_int_equal(profile_add_stack(p, corrupt, 1), SAMPLE_OTHER);
	assert_int_equal(profile_add_stack(p, NULL, 0), SAMPLE_OTHER);
	profile_add_bad(p);
	profile_add_bad(p);
	assert_int_equal(p->samples, 7);
	assert_int_equal(p->other, 5);
	assert_int_equal(p->bad, 2);
	assert_int_equal(p->numba, 0);
	assert_int_equal(p->nfiles, 0);
	assert_int_equal(p->nfuncs, 0);
	profile_free(p);
}

static void test_self_and_total(void **state)
{
	struct profile *p = profile_new(NULL, NULL);
	const struct frame inner[] = {
		{ "do_sin", "/src/s_sin.c", 40 },	/* libm: not a .py frame */
		{ "__main__::helper[abi:v1](double)", LIB_PY, 3 },
		{ KERNEL, MAIN_PY, 18 },
		{ "_PyEval_EvalFrameDefault", "Python/ceval.c", 900 },
	};
	const struct frame outer[] = { { KERNEL, MAIN_PY, 15 } };
	const struct profile_func *kernel, *helper;
	const struct profile_file *f;

	assert_int_equal(profile_add_stack(p, inner, ARRAY_SIZE(inner)), SAMPLE_NUMBA);
	assert_int_equal(profile_add_stack(p, inner, ARRAY_SIZE(inner)), SAMPLE_NUMBA);
	assert_int_equal(profile_add_stack(p, outer, 1), SAMPLE_NUMBA);
	assert_int_equal(p->numba, 3);
	assert_int_equal(p->internal_only, 0);

	assert_int_equal(line_self(p, LIB_PY, 3), 2);
	assert_int_equal(line_total(p, LIB_PY, 3), 2);
	assert_int_equal(line_self(p, MAIN_PY, 18), 0);
	assert_int_equal(line_total(p, MAIN_PY, 18), 2);
	assert_int_equal(line_self(p, MAIN_PY, 15), 1);
	assert_int_equal(line_total(p, MAIN_PY, 15), 1);

	kernel = profile_find_func(p, "kernel");
	helper = profile_find_func(p, "helper");
	assert_non_null(kernel);
	assert_non_null(helper);
	assert_int_equal(kernel->self, 1);
	assert_int_equal(kernel->total, 3);
	assert_int_equal(kernel->first_line, 15);
	assert_string_equal(kernel->file, MAIN_PY);
	assert_int_equal(helper->self, 2);
	assert_int_equal(helper->total, 2);
	assert_false(kernel->internal);

	f = profile_find_file(p, MAIN_PY);
	assert_non_null(f);
	assert_int_equal(f->self, 1);
	assert_int_equal(f->first_line, 15);
	assert_int_equal(f->last_line, 18);
	assert_int_equal(profile_find_file(p, LIB_PY)->self, 2);
	assert_null(profile_find_file(p, "/src/s_sin.c"));
	assert_null(profile_find_func(p, "do_sin"));
	profile_free(p);
}

/* f calls f calls f: each line and the function count once per sample. */
static void test_recursion(void **state)
{
	struct profile *p = profile_new(NULL, NULL);
	const struct frame rec[] = {
		{ "__main__::f[abi:v1](long long)", MAIN_PY, 5 },
		{ "__main__::f[abi:v1](long long)", MAIN_PY, 7 },
		{ "__main__::f[abi:v1](long long)", MAIN_PY, 7 },
		{ "__main__::f[abi:v1](long long)", MAIN_PY, 5 },
	};
	const struct profile_func *f;

	profile_add_stack(p, rec, ARRAY_SIZE(rec));
	profile_add_stack(p, rec + 1, ARRAY_SIZE(rec) - 1);
	assert_int_equal(line_total(p, MAIN_PY, 5), 2);
	assert_int_equal(line_total(p, MAIN_PY, 7), 2);
	assert_int_equal(line_self(p, MAIN_PY, 5), 1);
	assert_int_equal(line_self(p, MAIN_PY, 7), 1);
	f = profile_find_func(p, "f");
	assert_int_equal(f->self, 2);
	assert_int_equal(f->total, 2);
	assert_int_equal(p->nfuncs, 1);
	profile_free(p);
}

/* gdb lists an inlined call as extra frames at the same address, often
 * repeating the caller's line. */
static void test_inline_frames(void **state)
{
	struct profile *p = profile_new(NULL, NULL);
	const struct frame st[] = {
		{ "__main__::helper[abi:v1](double)", MAIN_PY, 4 },
		{ KERNEL, MAIN_PY, 12 },
		{ KERNEL, MAIN_PY, 12 },
	};

	profile_add_stack(p, st, ARRAY_SIZE(st));
	assert_int_equal(line_self(p, MAIN_PY, 4), 1);
	assert_int_equal(line_total(p, MAIN_PY, 12), 1);
	assert_int_equal(line_self(p, MAIN_PY, 12), 0);
	assert_int_equal(profile_find_func(p, "kernel")->total, 1);
	assert_int_equal(profile_find_file(p, MAIN_PY)->self, 1);
	profile_free(p);
}

static void test_internal(void **state)
{
	int calls = 0;
	struct profile *p = profile_new(under_numba, &calls);
	const struct frame via[] = {
		{ "numba::np::arraymath::array_sum_impl::$3clocals$3e::array_sum_impl[abi:v1](Array<double, 1, C, mutable, aligned>)", NUMBA_PY, 50 },
		{ KERNEL, MAIN_PY, 9 },
	};
	const struct frame only[] = {
		{ "numba::np::arraymath::array_sum_impl::$3clocals$3e::array_sum_impl[abi:v1](Array<double, 1, C, mutable, aligned>)", NUMBA_PY, 51 },
		{ "numba::core::x::g[abi:v1](double)", "/site/numba/core/x.py", 8 },
	};
	const struct profile_file *nf;
	const struct profile_func *fn;

	profile_add_stack(p, via, ARRAY_SIZE(via));
	profile_add_stack(p, via, ARRAY_SIZE(via));
	assert_int_equal(p->internal_only, 0);
	/* The user's line gets self; Numba's line only total. */
	assert_int_equal(line_self(p, MAIN_PY, 9), 2);
	assert_int_equal(line_self(p, NUMBA_PY, 50), 0);
	assert_int_equal(line_total(p, NUMBA_PY, 50), 2);

	assert_int_equal(profile_add_stack(p, only, ARRAY_SIZE(only)), SAMPLE_NUMBA);
	assert_int_equal(p->internal_only, 1);
	assert_int_equal(p->numba, 3);
	assert_int_equal(line_self(p, NUMBA_PY, 51), 1);
	assert_int_equal(line_total(p, "/site/numba/core/x.py", 8), 1);
	assert_int_equal(line_self(p, "/site/numba/core/x.py", 8), 0);

	nf = profile_find_file(p, NUMBA_PY);
	assert_true(nf->internal);
	assert_int_equal(nf->self, 1);
	assert_false(profile_find_file(p, MAIN_PY)->internal);
	fn = profile_find_func(p, "array_sum_impl");
	assert_non_null(fn);
	assert_true(fn->internal);
	assert_int_equal(fn->self, 1);
	assert_int_equal(fn->total, 3);
	assert_int_equal(fn->first_line, 50);
	assert_int_equal(profile_find_func(p, "kernel")->self, 2);
	/* Asked once per file, not once per frame. */
	assert_int_equal(calls, 3);
	profile_free(p);
}

/* Same name in two files: two functions. A NULL name is "?". */
static void test_func_identity(void **state)
{
	struct profile *p = profile_new(NULL, NULL);
	const struct frame a[] = { { "__main__::run[abi:v1]()", MAIN_PY, 3 } };
	const struct frame b[] = { { "lib::run[abi:v1]()", LIB_PY, 3 } };
	const struct frame anon[] = { { NULL, LIB_PY, 30 } };

	profile_add_stack(p, a, 1);
	profile_add_stack(p, b, 1);
	profile_add_stack(p, anon, 1);
	assert_int_equal(p->nfuncs, 3);
	assert_int_equal(p->nfiles, 2);
	assert_non_null(profile_find_func(p, "?"));
	assert_string_equal(profile_find_func(p, "?")->file, LIB_PY);
	profile_free(p);
}

static void test_lines(void **state)
{
	struct profile *p = profile_new(NULL, NULL);
	const struct frame far[] = { { "f", MAIN_PY, 5000 } };
	const struct frame near[] = { { "f", MAIN_PY, 3 } };
	const struct profile_file *f;

	profile_add_stack(p, far, 1);
	profile_add_stack(p, near, 1);
	f = profile_find_file(p, MAIN_PY);
	assert_true(f->nlines > 5000);
	assert_int_equal(f->first_line, 3);
	assert_int_equal(f->last_line, 5000);
	assert_int_equal(line_self(p, MAIN_PY, 5000), 1);
	assert_null(profile_file_line(f, 4));
	assert_null(profile_file_line(f, 0));
	assert_null(profile_file_line(f, -1));
	assert_null(profile_file_line(f, f->nlines));
	assert_int_equal(profile_find_func(p, "f")->first_line, 3);
	profile_free(p);
}

static void add_n(struct profile *p, int n, const char *func, const char *file, int line)
{
	const struct frame fr[] = { { func, file, line } };

	while (n-- > 0)
		profile_add_stack(p, fr, 1);
}

static void test_sort(void **state)
{
	struct profile *p = profile_new(NULL, NULL);
	const struct frame nested[] = { { "c", "/b.py", 2 }, { "a", "/b.py", 1 } };
	int i;

	add_n(p, 3, "b", "/b.py", 5);
	for (i = 0; i < 3; i++)
		profile_add_stack(p, nested, 2);
	add_n(p, 1, "a", "/b.py", 1);
	add_n(p, 1, "c", "/b.py", 2);
	add_n(p, 3, "d", "/a.py", 1);
	/* self: a 1, b 3, c 4, d 3; total: a 4, b 3, c 4, d 3 */

	profile_sort(p, PROFILE_SORT_SELF);
	assert_string_equal(p->funcs[0].name, "c");
	assert_string_equal(p->funcs[1].name, "b");	/* ties by name */
	assert_string_equal(p->funcs[2].name, "d");
	assert_string_equal(p->funcs[3].name, "a");
	assert_string_equal(p->files[0].path, "/b.py");	/* self 8 */
	assert_string_equal(p->files[1].path, "/a.py");

	profile_sort(p, PROFILE_SORT_TOTAL);
	assert_string_equal(p->funcs[0].name, "c");	/* 4/4 before a 4/1 */
	assert_string_equal(p->funcs[1].name, "a");
	assert_string_equal(p->funcs[2].name, "b");
	assert_string_equal(p->funcs[3].name, "d");

	profile_sort(p, PROFILE_SORT_NAME);
	for (i = 0; i < 4; i++)
		assert_int_equal(p->funcs[i].name[0], 'a' + i);
	/* Lookups still work after the arrays moved. */
	assert_int_equal(profile_find_func(p, "c")->self, 4);
	assert_int_equal(line_total(p, "/b.py", 1), 4);
	profile_free(p);
}

/* Files tie on self: by path. */
static void test_sort_files(void **state)
{
	struct profile *p = profile_new(NULL, NULL);

	add_n(p, 2, "z", "/z.py", 1);
	add_n(p, 2, "y", "/y.py", 1);
	add_n(p, 3, "x", "/x.py", 1);
	profile_sort(p, PROFILE_SORT_SELF);
	assert_string_equal(p->files[0].path, "/x.py");
	assert_string_equal(p->files[1].path, "/y.py");
	assert_string_equal(p->files[2].path, "/z.py");
	profile_free(p);
}

static void test_rate(void **state)
{
	struct profile *p = profile_new(NULL, NULL);

	assert_true(profile_rate(p) == 0);
	profile_add_bad(p);
	assert_true(profile_rate(p) == 0);	/* no wall time */
	add_n(p, 9, "f", MAIN_PY, 1);
	p->wall_seconds = 0.5;
	assert_true(profile_rate(p) == 20.0);
	profile_free(p);
}

static void test_func_name(void **state)
{
	static const struct {
		const char *symbol, *name;
	} cases[] = {
		{ KERNEL, "kernel" },
		{ "cpython::" KERNEL, "kernel" },
		{ "mod::outer::<locals>::inner[abi:v1](long long)", "inner" },
		{ "numba::cpython::numbers::int_power_impl::$3clocals$3e::int_power[abi:v1](double, long long)", "int_power" },
		{ "__main__::$3clambda$3e[abi:v2](long long)", "<lambda>" },
		{ "__main__::caf$c3$a9[abi:v1]()", "caf\xc3\xa9" },
		{ "__main__::cost$[abi:v1]()", "cost$" },	/* not an escape */
		/* Numba 0.56 to 0.61 escape with "_xx" */
		{ "__main__::_3clambda_3e[abi:v2](long long)", "<lambda>" },
		{ "__main__::k_c3_a9rnel[abi:v1](long long)", "k\xc3\xa9rnel" },
		{ "_ZN8__main__11k_c3_a9rnelB2v1Ex", "k\xc3\xa9rnel" },
		{ "_ZN8__main__12_3clambda_3eB2v2Ex", "<lambda>" },
		{ "_ZN5numba7cpython7numbers14int_power_impl12_3clocals_3e9int_powerB2v1Edx", "int_power" },
		{ "m::x_41_ab_5f[abi:v1]()", "x_41_ab_5f" },	/* _41 'A', _5f '_' are never escaped */
		{ "m::half_c3[abi:v1]()", "half_c3" },	/* not a whole UTF-8 character */
		{ "m::a_e2_82[abi:v1]()", "a_e2_82" },	/* cut short */
		{ "m::euro_e2_82_ac[abi:v1]()", "euro\xe2\x82\xac" },
		{ "m::dash_2d_[abi:v1]()", "dash-_" },
		{ "m::end_3[abi:v1]()", "end_3" },
		{ "do_cos", "do_cos" },
		{ "do_cos(double)", "do_cos" },
		{ "ns::f(Tuple<a::b, c::d>, void (*)(int))", "f" },
		{ "(anonymous namespace)::g(int)", "g" },
		{ "std::vector<int, std::allocator<int> >::push_back(int const&)", "push_back" },
		{ "m::k[abi:v1]", "k" },
		{ "_ZN8__main__6kernelB2v1B54c8tJTC_2fWwKbcFpQAdBTgEQrlo6UyVFGMNAWVBgYHmKUJAA_3d_3dE5ArrayIdLi1E1C7mutable7alignedE", "kernel" },
		{ "_ZN5numba7cpython7numbers14int_power_impl12$3clocals$3e9int_powerB2v1Edx", "int_power" },
		{ "_Z3fooi", "foo" },
		{ "_Z", "_Z" },
		{ "??", "??" },
		{ "", "?" },
		{ "()", "?" },
		{ NULL, "?" },
	};
	size_t i;
	char *name;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		name = profile_func_name(cases[i].symbol);
		if (strcmp(name, cases[i].name) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"", cases[i].symbol ? cases[i].symbol : "NULL",
				 name, cases[i].name);
		free(name);
	}
}

struct tree {
	char root[64];
};

static void touch(const char *root, const char *rel)
{
	char *path = xasprintf("%s/%s", root, rel);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fclose(f);
	free(path);
}

static void mkdir_in(const char *root, const char *rel)
{
	char *path = xasprintf("%s/%s", root, rel);

	assert_int_equal(mkdir(path, 0700), 0);
	free(path);
}

static const char *const tree_dirs[] = {
	"site", "site/numba", "site/numba/core", "site/numba/np",
	"proj", "proj/numba",
	"fake", "fake/numba", "fake/numba/np",
	"filecore", "filecore/numba",
};
static const char *const tree_files[] = {
	"site/numba/__init__.py", "site/numba/core/typing.py", "site/numba/np/arraymath.py",
	"proj/numba/script.py",
	"fake/numba/__init__.py", "fake/numba/np/arraymath.py",
	"filecore/numba/__init__.py", "filecore/numba/core",
};

static int tree_setup(void **state)
{
	struct tree *t = xcalloc(1, sizeof(*t));
	size_t i;

	strcpy(t->root, "/tmp/nprof-test-profile-XXXXXX");
	if (!mkdtemp(t->root))
		return -1;
	for (i = 0; i < ARRAY_SIZE(tree_dirs); i++)
		mkdir_in(t->root, tree_dirs[i]);
	for (i = 0; i < ARRAY_SIZE(tree_files); i++)
		touch(t->root, tree_files[i]);
	*state = t;
	return 0;
}

static int tree_teardown(void **state)
{
	struct tree *t = *state;
	size_t i;
	char *path;

	for (i = 0; i < ARRAY_SIZE(tree_files); i++) {
		path = xasprintf("%s/%s", t->root, tree_files[i]);
		unlink(path);
		free(path);
	}
	for (i = ARRAY_SIZE(tree_dirs); i-- > 0;) {
		path = xasprintf("%s/%s", t->root, tree_dirs[i]);
		rmdir(path);
		free(path);
	}
	rmdir(t->root);
	free(t);
	return 0;
}

static int numba_file(const struct tree *t, const char *rel)
{
	char *path = xasprintf("%s/%s", t->root, rel);
	int ret = profile_is_numba_file(path, NULL);

	free(path);
	return ret;
}

static void test_is_numba_file(void **state)
{
	struct tree *t = *state;

	assert_true(numba_file(t, "site/numba/np/arraymath.py"));
	assert_true(numba_file(t, "site/numba/core/typing.py"));
	assert_true(numba_file(t, "site/numba/__init__.py"));
	/* Only the layout counts, not whether the file itself exists. */
	assert_true(numba_file(t, "site/numba/np/gone/deeper.py"));
	/* A user's directory that happens to be called numba. */
	assert_false(numba_file(t, "proj/numba/script.py"));
	/* numba/__init__.py but no core directory. */
	assert_false(numba_file(t, "fake/numba/np/arraymath.py"));
	/* "core" is a file, not a directory. */
	assert_false(numba_file(t, "filecore/numba/x.py"));
	assert_false(numba_file(t, "site/kernel.py"));
	assert_false(profile_is_numba_file("kernel.py", NULL));
	assert_false(profile_is_numba_file("/nonexistent/numba/core/x.py", NULL));
}

/* Wired as the profile's callback, it sorts the frames. */
static void test_is_numba_file_in_profile(void **state)
{
	struct tree *t = *state;
	struct profile *p = profile_new(profile_is_numba_file, NULL);
	char *lib = xasprintf("%s/site/numba/np/arraymath.py", t->root);
	char *user = xasprintf("%s/proj/numba/script.py", t->root);
	const struct frame st[] = { { "impl", lib, 10 }, { KERNEL, user, 4 } };

	profile_add_stack(p, st, ARRAY_SIZE(st));
	assert_true(profile_find_file(p, lib)->internal);
	assert_false(profile_find_file(p, user)->internal);
	assert_int_equal(line_self(p, user, 4), 1);
	assert_int_equal(p->internal_only, 0);
	profile_free(p);
	free(lib);
	free(user);
}

static void test_pool_libs(void **state)
{
	(void)state;
	assert_true(profile_is_pool_lib("/usr/lib/x86_64-linux-gnu/libgomp.so.1"));
	assert_true(profile_is_pool_lib("libtbb.so.12"));
	assert_true(profile_is_pool_lib(
		"/usr/lib/python3/dist-packages/numba/np/ufunc/workqueue.cpython-311-x86_64-linux-gnu.so"));
	assert_true(profile_is_pool_lib("omppool.cpython-313-x86_64-linux-gnu.so"));
	assert_false(profile_is_pool_lib("/usr/lib/x86_64-linux-gnu/libtbbmalloc.so.2"));
	assert_false(profile_is_pool_lib("/usr/lib/x86_64-linux-gnu/libm.so.6"));
	assert_false(profile_is_pool_lib("/opt/libgomp/libc.so.6"));
}

/* Samples of two threads: pool code inside the innermost line (the main
 * thread at the region's end), or with no line (an idle worker), is
 * waiting, counted on no line; pool code outside a line (the pool running
 * the body) is not.  Each thread counts its own samples and waiting, and
 * its top self line. */
static void test_threads_and_pool_wait(void **state)
{
	struct profile *p = profile_new(NULL, NULL);
	struct frame body[] = { { "sin", NULL, 0, 0, "/lib/libm.so.6" },
				{ "__main__::f[abi:v1](double)", "/u/k.py", 9 },
				{ "thread_worker", NULL, 0, 0, "/n/workqueue.cpython-311.so" } };
	struct frame head = { "__main__::f[abi:v1](double)", "/u/k.py", 8 };
	struct frame barrier[] = { { "futex_wait", NULL, 0, 0, "/lib/libc.so.6" },
				   { "synchronize", NULL, 0, 0, "/n/workqueue.cpython-311.so" },
				   { "__main__::f[abi:v1](double)", "/u/k.py", 8 } };
	struct frame idle[] = { { "sched_yield", NULL, 0, 0, "/lib/libc.so.6" },
				{ "gomp_barrier_wait_end", NULL, 0, 0, "/lib/libgomp.so.1" },
				{ "start_thread", NULL, 0, 0, "/lib/libc.so.6" } };
	struct frame plain = { "read", NULL, 0, 0, "/lib/libc.so.6" };
	struct profile_origin t100 = { 1, 100, 1 }, t200 = { 1, 200, 2 };
	struct profile_thread_top tops[2];
	char *name;

	(void)state;
	assert_int_equal(profile_add_sample(p, &t100, body, 3), SAMPLE_NUMBA);
	assert_int_equal(profile_add_sample(p, &t100, body, 3), SAMPLE_NUMBA);
	assert_int_equal(profile_add_sample(p, &t100, &head, 1), SAMPLE_NUMBA);
	assert_int_equal(profile_add_sample(p, &t100, barrier, 3), SAMPLE_POOL);
	assert_int_equal(profile_add_sample(p, &t200, idle, 3), SAMPLE_POOL);
	assert_int_equal(profile_add_sample(p, &t200, &plain, 1), SAMPLE_OTHER);
	profile_add_bad_sample(p, &t200);
	assert_int_equal(p->samples, 7);
	assert_int_equal(p->numba, 3);
	assert_int_equal(p->pool_wait, 2);
	assert_int_equal(p->other, 1);
	assert_int_equal(p->bad, 1);
	/* Waiting is on no line: line 8 has the one sample of head. */
	assert_int_equal(profile_file_line(profile_find_file(p, "/u/k.py"), 8)->total, 1);
	/* The idle worker's stack keeps the frames down to the pool's. */
	for (size_t i = 0; i < p->nframes; i++) {
		assert_string_not_equal(p->frames[i].name, "start_thread");
		assert_int_equal(p->frames[i].pool, strcmp(p->frames[i].name, "synchronize") == 0 ||
							    strcmp(p->frames[i].name, "gomp_barrier_wait_end") == 0 ||
							    strcmp(p->frames[i].name, "thread_worker") == 0);
	}
	assert_int_equal(p->nthreads, 2);
	assert_int_equal(p->threads[0].tid, 100);
	assert_int_equal(p->threads[0].samples, 4);
	assert_int_equal(p->threads[0].pool_wait, 1);
	assert_int_equal(p->threads[1].samples, 3);
	assert_int_equal(p->threads[1].pool_wait, 1);
	profile_sort(p, PROFILE_SORT_SELF);
	profile_thread_tops(p, tops);
	assert_non_null(tops[0].file);
	assert_string_equal(tops[0].file, "/u/k.py");
	assert_int_equal(tops[0].line, 9);
	assert_int_equal(tops[0].self, 2);
	assert_null(tops[1].file);
	name = profile_func_name("_ZN13_3cdynamic_3e36__numba_parfor_gufunc_0x7f55300c4650B2v5B116c8tJTC_2fWQAkyW1xhBopo9CCDiCFCDMJHDTCIGCy8IDxIcEFloKEF4UEDC8KBhhWIo6mjgJZwoWpwJVOYNCIkbcG2Ai0vgkhqAgA_3dE5ArrayIyLi1E1C7mutable7alignedE");
	assert_string_equal(name, PROFILE_PARFOR_NAME);
	free(name);
	profile_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_other_and_bad),
		cmocka_unit_test(test_self_and_total),
		cmocka_unit_test(test_recursion),
		cmocka_unit_test(test_inline_frames),
		cmocka_unit_test(test_internal),
		cmocka_unit_test(test_func_identity),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_sort),
		cmocka_unit_test(test_sort_files),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_func_name),
		cmocka_unit_test(test_pool_libs),
		cmocka_unit_test(test_threads_and_pool_wait),
		cmocka_unit_test_setup_teardown(test_is_numba_file, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_is_numba_file_in_profile, tree_setup,
						tree_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
