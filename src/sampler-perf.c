/* sampler-perf: perf events + codemap + unwind -> samples -> profile. */
#include "sampler.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>

#include "codemap.h"
#include "perf.h"
#include "sigfwd.h"
#include "symtab.h"
#include "target.h"
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
	struct run_symtab *symtabs;	/* of the native files met, read once each */
	size_t nsymtabs, symtabs_alloc;
};

struct run_symtab {
	const struct elfcode *code;
	struct symtab *syms;
};

/* The function a native frame is in, from its file's symbols. */
static const char *native_name(struct run *r, const struct unwind_frame *c)
{
	struct run_symtab *t = NULL;

	for (size_t i = 0; i < r->nsymtabs && !t; i++)
		if (r->symtabs[i].code == c->code->code)
			t = &r->symtabs[i];
	if (!t) {
		r->symtabs = xgrow(r->symtabs, &r->symtabs_alloc, r->nsymtabs + 1, sizeof(*r->symtabs));
		t = &r->symtabs[r->nsymtabs++];
		t->code = c->code->code;
		t->syms = symtab_new(elfcode_elf(c->code->code));
	}
	return symtab_find(t->syms, c->lookup - c->code->bias);
}

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
	struct profile_origin o = { (int)s->pid, (int)s->tid, (long long)s->time_ns };
	int unknown;
	size_t ncalls = unwind_sample(r, s, &unknown), n = 0, m;

	if (ncalls == 0 && unknown) {
		profile_add_bad_sample(r->profile, &o);
		return;
	}
	for (size_t k = 0; k < ncalls && n < MAX_FRAMES; k++) {
		const struct unwind_frame *c = &r->calls[k];

		if (!c->code->jit) {
			/* Native code: the profile keeps the frames among and
			 * inside Numba's (sin called from a line). */
			r->frames[n++] = (struct frame){ .func = native_name(r, c), .lib = c->code->path };
			continue;
		}
		m = elfcode_lines(c->code->code, c->lookup - c->code->bias, r->frames + n,
				  MAX_FRAMES - n);
		/* All but the last of one address's frames were inlined. */
		for (size_t j = 0; j < m; j++) {
			r->frames[n + j].inlined = j + 1 < m;
			r->frames[n + j].lib = NULL;
		}
		n += m;
	}
	profile_add_sample(r->profile, &o, r->frames, n);
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
	for (size_t i = 0; i < r.nsymtabs; i++)
		symtab_free(r.symtabs[i].syms);
	free(r.symtabs);
	sigfwd_restore();
	return code;
}
