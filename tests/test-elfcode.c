/* Tests for elfcode: source lines (inlined calls included) and unwind
 * rules of a real Numba JIT object, and symbols of a real ELF file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dwarf.h>
#include <gelf.h>

#include "elfcode.h"
#include "jitfixture.h"
#include "jitobj.h"

/* A fixture read twice: through elfcode, and straight through libdw, so a
 * test can ask elfcode about the very addresses the DWARF gives to one
 * function or inlined call. */
struct fixture {
	struct elfcode *code;
	unsigned char *img;
	Elf *elf;
	Dwarf *dwarf;
};

static struct fixture *fixture_open(const char *name)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	unsigned char *img;
	size_t n;

	img = jitfixture_load_named(name, &n);
	f->code = elfcode_open_jit(img, n);
	f->img = jitfixture_load_named(name, &n);
	assert_non_null(f->code);
	assert_int_equal(jitobj_relocate(f->img, n), 0);
	elf_version(EV_CURRENT);
	f->elf = elf_memory((char *)f->img, n);
	assert_non_null(f->elf);
	f->dwarf = dwarf_begin_elf(f->elf, DWARF_C_READ, NULL);
	assert_non_null(f->dwarf);
	return f;
}

static void fixture_close(struct fixture *f)
{
	dwarf_end(f->dwarf);
	elf_end(f->elf);
	free(f->img);
	elfcode_free(f->code);
	free(f);
}

typedef void (*die_fn)(struct fixture *f, Dwarf_Die *die, void *ctx);

static void fixture_walk(struct fixture *f, Dwarf_Die *parent, int tag, die_fn fn, void *ctx)
{
	Dwarf_Die child;

	if (dwarf_child(parent, &child) != 0)
		return;
	do {
		if (dwarf_tag(&child) == tag)
			fn(f, &child, ctx);
		fixture_walk(f, &child, tag, fn, ctx);
	} while (dwarf_siblingof(&child, &child) == 0);
}

/* Calls fn on every DIE of tag `tag`, in every unit. */
static void fixture_each(struct fixture *f, int tag, die_fn fn, void *ctx)
{
	Dwarf_Off off = 0, next;
	size_t hsize;
	Dwarf_Die cu;

	while (dwarf_nextcu(f->dwarf, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		if (dwarf_offdie(f->dwarf, off + hsize, &cu))
			fixture_walk(f, &cu, tag, fn, ctx);
		off = next;
	}
}

static const char *die_linkage_name(Dwarf_Die *die)
{
	Dwarf_Attribute attr;

	return dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &attr));
}

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

/* What an inlined call's code must give: the callee's own frame. */
struct callee_check {
	int body_line, call_line;	/* 0: any */
	size_t addresses;		/* checked */
};

/* Every address of an inlined call's code has the callee's frame, with a
 * line, and the call line in the frame after it (line-0 code, such as the
 * call of a library function, included). */
static void check_inlined_call(struct fixture *f, Dwarf_Die *die, void *ctx)
{
	struct callee_check *want = ctx;
	const char *name = die_linkage_name(die);
	Dwarf_Addr base, lo, hi;
	ptrdiff_t off = 0;

	assert_non_null(name);
	while ((off = dwarf_ranges(die, off, &base, &lo, &hi)) > 0) {
		for (Dwarf_Addr a = lo; a < hi; a++) {
			struct frame fr[8];
			size_t n = elfcode_lines(f->code, a, fr, 8), j;

			for (j = 0; j + 1 < n; j++)
				if (fr[j].func && strcmp(fr[j].func, name) == 0)
					break;
			if (j + 1 >= n)
				fail_msg("%#lx (in %s) has no frame of it (%zu frames, the first %s:%d)",
					 (unsigned long)a, name, n, n ? fr[0].func : "-", n ? fr[0].line : 0);
			assert_true(fr[j].line > 0);
			if (want->body_line && strstr(name, "5heavy")) {
				assert_int_equal(fr[j].line, want->body_line);
				assert_int_equal(fr[j + 1].line, want->call_line);
			}
			want->addresses++;
		}
	}
}

static void test_inlined_code_has_its_callees_frame(const char *name, int body_line, int call_line)
{
	struct fixture *f = fixture_open(name);
	struct callee_check want = { body_line, call_line, 0 };

	fixture_each(f, DW_TAG_inlined_subroutine, check_inlined_call, &want);
	assert_true(want.addresses > 0);
	fixture_close(f);
}

/* heavy(v) = np.log1p(v * v): the call of log1p and the moves of its
 * result are line 0, inside heavy's inlined code; they are heavy's. */
static void test_log1p_call_stays_in_its_helper(void **state)
{
	(void)state;
	test_inlined_code_has_its_callees_frame("helpers", HELPERS_HELPER_BODY, HELPERS_CALL_LINE);
}

static void test_kernel_inlined_code_has_its_callees_frame(void **state)
{
	(void)state;
	test_inlined_code_has_its_callees_frame("kernel", FIXTURE_HELPER_BODY, FIXTURE_CALL_LINE);
}

struct own_check {
	size_t addresses;
};

/* Every address of a user function's code has frames, the outermost in
 * the function's own file at a line of its own. */
static void check_function_code(struct fixture *f, Dwarf_Die *die, void *ctx)
{
	struct own_check *seen = ctx;
	Dwarf_Addr lo, hi;

	if (dwarf_lowpc(die, &lo) != 0 || dwarf_highpc(die, &hi) != 0)
		return;
	for (Dwarf_Addr a = lo; a < hi; a++) {
		struct frame fr[8];
		size_t n = elfcode_lines(f->code, a, fr, 8);

		if (n == 0)
			fail_msg("%#lx (offset %#lx of the function) has no line",
				 (unsigned long)a, (unsigned long)(a - lo));
		assert_true(ends_with(fr[n - 1].file, "/power.py"));
		assert_true(fr[n - 1].line > 0);
		seen->addresses++;
	}
}

/* Line-0 code right after Numba's own inlined `x ** 2` (int_power, of
 * numba/cpython/numbers.py) is the user's function's, at the line that
 * called it; the `x ** 2` itself is int_power's frame inlined there. */
static void test_code_after_numbas_helper_is_its_call_line(void **state)
{
	struct fixture *f = fixture_open("power");
	struct own_check seen = { 0 };
	struct callee_check want = { 0, 0, 0 };
	int after = 0;

	(void)state;
	fixture_each(f, DW_TAG_subprogram, check_function_code, &seen);
	assert_true(seen.addresses > 100);
	fixture_each(f, DW_TAG_inlined_subroutine, check_inlined_call, &want);
	assert_true(want.addresses > 0);
	/* The code after an int_power range: its one frame is the power line. */
	{
		size_t nr;
		const struct elfcode_range *r = elfcode_ranges(f->code, &nr);

		for (uint64_t a = r[0].lo + 1; a < r[0].hi; a++) {
			struct frame prev[8], fr[8];
			size_t np = elfcode_lines(f->code, a - 1, prev, 8);
			size_t n = elfcode_lines(f->code, a, fr, 8);

			if (np == 2 && strstr(prev[0].func, "int_power") && n == 1) {
				assert_int_equal(fr[0].line, POWER_LINE);
				after++;
			}
		}
	}
	assert_true(after > 0);
	fixture_close(f);
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
		cmocka_unit_test(test_log1p_call_stays_in_its_helper),
		cmocka_unit_test(test_kernel_inlined_code_has_its_callees_frame),
		cmocka_unit_test(test_code_after_numbas_helper_is_its_call_line),
		cmocka_unit_test(test_bad_images_are_refused),
		cmocka_unit_test(test_file_symbols_and_bias),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
