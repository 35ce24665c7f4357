/* Tests of launch: what the child's failure tells the parent, which
 * descriptors reach the child, the death signal, and that no error path
 * of launch or of its callers (target, gdb, proc) leaves a descriptor open. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gdb.h"
#include "proc.h"
#include "launch.h"
#include "target.h"
#include "util.h"

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = -1;	/* the directory's own */

	assert_non_null(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static int reap(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

/* Spawns s, expects it to fail at `step` with `err`, reaps it. */
static void expect_failure(struct launch *s, int step, int err)
{
	struct launch_failure f;
	int fd;
	pid_t pid = launch_start(s, &fd);

	assert_true(pid > 0);
	assert_int_equal(launch_result(fd, &f), -1);
	assert_int_equal(f.step, step);
	assert_int_equal(f.err, err);
	assert_int_equal(WEXITSTATUS(reap(pid)), 127);
}

static void test_exec_error_reaches_the_parent(void **state)
{
	char *argv[] = { "/nonexistent/prog", NULL };
	struct launch s = { .path = argv[0], .argv = argv, .stdio = { -1, -1, -1 } };

	(void)state;
	expect_failure(&s, LAUNCH_EXEC, ENOENT);
	s.search = 1;
	s.path = argv[0] = "nprof-no-such-command";
	expect_failure(&s, LAUNCH_EXEC, ENOENT);
}

static void test_chdir_error_reaches_the_parent(void **state)
{
	char *argv[] = { "/bin/true", NULL };
	struct launch s = { .path = argv[0], .argv = argv, .stdio = { -1, -1, -1 },
			   .dir = "/nonexistent/dir" };

	(void)state;
	expect_failure(&s, LAUNCH_CHDIR, ENOENT);
}

static int refuse(void *ctx)
{
	(void)ctx;
	return EPERM;
}

static void test_prepare_error_reaches_the_parent(void **state)
{
	char *argv[] = { "/bin/true", NULL };
	struct launch s = { .path = argv[0], .argv = argv, .stdio = { -1, -1, -1 },
			   .prepare = refuse };

	(void)state;
	expect_failure(&s, LAUNCH_PREPARE, EPERM);
}

static void test_success_is_eof_and_stdio_is_given(void **state)
{
	char *argv[] = { "/bin/sh", "-c", "echo hi; echo err >&2", NULL };
	struct launch s = { .path = argv[0], .argv = argv };
	struct launch_failure f;
	char buf[64];
	int p[2], fd;
	ssize_t n;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	s.stdio[0] = -1;
	s.stdio[1] = s.stdio[2] = p[1];
	pid = launch_start(&s, &fd);
	assert_true(pid > 0);
	close(p[1]);
	assert_int_equal(launch_result(fd, &f), 0);
	n = read(p[0], buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	while (n < 7 && (n += read(p[0], buf + n, sizeof(buf) - 1 - (size_t)n)) > 0)
		buf[n] = '\0';
	assert_string_equal(buf, "hi\nerr\n");
	close(p[0]);
	assert_int_equal(reap(pid), 0);
}

#define FDS_MAX 4096

/* The descriptors of process `pid` (its /proc fd directory), listed in
 * order ("0 1 2 "); with `inheritable`, only those not close-on-exec (of
 * this process). */
static char *fd_set_of(pid_t pid, int inheritable)
{
	static char list[2][FDS_MAX * 6];
	static int which;
	char path[64], seen[FDS_MAX] = { 0 };
	char *set = list[which++ % 2];
	size_t len = 0;
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%ld/fd", (long)pid);
	d = opendir(path);
	assert_non_null(d);
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] == '.' || fd == dirfd(d))
			continue;
		if (inheritable && (fcntl(fd, F_GETFD) & FD_CLOEXEC))
			continue;
		assert_true(fd < FDS_MAX);
		seen[fd] = 1;
	}
	closedir(d);
	set[0] = '\0';
	for (int fd = 0; fd < FDS_MAX; fd++)
		if (seen[fd])
			len += (size_t)snprintf(set + len, sizeof(list[0]) - len, "%d ", fd);
	return set;
}

/* The descriptors a child has once running (cat, after it echoed a line:
 * during the exec the loader has files of its own open). */
static char *child_fds(int close_others)
{
	char *argv[] = { "/bin/cat", NULL };
	struct launch s = { .path = argv[0], .argv = argv, .close_others = close_others,
			   .stdio = { -1, -1, -1 } };
	struct launch_failure f;
	char *set, c;
	int in[2], out[2], fd;
	pid_t pid;

	assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	s.stdio[0] = in[0];
	s.stdio[1] = out[1];
	pid = launch_start(&s, &fd);
	assert_true(pid > 0);
	close(in[0]);
	close(out[1]);
	assert_int_equal(launch_result(fd, &f), 0);
	assert_int_equal(write(in[1], "\n", 1), 1);
	assert_int_equal(read(out[0], &c, 1), 1);
	set = fd_set_of(pid, 0);
	close(in[1]);
	close(out[0]);
	assert_int_equal(reap(pid), 0);
	return set;
}

static void test_only_stdio_and_inherited_fds_reach_the_child(void **state)
{
	/* A descriptor nprof was given (not close-on-exec: this one, and any
	 * the test was started with) reaches the program as a shell's child
	 * gets it, unless close_others; nprof's own (the status pipe, the
	 * stdio pipe's other end) never do. */
	int inherited = open("/dev/null", O_RDONLY);
	char want[32], *given;

	(void)state;
	assert_true(inherited > 2);
	given = fd_set_of(getpid(), 1);
	snprintf(want, sizeof(want), " %d ", inherited);
	assert_non_null(strstr(given, want));
	assert_string_equal(child_fds(0), given);
	assert_string_equal(child_fds(1), "0 1 2 ");
	close(inherited);
}

static void test_the_child_dies_with_its_parent(void **state)
{
	int p[2], status;
	pid_t middle, child;

	(void)state;
	/* The test adopts the orphan, to see how it ended. */
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	assert_int_equal(pipe(p), 0);
	middle = fork();
	assert_true(middle >= 0);
	if (middle == 0) {
		char *argv[] = { "/bin/sleep", "300", NULL };
		struct launch s = { .path = argv[0], .argv = argv, .stdio = { -1, -1, -1 },
				   .death_signal = SIGKILL };
		struct launch_failure f;
		int fd;
		pid_t pid = launch_start(&s, &fd);

		if (pid < 0 || launch_result(fd, &f) < 0 || write(p[1], &pid, sizeof(pid)) < 0)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &child, sizeof(child)), sizeof(child));
	close(p[0]);
	assert_int_equal(reap(middle), 0);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
	prctl(PR_SET_CHILD_SUBREAPER, 0);
}

/* Each failing start, under every descriptor limit that makes a
 * different step of it fail, leaves as many descriptors open as before. */
static void check_no_leak(void (*start_and_fail)(void))
{
	struct rlimit saved, low;
	int before = open_fds();

	assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
	for (int extra = 0; extra <= 12; extra++) {
		low = saved;
		low.rlim_cur = (rlim_t)(before + extra);
		assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
		start_and_fail();
		assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
		assert_int_equal(open_fds(), before);
	}
}

static void launch_missing(void)
{
	char *argv[] = { "/nonexistent/prog", NULL };
	struct launch s = { .path = argv[0], .argv = argv, .stdio = { -1, -1, -1 } };
	struct launch_failure f;
	int fd;
	pid_t pid = launch_start(&s, &fd);

	if (pid > 0) {
		assert_int_equal(launch_result(fd, &f), -1);
		reap(pid);
	}
}

static void gdb_missing(void)
{
	assert_null(gdb_start("/nonexistent/gdb"));
}

static void target_missing(void)
{
	char *argv[] = { "/nonexistent/python", NULL };
	struct target t;

	if (target_spawn(&t, argv[0], argv, NULL) < 0)
		return;
	assert_int_equal(target_release(&t), -1);
	assert_int_equal(target_reap(&t, 1), 1);
}

static void proc_missing(void)
{
	char *argv[] = { "/nonexistent/probe", NULL };
	struct proc_run run;

	if (proc_run(argv, 10000, &run) == 0) {
		assert_false(proc_succeeded(&run));
		proc_release(&run);
	}
}

static void test_no_fd_leaks_on_failure(void **state)
{
	(void)state;
	check_no_leak(launch_missing);
	check_no_leak(gdb_missing);
	check_no_leak(target_missing);
	check_no_leak(proc_missing);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_error_reaches_the_parent),
		cmocka_unit_test(test_chdir_error_reaches_the_parent),
		cmocka_unit_test(test_prepare_error_reaches_the_parent),
		cmocka_unit_test(test_success_is_eof_and_stdio_is_given),
		cmocka_unit_test(test_only_stdio_and_inherited_fds_reach_the_child),
		cmocka_unit_test(test_the_child_dies_with_its_parent),
		cmocka_unit_test(test_no_fd_leaks_on_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
