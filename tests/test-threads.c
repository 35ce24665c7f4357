/* Tests of threads: reading a task's state from /proc. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "threads.h"

struct sleeper {
	int pipe[2];
	pid_t tid;
	int tid_pipe[2];
};

/* Tells its tid, then blocks reading a pipe nobody writes until the end. */
static void *sleeper_main(void *arg)
{
	struct sleeper *s = arg;
	pid_t tid = (pid_t)syscall(SYS_gettid);
	char c;

	if (write(s->tid_pipe[1], &tid, sizeof(tid)) != sizeof(tid))
		return NULL;
	if (read(s->pipe[0], &c, 1) < 0)
		return NULL;
	return NULL;
}

static void test_running_thread_is_R(void **state)
{
	(void)state;
	/* The calling thread is on a CPU while it reads its own state. */
	assert_int_equal(threads_state(getpid(), (pid_t)syscall(SYS_gettid)), 'R');
}

static void test_blocked_thread_is_not_running(void **state)
{
	struct sleeper s;
	pthread_t thread;
	char st = 'R';

	(void)state;
	assert_int_equal(pipe(s.pipe), 0);
	assert_int_equal(pipe(s.tid_pipe), 0);
	assert_int_equal(pthread_create(&thread, NULL, sleeper_main, &s), 0);
	assert_int_equal(read(s.tid_pipe[0], &s.tid, sizeof(s.tid)), sizeof(s.tid));
	/* It blocks in read() right after telling its tid: wait (bounded)
	 * for the kernel to show it asleep. */
	for (int i = 0; i < 1000000 && st == 'R'; i++)
		st = threads_state(getpid(), s.tid);
	assert_int_equal(st, 'S');
	assert_int_equal(write(s.pipe[1], "x", 1), 1);
	assert_int_equal(pthread_join(thread, NULL), 0);
	/* Gone: no state at all. */
	assert_int_equal(threads_state(getpid(), s.tid), 0);
	close(s.pipe[0]);
	close(s.pipe[1]);
	close(s.tid_pipe[0]);
	close(s.tid_pipe[1]);
}

static void test_no_such_process(void **state)
{
	(void)state;
	assert_int_equal(threads_state(0, 0), 0);
	assert_int_equal(threads_state(getpid(), 0x7ffffff0), 0);
	assert_int_equal(threads_cpu_ns(getpid(), 0x7ffffff0), -1);
}

/* The CPU time the kernel counts grows while the thread computes, and
 * stays while another thread of it sleeps. */
static void test_cpu_time_grows_while_running(void **state)
{
	pid_t self = (pid_t)syscall(SYS_gettid);
	long long before = threads_cpu_ns(getpid(), self), after = before;
	struct sleeper s;
	pthread_t thread;
	long long slept;
	char st = 'R';

	(void)state;
	assert_true(before >= 0);
	/* Bounded: the kernel's count moves at least every tick. */
	for (long i = 0; i < 4000000000L && after < before + 20000000; i++)
		after = threads_cpu_ns(getpid(), self);
	assert_true(after >= before + 20000000);
	assert_int_equal(pipe(s.pipe), 0);
	assert_int_equal(pipe(s.tid_pipe), 0);
	assert_int_equal(pthread_create(&thread, NULL, sleeper_main, &s), 0);
	assert_int_equal(read(s.tid_pipe[0], &s.tid, sizeof(s.tid)), sizeof(s.tid));
	for (int i = 0; i < 1000000 && st == 'R'; i++)
		st = threads_state(getpid(), s.tid);
	assert_int_equal(st, 'S');
	slept = threads_cpu_ns(getpid(), s.tid);
	before = threads_cpu_ns(getpid(), self);
	for (after = before; after < before + 20000000;)
		after = threads_cpu_ns(getpid(), self);
	assert_true(threads_cpu_ns(getpid(), s.tid) - slept < 10000000);
	assert_int_equal(write(s.pipe[1], "x", 1), 1);
	assert_int_equal(pthread_join(thread, NULL), 0);
	close(s.pipe[0]);
	close(s.pipe[1]);
	close(s.tid_pipe[0]);
	close(s.tid_pipe[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_running_thread_is_R),
		cmocka_unit_test(test_blocked_thread_is_not_running),
		cmocka_unit_test(test_no_such_process),
		cmocka_unit_test(test_cpu_time_grows_while_running),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
