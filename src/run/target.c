/* target: forking the profiled program and collecting its fate. */
#include "target.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sigfwd.h"
#include "launch.h"
#include "util.h"

#ifndef PR_SET_PTRACER
#define PR_SET_PTRACER 0x59616d61
#endif
#ifndef PR_SET_PTRACER_ANY
#define PR_SET_PTRACER_ANY ((unsigned long)-1)
#endif

/* The child's own steps before exec (launch's prepare). */
struct gate {
	int read_fd, write_fd;
};

static int target_prepare(void *ctx)
{
	struct gate *g = ctx;
	char go;
	ssize_t n;

	close(g->write_fd);	/* else nprof's giving up never shows as EOF */
	/* Yama (ptrace_scope 1) only lets ancestors attach; gdb is a sibling. */
	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
	sigfwd_child_reset();
	do
		n = read(g->read_fd, &go, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(127);	/* nprof gave up before releasing us */
	close(g->read_fd);
	return 0;
}

int target_spawn(struct target *t, const char *path, char *const argv[], char *const envp[])
{
	int gate[2];
	struct gate g;
	struct launch s = {
		.path = path, .argv = argv, .envp = envp,
		.stdio = { -1, -1, -1 },
		.death_signal = SIGKILL,
		.detach = LAUNCH_SAME_GROUP,
		.prepare = target_prepare, .ctx = &g,
	};

	memset(t, 0, sizeof(*t));
	t->gate_fd = t->exec_fd = -1;
	if (pipe2(gate, O_CLOEXEC) < 0)
		return error("cannot create pipes: %s", strerror(errno));
	g.read_fd = gate[0];
	g.write_fd = gate[1];
	t->pid = launch_start(&s, &t->exec_fd);
	close(gate[0]);
	if (t->pid < 0) {
		close(gate[1]);
		return -1;
	}
	t->gate_fd = gate[1];
	return 0;
}

int target_release(struct target *t)
{
	struct launch_failure f;
	int ret;

	if (write(t->gate_fd, "g", 1) != 1)
		return error("cannot start the program: %s", strerror(errno));
	close(t->gate_fd);
	t->gate_fd = -1;
	ret = launch_result(t->exec_fd, &f);
	t->exec_fd = -1;
	if (ret < 0)
		return error("cannot run the program: %s", strerror(f.err));
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
