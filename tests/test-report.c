/* Tests of source.c and report-text.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profile.h"
#include "report.h"
#include "source.h"
#include "strbuf.h"
#include "util.h"

#define KERNEL_SYM "__main__::kernel[abi:v1][abi:c8tJTC_2fWwKbcFpQAdBTgEQrlo6UyVFGMNAWVBgYHmKUJAA_3d_3d](Array<double, 1, C, mutable, aligned>)"
#define HELPER_SYM "__main__::helper[abi:v1](double)"
#define POWER_SYM "numba::cpython::numbers::int_power_impl::$3clocals$3e::int_power[abi:v1](double, long long)"
#define SUM_SYM "numba::np::arraymath::array_sum_impl::$3clocals$3e::array_sum_impl[abi:v1](Array<double, 1, C, mutable, aligned>)"
#define NUMBERS_PY "/nonexistent/site/numba/cpython/numbers.py"
#define ARRAYMATH_PY "/nonexistent/site/numba/np/arraymath.py"

static const char *data_dir(void)
{
	static char dir[4096];
	const char *srcdir = getenv("srcdir");

	snprintf(dir, sizeof(dir), "%s/data/report", srcdir ? srcdir : "tests");
	return dir;
}

static char *data_path(const char *name)
{
	return xasprintf("%s/%s", data_dir(), name);
}

static char *read_all(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(f);
	return strbuf_detach(&sb);
}

/* An expected output, with @DIR@ standing for the data directory. */
static char *expected(const char *name)
{
	char *path = data_path(name), *text = read_all(path), *p = text, *at;
	struct strbuf sb = STRBUF_INIT;

	while ((at = strstr(p, "@DIR@")) != NULL) {
		strbuf_add(&sb, p, (size_t)(at - p));
		strbuf_addstr(&sb, data_dir());
		p = at + strlen("@DIR@");
	}
	strbuf_addstr(&sb, p);
	free(text);
	free(path);
	return strbuf_detach(&sb);
}

static char *write_temp(const char *data, size_t len)
{
	char *path = xstrdup("/tmp/nprof-test-source-XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

static int is_numba_dir(const char *file, void *ctx)
{
	return strstr(file, "/numba/") != NULL;
}

static void add(struct profile *p, int times, const struct frame *frames, size_t n)
{
	while (times-- > 0)
		profile_add_stack(p, frames, n);
}

/* 100 samples over tests/data/report/kernel.py; see kernel.expected. */
static struct profile *kernel_profile(void)
{
	struct profile *p = profile_new(is_numba_dir, NULL);
	char *py = data_path("kernel.py");
	const struct frame line16[] = { { KERNEL_SYM, py, 16 }, { "_PyEval_EvalFrameDefault", NULL, 0 } };
	const struct frame line15[] = { { KERNEL_SYM, py, 15 } };
	const struct frame inlined[] = { { HELPER_SYM, py, 8 }, { KERNEL_SYM, py, 19 } };
	const struct frame line19[] = { { KERNEL_SYM, py, 19 } };
	const struct frame power[] = { { POWER_SYM, NUMBERS_PY, 200 }, { KERNEL_SYM, py, 19 } };
	const struct frame sum[] = { { SUM_SYM, ARRAYMATH_PY, 50 } };
	const struct frame line13[] = { { "cpython::" KERNEL_SYM, py, 13 } };
	const struct frame other[] = { { "__sincos_fma", "./math/s_sincos.c", 60 } };
	int i;

	add(p, 10, line16, ARRAY_SIZE(line16));
	add(p, 5, line15, ARRAY_SIZE(line15));
	add(p, 40, inlined, ARRAY_SIZE(inlined));
	add(p, 20, line19, ARRAY_SIZE(line19));
	add(p, 5, power, ARRAY_SIZE(power));
	add(p, 2, sum, ARRAY_SIZE(sum));
	add(p, 1, line13, ARRAY_SIZE(line13));
	add(p, 12, other, ARRAY_SIZE(other));
	for (i = 0; i < 5; i++)
		profile_add_bad(p);
	p->wall_seconds = 1.0;
	p->paused_seconds = 0.108;
	p->rate_requested = 100;
	free(py);
	return p;
}

/* The report as a string; asserts report_text succeeded. */
static char *render(struct profile *p, const struct report_options *opt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	assert_int_equal(report_text(out, p, opt), 0);
	assert_int_equal(fclose(out), 0);
	return buf;
}

static void test_source_lines(void **state)
{
	static const char text[] = "one\r\ntwo\n\n  four";
	char *path = write_temp(text, sizeof(text) - 1);
	struct source *src = source_load(path);

	assert_non_null(src);
	assert_int_equal(source_nlines(src), 4);
	assert_string_equal(source_line(src, 1), "one");
	assert_string_equal(source_line(src, 2), "two");
	assert_string_equal(source_line(src, 3), "");
	assert_string_equal(source_line(src, 4), "  four");
	assert_null(source_line(src, 0));
	assert_null(source_line(src, 5));
	source_free(src);
	unlink(path);
	free(path);
}

static void test_source_final_newline(void **state)
{
	static const char text[] = "a\nb\n";
	char *path = write_temp(text, sizeof(text) - 1);
	struct source *src = source_load(path);

	assert_non_null(src);
	assert_int_equal(source_nlines(src), 2);
	assert_string_equal(source_line(src, 2), "b");
	source_free(src);
	unlink(path);
	free(path);

	path = write_temp("", 0);
	src = source_load(path);
	assert_non_null(src);
	assert_int_equal(source_nlines(src), 0);
	assert_null(source_line(src, 1));
	assert_int_equal(source_find_def(src, "kernel", 10), 0);
	source_free(src);
	unlink(path);
	free(path);
}

static void test_source_long_line(void **state)
{
	size_t n = 300000;
	char *text = xmalloc(n + 8), *path;
	struct source *src;

	memset(text, 'x', n);
	memcpy(text + n, "\nend\n", 5);
	path = write_temp(text, n + 5);
	src = source_load(path);
	assert_non_null(src);
	assert_int_equal(source_nlines(src), 2);
	assert_int_equal(strlen(source_line(src, 1)), n);
	assert_string_equal(source_line(src, 2), "end");
	source_free(src);
	unlink(path);
	free(path);
	free(text);
}

static void test_source_unreadable(void **state)
{
	assert_null(source_load("/nonexistent/nprof/kernel.py"));
	assert_null(source_load(data_dir()));	/* a directory */
}

static void test_source_find_def(void **state)
{
	static const char text[] =
		"def kernel_2(a):\n"		/* 1 */
		"    # def kernel(a):\n"	/* 2 */
		"@njit\n"			/* 3 */
		"def kernel(a):\n"		/* 4 */
		"    x = 1\n"			/* 5 */
		"\tdef  kernel (b):\n"		/* 6: nested, odd spacing */
		"        return b\n"		/* 7 */
		"    return x\n"		/* 8 */
		"defkernel(a):\n"		/* 9 */
		"def kernel\n";			/* 10 */
	char *path = write_temp(text, sizeof(text) - 1);
	struct source *src = source_load(path);

	assert_non_null(src);
	assert_int_equal(source_find_def(src, "kernel", 5), 4);
	assert_int_equal(source_find_def(src, "kernel", 4), 4);
	assert_int_equal(source_find_def(src, "kernel", 3), 0);
	assert_int_equal(source_find_def(src, "kernel", 7), 6);
	assert_int_equal(source_find_def(src, "kernel", 10), 6);
	assert_int_equal(source_find_def(src, "kernel", 1000), 6);
	assert_int_equal(source_find_def(src, "kernel_2", 8), 1);
	assert_int_equal(source_find_def(src, "kern", 8), 0);
	assert_int_equal(source_find_def(src, "", 8), 0);
	source_free(src);
	unlink(path);
	free(path);
}

static void test_report_full(void **state)
{
	struct report_options opt = {
		.sort = PROFILE_SORT_SELF,
		.codegen = "numba code generation: faithful (line tables only)",
	};
	struct profile *p = kernel_profile();
	char *out = render(p, &opt), *want = expected("kernel.expected");

	assert_string_equal(out, want);
	free(out);
	free(want);
	profile_free(p);
}

static void test_report_internals(void **state)
{
	struct report_options opt = { .show_internals = 1, .sort = PROFILE_SORT_SELF };
	struct profile *p = kernel_profile();
	char *out = render(p, &opt), *want = expected("kernel-internals.expected");

	assert_string_equal(out, want);
	free(out);
	free(want);
	profile_free(p);
}

static void test_report_sort(void **state)
{
	struct report_options opt = { .sort = PROFILE_SORT_NAME };
	struct profile *p = kernel_profile();
	char *out = render(p, &opt);
	char *helper = strstr(out, "\nhelper "), *kernel = strstr(out, "\nkernel ");

	assert_non_null(helper);
	assert_non_null(kernel);
	assert_true(helper < kernel);
	free(out);

	opt.sort = PROFILE_SORT_TOTAL;
	out = render(p, &opt);
	helper = strstr(out, "\nhelper ");
	kernel = strstr(out, "\nkernel ");
	assert_non_null(helper);
	assert_non_null(kernel);
	assert_true(kernel < helper);
	free(out);
	profile_free(p);
}

static void test_report_no_numba(void **state)
{
	struct report_options opt = { .sort = PROFILE_SORT_SELF };
	struct profile *p = profile_new(NULL, NULL);
	const struct frame other[] = { { "PyEval_EvalCode", "Python/ceval.c", 10 } };
	char *out;

	add(p, 3, other, ARRAY_SIZE(other));
	profile_add_bad(p);
	p->wall_seconds = 2.0;
	out = render(p, &opt);
	assert_string_equal(out,
		"nprof: 4 samples at 2.0 Hz, 75.0% not in Numba code, 25.0% unreadable; sampling paused the target 0.0% of 2.0 s\n"
		"\n"
		"no samples were in Numba-compiled code with line info: was the function compiled with @njit, and did it run long enough? `nprof doctor` checks that nprof can see Numba's JIT code here\n");
	free(out);
	profile_free(p);
}

/* The kernel's samples: taken per CPU time, with no pause and maybe some
 * dropped. */
static void test_report_perf_header(void **state)
{
	struct report_options opt = { .sort = PROFILE_SORT_SELF };
	struct profile *p = profile_new(NULL, NULL);
	const struct frame other[] = { { NULL, NULL, 0 } };
	char *out;

	add(p, 2, other, ARRAY_SIZE(other));
	p->wall_seconds = 2.0;
	p->rate_requested = 100;
	p->cpu_time = 1;
	p->never_paused = 1;
	p->lost = 3;
	out = render(p, &opt);
	assert_non_null(strstr(out, "nprof: 2 samples, one per 10 ms of the main thread's CPU time, "
				    "100.0% not in Numba code, 0.0% unreadable, 3 lost; "
				    "the kernel took the samples, the target was not stopped\n"));
	free(out);
	p->all_threads = 1;
	p->rate_requested = 1000;
	out = render(p, &opt);
	assert_non_null(strstr(out, "nprof: 2 samples, one per 1 ms of each thread's CPU time, "));
	free(out);
	profile_free(p);
}

static void test_report_empty(void **state)
{
	struct report_options opt = { .sort = PROFILE_SORT_SELF };
	struct profile *p = profile_new(NULL, NULL);
	char *out;

	p->rate_requested = 250;
	out = render(p, &opt);
	assert_string_equal(out,
		"nprof: 0 samples (250 Hz requested)\n"
		"\n"
		"no samples were in Numba-compiled code with line info: was the function compiled with @njit, and did it run long enough? `nprof doctor` checks that nprof can see Numba's JIT code here\n");
	free(out);
	profile_free(p);
}

static void test_report_internal_only(void **state)
{
	struct report_options opt = { .sort = PROFILE_SORT_SELF };
	struct profile *p = profile_new(is_numba_dir, NULL);
	const struct frame sum[] = { { SUM_SYM, ARRAYMATH_PY, 50 } };
	char *out;

	add(p, 1, sum, ARRAY_SIZE(sum));
	out = render(p, &opt);
	assert_string_equal(out,
		"nprof: 1 sample, 0.0% not in Numba code, 0.0% unreadable, 100.0% only in Numba's own code\n"
		"\n"
		"every Numba sample was in Numba's own code; --show-internals lists it\n");
	free(out);
	profile_free(p);
}

static void test_report_missing_source(void **state)
{
	struct report_options opt = { .sort = PROFILE_SORT_SELF };
	struct profile *p = profile_new(NULL, NULL);
	const struct frame f7[] = { { "__main__::gone[abi:v1](long long)", "/nonexistent/gone.py", 7 } };
	const struct frame f9[] = { { "__main__::gone[abi:v1](long long)", "/nonexistent/gone.py", 9 } };
	char *out;

	add(p, 1, f7, 1);
	add(p, 3, f9, 1);
	out = render(p, &opt);
	assert_string_equal(out,
		"nprof: 4 samples, 0.0% not in Numba code, 0.0% unreadable\n"
		"\n"
		"/nonexistent/gone.py  (100.0% self)\n"
		"(cannot read this file: showing the sampled lines only)\n"
		"  self%  total%  line | source\n"
		"  25.0%   25.0%     7 | <line 7>\n"
		"  75.0%   75.0%     9 | <line 9>\n"
		"\n"
		"function   self%  total%  self/total  location\n"
		"gone      100.0%  100.0%         4/4  /nonexistent/gone.py:7\n");
	free(out);
	profile_free(p);
}

/* The file is shorter than the lines sampled: the source changed. */
static void test_report_changed_source(void **state)
{
	struct report_options opt = { .sort = PROFILE_SORT_SELF };
	struct profile *p = profile_new(NULL, NULL);
	char *py = data_path("kernel.py");
	const struct frame f[] = { { KERNEL_SYM, py, 21 }, { KERNEL_SYM, py, 19 } };
	char *out;

	add(p, 2, f, ARRAY_SIZE(f));
	out = render(p, &opt);
	assert_non_null(strstr(out, "(the file has 20 lines but line 21 was sampled: code Numba generates, as for parallel=True, can carry such lines; or the file changed since the run)\n"));
	/* Starts at kernel's decorator, ends past the end of the file. */
	assert_non_null(strstr(out, "line | source\n                   11 | @njit\n"));
	assert_non_null(strstr(out, "         100.0%    19 |         total += helper(a[i])\n"
				    "                   20 |     return total\n"
				    " 100.0%  100.0%    21 | <line 21>\n\n"));
	free(out);
	free(py);
	profile_free(p);
}

static void test_report_write_error(void **state)
{
	struct report_options opt = { .sort = PROFILE_SORT_SELF };
	struct profile *p = kernel_profile();
	FILE *out = fopen("/dev/full", "w");

	if (!out)
		skip();
	/* Fully buffered: the writes "succeed" until the flush. */
	setvbuf(out, NULL, _IOFBF, 1 << 16);
	assert_int_equal(report_text(out, p, &opt), -1);
	fclose(out);
	profile_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_source_lines),
		cmocka_unit_test(test_source_final_newline),
		cmocka_unit_test(test_source_long_line),
		cmocka_unit_test(test_source_unreadable),
		cmocka_unit_test(test_source_find_def),
		cmocka_unit_test(test_report_full),
		cmocka_unit_test(test_report_internals),
		cmocka_unit_test(test_report_sort),
		cmocka_unit_test(test_report_no_numba),
		cmocka_unit_test(test_report_empty),
		cmocka_unit_test(test_report_internal_only),
		cmocka_unit_test(test_report_perf_header),
		cmocka_unit_test(test_report_missing_source),
		cmocka_unit_test(test_report_changed_source),
		cmocka_unit_test(test_report_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
