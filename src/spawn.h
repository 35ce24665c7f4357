/* spawn: runs a command (no shell) to completion with a deadline and
 * captures what it writes, for the short probes setup and doctor make
 * (gdb --version, python -c ...). */
#ifndef NPROF_SPAWN_H
#define NPROF_SPAWN_H

#include "strbuf.h"

struct spawn_run {
	int status;		/* from waitpid() */
	int timed_out;		/* killed (with its process group) at the deadline */
	int exec_errno;		/* set when execv() itself failed */
	struct strbuf out;	/* stdout and stderr together, up to 64 KiB */
};

/* Runs argv[0] (a path) with stdin /dev/null in a process group of its
 * own.  Returns 0 when it ran (see *run for how it ended), -1 only when it
 * could not be forked. */
int spawn_run(char *const argv[], int timeout_ms, struct spawn_run *run);
/* Did it run and exit with status 0? */
int spawn_succeeded(const struct spawn_run *run);
void spawn_release(struct spawn_run *run);

#endif
