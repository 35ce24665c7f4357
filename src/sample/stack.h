/* stack: the typed result of -stack-list-frames, as profile frames.
 * The frames point into the MI record's strings: keep the record alive
 * while using them. */
#ifndef NPROF_STACK_H
#define NPROF_STACK_H

#include <stddef.h>
#include <stdint.h>

#include "mi.h"
#include "profile.h"

struct stack {
	struct frame *frames;	/* innermost first */
	uint64_t *pcs;		/* each frame's address ("addr"), 0 when none */
	size_t n, alloc, pcs_alloc;
};

/* Appends the frames of a ^done record's results (stack=[frame={...},...])
 * to `st`; a stack listed in chunks is appended chunk by chunk, and a frame
 * whose level the stack already holds (chunks that overlap) is skipped.
 * Returns the number of frames added, or -1 when the record has no
 * readable stack. */
int stack_append_mi(struct stack *st, const struct mi_value *results);
void stack_reset(struct stack *st);
void stack_release(struct stack *st);

/* Has the stack, from frame `from` on, reached the Python side: Numba's
 * CPython wrapper of a jitted function ("cpython::..."), or CPython's
 * evaluation loop?  Below lie the dispatcher and the interpreter's own C
 * stack, so a sampler may stop listing there.  Not while the jitted code
 * listed has no lines (the function Numba lifts out of a `with objmode()`
 * block): the jitted code that called it through Python is further down. */
int stack_reached_python(const struct stack *st, size_t from);

/* Does a source line appear twice on the stack (same function, file and
 * line: a recursion)?  Further frames would repeat what is listed. */
int stack_recursion(const struct stack *st);

/* Is `func` one at whose entry gdb keeps a breakpoint of its own: the JIT
 * interface's (where Numba announces new code) or the dynamic linker's
 * (where libraries come and go)?  They are tiny and make no system call. */
int stack_is_gdb_event_function(const char *func);

#endif
