/* Tests of the renderers and load-json on a profile built here: a saved
 * profile reads back as the same model (text, JSON and collapsed output
 * identical), with threads, native frames, unreadable samples, a file
 * that cannot be read and sources kept; the format table. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load-json.h"
#include "profile.h"
#include "report.h"
#include "source.h"

static const char *const kernel_src[] = { "@njit", "def kernel(a):", "    t = 0.0",
					   "    for x in a:", "        t += sin(x)", "    return t" };

static struct profile *build(void)
{
	struct profile *p = profile_new(NULL, NULL);
	struct profile_origin main_t = { 100, 100, 1000000 }, worker = { 100, 101, 2000000 };
	const struct frame hot[] = { { "sin", NULL, 0, 0, "/lib/libm.so.6" },
				     { "__main__::kernel[abi:v1](double)", "/u/k.py", 5 },
				     { "PyEval", NULL, 0, 0, "/usr/bin/python3" } };
	const struct frame inl[] = { { "helper", "/u/h.py", 2, 1 }, { "kernel", "/u/k.py", 4 } };
	const struct frame gone[] = { { "f", "/nonexistent/g.py", 9 } };
	const struct frame native[] = { { "memcpy", NULL, 0, 0, "/lib/libc.so.6" }, { "x" } };

	profile_set_source(p, "/u/k.py", source_from_lines(kernel_src, 6));
	profile_set_source(p, "/u/h.py", NULL);
	for (int i = 0; i < 5; i++) {
		main_t.time_ns += 10000000;
		profile_add_sample(p, &main_t, hot, 3);
	}
	profile_add_sample(p, &worker, inl, 2);
	profile_add_sample(p, &worker, gone, 1);
	profile_add_sample(p, &main_t, native, 2);
	profile_add_sample(p, &main_t, NULL, 0);
	profile_add_bad_sample(p, &worker);
	p->sampler = strdup("perf");
	p->codegen = strdup("numba code generation: test");
	p->command = strdup("python3 k.py \"quoted\" </script>");
	p->rate_requested = 100;
	p->cpu_time = p->never_paused = 1;
	p->wall_seconds = 0.125;
	return p;
}

static char *render(report_fn fn, struct profile *p, const struct report_options *opt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(fn(f, p, opt), 0);
	fclose(f);
	return buf;
}

static void test_model(void **state)
{
	struct profile *p = build();

	assert_int_equal(p->samples, 10);
	assert_int_equal(p->numba, 7);
	assert_int_equal(p->other, 2);
	assert_int_equal(p->bad, 1);
	assert_int_equal(p->nthreads, 2);
	/* A Numba sample keeps no native frame outside its lines; the inner
	 * ones it keeps, named with their library. */
	for (size_t i = 0; i < p->nframes; i++)
		assert_true(strcmp(p->frames[i].name, "PyEval") != 0);
	assert_string_equal(p->frames[1].name, "sin");
	assert_string_equal(p->frames[1].lib, "libm.so.6");
	assert_string_equal(p->frames[0].name, "kernel");
	assert_true(profile_bytes(p) > 0);
	profile_free(p);
}

static void test_round_trip(void **state)
{
	struct report_options opt = { .sort = PROFILE_SORT_SELF };
	struct profile *p = build(), *q;
	char *text1, *json1, *coll1, *text2, *json2, *coll2, err[256];

	json1 = render(report_json, p, &opt);
	text1 = render(report_text, p, &opt);
	/* The text report sorted the files: the JSON does not change. */
	json2 = render(report_json, p, &opt);
	assert_string_equal(json1, json2);
	free(json2);
	coll1 = render(report_collapsed, p, &opt);
	q = load_json(json1, strlen(json1), err, sizeof(err));
	if (!q)
		fail_msg("%s", err);
	text2 = render(report_text, q, &opt);
	json2 = render(report_json, q, &opt);
	coll2 = render(report_collapsed, q, &opt);
	assert_string_equal(text1, text2);
	assert_string_equal(json1, json2);
	assert_string_equal(coll1, coll2);
	assert_non_null(strstr(text1, "        t += sin(x)"));
	assert_non_null(strstr(coll1, "kernel (k.py:5);sin (libm.so.6) 5\n"));
	assert_non_null(strstr(coll1, "kernel (k.py:4);helper (h.py:2) 1\n"));
	assert_non_null(strstr(coll1, "[unreadable] 1\n"));
	assert_non_null(strstr(json1, "\\\"quoted\\\" <\\/script>\""));
	assert_null(strstr(coll1, "PyEval"));
	assert_int_equal(q->nthreads, 2);
	assert_int_equal(q->threads[1].tid, 101);
	free(text1);
	free(json1);
	free(coll1);
	free(text2);
	free(json2);
	free(coll2);
	profile_free(p);
	profile_free(q);
}

static void test_load_refuses_bad_indices(void **state)
{
	static const char *const bad[] = {
		"{\"format\": \"nprof-profile\", \"version\": 1, \"frames\": [], \"stacks\": [null, [0, 0]]}",
		"{\"format\": \"nprof-profile\", \"version\": 1, \"frames\": [{\"kind\": \"native\", \"name\": \"x\"}],"
		" \"stacks\": [null, [1, 0]]}",
		"{\"format\": \"nprof-profile\", \"version\": 1, \"frames\": [], \"stacks\": [null],"
		" \"threads\": [], \"processes\": [], \"samples\": {\"thread\": [0], \"stack\": [0], \"dt_us\": [0]}}",
		"{\"format\": \"nprof-profile\", \"version\": 2}",
		"[1]",
	};
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_null(load_json(bad[i], strlen(bad[i]), err, sizeof(err)));
}

static void test_format_table(void **state)
{
	assert_string_equal(report_format_for_path("a/b.speedscope.json")->name, "speedscope");
	assert_string_equal(report_format_for_path("b.json")->name, "json");
	assert_string_equal(report_format_for_path("b.pb.gz")->name, "pprof");
	assert_string_equal(report_format_for_path("b.pprof")->name, "pprof");
	assert_string_equal(report_format_for_path("b.folded")->name, "collapsed");
	assert_string_equal(report_format_for_path("b.html")->name, "html");
	assert_null(report_format_for_path("b.dat"));
	assert_string_equal(report_format_choose(NULL, "b.dat")->name, "text");
	assert_string_equal(report_format_choose("json", "b.html")->name, "json");
	for (size_t i = 0; report_formats[i]; i++)
		assert_ptr_equal(report_format_find(report_formats[i]->name), report_formats[i]);
}

static void test_every_format_renders(void **state)
{
	struct report_options opt = { .sort = PROFILE_SORT_SELF };
	struct profile *p = build();

	for (size_t i = 0; report_formats[i]; i++) {
		char *out = render(report_formats[i]->render, p, &opt);

		assert_true(strlen(out) > 0 || report_formats[i]->binary);
		free(out);
	}
	profile_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_load_refuses_bad_indices),
		cmocka_unit_test(test_format_table),
		cmocka_unit_test(test_every_format_renders),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
