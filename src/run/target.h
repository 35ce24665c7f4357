/* target: the profiled program, a child of nprof held at a gate.
 *
 * nprof forks the child itself, so the program keeps the user's stdin,
 * stdout, stderr, process group and terminal, and nprof's own waitpid()
 * sees its real exit status.  The child waits at a gate (a pipe) until
 * gdb has attached, then execs the interpreter: gdb follows the exec and
 * sees the program from its first instruction.  The child dies with nprof
 * (PR_SET_PDEATHSIG) and lets any process of the user trace it (Yama's
 * PR_SET_PTRACER), which is what gdb's attach needs. */
#ifndef NPROF_TARGET_H
#define NPROF_TARGET_H

#include <sys/types.h>

struct target {
	pid_t pid;
	int gate_fd;		/* write end: one byte releases the child */
	int exec_fd;		/* read end: errno of a failed exec, EOF on success */
	int status;		/* wait status once reaped */
	int reaped;
	int lost;		/* waitpid failed: status unknown (reaped is set too) */
};

/* Forks the child, which waits at the gate.  -1 after printing an error. */
int target_spawn(struct target *t, const char *path, char *const argv[], char *const envp[]);
/* Lets the child exec; returns 0, or -1 after printing why exec failed.
 * Call it once gdb is attached and has resumed the child. */
int target_release(struct target *t);
/* Reaps the child if it has ended (block: wait for it).  1 when reaped,
 * or when waitpid failed (after a warning; `lost` is set): either way the
 * program is not waited for again. */
int target_reap(struct target *t, int block);
void target_kill(struct target *t, int sig);
/* The shell's convention: the exit code, or 128+N for death by signal N;
 * EXIT_FATAL when the status was lost. */
int target_exit_code(const struct target *t);

#endif
