/* unwind: the return addresses of a stack, from a copy of its registers
 * and of its top bytes taken at a sample, by the CFI of the code at each
 * address (libdw evaluates the rules' rows; this evaluates their DWARF
 * expressions).  The process is not consulted: it ran on after the copy.
 *
 * Unwinding stops where Numba's code was entered from the interpreter: at
 * the first frame in python or libpython above a JIT frame.  It goes on
 * through other code between JIT frames (Numba's thread pool runs a
 * prange body called from the function that holds the loop), and stops
 * early when the copy or the CFI ends. */
#ifndef NPROF_UNWIND_H
#define NPROF_UNWIND_H

#include <stddef.h>
#include <stdint.h>

#include "codemap.h"

/* x86-64 DWARF register numbers: 0..15 the integer registers (rax, rdx,
 * rcx, rbx, rsi, rdi, rbp, rsp, r8..r15), 16 the return address (rip). */
#define UNWIND_NREGS 17
#define UNWIND_SP 7
#define UNWIND_IP 16

struct unwind_regs {
	uint64_t r[UNWIND_NREGS];
	uint32_t valid;		/* bit i: r[i] is known */
};

struct unwind_stack {
	uint64_t base;		/* the address of data[0] (the sampled sp) */
	const unsigned char *data;
	size_t size;
};

/* One frame found: the address executing (for a caller, the return
 * address), the address to look up (a return address points after its
 * call: the call itself), and the code holding it (see codemap_find for
 * how long that stays valid). */
struct unwind_frame {
	uint64_t pc;
	uint64_t lookup;
	const struct codemap_entry *code;
};

/* Writes up to `max` frames, innermost first: the sampled ip, then the
 * callers.  Returns how many.  Sets *unknown when it stopped at an
 * address in no code the map knows (the map may be stale). */
size_t unwind_stack(const struct codemap *map, const struct unwind_regs *regs,
		    const struct unwind_stack *stack, struct unwind_frame *frames, size_t max,
		    int *unknown);

/* Is the sample Numba's thread pool waiting: is there a frame of the
 * pool's own libraries (codemap_is_pool_file) inside the innermost jitted
 * frame, or in a stack with no jitted frame at all?  A worker spinning or
 * blocked for work, the main thread at the parallel region's end barrier,
 * are; a worker running a prange body (jitted code called by the pool),
 * and the body's calls into libm, are not. */
int unwind_pool_wait(const struct unwind_frame *frames, size_t n);

#endif
