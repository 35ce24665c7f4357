/* Tests for perf: the kernel's samples of a real child, read from the
 * rings.  Skipped where the kernel refuses perf events. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include "perf.h"
#include "testskip.h"
#include "util.h"

/* A shell busy for a fraction of a second of CPU. */
static char *const busy[] = {
	"/bin/sh", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done", NULL,
};

/* A shell busy until it is killed. */
static char *const spin[] = { "/bin/sh", "-c", "while :; do :; done", NULL };

/* Spins on the CPU for `ms` of its own CPU time. */
static void burn_cpu(long ms)
{
	struct timespec t;

	do
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	while (t.tv_sec * 1000 + t.tv_nsec / 1000000 < ms);
}

/* Starts `argv` held before its exec until *gate is written; with
 * `before_ms`, it first burns that much CPU, and then exits instead of
 * exec'ing. */
static pid_t spawn_argv(int *gate, char *const *argv, long before_ms)
{
	int fds[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[1]);
		/* A failed assertion leaves no child spinning. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (read(fds[0], &c, 1) != 1)
			_exit(99);
		if (before_ms) {
			burn_cpu(before_ms);
			_exit(0);
		}
		execv(argv[0], argv);
		_exit(98);
	}
	close(fds[0]);
	*gate = fds[1];
	return pid;
}

static pid_t spawn_held(int *gate)
{
	return spawn_argv(gate, busy, 0);
}

/* The address ranges of a live process's stack and executable mappings. */
struct ranges {
	uint64_t stack_lo, stack_hi;
	uint64_t code_lo[64], code_hi[64];
	size_t ncode;
};

static void read_ranges(pid_t pid, struct ranges *r)
{
	char path[64], line[512];
	FILE *f;

	memset(r, 0, sizeof(*r));
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		uint64_t lo, hi;
		char perms[8];

		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s", &lo, &hi, perms) != 3)
			continue;
		if (strstr(line, "[stack]")) {
			r->stack_lo = lo;
			r->stack_hi = hi;
		} else if (perms[2] == 'x' && r->ncode < 64) {
			r->code_lo[r->ncode] = lo;
			r->code_hi[r->ncode++] = hi;
		}
	}
	fclose(f);
	assert_true(r->stack_hi > r->stack_lo && r->ncode > 0);
}

static int in_code(const struct ranges *r, uint64_t a)
{
	for (size_t i = 0; i < r->ncode; i++)
		if (a >= r->code_lo[i] && a < r->code_hi[i])
			return 1;
	return 0;
}

/* The CPU time a live process has used, in seconds (utime + stime). */
static double cpu_seconds(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut, st;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	p = strrchr(buf, ')');
	assert_non_null(p);
	assert_int_equal(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st), 2);
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* Waits (10 s at most) for the first sample of a child that runs. */
static void wait_first_sample(struct perf *p)
{
	struct perf_sample s;
	long long end = now_ns() + 10000000000LL;

	while (perf_next(p, &s) == 0) {
		assert_true(now_ns() < end);
		sched_yield();
	}
}

/* Reads samples of the live `spin` child until `want` have come or its
 * CPU time reaches `cpu_limit`; each read waits `pause_ms` first (long
 * enough at a high rate to overflow the ring). */
static unsigned long read_live(struct perf *p, pid_t pid, struct ranges *r,
			       unsigned long want, double cpu_limit, long pause_ms)
{
	struct perf_sample s;
	unsigned long n = 0;

	while (n < want && cpu_seconds(pid) < cpu_limit) {
		struct timespec t = { 0, pause_ms * 1000000L };

		nanosleep(&t, NULL);
		while (perf_next(p, &s)) {
			assert_int_equal(s.pid, (uint32_t)pid);
			/* The stack pointer is the thread's own, inside its
			 * stack, and the copy starts there; the ip is code. */
			assert_true(s.regs.r[UNWIND_SP] >= r->stack_lo &&
				    s.regs.r[UNWIND_SP] < r->stack_hi);
			assert_int_equal(s.stack.base, s.regs.r[UNWIND_SP]);
			/* (The maps read as the shell started may lack the
			 * libraries it loaded since.) */
			if (!in_code(r, s.regs.r[UNWIND_IP]))
				read_ranges(pid, r);
			assert_true(in_code(r, s.regs.r[UNWIND_IP]));
			n++;
		}
	}
	return n;
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

/* Nothing before the exec is sampled: a child that burns 200 ms of CPU
 * and exits without exec'ing gives no sample; an empty ring reads as
 * empty. */
static void test_nothing_before_exec(void **state)
{
	int gate, status;
	pid_t pid;
	struct perf *p;
	struct perf_sample s;

	(void)state;
	skip_without_perf();
	pid = spawn_argv(&gate, busy, 200);
	p = perf_open(pid, 1000, 0);
	assert_non_null(p);
	assert_int_equal(perf_next(p, &s), 0);
	assert_int_equal(write(gate, "g", 1), 1);
	close(gate);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(perf_next(p, &s), 0);
	assert_int_equal(perf_lost(p), 0);
	perf_close(p);
}

/* Samples taken while the program runs: the registers are the thread's
 * (its stack pointer in its stack, its ip in code). */
static void test_live_samples_have_the_threads_registers(void **state)
{
	int gate;
	pid_t pid;
	struct perf *p;
	struct ranges r;

	(void)state;
	skip_without_perf();
	pid = spawn_argv(&gate, spin, 0);
	p = perf_open(pid, 1000, 0);
	assert_non_null(p);
	assert_int_equal(write(gate, "g", 1), 1);
	close(gate);
	/* The maps once the shell runs (the exec replaced them). */
	wait_first_sample(p);
	read_ranges(pid, &r);
	assert_true(read_live(p, pid, &r, 50, 5.0, 10) >= 50);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	perf_close(p);
}

/* A ring that overflows: the kernel's count of lost samples is read, and
 * with the samples read it adds up to the child's CPU time at the rate. */
static void test_lost_samples_are_counted(void **state)
{
	const double rate = 10000;
	int gate;
	pid_t pid;
	struct perf *p;
	struct ranges r;
	unsigned long n;
	double cpu, expect;

	(void)state;
	skip_without_perf();
	pid = spawn_argv(&gate, spin, 0);
	p = perf_open(pid, rate, 0);
	assert_non_null(p);
	assert_int_equal(write(gate, "g", 1), 1);
	close(gate);
	wait_first_sample(p);
	read_ranges(pid, &r);
	/* 100 ms between reads: 1000 samples, more than a ring holds. */
	n = read_live(p, pid, &r, (unsigned long)-1, 0.5, 100);
	cpu = cpu_seconds(pid);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	expect = cpu * rate;
	print_message("%lu samples read, %" PRIu64 " lost, %.0f expected\n", n, perf_lost(p), expect);
	assert_true(perf_lost(p) > 0);
	assert_true((double)(n + perf_lost(p)) > 0.5 * expect);
	assert_true((double)(n + perf_lost(p)) < 1.5 * expect);
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
		cmocka_unit_test(test_live_samples_have_the_threads_registers),
		cmocka_unit_test(test_lost_samples_are_counted),
		cmocka_unit_test(test_no_such_process),
	};

	return test_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
