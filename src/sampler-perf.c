/* sampler-perf: perf events + codemap + unwind -> samples -> profile. */
#include "sampler.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>

#include "codemap.h"
#include "perf.h"
#include "sigfwd.h"
#include "target.h"
#include "threads.h"
#include "unwind.h"
#include "util.h"

#define DRAIN_MS 10		/* how often the ring is read: samples are
				 * named while the code they hit is mapped */
#define MAX_CALLS 128		/* frames followed per sample */
#define MAX_FRAMES 512		/* source frames, inlined calls included */

struct run {
	const struct sampler_options *opt;
	struct profile *profile;
	struct target target;
	struct perf *perf;
	struct codemap *map;
	int refreshed;		/* the map was read in this drain */
	struct unwind_frame calls[MAX_CALLS];
	struct frame frames[MAX_FRAMES];
};

/* Unwinds, reading the process's map again (once a drain) when the stack
 * leads into code the map does not know yet: a library just loaded, a
 * function Numba just compiled.  Sets *unknown as unwind_stack does. */
static size_t unwind_sample(struct run *r, const struct perf_sample *s, int *unknown)
{
	size_t n = unwind_stack(r->map, &s->regs, &s->stack, r->calls, MAX_CALLS, unknown);

	if (*unknown && !r->refreshed) {
		r->refreshed = 1;
		/* Again even when the refresh failed part way: the frames
		 * point into the map, which it may have rebuilt. */
		codemap_refresh(r->map);
		n = unwind_stack(r->map, &s->regs, &s->stack, r->calls, MAX_CALLS, unknown);
	}
	return n;
}

/* One sample into the profile: the source frames of each JIT address,
 * inlined calls included; other code adds none.  A sample taken in code
 * nprof cannot place at all (the vDSO, code gone before it was read) is
 * unreadable: it might have been Numba's. */
static void record(struct run *r, const struct perf_sample *s)
{
	int unknown, tid = (int)s->tid;
	size_t ncalls = unwind_sample(r, s, &unknown), n = 0;
	struct profile_thread *t = profile_thread(r->profile, tid);

	/* Named at its first sample, while it runs. */
	if (t && !t->name)
		t->name = threads_name(r->target.pid, (pid_t)tid);
	if (ncalls == 0 && unknown) {
		profile_add_bad_of(r->profile, tid);
		return;
	}
	if (unwind_pool_wait(r->calls, ncalls)) {
		profile_add_pool_wait_of(r->profile, tid);
		return;
	}
	for (size_t k = 0; k < ncalls && n < MAX_FRAMES; k++) {
		const struct unwind_frame *c = &r->calls[k];

		if (c->code->jit)
			n += elfcode_lines(c->code->code, c->lookup - c->code->bias, r->frames + n,
					   MAX_FRAMES - n);
	}
	profile_add_stack_of(r->profile, tid, r->frames, n);
}

/* Reads every sample waiting in the ring: the program's own (not those of
 * processes it started), of its main thread unless all are asked for. */
static void drain(struct run *r)
{
	struct perf_sample s;

	r->refreshed = 0;
	while (perf_next(r->perf, &s)) {
		if (s.pid != (uint32_t)r->target.pid ||
		    (!r->opt->all_threads && s.tid != (uint32_t)r->target.pid))
			continue;
		record(r, &s);
	}
}

static void sample_loop(struct run *r)
{
	long long start = now_ns();
	int ended = 0;

	while (!ended) {
		struct pollfd pfd = { .fd = sigfwd_fd(), .events = POLLIN };

		if (poll(&pfd, 1, DRAIN_MS) < 0 && errno != EINTR)
			fatal("poll: %s", strerror(errno));
		if (pfd.revents)
			ended = sigfwd_handle(&r->target);
		if (!ended)
			ended = target_reap(&r->target, 0);
		if (!ended)
			codemap_watch(r->map);
		drain(r);
	}
	r->profile->wall_seconds = (double)(now_ns() - start) / 1e9;
	r->profile->rate_requested = r->opt->rate;
	r->profile->all_threads = r->opt->all_threads;
	r->profile->cpu_time = 1;
	r->profile->never_paused = 1;
	r->profile->lost = perf_lost(r->perf);
}

int sampler_perf_run(const struct sampler_options *opt, struct profile *profile)
{
	struct run r = { .opt = opt, .profile = profile };
	int code = -1;

	sigfwd_install();
	if (target_spawn(&r.target, opt->python, opt->argv, opt->envp) < 0)
		goto out;
	r.perf = perf_open(r.target.pid, opt->rate, opt->all_threads);
	if (!r.perf) {
		error("cannot sample the program with perf events: %s; pass --sampler gdb",
		      strerror(errno));
		target_kill(&r.target, SIGKILL);
		target_reap(&r.target, 1);
		goto out;
	}
	r.map = codemap_new(r.target.pid);
	if (target_release(&r.target) < 0) {
		target_reap(&r.target, 1);
		goto out;
	}
	sample_loop(&r);
	if (codemap_denied(r.map))
		warning("cannot read the program's memory (%s), so Numba's code could not be named; "
			"ptrace is forbidden here (see /proc/sys/kernel/yama/ptrace_scope)",
			strerror(codemap_denied(r.map)));
	code = target_exit_code(&r.target);
out:
	perf_close(r.perf);
	codemap_free(r.map);
	sigfwd_restore();
	return code;
}
