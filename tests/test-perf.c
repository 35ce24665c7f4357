/* Tests for perf: the kernel's samples of a real child, read from the
 * rings.  Skipped where the kernel refuses perf events. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "perf.h"
#include "testskip.h"
#include "util.h"

/* A shell busy for a fraction of a second of CPU. */
static char *const busy[] = {
	"/bin/sh", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done", NULL,
};

/* Starts `busy` held before its exec until *gate is written. */
static pid_t spawn_held(int *gate)
{
	int fds[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[1]);
		if (read(fds[0], &c, 1) != 1)
			_exit(99);
		execv(busy[0], busy);
		_exit(98);
	}
	close(fds[0]);
	*gate = fds[1];
	return pid;
}

static void skip_without_perf(void)
{
	char why[256];

	if (perf_probe(why, sizeof(why)) < 0)
		test_skip("perf events not allowed: %s\n", why);
}

/* Samples of the child's CPU time: its own pid, full registers, and the
 * top of its stack starting at its stack pointer. */
static void sample_child(int all_threads)
{
	int gate, status;
	pid_t pid = spawn_held(&gate);
	struct perf *p = perf_open(pid, 1000, all_threads);
	struct perf_sample s;
	unsigned long n = 0, with_stack = 0;

	assert_non_null(p);
	assert_int_equal(write(gate, "g", 1), 1);
	close(gate);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	while (perf_next(p, &s)) {
		assert_int_equal(s.pid, (uint32_t)pid);
		assert_int_equal(s.tid, (uint32_t)pid);
		assert_int_equal(s.regs.valid, (1u << UNWIND_NREGS) - 1);
		assert_int_equal(s.stack.base, s.regs.r[UNWIND_SP]);
		assert_true(s.stack.size <= PERF_STACK_BYTES);
		with_stack += s.stack.size >= 64;
		n++;
	}
	/* Some 0.2 s of CPU at 1000 Hz; read only at the end, the ring keeps
	 * its first ~30 (the kernel counts the rest as lost only once it can
	 * write again). */
	assert_true(n >= 10);
	assert_true(with_stack == n);
	perf_close(p);
}

static void test_main_thread_samples(void **state)
{
	(void)state;
	skip_without_perf();
	sample_child(0);
}

static void test_every_thread_samples(void **state)
{
	(void)state;
	skip_without_perf();
	sample_child(1);
}

/* Nothing before the exec is sampled, and an empty ring reads as empty. */
static void test_nothing_before_exec(void **state)
{
	int gate;
	pid_t pid;
	struct perf *p;
	struct perf_sample s;

	(void)state;
	skip_without_perf();
	pid = spawn_held(&gate);
	p = perf_open(pid, 1000, 0);
	assert_non_null(p);
	assert_int_equal(perf_next(p, &s), 0);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(gate);
	assert_int_equal(perf_next(p, &s), 0);
	assert_int_equal(perf_lost(p), 0);
	perf_close(p);
}

static void test_no_such_process(void **state)
{
	pid_t pid;

	(void)state;
	skip_without_perf();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	assert_null(perf_open(pid, 100, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_main_thread_samples),
		cmocka_unit_test(test_every_thread_samples),
		cmocka_unit_test(test_nothing_before_exec),
		cmocka_unit_test(test_no_such_process),
	};

	return test_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
