/* proc: runs a command (no shell) to completion with a deadline and
 * captures what it writes, for the short probes setup and doctor make
 * (gdb --version, python -c ...). */
#ifndef NPROF_PROC_H
#define NPROF_PROC_H

#include "strbuf.h"

struct proc_run {
	int status;		/* from waitpid() */
	int timed_out;		/* killed (with its process group) at the deadline */
	int exec_errno;		/* set when execv() itself failed */
	struct strbuf out;	/* stdout and stderr together, up to 64 KiB */
};

/* Runs argv[0] (a path) with stdin /dev/null in a process group of its
 * own.  Returns 0 when it ran (see *run for how it ended), -1 only when it
 * could not be forked. */
int proc_run(char *const argv[], int timeout_ms, struct proc_run *run);
/* The same in the environment `envp`. */
int proc_run_env(char *const argv[], char *const envp[], int timeout_ms, struct proc_run *run);
/* Did it run and exit with status 0? */
int proc_succeeded(const struct proc_run *run);
void proc_release(struct proc_run *run);

#endif
