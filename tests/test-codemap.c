/* Tests for codemap and unwind, against this very process: its own
 * mappings, and a JIT list it keeps itself (GDB's JIT interface, the
 * layout LLVM uses) holding the fixture JIT object. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dwarf.h>
#include <sys/wait.h>
#include <unistd.h>

#include "codemap.h"
#include "jitfixture.h"
#include "unwind.h"

struct jit_code_entry {
	struct jit_code_entry *next_entry, *prev_entry;
	const unsigned char *symfile_addr;
	uint64_t symfile_size;
};

struct jit_descriptor {
	uint32_t version, action_flag;
	struct jit_code_entry *relevant_entry, *first_entry;
};

/* What the codemap looks for, by name, in this executable's symbols. */
struct jit_descriptor __jit_debug_descriptor = { 1, 0, NULL, NULL };

struct fixture {
	unsigned char *img;
	struct jit_code_entry entry;
	struct codemap *map;
	struct elfcode *code;	/* the fixture, opened here too, to read its CFI */
	uint64_t lo, hi;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	size_t n;
	const struct elfcode_range *r;

	f->img = jitfixture_load(&f->entry.symfile_size);
	f->entry.symfile_addr = f->img;
	f->code = elfcode_open_jit(jitfixture_load(&n), n);
	r = elfcode_ranges(f->code, &n);
	f->lo = r[0].lo;
	f->hi = r[0].hi;
	f->map = codemap_new(getpid());
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	__jit_debug_descriptor.first_entry = NULL;
	codemap_free(f->map);
	elfcode_free(f->code);
	free(f->img);
	free(f);
	return 0;
}

static void jit_register(struct fixture *f)
{
	__jit_debug_descriptor.first_entry = &f->entry;
	__jit_debug_descriptor.relevant_entry = &f->entry;
	__jit_debug_descriptor.action_flag = 1;
}

static void jit_unregister(struct fixture *f)
{
	__jit_debug_descriptor.first_entry = NULL;
	__jit_debug_descriptor.relevant_entry = &f->entry;
	__jit_debug_descriptor.action_flag = 2;
}

static void test_own_code_is_found(void **state)
{
	struct fixture *f = *state;
	const struct codemap_entry *e;

	assert_null(codemap_find(f->map, (uint64_t)(uintptr_t)&setup));
	assert_int_equal(codemap_refresh(f->map), 0);
	e = codemap_find(f->map, (uint64_t)(uintptr_t)&setup);
	assert_non_null(e);
	assert_false(e->jit);
	assert_null(codemap_find(f->map, 16));
}

/* The JIT list is read when it changes, objects it no longer lists go. */
static void test_jit_objects_come_and_go(void **state)
{
	struct fixture *f = *state;
	const struct codemap_entry *e;

	assert_int_equal(codemap_refresh(f->map), 0);
	assert_null(codemap_find(f->map, f->lo));
	assert_int_equal(codemap_watch(f->map), 0);
	assert_null(codemap_find(f->map, f->lo));

	jit_register(f);
	assert_int_equal(codemap_watch(f->map), 0);
	e = codemap_find(f->map, f->lo);
	assert_non_null(e);
	assert_true(e->jit);
	assert_int_equal(e->bias, 0);
	assert_ptr_equal(codemap_find(f->map, f->hi - 1), e);
	assert_null(codemap_find(f->map, f->hi));

	jit_unregister(f);
	assert_int_equal(codemap_watch(f->map), 0);
	assert_null(codemap_find(f->map, f->lo));
}

/* A list entry whose image is not an object is skipped, not fatal. */
static void test_bad_jit_image_is_skipped(void **state)
{
	struct fixture *f = *state;
	static const unsigned char junk[256] = "junk";
	struct jit_code_entry bad = { &f->entry, NULL, junk, sizeof(junk) };

	f->entry.prev_entry = &bad;
	__jit_debug_descriptor.first_entry = &bad;
	__jit_debug_descriptor.action_flag = 1;
	assert_int_equal(codemap_refresh(f->map), 0);
	assert_non_null(codemap_find(f->map, f->lo));
	f->entry.prev_entry = NULL;
}

/* A walk cut short (an entry freed under it) takes nothing as gone, and
 * the list is walked again at the next look. */
static void test_walk_cut_short_forgets_nothing(void **state)
{
	struct fixture *f = *state;
	struct jit_code_entry broken = { (struct jit_code_entry *)16, NULL, f->img, 0 };

	jit_register(f);
	assert_int_equal(codemap_watch(f->map), 0);
	assert_int_equal(codemap_refresh(f->map), 0);
	assert_non_null(codemap_find(f->map, f->lo));
	__jit_debug_descriptor.first_entry = &broken;	/* its next is unreadable */
	__jit_debug_descriptor.action_flag = 1;
	__jit_debug_descriptor.relevant_entry = &broken;
	assert_int_equal(codemap_watch(f->map), 0);
	assert_non_null(codemap_find(f->map, f->lo));
	/* The same head again: still walked, and now the object is gone. */
	broken.next_entry = NULL;
	assert_int_equal(codemap_watch(f->map), 0);
	assert_null(codemap_find(f->map, f->lo));
}

static void test_dead_process_keeps_what_was_read(void **state)
{
	struct fixture *f = *state;
	pid_t child = fork();
	struct codemap *m;

	(void)f;
	assert_true(child >= 0);
	if (child == 0)
		_exit(0);
	waitpid(child, NULL, 0);
	m = codemap_new(child);
	assert_int_equal(codemap_refresh(m), -1);
	assert_int_equal(codemap_watch(m), -1);
	codemap_free(m);
}

/* The CFA offset (from rsp) of the fixture's code at `a`. */
static uint64_t cfa_offset(struct fixture *f, uint64_t a)
{
	Dwarf_Frame *frame;
	Dwarf_Op *ops;
	size_t nops;
	uint64_t off;

	assert_int_equal(elfcode_cfi_frame(f->code, a, &frame), 0);
	assert_int_equal(dwarf_frame_cfa(frame, &ops, &nops), 0);
	assert_int_equal(ops[0].atom, DW_OP_bregx);
	assert_int_equal(ops[0].number, 7);
	off = ops[0].number2;
	free(frame);
	return off;
}

/* An address of the kernel, and one of the CPython wrapper after it (code
 * with unwind rules but no line information): a call from one to the
 * other, made up on a stack of our own, maybe through a native function
 * in between (called at its first instruction, where the CFA is rsp + 8). */
struct chain {
	uint64_t kernel, wrapper;
	unsigned char data[512];
	struct unwind_regs regs;
	struct unwind_stack stack;
};

static void make_chain(struct fixture *f, struct chain *c, uint64_t native, uint64_t outer_return)
{
	const uint64_t sp = 0x7ff000000000ull;
	uint64_t kernel_cfa, wrapper_cfa, ret;
	struct frame fr[4];

	memset(c, 0, sizeof(*c));
	for (c->kernel = f->lo; elfcode_lines(f->code, c->kernel, fr, 4) < 2; c->kernel++)
		assert_true(c->kernel < f->hi);
	for (c->wrapper = f->hi - 16; elfcode_lines(f->code, c->wrapper, fr, 4) != 0; c->wrapper--)
		assert_true(c->wrapper > f->lo);
	kernel_cfa = sp + cfa_offset(f, c->kernel);
	/* Each frame's return address sits just below its CFA. */
	if (native) {
		ret = native + 1;
		memcpy(c->data + (kernel_cfa - 8 - sp), &ret, 8);
		kernel_cfa += 8;	/* the native frame's CFA */
	}
	wrapper_cfa = kernel_cfa + cfa_offset(f, c->wrapper);
	ret = c->wrapper + 1;
	memcpy(c->data + (kernel_cfa - 8 - sp), &ret, 8);
	memcpy(c->data + (wrapper_cfa - 8 - sp), &outer_return, 8);
	c->regs.r[UNWIND_IP] = c->kernel;
	c->regs.r[UNWIND_SP] = sp;
	c->regs.valid = (1u << UNWIND_IP) | (1u << UNWIND_SP);
	c->stack.base = sp;
	c->stack.data = c->data;
	c->stack.size = wrapper_cfa - sp;
}

/* The fixture registered and read, and a chain made on it. */
static void chain_ready(struct fixture *f, struct chain *c, uint64_t native, uint64_t outer_return)
{
	jit_register(f);
	assert_int_equal(codemap_refresh(f->map), 0);
	make_chain(f, c, native, outer_return);
}

/* This test program is the process's executable: it plays python, the
 * interpreter that called the jitted code. */
static uint64_t interpreter_return(void)
{
	return (uint64_t)(uintptr_t)&setup + 1;
}

/* JIT frames up to the interpreter that called them. */
static void test_unwind_stops_at_the_interpreter(void **state)
{
	struct fixture *f = *state;
	struct chain c;
	struct unwind_frame frames[16];
	int unknown;

	chain_ready(f, &c, 0, interpreter_return());
	assert_true(codemap_find(f->map, interpreter_return() - 1)->interpreter);
	assert_int_equal(unwind_stack(f->map, &c.regs, &c.stack, frames, 16, &unknown), 2);
	assert_int_equal(frames[0].pc, c.kernel);
	assert_int_equal(frames[1].pc, c.wrapper + 1);
	/* Callers are looked up at their call: the byte before the return. */
	assert_int_equal(frames[0].lookup, c.kernel);
	assert_int_equal(frames[1].lookup, c.wrapper);
	assert_true(frames[0].code->jit && frames[1].code->jit);
	assert_false(unknown);
	assert_int_equal(unwind_stack(f->map, &c.regs, &c.stack, frames, 1, &unknown), 1);
}

static void test_unwind_says_when_code_is_unknown(void **state)
{
	struct fixture *f = *state;
	struct chain c;
	struct unwind_frame frames[16];
	int unknown;

	chain_ready(f, &c, 0, 0x1234);
	assert_int_equal(unwind_stack(f->map, &c.regs, &c.stack, frames, 16, &unknown), 2);
	assert_true(unknown);
	c.regs.r[UNWIND_IP] = 0x1234;
	assert_int_equal(unwind_stack(f->map, &c.regs, &c.stack, frames, 16, &unknown), 0);
	assert_true(unknown);
}

/* Native code between two JIT frames (Numba's thread pool between the
 * function holding a prange loop and the loop's body) is walked through. */
static void test_unwind_goes_through_native_code(void **state)
{
	struct fixture *f = *state;
	struct chain c;
	struct unwind_frame frames[16];
	uint64_t native = (uint64_t)(uintptr_t)&getpid;	/* in libc, not the executable */
	int unknown;

	chain_ready(f, &c, native, interpreter_return());
	assert_false(codemap_find(f->map, native)->jit);
	assert_int_equal(unwind_stack(f->map, &c.regs, &c.stack, frames, 16, &unknown), 3);
	assert_int_equal(frames[0].pc, c.kernel);
	assert_int_equal(frames[1].pc, native + 1);
	assert_int_equal(frames[2].pc, c.wrapper + 1);
	assert_false(unknown);
}

/* A copy too short to hold the return address ends the walk there. */
static void test_unwind_stays_inside_the_copy(void **state)
{
	struct fixture *f = *state;
	struct chain c;
	struct unwind_frame frames[16];
	int unknown;

	chain_ready(f, &c, 0, interpreter_return());
	c.stack.size = cfa_offset(f, c.kernel) - 4;
	assert_int_equal(unwind_stack(f->map, &c.regs, &c.stack, frames, 16, &unknown), 1);
	assert_false(unknown);
	c.regs.valid = 1u << UNWIND_IP;	/* no stack pointer: no CFA */
	assert_int_equal(unwind_stack(f->map, &c.regs, &c.stack, frames, 16, &unknown), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_own_code_is_found, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jit_objects_come_and_go, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_jit_image_is_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk_cut_short_forgets_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dead_process_keeps_what_was_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwind_stops_at_the_interpreter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwind_goes_through_native_code, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwind_says_when_code_is_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwind_stays_inside_the_copy, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
