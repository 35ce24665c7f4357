/* Tests for codemap and unwind, against this very process: its own
 * mappings, and a JIT list it keeps itself (GDB's JIT interface, the
 * layout LLVM uses) holding the fixture JIT object. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dwarf.h>
#include <elf.h>
#include <sys/wait.h>
#include <unistd.h>

#include "codemap.h"
#include "elfcode.h"
#include "jitfixture.h"
#include "jitlines.h"
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
	/* Code of each library is found in its own mapping. */
	{
		const uint64_t addrs[] = { (uint64_t)(uintptr_t)&getpid,
					   (uint64_t)(uintptr_t)&dwarf_begin,
					   (uint64_t)(uintptr_t)&_cmocka_run_group_tests };

		for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
			e = codemap_find(f->map, addrs[i]);
			assert_non_null(e);
			assert_true(e->lo <= addrs[i] && addrs[i] < e->hi);
			assert_false(e->jit || e->interpreter);
		}
	}
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

/* A debugger's frames named again: one in the JIT object (two frames at
 * one address, as gdb lists an inlined call) by the object's own line
 * tables, as elfcode names that address; one in this executable and one
 * with no address kept as listed.  The JIT object is unknown to the map
 * until jitlines reads it again. */
static void test_jitlines_names_jit_frames_by_their_line_tables(void **state)
{
	struct fixture *f = *state;
	struct frame want[8], out[16];
	struct frame in[] = { { "gdb::inner", "/x/numbers.py", 241 }, { "gdb::outer", "/x/k.py", 7 },
			      { "main", NULL, 0, 0, "/bin/test" }, { "??", NULL, 0 } };
	uint64_t pc = 0;
	size_t nwant = 0, n;
	int blind = 1;

	(void)state;
	/* An address of the object with lines: the first of its range. */
	for (uint64_t a = f->lo; a < f->hi && !nwant; a++)
		if ((nwant = elfcode_lines(f->code, a, want, 8)) > 0)
			pc = a;
	assert_true(nwant > 0);
	assert_int_equal(codemap_refresh(f->map), 0);
	jit_register(f);
	{
		uint64_t pcs[] = { pc, pc, (uint64_t)(uintptr_t)&test_jitlines_names_jit_frames_by_their_line_tables + 1, 0 };

		n = jitlines_name(f->map, in, pcs, 4, out, 16, &blind);
	}
	assert_int_equal(n, nwant + 2);
	assert_false(blind);	/* the debugger named the JIT frame */
	for (size_t i = 0; i < nwant; i++) {
		assert_string_equal(out[i].file, want[i].file);
		assert_int_equal(out[i].line, want[i].line);
		assert_int_equal(out[i].inlined, i + 1 < nwant);
		assert_null(out[i].lib);
	}
	assert_string_equal(out[nwant].func, "main");
	assert_string_equal(out[nwant].lib, "/bin/test");
	assert_string_equal(out[nwant + 1].func, "??");
	/* Fewer slots than frames: cut, never past max. */
	{
		uint64_t pcs[] = { pc, pc, 0, 0 };

		assert_int_equal(jitlines_name(f->map, in, pcs, 4, out, 1, NULL), 1);
		in[0].line = 0;
		jitlines_name(f->map, in, pcs, 4, out, 16, &blind);
		assert_true(blind);
	}
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

/* An image refused once (not an object) is remembered: a later walk of
 * the list reads neither it nor the good object again. */
static void test_refused_image_is_not_read_again(void **state)
{
	struct fixture *f = *state;
	static const unsigned char junk[256] = "junk";
	struct jit_code_entry bad = { &f->entry, NULL, junk, sizeof(junk) };

	f->entry.prev_entry = &bad;
	__jit_debug_descriptor.first_entry = &bad;
	__jit_debug_descriptor.relevant_entry = &bad;
	__jit_debug_descriptor.action_flag = 1;
	assert_int_equal(codemap_refresh(f->map), 0);
	assert_int_equal(codemap_images_read(f->map), 2);
	__jit_debug_descriptor.relevant_entry = &f->entry;	/* the list "changed" */
	assert_int_equal(codemap_watch(f->map), 0);
	assert_non_null(codemap_find(f->map, f->lo));
	assert_int_equal(codemap_images_read(f->map), 2);
	f->entry.prev_entry = NULL;
}

/* The symbol names of the fixture image, to change one. */
static unsigned char *fixture_names(struct fixture *f)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f->img;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(f->img + eh->e_shoff);

	for (size_t i = 0; i < eh->e_shnum; i++)
		if (sh[i].sh_type == SHT_SYMTAB)
			return f->img + sh[sh[i].sh_link].sh_offset;
	fail_msg("the fixture has no symbol table");
	return NULL;
}

/* An object freed and replaced by another of the same size, with its
 * list entry and image at the same addresses (what the allocator does),
 * leaves the list's head as it was: the new object is read all the same,
 * and an unchanged list is not read again. */
static void test_replaced_object_is_read_again(void **state)
{
	struct fixture *f = *state;
	unsigned char *names = fixture_names(f);

	jit_register(f);
	assert_int_equal(codemap_refresh(f->map), 0);
	assert_int_equal(codemap_watch(f->map), 0);
	assert_int_equal(codemap_images_read(f->map), 1);
	names[1] ^= 1;	/* another function's name: another object */
	assert_int_equal(codemap_watch(f->map), 0);
	assert_int_equal(codemap_images_read(f->map), 2);
	assert_non_null(codemap_find(f->map, f->lo));
	assert_int_equal(codemap_watch(f->map), 0);
	assert_int_equal(codemap_images_read(f->map), 2);
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

/* Three functions of this executable with hand-written CFI, for unwinding
 * through register-based rules (they are never called; only their code's
 * addresses and unwind rules are used):
 * - uf_leaf leaves rbp alone (its rule for rbp is "same value");
 * - uf_mid and uf_outer keep a frame pointer: CFA = rbp + 16, the caller's
 *   rbp saved at CFA - 16 (uf_mid also saves rbx, at CFA - 24).
 * uf_mid calls uf_leaf and uf_outer calls uf_mid; *_ret are the return
 * addresses of those calls. */
__asm__(
	"	.text\n"
	"	.globl uf_leaf_body, uf_mid_ret, uf_outer_ret\n"
	"	.type uf_leaf, @function\n"
	"uf_leaf:\n"
	"	.cfi_startproc\n"
	"	nop\n"
	"uf_leaf_body:\n"
	"	nop\n"
	"	ret\n"
	"	.cfi_endproc\n"
	"	.size uf_leaf, .-uf_leaf\n"
	"	.type uf_mid, @function\n"
	"uf_mid:\n"
	"	.cfi_startproc\n"
	"	pushq %rbp\n"
	"	.cfi_def_cfa_offset 16\n"
	"	.cfi_offset %rbp, -16\n"
	"	movq %rsp, %rbp\n"
	"	.cfi_def_cfa_register %rbp\n"
	"	pushq %rbx\n"
	"	.cfi_offset %rbx, -24\n"
	"	subq $8, %rsp\n"
	"	call uf_leaf\n"
	"uf_mid_ret:\n"
	"	addq $8, %rsp\n"
	"	popq %rbx\n"
	"	popq %rbp\n"
	"	.cfi_def_cfa %rsp, 8\n"
	"	ret\n"
	"	.cfi_endproc\n"
	"	.size uf_mid, .-uf_mid\n"
	"	.type uf_outer, @function\n"
	"uf_outer:\n"
	"	.cfi_startproc\n"
	"	pushq %rbp\n"
	"	.cfi_def_cfa_offset 16\n"
	"	.cfi_offset %rbp, -16\n"
	"	movq %rsp, %rbp\n"
	"	.cfi_def_cfa_register %rbp\n"
	"	subq $16, %rsp\n"
	"	call uf_mid\n"
	"uf_outer_ret:\n"
	"	leave\n"
	"	.cfi_def_cfa %rsp, 8\n"
	"	ret\n"
	"	.cfi_endproc\n"
	"	.size uf_outer, .-uf_outer\n"
	"	.section .note.GNU-stack, \"\", @progbits\n"
	"	.text\n");
extern const char uf_leaf_body[], uf_mid_ret[], uf_outer_ret[];

static void put64(unsigned char *data, size_t off, uint64_t v)
{
	memcpy(data + off, &v, sizeof(v));
}

/* A sample in uf_leaf called from uf_mid called from uf_outer, whose
 * caller is unknown (return address 0).  The frame-pointer CFA of uf_mid
 * needs rbp carried over unchanged from uf_leaf; uf_outer's needs the rbp
 * uf_mid saved on the stack. */
static void test_unwind_follows_register_rules(void **state)
{
	struct fixture *f = *state;
	const uint64_t sp = 0x7ff000000000ull;
	unsigned char data[72] = { 0 };
	struct unwind_stack stack = { .base = sp, .data = data, .size = sizeof(data) };
	struct unwind_regs regs = { .valid = 0 };
	struct unwind_frame frames[8];
	int unknown;

	assert_int_equal(codemap_refresh(f->map), 0);
	/* uf_leaf: nothing pushed; its return address at sp. */
	put64(data, 0, (uint64_t)(uintptr_t)uf_mid_ret);
	/* uf_mid: CFA sp + 40; saved rbx at CFA - 24, rbp at CFA - 16,
	 * return address at CFA - 8. */
	put64(data, 16, 0x5555);
	put64(data, 24, sp + 56);
	put64(data, 32, (uint64_t)(uintptr_t)uf_outer_ret);
	/* uf_outer: CFA sp + 72; saved rbp at CFA - 16; no caller. */
	put64(data, 56, 0x1111);
	put64(data, 64, 0);
	regs.r[UNWIND_IP] = (uint64_t)(uintptr_t)uf_leaf_body;
	regs.r[UNWIND_SP] = sp;
	regs.r[6] = sp + 24;	/* rbp: uf_mid's frame pointer */
	regs.valid = (1u << UNWIND_IP) | (1u << UNWIND_SP) | (1u << 6);
	assert_int_equal(unwind_stack(f->map, &regs, &stack, frames, 8, &unknown), 3);
	assert_int_equal(frames[0].pc, (uint64_t)(uintptr_t)uf_leaf_body);
	assert_int_equal(frames[1].pc, (uint64_t)(uintptr_t)uf_mid_ret);
	assert_int_equal(frames[2].pc, (uint64_t)(uintptr_t)uf_outer_ret);
	assert_false(unknown);
	/* Without rbp the frame-pointer rule cannot be followed: the walk
	 * ends after uf_mid's own frame, it does not invent a caller. */
	regs.valid &= ~(1u << 6);
	assert_int_equal(unwind_stack(f->map, &regs, &stack, frames, 8, &unknown), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_own_code_is_found, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jit_objects_come_and_go, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_jit_image_is_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jitlines_names_jit_frames_by_their_line_tables,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_image_is_not_read_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replaced_object_is_read_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk_cut_short_forgets_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dead_process_keeps_what_was_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwind_stops_at_the_interpreter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwind_goes_through_native_code, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwind_says_when_code_is_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwind_stays_inside_the_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwind_follows_register_rules, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
