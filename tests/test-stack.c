/* Tests of stack: -stack-list-frames results from a real gdb 13 transcript. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mi.h"
#include "stack.h"

/* The first ^done record with a stack in the transcript. */
static struct mi_record *first_stack_record(void)
{
	char path[4096], line[65536];
	const char *srcdir = getenv("srcdir");
	FILE *f;

	snprintf(path, sizeof(path), "%s/data/mi/sample-numba-gdb13.mi", srcdir ? srcdir : "tests");
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		size_t n = strcspn(line, "\n");

		if (strstr(line, "^done,stack=[")) {
			fclose(f);
			return mi_parse_line(line, n);
		}
	}
	fclose(f);
	fail_msg("no stack in the transcript");
	return NULL;
}

static void test_numba_frame_has_source_line(void **state)
{
	struct mi_record *rec = first_stack_record();
	struct stack st = { 0 };

	(void)state;
	assert_int_equal(stack_append_mi(&st, rec->results), 18);
	assert_int_equal(st.n, 18);
	/* Frame 3 is Numba's CPython wrapper, frame 6 the bytecode loop. */
	assert_true(stack_reached_python(&st, 0));
	assert_true(stack_reached_python(&st, 3));
	assert_true(stack_reached_python(&st, 6));
	assert_false(stack_reached_python(&st, 8));
	st.n = 3;
	assert_false(stack_reached_python(&st, 0));
	st.n = 18;
	/* Innermost first: libm, then the jitted kernel with its line. */
	assert_string_equal(st.frames[0].func, "libc_feholdsetround_sse_ctx");
	assert_true(strncmp(st.frames[2].func, "__main__::kernel", 16) == 0);
	assert_string_equal(st.frames[2].file, "/tmp/exp/kernel.py");
	assert_int_equal(st.frames[2].line, 12);
	/* The cpython:: wrapper has neither file nor line. */
	assert_null(st.frames[3].file);
	assert_int_equal(st.frames[3].line, 0);
	stack_release(&st);
	mi_record_free(rec);
}

/* The ^done stack records of a transcript, in order; returns how many. */
static size_t stack_records(const char *name, struct mi_record **recs, size_t max)
{
	char path[4096], line[65536];
	const char *srcdir = getenv("srcdir");
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/data/mi/%s", srcdir ? srcdir : "tests", name);
	f = fopen(path, "r");
	assert_non_null(f);
	while (n < max && fgets(line, sizeof(line), f))
		if (strstr(line, "^done,stack=["))
			recs[n++] = mi_parse_line(line, strcspn(line, "\n"));
	fclose(f);
	return n;
}

/* A thread in the Python of a `with objmode()` block: the bytecode loop
 * and the CPython wrapper of the function Numba lifted out of the block
 * (no lines) come first; the jitted function with the block's line is
 * in the second chunk.  Only below it is the Python side reached. */
static void test_objmode_block_lists_on_to_its_line(void **state)
{
	struct mi_record *recs[2];
	struct stack st = { 0 };

	(void)state;
	assert_int_equal(stack_records("objmode-gdb13.mi", recs, 2), 2);
	assert_int_equal(stack_append_mi(&st, recs[0]->results), 4);
	assert_false(stack_reached_python(&st, 0));
	assert_int_equal(stack_append_mi(&st, recs[1]->results), 16);
	assert_int_equal(st.frames[8].line, 18);
	assert_true(stack_reached_python(&st, 4));
	/* What lies above the frame with lines does not end the stack. */
	st.n = 9;
	assert_false(stack_reached_python(&st, 4));
	stack_release(&st);
	mi_record_free(recs[0]);
	mi_record_free(recs[1]);
}

static void test_fullname_preferred_over_file(void **state)
{
	const char *line = "^done,stack=[frame={level=\"0\",func=\"f\",file=\"k.py\","
			   "fullname=\"/home/u/k.py\",line=\"7\"},frame={level=\"1\",func=\"g\",file=\"rel.py\",line=\"3\"}]";
	struct mi_record *rec = mi_parse_line(line, strlen(line));
	struct stack st = { 0 };

	(void)state;
	assert_int_equal(stack_append_mi(&st, rec->results), 2);
	/* The same frames again (by level) are not appended; a reset starts over. */
	assert_int_equal(stack_append_mi(&st, rec->results), 0);
	assert_int_equal(st.n, 2);
	assert_false(stack_reached_python(&st, 0));
	stack_reset(&st);
	assert_int_equal(stack_append_mi(&st, rec->results), 2);
	assert_int_equal(st.n, 2);
	assert_string_equal(st.frames[0].file, "/home/u/k.py");
	assert_string_equal(st.frames[1].file, "rel.py");
	assert_int_equal(st.frames[1].line, 3);
	stack_release(&st);
	mi_record_free(rec);
}

static void test_unreadable_results_are_refused(void **state)
{
	const char *bad[] = {
		"^done,threads=[]",
		"^done,stack=[\"not a frame\"]",
		"^done,stack=\"text\"",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mi_record *rec = mi_parse_line(bad[i], strlen(bad[i]));
		struct stack st = { 0 };

		assert_int_equal(stack_append_mi(&st, rec->results), -1);
		assert_int_equal(st.n, 0);
		stack_release(&st);
		mi_record_free(rec);
	}
}

static void test_bad_line_numbers_become_zero(void **state)
{
	const char *line = "^done,stack=[frame={func=\"f\",file=\"a.py\",line=\"-4\"},frame={func=\"g\"}]";
	struct mi_record *rec = mi_parse_line(line, strlen(line));
	struct stack st = { 0 };

	(void)state;
	assert_int_equal(stack_append_mi(&st, rec->results), 2);
	assert_int_equal(st.frames[0].line, 0);
	assert_null(st.frames[1].file);
	assert_string_equal(st.frames[1].func, "g");
	stack_release(&st);
	mi_record_free(rec);
}

/* The ^done record answering command `token` in a transcript. */
static struct mi_record *transcript_result(const char *name, long token)
{
	char path[4096], line[65536], prefix[32];
	const char *srcdir = getenv("srcdir");
	FILE *f;

	snprintf(path, sizeof(path), "%s/data/mi/%s", srcdir ? srcdir : "tests", name);
	snprintf(prefix, sizeof(prefix), "%ld^done", token);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, prefix, strlen(prefix)) == 0) {
			fclose(f);
			return mi_parse_line(line, strcspn(line, "\n"));
		}
	}
	fclose(f);
	fail_msg("no result %ld in %s", token, name);
	return NULL;
}

/* An idle OpenMP worker of gdb 13 (four-frames-gdb13.mi): frames 0-3,
 * then the overlapping chunk 3-19 gives frame 3 alone.  Frame 3 is not
 * added twice, and the stack ends at 4 frames. */
static void test_overlapping_chunks_of_a_four_frame_stack(void **state)
{
	struct mi_record *first = transcript_result("four-frames-gdb13.mi", 224);
	struct mi_record *second = transcript_result("four-frames-gdb13.mi", 225);
	struct stack st = { 0 };

	(void)state;
	assert_int_equal(stack_append_mi(&st, first->results), 4);
	assert_int_equal(stack_append_mi(&st, second->results), 0);
	assert_int_equal(st.n, 4);
	assert_string_equal(st.frames[3].func, "clone3");
	assert_false(stack_recursion(&st));
	/* The main thread's full chunk 3-19 adds frames 4-19 only. */
	stack_reset(&st);
	first = (mi_record_free(first), transcript_result("four-frames-gdb13.mi", 222));
	mi_record_free(second);
	second = transcript_result("four-frames-gdb13.mi", 223);
	assert_int_equal(stack_append_mi(&st, first->results), 4);
	assert_int_equal(stack_append_mi(&st, second->results), 16);
	assert_int_equal(st.n, 20);
	stack_release(&st);
	mi_record_free(first);
	mi_record_free(second);
}

static void test_recursion_is_a_jitted_line_twice(void **state)
{
	const char *rec_line = "^done,stack=[frame={level=\"0\",func=\"leaf\",file=\"/k.py\",line=\"9\"},"
			       "frame={level=\"1\",func=\"rec\",file=\"/k.py\",line=\"15\"},"
			       "frame={level=\"2\",func=\"rec\",file=\"/k.py\",line=\"16\"},"
			       "frame={level=\"3\",func=\"rec\",file=\"/k.py\",line=\"16\"}]";
	const char *c_line = "^done,stack=[frame={level=\"0\",func=\"f\",file=\"a.c\",line=\"3\"},"
			     "frame={level=\"1\",func=\"f\",file=\"a.c\",line=\"3\"},"
			     "frame={level=\"2\",func=\"g\",file=\"/k.py\",line=\"16\"}]";
	struct mi_record *rec = mi_parse_line(rec_line, strlen(rec_line));
	struct mi_record *c = mi_parse_line(c_line, strlen(c_line));
	struct stack st = { 0 };

	(void)state;
	assert_int_equal(stack_append_mi(&st, rec->results), 4);
	assert_true(stack_recursion(&st));
	st.n = 3;
	assert_false(stack_recursion(&st));
	/* C code recursing, or the same line in another function, is not. */
	stack_reset(&st);
	assert_int_equal(stack_append_mi(&st, c->results), 3);
	assert_false(stack_recursion(&st));
	stack_release(&st);
	mi_record_free(rec);
	mi_record_free(c);
}

static void test_gdb_event_functions(void **state)
{
	(void)state;
	assert_true(stack_is_gdb_event_function("__jit_debug_register_code"));
	assert_true(stack_is_gdb_event_function("_dl_debug_state"));
	assert_true(stack_is_gdb_event_function("__GI__dl_debug_state"));
	assert_false(stack_is_gdb_event_function("__jit_debug_register_code2"));
	assert_false(stack_is_gdb_event_function("do_sin"));
	assert_false(stack_is_gdb_event_function(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numba_frame_has_source_line),
		cmocka_unit_test(test_objmode_block_lists_on_to_its_line),
		cmocka_unit_test(test_fullname_preferred_over_file),
		cmocka_unit_test(test_unreadable_results_are_refused),
		cmocka_unit_test(test_bad_line_numbers_become_zero),
		cmocka_unit_test(test_gdb_event_functions),
		cmocka_unit_test(test_overlapping_chunks_of_a_four_frame_stack),
		cmocka_unit_test(test_recursion_is_a_jitted_line_twice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
