/* jitlines: the frames a debugger listed, those in Numba's JIT code named
 * again from nprof's own reading of that code (codemap, elfcode), as the
 * perf and ptrace samplers name them: the inlined calls at an address,
 * the line of code LLVM gave line 0, Numba's helpers inlined with no call
 * site of the user's (`x ** 2`) on the user line they were inlined into.
 * A debugger's line lookup knows none of these rules.  Frames outside JIT
 * code, or where nprof cannot read the code, stay as listed. */
#ifndef NPROF_JITLINES_H
#define NPROF_JITLINES_H

#include <stddef.h>
#include <stdint.h>

#include "codemap.h"
#include "profile.h"

/* `in` (n frames, innermost first) with `pcs[i]` the address of frame i
 * (0: unknown; a caller's is its return address; several frames at one
 * address are the debugger's inlined frames of it) into `out` (at most
 * `max`); returns the count.  Reads the process's map again once when an
 * address is in no code it knows (a function Numba just compiled).  The
 * strings of `out` are those of `in` and of the map's code: valid until
 * either changes.  *blind (when given) says whether an address in JIT code
 * was listed with no source line: a debugger that cannot read Numba's JIT
 * objects, whose unwind ends there. */
size_t jitlines_name(struct codemap *map, const struct frame *in, const uint64_t *pcs, size_t n,
		     struct frame *out, size_t max, int *blind);

#endif
