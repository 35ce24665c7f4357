/* sampler-perf: perf events + codemap + unwind -> samples -> profile. */
#include "sampler.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "codemap.h"
#include "perf.h"
#include "recorder.h"
#include "sigfwd.h"
#include "target.h"
#include "util.h"

#define DRAIN_MS 10		/* how often the ring is read at most: samples
				 * are named while the code they hit is mapped */
#define DRAIN_SAMPLES 10	/* ... and at least every this many sample
				 * periods: a ring holds about 30 */

struct run {
	const struct sampler_options *opt;
	struct profile *profile;
	struct target target;
	struct perf *perf;
	struct codemap *map;
	struct recorder rec;
};

/* Reads every sample waiting in the ring: the program's own (not those of
 * processes it started), of its main thread unless all are asked for. */
static void drain(struct run *r)
{
	struct perf_sample s;

	recorder_round(&r->rec);
	while (perf_next(r->perf, &s)) {
		if (s.pid != (uint32_t)r->target.pid ||
		    (!r->opt->all_threads && s.tid != (uint32_t)r->target.pid))
			continue;
	{
		struct profile_origin o = { (int)s.pid, (int)s.tid, (long long)s.time_ns };

		recorder_add(&r->rec, &o, &s.regs, &s.stack);
	}
	}
}

static void sample_loop(struct run *r)
{
	long long start = now_ns();
	int drain_ms = (int)(DRAIN_SAMPLES * 1000 / r->opt->rate), ended = 0;

	drain_ms = drain_ms < 1 ? 1 : drain_ms > DRAIN_MS ? DRAIN_MS : drain_ms;

	while (!ended) {
		struct pollfd pfd = { .fd = sigfwd_fd(), .events = POLLIN };

		if (poll(&pfd, 1, drain_ms) < 0 && errno != EINTR) {
			/* Sampling ends; the program runs on to its end. */
			warning("sampling stopped (poll: %s); the report holds what was sampled before",
				strerror(errno));
			target_reap(&r->target, 1);
			break;
		}
		if (pfd.revents)
			ended = sigfwd_handle(&r->target);
		if (!ended)
			ended = target_reap(&r->target, 0);
		if (!ended)
			codemap_watch(r->map);
		drain(r);
	}
	if (perf_broken(r->perf))
		warning("sampling stopped: %s; the report holds what was sampled before",
			perf_broken(r->perf));
	r->profile->wall_seconds = (double)(now_ns() - start) / 1e9;
	r->profile->rate_requested = r->opt->rate;
	r->profile->all_threads = r->opt->all_threads;
	r->profile->cpu_time = 1;
	r->profile->never_paused = 1;
	r->profile->lost = perf_lost(r->perf);
	free(r->profile->sampler);
	r->profile->sampler = xstrdup("perf");
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
		      perf_open_error());
		target_kill(&r.target, SIGKILL);
		target_reap(&r.target, 1);
		goto out;
	}
	r.map = codemap_new(r.target.pid);
	r.rec.profile = profile;
	r.rec.map = r.map;
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
	recorder_free(&r.rec);
	codemap_free(r.map);
	sigfwd_restore();
	return code;
}
