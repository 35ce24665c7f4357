/* codemap: what code lives where in a running process: the ELF files it
 * mapped (from /proc/PID/maps) and the objects Numba's JIT announced
 * through GDB's JIT interface (the __jit_debug_descriptor list, read from
 * the process's memory).  Nothing here stops the process.
 *
 * The map is refreshed on demand: when an address falls in no known code,
 * the caller refreshes and asks again.  Objects are kept after the process
 * ends, so samples taken before the end still resolve. */
#ifndef NPROF_CODEMAP_H
#define NPROF_CODEMAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "elfcode.h"

struct codemap_entry {
	uint64_t lo, hi;	/* run-time addresses [lo, hi) */
	uint64_t bias;		/* run-time minus ELF address */
	struct elfcode *code;
	int jit;		/* a JIT object (Numba's code) */
	int interpreter;	/* the python executable or libpython */
	int pool;		/* a library of Numba's thread pool */
};

struct codemap;

/* Is `path` a library of one of Numba's threading layers, whose own code
 * (not the jitted code it calls) is the pool waiting or spinning for work:
 * Numba's workqueue, omppool and tbbpool modules, OpenMP's runtimes
 * (libgomp, libiomp, libomp) and TBB's scheduler (libtbb, not its
 * allocator libtbbmalloc)? */
int codemap_is_pool_file(const char *path);

struct codemap *codemap_new(pid_t pid);
void codemap_free(struct codemap *m);

/* Re-reads the process's mappings and JIT objects.  0, or -1 when the
 * process is gone (what was read before stays). */
int codemap_refresh(struct codemap *m);

/* Cheap, for every few milliseconds: refreshes the map when the JIT's
 * list changed (one small read), or, until the JIT's library is seen,
 * every 50 ms.  So Numba's code is known as soon as it exists, and
 * samples read after the process ended still resolve.  0, or -1 when the
 * process is gone. */
int codemap_watch(struct codemap *m);

/* The errno (EPERM, EACCES) with which a read of the process's memory was
 * refused (ptrace is forbidden: Yama's ptrace_scope, a seccomp policy), or
 * 0: then no JIT object could be read. */
int codemap_denied(const struct codemap *m);

/* How many JIT images were read and opened since codemap_new (each object
 * once, refused or not): for tests and benchmarks. */
size_t codemap_images_read(const struct codemap *m);

/* The code holding `addr`, or NULL; valid until the next refresh or
 * watch, which may rebuild the map. */
const struct codemap_entry *codemap_find(const struct codemap *m, uint64_t addr);

#endif
