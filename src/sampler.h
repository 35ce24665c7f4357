/* sampler: runs the program under gdb and samples its stack at a fixed
 * rate, feeding each stack to a profile.
 *
 * gdb runs in non-stop mode: a sample interrupts only the threads it
 * reads (SIGSTOP to each, which gdb does not pass on), so the user's own
 * SIGINT still reaches the program and other threads run on.
 * Deadlines are absolute (start + k / rate): the rate does not drift with
 * the cost of each sample, and missed deadlines are skipped, not bunched. */
#ifndef NPROF_SAMPLER_H
#define NPROF_SAMPLER_H

#include "profile.h"

struct sampler_options {
	const char *gdb;	/* the debugger's path */
	const char *python;	/* the interpreter's path */
	char *const *argv;	/* the program's argv (argv[0] as the user named python) */
	char *const *envp;	/* the program's environment */
	double rate;		/* samples per second */
	int all_threads;	/* each tick, sample every running thread (CPU
				 * time) instead of the main thread (wall time) */
};

/* Runs the program to its end.  Returns its exit code (128+N when signal
 * N killed it), or -1 after printing an error when it could not be started
 * under gdb.  The profile holds what was sampled either way. */
int sampler_run(const struct sampler_options *opt, struct profile *profile);

#endif
