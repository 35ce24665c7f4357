/* launch: fork, the child's shared set-up, exec, and its failure. */
#include "launch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

#define LAUNCH_FD_SCAN_MAX 65536	/* without close_range: descriptors marked one by one */

extern char **environ;

static int launch_above_stdio(int fd);
static void launch_cloexec_others(void);
static int launch_stdio(const struct launch *s);
static _Noreturn void launch_child(const struct launch *s, int status_fd, pid_t parent);

/* A pipe end numbered 0-2 (nprof started with those closed) would be
 * overwritten by the child's dup2s: move it above them. */
static int launch_above_stdio(int fd)
{
	int moved;

	if (fd > 2)
		return fd;
	moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return moved;
}

/* Marks every descriptor above 2 close-on-exec (the status pipe stays
 * usable until the exec). */
static void launch_cloexec_others(void)
{
	long max;

#if defined(SYS_close_range) && defined(CLOSE_RANGE_CLOEXEC)
	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return;
#elif defined(SYS_close_range)
	if (syscall(SYS_close_range, 3U, ~0U, 4U /* CLOSE_RANGE_CLOEXEC */) == 0)
		return;
#endif
	max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > LAUNCH_FD_SCAN_MAX)
		max = LAUNCH_FD_SCAN_MAX;
	for (int fd = 3; fd < max; fd++)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* 0, or -1 with errno set. */
static int launch_stdio(const struct launch *s)
{
	int fds[3];

	/* A source among 0-2 could be overwritten by an earlier dup2. */
	for (int i = 0; i < 3; i++) {
		fds[i] = s->stdio[i];
		if (fds[i] >= 0 && fds[i] < 3 && fds[i] != i && (fds[i] = fcntl(fds[i], F_DUPFD, 3)) < 0)
			return -1;
	}
	for (int i = 0; i < 3; i++) {
		if (fds[i] < 0)
			continue;
		if (fds[i] == i ? fcntl(i, F_SETFD, 0) < 0 : dup2(fds[i], i) < 0)
			return -1;
	}
	return 0;
}

static _Noreturn void launch_child(const struct launch *s, int status_fd, pid_t parent)
{
	struct launch_failure f = { 0, 0 };

	if (s->detach == LAUNCH_NEW_SESSION)
		setsid();
	else if (s->detach == LAUNCH_NEW_GROUP)
		setpgid(0, 0);
	if (s->death_signal) {
		prctl(PR_SET_PDEATHSIG, s->death_signal);
		if (getppid() != parent)
			_exit(127);	/* nprof died before that took effect */
	}
	if (s->close_others)
		launch_cloexec_others();
	if (launch_stdio(s) < 0)
		f.step = LAUNCH_STDIO;
	else if (s->dir && chdir(s->dir) < 0)
		f.step = LAUNCH_CHDIR;
	else if (s->prepare && (f.err = s->prepare(s->ctx)) != 0)
		f.step = LAUNCH_PREPARE;
	if (!f.step) {
		char *const *envp = s->envp ? s->envp : environ;

		if (s->search)
			execvpe(s->path, s->argv, envp);
		else
			execve(s->path, s->argv, envp);
		f.step = LAUNCH_EXEC;
	}
	if (!f.err)
		f.err = errno;
	if (write(status_fd, &f, sizeof(f)) < 0)
		_exit(127);
	_exit(127);
}

pid_t launch_start(const struct launch *s, int *status_fd)
{
	pid_t parent = getpid(), pid;
	int st[2];

	*status_fd = -1;
	if (pipe2(st, O_CLOEXEC) < 0)
		return error("cannot create a pipe: %s", strerror(errno));
	st[0] = launch_above_stdio(st[0]);
	st[1] = launch_above_stdio(st[1]);
	if (st[0] < 0 || st[1] < 0) {
		int e = errno;

		if (st[0] >= 0)
			close(st[0]);
		if (st[1] >= 0)
			close(st[1]);
		return error("cannot create a pipe: %s", strerror(e));
	}
	pid = fork();
	if (pid < 0) {
		int e = errno;

		close(st[0]);
		close(st[1]);
		return error("cannot fork: %s", strerror(e));
	}
	if (pid == 0) {
		close(st[0]);
		launch_child(s, st[1], parent);
	}
	/* Also here, so that a kill of the group cannot come before it is one. */
	if (s->detach == LAUNCH_NEW_GROUP)
		setpgid(pid, pid);
	close(st[1]);
	*status_fd = st[0];
	return pid;
}

int launch_result(int status_fd, struct launch_failure *f)
{
	ssize_t n;

	do
		n = read(status_fd, f, sizeof(*f));
	while (n < 0 && errno == EINTR);
	close(status_fd);
	if (n == (ssize_t)sizeof(*f))
		return -1;
	f->step = f->err = 0;
	return 0;
}
