/* recorder: copied stacks -> unwound frames -> source lines -> profile. */
#include "recorder.h"

#include <stdlib.h>

#include "elfcode.h"
#include "symtab.h"
#include "util.h"

#define MAX_CALLS RECORDER_MAX_CALLS
#define MAX_FRAMES RECORDER_MAX_FRAMES

static size_t unwind_sample(struct recorder *r, const struct unwind_regs *regs,
			    const struct unwind_stack *stack, int *unknown);

struct recorder_symtab {
	const struct elfcode *code;
	struct symtab *syms;
};

void recorder_free(struct recorder *r)
{
	for (size_t i = 0; i < r->nsymtabs; i++)
		symtab_free(r->symtabs[i].syms);
	free(r->symtabs);
	r->symtabs = NULL;
	r->nsymtabs = r->symtabs_alloc = 0;
}

/* The function a native frame is in, from its file's symbols. */
static const char *native_name(struct recorder *r, const struct unwind_frame *c)
{
	struct recorder_symtab *t = NULL;

	for (size_t i = 0; i < r->nsymtabs && !t; i++)
		if (r->symtabs[i].code == c->code->code)
			t = &r->symtabs[i];
	if (!t) {
		r->symtabs = xgrow(r->symtabs, &r->symtabs_alloc, r->nsymtabs + 1, sizeof(*r->symtabs));
		t = &r->symtabs[r->nsymtabs++];
		t->code = c->code->code;
		t->syms = symtab_new(elfcode_elf(c->code->code));
	}
	return symtab_find(t->syms, c->lookup - c->code->bias);
}

void recorder_round(struct recorder *r)
{
	r->refreshed = 0;
}

/* Unwinds, reading the process's map again (once a round) when the stack
 * leads into code the map does not know yet: a library just loaded, a
 * function Numba just compiled.  Sets *unknown as unwind_stack does. */
static size_t unwind_sample(struct recorder *r, const struct unwind_regs *regs,
			    const struct unwind_stack *stack, int *unknown)
{
	size_t n = unwind_stack(r->map, regs, stack, r->calls, MAX_CALLS, unknown);

	if (*unknown && !r->refreshed) {
		r->refreshed = 1;
		/* Again even when the refresh failed part way: the frames
		 * point into the map, which it may have rebuilt. */
		codemap_refresh(r->map);
		n = unwind_stack(r->map, regs, stack, r->calls, MAX_CALLS, unknown);
	}
	return n;
}

/* A sample taken in code nprof cannot place at all (the vDSO, code gone
 * before it was read) is unreadable: it might have been Numba's. */
void recorder_add(struct recorder *r, const struct profile_origin *o,
		  const struct unwind_regs *regs, const struct unwind_stack *stack)
{
	int unknown;
	size_t ncalls = unwind_sample(r, regs, stack, &unknown), n = 0, m;

	if (ncalls == 0 && unknown) {
		profile_add_bad_sample(r->profile, o);
		return;
	}
	for (size_t k = 0; k < ncalls && n < MAX_FRAMES; k++) {
		const struct unwind_frame *c = &r->calls[k];

		if (!c->code->jit) {
			/* Native code: the profile keeps the frames among and
			 * inside Numba's (sin called from a line). */
			r->frames[n++] = (struct frame){ .func = native_name(r, c), .lib = c->code->path };
			continue;
		}
		m = elfcode_lines(c->code->code, c->lookup - c->code->bias, r->frames + n,
				  MAX_FRAMES - n);
		/* All but the last of one address's frames were inlined. */
		for (size_t j = 0; j < m; j++) {
			r->frames[n + j].inlined = j + 1 < m;
			r->frames[n + j].lib = NULL;
		}
		n += m;
	}
	profile_add_sample(r->profile, o, r->frames, n);
}
