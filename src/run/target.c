/* target: forking the profiled program and collecting its fate. */
#include "target.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sigfwd.h"
#include "util.h"

#ifndef PR_SET_PTRACER
#define PR_SET_PTRACER 0x59616d61
#endif
#ifndef PR_SET_PTRACER_ANY
#define PR_SET_PTRACER_ANY ((unsigned long)-1)
#endif

static _Noreturn void child_run(const char *path, char *const argv[], char *const envp[],
				int gate, int exec_fd, pid_t parent)
{
	char go;
	ssize_t n;
	int e;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	/* Yama (ptrace_scope 1) only lets ancestors attach; gdb is a sibling. */
	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
	sigfwd_child_reset();
	do
		n = read(gate, &go, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(127);	/* nprof gave up before releasing us */
	execve(path, argv, envp);
	e = errno;
	if (write(exec_fd, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

int target_spawn(struct target *t, const char *path, char *const argv[], char *const envp[])
{
	int gate[2], exec_pipe[2];
	pid_t parent = getpid();

	memset(t, 0, sizeof(*t));
	t->gate_fd = t->exec_fd = -1;
	if (pipe2(gate, O_CLOEXEC) < 0)
		return error("cannot create pipes: %s", strerror(errno));
	if (pipe2(exec_pipe, O_CLOEXEC) < 0) {
		close(gate[0]);
		close(gate[1]);
		return error("cannot create pipes: %s", strerror(errno));
	}
	t->pid = fork();
	if (t->pid < 0) {
		int e = errno;

		close(gate[0]);
		close(gate[1]);
		close(exec_pipe[0]);
		close(exec_pipe[1]);
		return error("cannot fork: %s", strerror(e));
	}
	if (t->pid == 0) {
		close(gate[1]);
		close(exec_pipe[0]);
		child_run(path, argv, envp, gate[0], exec_pipe[1], parent);
	}
	close(gate[0]);
	close(exec_pipe[1]);
	t->gate_fd = gate[1];
	t->exec_fd = exec_pipe[0];
	return 0;
}

int target_release(struct target *t)
{
	int e = 0;
	ssize_t n;

	if (write(t->gate_fd, "g", 1) != 1)
		return error("cannot start the program: %s", strerror(errno));
	close(t->gate_fd);
	t->gate_fd = -1;
	/* EOF when the exec succeeded (the pipe is close-on-exec). */
	do
		n = read(t->exec_fd, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(t->exec_fd);
	t->exec_fd = -1;
	if (n == (ssize_t)sizeof(e))
		return error("cannot run the program: %s", strerror(e));
	return 0;
}

int target_reap(struct target *t, int block)
{
	pid_t r;

	if (t->reaped)
		return 1;
	do
		r = waitpid(t->pid, &t->status, block ? 0 : WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == t->pid) {
		t->reaped = 1;
	} else if (r < 0) {
		/* Only ECHILD can come here (the pid is ours, the status a
		 * valid pointer): the program is gone and its fate with it.
		 * Say so once; nprof still prints what was sampled. */
		warning("cannot wait for the program: %s; its exit status is unknown", strerror(errno));
		t->reaped = t->lost = 1;
	}
	return t->reaped;
}

void target_kill(struct target *t, int sig)
{
	if (!t->reaped && t->pid > 0)
		kill(t->pid, sig);
}

int target_exit_code(const struct target *t)
{
	if (t->lost)
		return EXIT_FATAL;
	if (WIFEXITED(t->status))
		return WEXITSTATUS(t->status);
	if (WIFSIGNALED(t->status))
		return 128 + WTERMSIG(t->status);
	return EXIT_FATAL;
}
