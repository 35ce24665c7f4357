/* proc: run a command with a deadline and capture its output. */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "launch.h"
#include "util.h"

#define PROC_OUTPUT_MAX (64 * 1024)

static void proc_kill(pid_t pid)
{
	if (kill(-pid, SIGKILL))
		kill(pid, SIGKILL);
}

static int proc_ms_left(long long deadline)
{
	long long left = (deadline - now_ns()) / 1000000;

	return left < 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
}

/* Reads the child's output until EOF or the deadline. */
static void proc_collect(int fd, long long deadline, struct proc_run *run)
{
	char buf[4096];

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int r = poll(&pfd, 1, proc_ms_left(deadline));
		ssize_t n;

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			run->timed_out = 1;
			return;
		}
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		if (run->out.len < PROC_OUTPUT_MAX)
			strbuf_add(&run->out, buf, (size_t)n);
	}
}

/* Waits for the child, killing it (and what it started) at the deadline:
 * it may have closed its output and gone on running. */
static void proc_reap(pid_t pid, long long deadline, struct proc_run *run)
{
	const struct timespec tick = { 0, 10 * 1000 * 1000 };

	while (!run->timed_out) {
		pid_t r = waitpid(pid, &run->status, WNOHANG);

		if (r == pid)
			return;
		if (r < 0 && errno != EINTR)
			fatal("waitpid: %s", strerror(errno));
		if (r == 0 && !proc_ms_left(deadline))
			run->timed_out = 1;
		else if (r == 0)
			nanosleep(&tick, NULL);
	}
	proc_kill(pid);
	while (waitpid(pid, &run->status, 0) < 0)
		if (errno != EINTR)
			fatal("waitpid: %s", strerror(errno));
}

extern char **environ;

int proc_run(char *const argv[], int timeout_ms, struct proc_run *run)
{
	return proc_run_env(argv, environ, timeout_ms, run);
}

int proc_run_env(char *const argv[], char *const envp[], int timeout_ms, struct proc_run *run)
{
	long long deadline = now_ns() + (long long)timeout_ms * 1000000;
	/* A process group of its own, killed as one at the deadline. */
	struct launch s = {
		.path = argv[0], .argv = argv, .envp = envp,
		.death_signal = SIGKILL,
		.detach = LAUNCH_NEW_GROUP,
		.close_others = 1,
	};
	struct launch_failure f;
	int out[2], null, status_fd;
	pid_t pid;

	memset(run, 0, sizeof(*run));
	if (pipe2(out, O_CLOEXEC))
		return error("cannot create a pipe: %s", strerror(errno));
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null < 0) {
		close(out[0]);
		close(out[1]);
		return error("cannot open /dev/null: %s", strerror(errno));
	}
	s.stdio[0] = null;
	s.stdio[1] = s.stdio[2] = out[1];
	fflush(NULL);
	pid = launch_start(&s, &status_fd);
	close(null);
	close(out[1]);
	if (pid < 0) {
		close(out[0]);
		return -1;
	}
	if (launch_result(status_fd, &f) < 0)
		run->exec_errno = f.err;
	proc_collect(out[0], deadline, run);
	close(out[0]);
	proc_reap(pid, deadline, run);
	return 0;
}

int proc_succeeded(const struct proc_run *run)
{
	return !run->timed_out && !run->exec_errno && WIFEXITED(run->status) &&
	       WEXITSTATUS(run->status) == 0;
}

void proc_release(struct proc_run *run)
{
	strbuf_release(&run->out);
}
