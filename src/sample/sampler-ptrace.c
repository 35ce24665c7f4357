/* sampler-ptrace: tracer + codemap + unwind -> samples -> profile. */
#include "sampler.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codemap.h"
#include "perf.h"
#include "recorder.h"
#include "sigfwd.h"
#include "target.h"
#include "threads.h"
#include "tracer.h"
#include "util.h"

#define ROUND_NS 10000000LL	/* the map is read again at most once per
				 * 10 ms, and watched for new JIT code as often */
#define MAX_THREADS 256		/* sampled per tick; more running threads wait */

struct run {
	const struct sampler_options *opt;
	struct profile *profile;
	struct target target;
	struct tracer *tracer;
	struct codemap *map;
	unsigned execs;		/* the program's image the map is of */
	struct recorder rec;
	long long round_at;
	long long paused_ns;
	FILE *pause_log;	/* $NPROF_PAUSE_LOG, for bench/samplers */
	unsigned char stack[PERF_STACK_BYTES]; /* as much as the kernel copies */
};

/* Sleeps until `deadline` while passing the program's events and nprof's
 * signals on.  1 when the program ended. */
static int wait_until(struct run *r, long long deadline)
{
	for (;;) {
		struct pollfd pfd = { .fd = sigfwd_fd(), .events = POLLIN };
		long long left;
		struct timespec ts;

		if (tracer_events(r->tracer))
			return 1;
		left = deadline - now_ns();
		if (left <= 0)
			return 0;
		ts.tv_sec = (time_t)(left / 1000000000LL);
		ts.tv_nsec = (long)(left % 1000000000LL);
		if (ppoll(&pfd, 1, &ts, NULL) < 0 && errno != EINTR)
			fatal("ppoll: %s", strerror(errno));
		if (pfd.revents)
			sigfwd_forward(&r->target);
	}
}

/* The map is of the program's current image, watched for new JIT code. */
static void follow_code(struct run *r)
{
	long long now = now_ns();

	if (r->execs != tracer_execs(r->tracer)) {
		r->execs = tracer_execs(r->tracer);
		recorder_free(&r->rec);	/* its symbols are of the old map's files */
		codemap_free(r->map);
		r->map = codemap_new(r->target.pid);
		r->rec.map = r->map;
		r->round_at = 0;
	}
	if (now - r->round_at >= ROUND_NS) {
		r->round_at = now;
		recorder_round(&r->rec);
		codemap_watch(r->map);
	}
}

/* One tick: the main thread (wall time), or every thread on a CPU now
 * (--threads all), each stopped only for its own copy, which is unwound
 * after the thread runs on.  Only --threads all reads /proc (a thread's
 * state) before stopping a thread. */
static void take_sample(struct run *r)
{
	pid_t tids[MAX_THREADS] = { r->target.pid };
	size_t n = r->opt->all_threads ? tracer_threads(r->tracer, tids, MAX_THREADS) : 1;

	r->profile->ticks++;
	follow_code(r);
	for (size_t i = 0; i < n; i++) {
		struct unwind_regs regs;
		struct unwind_stack stack;
		struct tracer_pause pause;
		char state = 0;

		if (r->opt->all_threads && (state = threads_state(r->target.pid, tids[i])) != 'R')
			continue;
		if (!r->opt->all_threads && !tracer_running(r->tracer, tids[i]))
			break;	/* the main thread is in a group stop */
		if (tracer_sample(r->tracer, tids[i], &regs, &stack, r->stack, sizeof(r->stack),
				  &pause) < 0)
			continue;
		/* A main thread stopped in a system call was sleeping (most
		 * likely): it woke only to stop, no time of the program's
		 * was lost, and the wake-up is not a pause. */
		if (!state)
			state = pause.in_syscall ? 'S' : 'R';
		if (state == 'R')
			r->paused_ns += pause.resumed - pause.start;
		if (r->pause_log)
			fprintf(r->pause_log, "%ld %lld %lld %c %lld %lld %lld %lld\n", (long)tids[i],
				pause.start, pause.resumed, state, pause.interrupted, pause.stopped,
				pause.regs, pause.copied);
		if (r->execs == tracer_execs(r->tracer))
		{
			struct profile_origin o = { r->target.pid, (int)tids[i], now_ns() };

			recorder_add(&r->rec, &o, &regs, &stack);
		}
	}
}

static void sample_loop(struct run *r)
{
	long long period = (long long)(1e9 / r->opt->rate);
	long long start = now_ns(), k = 1;

	while (!wait_until(r, start + k * period)) {
		take_sample(r);
		/* Skip deadlines a slow sample made us miss. */
		long long due = (now_ns() - start) / period + 1;
		k = k + 1 > due ? k + 1 : due;
	}
	r->profile->wall_seconds = (double)(now_ns() - start) / 1e9;
	r->profile->paused_seconds = (double)r->paused_ns / 1e9;
	r->profile->rate_requested = r->opt->rate;
	r->profile->all_threads = r->opt->all_threads;
	free(r->profile->sampler);
	r->profile->sampler = xstrdup("ptrace");
}

int sampler_ptrace_run(const struct sampler_options *opt, struct profile *profile)
{
	struct run *r = xcalloc(1, sizeof(*r));
	int code = -1;

	r->opt = opt;
	r->profile = profile;
	r->rec.profile = profile;
	if (getenv("NPROF_PAUSE_LOG") && *getenv("NPROF_PAUSE_LOG"))
		r->pause_log = fopen(getenv("NPROF_PAUSE_LOG"), "we");
	sigfwd_install();
	if (target_spawn(&r->target, opt->python, opt->argv, opt->envp) < 0)
		goto out;
	r->tracer = tracer_seize(&r->target);
	if (!r->tracer) {
		error("cannot trace the program: %s; ptrace may be forbidden here "
		      "(see /proc/sys/kernel/yama/ptrace_scope), pass --sampler gdb",
		      strerror(errno));
		target_kill(&r->target, SIGKILL);
		target_reap(&r->target, 1);
		goto out;
	}
	r->map = codemap_new(r->target.pid);
	r->rec.map = r->map;
	if (target_release(&r->target) < 0) {
		target_reap(&r->target, 1);	/* it never execed: no stops */
		goto out;
	}
	sample_loop(r);
	if (codemap_denied(r->map))
		warning("cannot read the program's memory (%s), so Numba's code could not be named; "
			"ptrace is forbidden here (see /proc/sys/kernel/yama/ptrace_scope)",
			strerror(codemap_denied(r->map)));
	code = target_exit_code(&r->target);
out:
	if (r->pause_log)
		fclose(r->pause_log);
	tracer_free(r->tracer);
	recorder_free(&r->rec);
	codemap_free(r->map);
	free(r);
	sigfwd_restore();
	return code;
}
