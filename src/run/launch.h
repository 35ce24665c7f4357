/* launch: forking and exec'ing a child, the part every caller shares.
 *
 * The program (target), gdb, the gdb build's commands and the short
 * probes (proc) are all started here.  The child dies with nprof
 * (PR_SET_PDEATHSIG, then a check that nprof did not die before that took
 * effect), gets the descriptors it is given as its stdin, stdout and
 * stderr, a session or process group of its own when asked, a directory,
 * and its caller's own step (s->prepare) just before the exec.  What goes
 * wrong in the child up to and at the exec comes back to the parent: the
 * step and its errno, over a close-on-exec pipe whose EOF means the exec
 * happened.  Every descriptor nprof opens is close-on-exec, so a child
 * gets 0-2 and what nprof was itself given (a shell's child gets those
 * too); with close_others not even those. */
#ifndef NPROF_LAUNCH_H
#define NPROF_LAUNCH_H

#include <sys/types.h>

enum launch_detach {
	LAUNCH_SAME_GROUP,	/* the user's process group and terminal */
	LAUNCH_NEW_GROUP,	/* a process group of its own (killed as one) */
	LAUNCH_NEW_SESSION,	/* a session of its own: no terminal signals */
};

/* Where the child failed (launch_result). */
enum launch_step { LAUNCH_STDIO = 1, LAUNCH_CHDIR, LAUNCH_PREPARE, LAUNCH_EXEC };

struct launch {
	const char *path;	/* execve's path; with `search`, a name looked up in PATH */
	char *const *argv;
	char *const *envp;	/* NULL: nprof's environment */
	int search;
	int stdio[3];		/* dup2'ed onto 0, 1, 2; -1: left as nprof has it */
	const char *dir;	/* chdir there first, or NULL */
	int death_signal;	/* sent to the child when nprof dies; 0: none */
	enum launch_detach detach;
	int close_others;	/* no descriptor above 2 reaches the child */
	/* The caller's own step in the child, last before the exec: only
	 * async-signal-safe calls.  Returns 0, or an errno that fails the
	 * launch (step LAUNCH_PREPARE). */
	int (*prepare)(void *ctx);
	void *ctx;
};

struct launch_failure {
	int step;		/* enum launch_step */
	int err;		/* its errno */
};

/* Forks the child.  Returns its pid and puts the read end of the status
 * pipe in *status_fd (for launch_result), or -1 after printing an error
 * (nothing is left open then). */
pid_t launch_start(const struct launch *s, int *status_fd);
/* Waits until the child has exec'd or failed, and closes status_fd.
 * 0 when it exec'd; -1 with *f filled when it failed (it then exits 127:
 * reap it). */
int launch_result(int status_fd, struct launch_failure *f);

#endif
