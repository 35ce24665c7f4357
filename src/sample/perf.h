/* perf: samples of a process taken by the kernel (perf_event_open): at a
 * fixed rate of each thread's CPU time, the kernel copies the user
 * registers and the top of the user stack into a ring buffer, without
 * stopping the thread for more than that copy.
 *
 * Unprivileged use needs kernel.perf_event_paranoid <= 2 (Debian's own
 * kernels default to 3) and a seccomp policy that allows the call. */
#ifndef NPROF_PERF_H
#define NPROF_PERF_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "unwind.h"

#define PERF_STACK_BYTES 8192	/* copied per sample, as perf record does: Numba's frames are small */

struct perf_sample {
	uint32_t pid, tid;
	uint64_t time_ns;
	struct unwind_regs regs;
	struct unwind_stack stack;	/* points into the perf's buffer */
};

struct perf;

/* Can this process sample its own children?  0, or -1 with the reason
 * in `why` (one phrase). */
int perf_probe(char *why, size_t n);

/* Samples the thread `pid` from its next exec on, `rate` times per second
 * of its CPU time; with `all_threads`, also every thread and process it
 * starts.  NULL with errno set. */
struct perf *perf_open(pid_t pid, double rate, int all_threads);
/* Why the last perf_open failed, for a message: the errno's text, or
 * what to do when the rings could not be locked in memory. */
const char *perf_open_error(void);
void perf_close(struct perf *p);
/* Why the rings stopped giving samples (a corrupt record), or NULL. */
const char *perf_broken(const struct perf *p);

/* The next sample in the rings: 1 and `s` filled (valid until the next
 * call), or 0 when they are empty. */
int perf_next(struct perf *p, struct perf_sample *s);
/* Samples the kernel dropped because the buffer was full. */
uint64_t perf_lost(const struct perf *p);

#endif
