/* sampler: runs the program and samples its stacks at a fixed rate,
 * feeding each stack to a profile.  Three samplers share these options:
 *
 *   sampler-perf  the kernel takes each sample (perf events): it copies a
 *                 thread's registers and stack top without stopping it
 *                 for more than that copy, and nprof unwinds the copy and
 *                 names its lines itself, reading Numba's JIT objects from
 *                 the process's memory.  Samples are of CPU time.
 *   sampler-ptrace  nprof itself is the program's ptracer: at each
 *                 deadline it interrupts a thread, copies its registers
 *                 and stack top as the kernel does for perf, resumes it
 *                 (tens of microseconds of pause) and unwinds the copy
 *                 as sampler-perf does.  Wall time for the main thread,
 *                 or of each running thread with all_threads.  It needs
 *                 ptrace of one's own child, which users have where perf
 *                 events are refused (paranoid 3, containers).  With
 *                 $NPROF_PAUSE_LOG set it writes each pause there
 *                 ("tid interrupt_ns resume_ns state" and when each step
 *                 ended: interrupted stopped regs copied), for bench/samplers.
 *   sampler-gdb   gdb interrupts the program (non-stop mode: only the
 *                 threads it reads) and lists their stacks through GDB/MI,
 *                 about 1 ms of pause per sample.  Samples are of wall
 *                 time for the main thread.  It needs no kernel support.
 *   The deadlines of ptrace and gdb are absolute (start + k / rate): the
 *   rate does not drift with the cost of each sample, and missed
 *   deadlines are skipped, not bunched. */
#ifndef NPROF_SAMPLER_H
#define NPROF_SAMPLER_H

#include "profile.h"

struct sampler_options {
	const char *gdb;	/* the debugger's path (sampler-gdb only) */
	const char *python;	/* the interpreter's path */
	char *const *argv;	/* the program's argv (argv[0] as the user named python) */
	char *const *envp;	/* the program's environment */
	double rate;		/* samples per second */
	int all_threads;	/* sample every running thread (CPU time)
				 * instead of the main thread */
};

/* Each runs the program to its end.  Returns its exit code (128+N when
 * signal N killed it), or -1 after printing an error when it could not be
 * started.  The profile holds what was sampled either way. */
int sampler_gdb_run(const struct sampler_options *opt, struct profile *profile);
int sampler_perf_run(const struct sampler_options *opt, struct profile *profile);
int sampler_ptrace_run(const struct sampler_options *opt, struct profile *profile);

#endif
