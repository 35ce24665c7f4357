/* Tests for elfcode: source lines (inlined calls included) and unwind
 * rules of a real Numba JIT object, and symbols of a real ELF file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dwarf.h>

#include "elfcode.h"
#include "jitfixture.h"

static int setup(void **state)
{
	size_t n;
	unsigned char *img = jitfixture_load(&n);

	*state = elfcode_open_jit(img, n);
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	elfcode_free(*state);
	return 0;
}

static int ends_with(const char *s, const char *suffix)
{
	return s && strlen(s) >= strlen(suffix) && strcmp(s + strlen(s) - strlen(suffix), suffix) == 0;
}

static void test_one_code_range(void **state)
{
	size_t n;
	const struct elfcode_range *r = elfcode_ranges(*state, &n);

	assert_int_equal(n, 1);
	assert_true(r[0].lo != 0 && r[0].hi > r[0].lo);
}

/* Somewhere in the kernel, the inlined helper's body runs: its line is the
 * innermost frame, the kernel's call line the next, in their functions. */
static void test_inlined_helper_is_a_frame_of_its_own(void **state)
{
	size_t nr;
	const struct elfcode_range *r = elfcode_ranges(*state, &nr);
	int found = 0;

	for (uint64_t a = r[0].lo; a < r[0].hi && !found; a++) {
		struct frame f[8];
		size_t n = elfcode_lines(*state, a, f, 8);

		if (n == 2 && f[0].line == FIXTURE_HELPER_BODY) {
			assert_true(ends_with(f[0].file, "/kernel.py"));
			assert_non_null(strstr(f[0].func, "5heavy"));
			assert_int_equal(f[1].line, FIXTURE_CALL_LINE);
			assert_true(ends_with(f[1].file, "/kernel.py"));
			assert_non_null(strstr(f[1].func, "6kernel"));
			found = 1;
		}
	}
	assert_true(found);
}

/* Every address of the kernel's code has a line: line 0 rows (code of no
 * one statement) take the line before them.  The CPython wrapper after
 * the kernel has no debug info at all. */
static void test_lines_are_never_zero(void **state)
{
	size_t nr;
	const struct elfcode_range *r = elfcode_ranges(*state, &nr);
	size_t with_lines = 0;

	for (uint64_t a = r[0].lo; a < r[0].hi; a++) {
		struct frame f[8];
		size_t n = elfcode_lines(*state, a, f, 8);

		for (size_t i = 0; i < n; i++)
			assert_true(f[i].line > 0);
		with_lines += n > 0;
	}
	assert_true(with_lines > 100);
	assert_true(with_lines < r[0].hi - r[0].lo);
}

/* A frame's line is in its function's file: Numba's own helpers (inlined
 * from numba/cpython/numbers.py) in Numba's files, the kernel's and its
 * helper's in kernel.py, whatever line-0 rows lie around them. */
static void test_frames_keep_to_their_functions_files(void **state)
{
	size_t nr;
	const struct elfcode_range *r = elfcode_ranges(*state, &nr);
	int numba_frames = 0;

	for (uint64_t a = r[0].lo; a < r[0].hi; a++) {
		struct frame f[8];
		size_t n = elfcode_lines(*state, a, f, 8);

		for (size_t i = 0; i < n; i++) {
			assert_non_null(f[i].func);
			if (strstr(f[i].func, "_ZN5numba")) {
				assert_non_null(strstr(f[i].file, "/numba/"));
				numba_frames++;
			} else {
				assert_true(ends_with(f[i].file, "/kernel.py"));
			}
		}
	}
	assert_true(numba_frames > 0);
}

static void test_frames_are_cut_at_max(void **state)
{
	size_t nr;
	const struct elfcode_range *r = elfcode_ranges(*state, &nr);

	for (uint64_t a = r[0].lo; a < r[0].hi; a++) {
		struct frame f[8];

		if (elfcode_lines(*state, a, f, 8) >= 2) {
			assert_int_equal(elfcode_lines(*state, a, f, 1), 1);
			assert_int_equal(elfcode_lines(*state, a, f, 0), 0);
			return;
		}
	}
	fail_msg("no inlined frames found");
}

static void test_outside_the_code_there_is_nothing(void **state)
{
	size_t nr;
	const struct elfcode_range *r = elfcode_ranges(*state, &nr);
	struct frame f[8];
	Dwarf_Frame *frame;

	assert_int_equal(elfcode_lines(*state, r[0].lo - 1, f, 8), 0);
	assert_int_equal(elfcode_lines(*state, r[0].hi + 4096, f, 8), 0);
	assert_int_equal(elfcode_cfi_frame(*state, r[0].hi + 4096, &frame), -1);
}

/* Every address of the kernel's code (where it has lines) has an unwind
 * rule: the CFA is the stack pointer plus the frame's size.  (Padding
 * between functions has none.) */
static void test_every_address_has_an_unwind_rule(void **state)
{
	size_t nr;
	const struct elfcode_range *r = elfcode_ranges(*state, &nr);

	for (uint64_t a = r[0].lo; a < r[0].hi; a++) {
		Dwarf_Frame *frame;
		Dwarf_Op *ops;
		size_t nops;
		struct frame f[8];

		if (elfcode_lines(*state, a, f, 8) == 0)
			continue;
		assert_int_equal(elfcode_cfi_frame(*state, a, &frame), 0);
		assert_int_equal(dwarf_frame_cfa(frame, &ops, &nops), 0);
		assert_int_equal(nops, 1);
		assert_int_equal(ops[0].atom, DW_OP_bregx);
		assert_int_equal(ops[0].number, 7);	/* rsp */
		assert_true(ops[0].number2 >= 8);
		free(frame);
	}
}

static void test_bad_images_are_refused(void **state)
{
	unsigned char *junk = xcalloc(1, 128);

	(void)state;
	assert_null(elfcode_open_jit(junk, 128));	/* frees it */
	assert_null(elfcode_open_file("/nonexistent/libx.so"));
	assert_null(elfcode_open_file("/etc/passwd"));
}

/* A file: its symbols, and where a mapping of it puts them. */
static void test_file_symbols_and_bias(void **state)
{
	struct elfcode *c = elfcode_open_file("/proc/self/exe");
	uint64_t value, bias;
	size_t n;

	(void)state;
	assert_non_null(c);
	assert_int_equal(elfcode_symbol(c, "main", &value), 0);
	assert_true(value != 0);
	assert_int_equal(elfcode_symbol(c, "no_such_symbol_here", &value), -1);
	assert_null(elfcode_ranges(c, &n));
	assert_int_equal(n, 0);
	/* Mapped at 0x10000 from offset 0: the first segment's address there. */
	assert_int_equal(elfcode_bias(c, 0x10000, 0, &bias), 0);
	assert_int_equal(elfcode_bias(c, 0x10000, 1ull << 40, &bias), -1);
	elfcode_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_one_code_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inlined_helper_is_a_frame_of_its_own, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lines_are_never_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_frames_keep_to_their_functions_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_frames_are_cut_at_max, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outside_the_code_there_is_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_address_has_an_unwind_rule, setup, teardown),
		cmocka_unit_test(test_bad_images_are_refused),
		cmocka_unit_test(test_file_symbols_and_bias),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
