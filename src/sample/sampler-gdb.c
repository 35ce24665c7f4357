/* sampler-gdb: gdb + target -> samples -> profile. */
#include "sampler.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codemap.h"
#include "gdb.h"
#include "jitlines.h"
#include "sigfwd.h"
#include "stack.h"
#include "target.h"
#include "threads.h"
#include "util.h"

#define SETUP_TIMEOUT_MS 30000	/* attach reads the interpreter's symbols */
#define SAMPLE_TIMEOUT_MS 10000	/* a live gdb answers a sample in ~1 ms */
#define MAIN_THREAD "1"		/* gdb's number for the program's first thread */
#define MAX_THREADS 256		/* sampled at once; more running threads wait a tick */
#define NAMED_MAX 1024		/* frames of a stack named by jitlines */

struct run {
	const struct sampler_options *opt;
	struct profile *profile;
	struct gdb *gdb;
	struct target target;
	struct stack stack;
	struct threads *threads; /* --threads all: which are running */
	struct codemap *map;	/* the program's code as nprof reads it, or NULL
				 * (not read yet, or its memory is refused) */
	int map_refused;
	struct frame *named;	/* a stack's frames as jitlines names them */
	int ended;		/* gdb or waitpid saw the program end */
	const char *failed;	/* why sampling stopped early, besides gdb_failed() */
	long long paused_ns;
	long long period_ns;	/* of the rate asked for */
	long long cpu_seen_ns;	/* the main thread's CPU time at the last tick, or -1 */
	long long cpu_due_ns;	/* of it, not yet paid for by a sample */
};

/* The threads of one sample and how each stopped. */
struct tick {
	char ids[MAX_THREADS][THREADS_ID_MAX];
	struct mi_record *stops[MAX_THREADS];
	size_t n;
};

/* Acts on signals that arrived (see sigfwd.h).  Called from every wait
 * for gdb too (gdb_watch): a signal never waits for gdb's answer. */
static void handle_signals(struct run *r)
{
	if (sigfwd_handle(&r->target))
		r->ended = 1;
}

static void on_signal_fd(void *ctx)
{
	handle_signals(ctx);
}

/* Is the record gdb's report of an exec (see "catch exec" below)? */
static int is_exec_stop(const struct mi_record *rec)
{
	const char *reason = mi_find_string(rec->results, "reason");

	return rec->kind == MI_EXEC && strcmp(rec->klass, "stopped") == 0 && reason &&
	       strcmp(reason, "exec") == 0;
}

/* Where the kernel mapped the program's vDSO ("[vdso]" in its maps), or 0. */
static unsigned long vdso_address(pid_t pid)
{
	char path[64], line[512];
	unsigned long start = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/maps", (long)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "[vdso]")) {
			start = strtoul(line, NULL, 16);
			break;
		}
	fclose(f);
	return start;
}

/* gdb reads the vDSO's symbols and unwind rules when it attaches, but not
 * again when the program execs (gdb 13 and 16): the new program's vDSO is
 * then code gdb knows nothing of, and a sample in clock_gettime unwinds
 * into bogus frames.  Attaching happens before the exec, at the gate, so
 * every exec needs it: read it from the program's memory. */
static void load_vdso(struct run *r)
{
	unsigned long addr = vdso_address(r->target.pid);

	if (addr)
		gdb_command(r->gdb, SETUP_TIMEOUT_MS, NULL, NULL,
			    "-interpreter-exec console \"add-symbol-file-from-memory %#lx\"", addr);
}

/* Notes the program's end, and resumes a thread gdb stopped on its own
 * (nothing should, with every signal passed, but a stopped program must
 * never be left behind). */
static void handle_async(struct run *r, struct mi_record *rec)
{
	const char *reason = mi_find_string(rec->results, "reason");

	if (rec->kind == MI_NOTIFY && strcmp(rec->klass, "thread-group-exited") == 0)
		r->ended = 1;
	else if (rec->kind == MI_NOTIFY && r->threads && (strcmp(rec->klass, "thread-created") == 0 ||
							  strcmp(rec->klass, "thread-exited") == 0))
		threads_changed(r->threads);
	else if (rec->kind == MI_EXEC && strcmp(rec->klass, "stopped") == 0) {
		const char *thread = mi_find_string(rec->results, "thread-id");

		if (reason && strncmp(reason, "exited", 6) == 0)
			r->ended = 1;
		else if (thread && is_exec_stop(rec)) {
			load_vdso(r);
			/* A new program: its code is read anew. */
			codemap_free(r->map);
			r->map = NULL;
		}
		if (thread && !r->ended)
			gdb_send(r->gdb, "-exec-continue --thread %s", thread);
	}
	mi_record_free(rec);
}

static void drain_async(struct run *r)
{
	struct mi_record *rec;

	while ((rec = gdb_next_async(r->gdb, 0)))
		handle_async(r, rec);
}

/* Sleeps until `deadline` while handling gdb's records and signals. */
static void wait_until(struct run *r, long long deadline)
{
	while (!r->ended && !gdb_failed(r->gdb) && !r->failed) {
		struct pollfd pfd[2] = {
			{ .fd = gdb_fd(r->gdb), .events = POLLIN },
			{ .fd = sigfwd_fd(), .events = POLLIN },
		};
		long long left = deadline - now_ns();

		drain_async(r);
		if (r->ended || left <= 0)
			return;
		if (poll(pfd, 2, (int)((left + 999999) / 1000000)) < 0 && errno != EINTR) {
			r->failed = "cannot poll gdb's output";
			return;
		}
		if (pfd[1].revents)
			handle_signals(r);
		gdb_pump(r->gdb);
	}
}

/* The index in the tick of the thread a *stopped record is for, or -1. */
static int tick_index(const struct tick *t, const struct mi_record *rec)
{
	const char *thread = mi_find_string(rec->results, "thread-id");
	const char *reason = mi_find_string(rec->results, "reason");

	if (rec->kind != MI_EXEC || strcmp(rec->klass, "stopped") != 0 || !thread ||
	    (reason && strncmp(reason, "exited", 6) == 0))
		return -1;
	for (size_t i = 0; i < t->n; i++)
		if (!t->stops[i] && strcmp(t->ids[i], thread) == 0)
			return (int)i;
	return -1;
}

/* Waits for the *stopped of every thread in the tick, keeping each record
 * (the caller frees them).  0 when all came, -1 otherwise (the program
 * ended, or gdb failed or stopped answering). */
static int wait_stopped(struct run *r, struct tick *t)
{
	long long deadline = now_ns() + SAMPLE_TIMEOUT_MS * 1000000LL;
	size_t pending = t->n;

	while (pending && !r->ended) {
		long long left = deadline - now_ns();
		struct mi_record *rec = gdb_next_async(r->gdb, left > 0 ? (int)(left / 1000000) : 0);
		int i;

		if (!rec)
			return -1;
		if (is_exec_stop(rec)) {
			/* The program is a new one: the interrupts in flight
			 * will never be answered and the other threads are
			 * gone.  No sample this tick; the new program runs on. */
			if (r->threads)
				threads_changed(r->threads);
			handle_async(r, rec);
			return -1;
		}
		i = tick_index(t, rec);
		if (i >= 0) {
			t->stops[i] = rec;
			pending--;
		} else {
			handle_async(r, rec);
		}
	}
	return pending ? -1 : 0;
}

/* Where each listing of a stack ends (frame levels): most samples need
 * only the first, a chain of jitted calls the second or the last.  gdb
 * unwinds only as far as asked, and each frame costs it about 0.1 ms while
 * the program is stopped: a recursion thousands of calls deep listed whole
 * would keep the program stopped most of its time.  So a listing ends at
 * STACK_MAX_FRAMES, or as soon as it shows a recursion (a line on the
 * stack twice): the innermost frames hold the self line and the lines the
 * recursion repeats; callers further out get no total from such a sample,
 * and the report counts it as cut.  Each chunk starts at the last frame of
 * the one before: that frame exists, so a stack that ends right at a
 * chunk's end (an idle OpenMP worker's 4 frames) is never asked for frames
 * it does not have, which gdb answers with an error. */
#define STACK_MAX_FRAMES 128
static const int stack_chunk_end[] = { 3, 19, STACK_MAX_FRAMES - 1 };

/* Lists the stack in chunks, stopping once it reaches Numba's CPython
 * wrapper or the interpreter's own frames, below which no jitted code of
 * this call can be.  The records stay alive until the stack, which points
 * into them, is in the profile. */
/* The listed stack into the profile, its frames in Numba's code named by
 * nprof's own reading of that code (jitlines), as the other samplers name
 * them; where the program's memory is refused, as gdb named them. */
static void add_sample(struct run *r, const struct profile_origin *o)
{
	size_t n;
	int blind;

	if (!r->map && !r->map_refused)
		r->map = codemap_new(r->target.pid);
	if (!r->map) {
		profile_add_sample(r->profile, o, r->stack.frames, r->stack.n);
		return;
	}
	if (!r->named)
		r->named = xcalloc(NAMED_MAX, sizeof(*r->named));
	n = jitlines_name(r->map, r->stack.frames, r->stack.pcs, r->stack.n, r->named, NAMED_MAX,
			  &blind);
	profile_add_sample(r->profile, o, r->named, n);
	r->profile->blind += blind;
	if (codemap_denied(r->map)) {
		codemap_free(r->map);
		r->map = NULL;
		r->map_refused = 1;
	}
}

static void record_stack(struct run *r, const char *thread)
{
	struct mi_record *recs[ARRAY_SIZE(stack_chunk_end)] = { NULL };
	size_t nrecs = 0;
	int bad = 0, cut = 0, low = 0;

	stack_reset(&r->stack);
	for (; nrecs < ARRAY_SIZE(stack_chunk_end); low = stack_chunk_end[nrecs - 1]) {
		int high = stack_chunk_end[nrecs];
		size_t seen = r->stack.n;

		if (gdb_command(r->gdb, SAMPLE_TIMEOUT_MS, &recs[nrecs], NULL,
				"-stack-list-frames --thread %s --no-frame-filters %d %d",
				thread, low, high) < 0) {
			bad = !gdb_failed(r->gdb);
			break;
		}
		if (stack_append_mi(&r->stack, recs[nrecs++]->results) < 0) {
			bad = 1;
			break;
		}
		if (r->stack.n < (size_t)high + 1 || stack_reached_python(&r->stack, seen))
			break;
		cut = nrecs == ARRAY_SIZE(stack_chunk_end) || stack_recursion(&r->stack);
		if (cut)
			break;
	}
	/* gdb numbers threads its own way: the main one is the process's,
	 * the others' LWPs are in gdb's thread list (--threads all). */
	struct profile_origin o = { r->target.pid,
				    strcmp(thread, MAIN_THREAD) == 0 ? r->target.pid
				    : r->threads ? threads_lwp(r->threads, thread) : 0, 0 };

	if (bad) {
		profile_add_bad_sample(r->profile, &o);
	} else if (nrecs) {
		add_sample(r, &o);
		if (cut)
			r->profile->cut++;
	}
	while (nrecs > 0)
		mi_record_free(recs[--nrecs]);
}

/* Did the interrupt stop the thread right on one of gdb's own
 * breakpoints?  It got there as gdb stopped it for its own purposes (see
 * choose_threads), or about to: not the program's time, no sample. */
static int at_gdb_breakpoint(const struct mi_record *stop)
{
	const struct mi_value *frame = mi_find_tuple(stop->results, "frame");
	const char *func = frame ? mi_find_string(frame->children, "func") : NULL;

	return func && stack_is_gdb_event_function(func);
}

/* A thread our interrupt stopped right on one of gdb's breakpoints has
 * not executed it yet, but gdb's continue steps over a breakpoint at the
 * stop address as if it had: the event (a JIT registration: all samples
 * of that code would go unresolved) would be lost.  Resuming with a jump
 * to the same address makes the thread execute the breakpoint.  Only for
 * these functions: a jump also cancels the restart of an interrupted
 * system call, and they make none. */
static void resume(struct run *r, const char *thread, const struct mi_record *stop)
{
	const struct mi_value *frame = mi_find_tuple(stop->results, "frame");
	const char *func = frame ? mi_find_string(frame->children, "func") : NULL;
	const char *addr = frame ? mi_find_string(frame->children, "addr") : NULL;
	const char *signal = mi_find_string(stop->results, "signal-name");

	/* A jump delivers no signal: one that came with the stop (the
	 * program's, caught as the interrupt landed) goes on with a continue,
	 * which passes it, even at the price of the breakpoint's event. */
	if (func && addr && stack_is_gdb_event_function(func) &&
	    (!signal || strcmp(signal, "0") == 0 || strcmp(signal, "SIGSTOP") == 0)) {
		gdb_command(r->gdb, SAMPLE_TIMEOUT_MS, NULL, NULL, "-exec-jump --thread %s *%s",
			    thread, addr);
		return;
	}
	gdb_command(r->gdb, SAMPLE_TIMEOUT_MS, NULL, NULL, "-exec-continue --thread %s", thread);
}

/* Samples are of CPU time, as the kernel's: a tick samples the main
 * thread when it has run for a period since the last sample (its CPU
 * time, /proc schedstat), so time it sleeps, waits for a CPU on a loaded
 * machine or is held by gdb is not sampled.  Credit beyond one period is
 * dropped: a sample stands for at most one period of CPU time.  Where
 * schedstat cannot be read, every tick samples (wall time). */
static int main_thread_ran(struct run *r)
{
	long long cpu = threads_cpu_ns(r->target.pid, r->target.pid);

	if (cpu < 0)
		return 1;
	if (r->cpu_seen_ns >= 0 && cpu > r->cpu_seen_ns)
		r->cpu_due_ns += cpu - r->cpu_seen_ns;
	r->cpu_seen_ns = cpu;
	if (r->cpu_due_ns < r->period_ns)
		return 0;
	r->cpu_due_ns -= r->period_ns;
	if (r->cpu_due_ns > r->period_ns)
		r->cpu_due_ns = r->period_ns;
	return 1;
}

/* The threads to sample now: the main thread, or with --threads all the
 * ones on a CPU (none: nothing to sample this tick).  -1 when the main
 * thread is stopped on gdb's own account: at its shared-library or JIT
 * breakpoint, while gdb reads the new library's or code's symbols, which
 * takes far longer than what the program does there.  That time is gdb's,
 * not the program's: an interrupt would be answered only once gdb lets the
 * thread go, and land in the loader right after the breakpoint. */
static int choose_threads(struct run *r, struct tick *t)
{
	memset(t, 0, sizeof(*t));
	if (!r->threads) {
		if (threads_state(r->target.pid, r->target.pid) == 't' || !main_thread_ran(r))
			return -1;
		snprintf(t->ids[0], THREADS_ID_MAX, "%s", MAIN_THREAD);
		t->n = 1;
		return 0;
	}
	t->n = threads_running(r->threads, r->gdb, t->ids, MAX_THREADS);
	return 0;
}

/* Interrupts each thread of the tick, dropping those gdb refuses (a
 * thread that just exited). */
static void interrupt_threads(struct run *r, struct tick *t)
{
	size_t kept = 0;

	for (size_t i = 0; i < t->n; i++)
		if (gdb_command(r->gdb, SAMPLE_TIMEOUT_MS, NULL, NULL, "-exec-interrupt --thread %s",
				t->ids[i]) == 0)
			memmove(t->ids[kept++], t->ids[i], THREADS_ID_MAX);
	t->n = kept;
}

/* One sample: interrupt the threads, read their stacks, let them go.  The
 * pause is counted from gdb's ^done to the interrupts (it has just sent
 * the SIGSTOPs) to the ^running of the last resume: time gdb spent on
 * other work before taking our commands (loading a library's symbols, with
 * the thread stopped on gdb's own account) is not ours. */
static void take_sample(struct run *r)
{
	struct tick t;
	long long stopped_at;

	if (choose_threads(r, &t) < 0)
		return;		/* not the program's CPU time since the last */
	r->profile->ticks++;
	interrupt_threads(r, &t);
	if (!t.n) {
		drain_async(r);	/* all asleep, or the program is ending */
		return;
	}
	stopped_at = now_ns();
	if (wait_stopped(r, &t) == 0)
		for (size_t i = 0; i < t.n; i++)
			if (!at_gdb_breakpoint(t.stops[i]))
				record_stack(r, t.ids[i]);
	for (size_t i = 0; i < t.n; i++) {
		if (t.stops[i])
			resume(r, t.ids[i], t.stops[i]);
		mi_record_free(t.stops[i]);
	}
	r->paused_ns += now_ns() - stopped_at;
}

static void sample_loop(struct run *r)
{
	long long period = (long long)(1e9 / r->opt->rate);
	long long start = now_ns(), k = 1;

	r->period_ns = period;
	r->cpu_seen_ns = -1;

	while (!r->ended && !gdb_failed(r->gdb) && !r->failed) {
		wait_until(r, start + k * period);
		if (r->ended || gdb_failed(r->gdb) || r->failed)
			break;
		take_sample(r);
		/* Skip deadlines a slow sample made us miss. */
		k = k + 1 > (now_ns() - start) / period + 1 ? k + 1 : (now_ns() - start) / period + 1;
	}
	handle_signals(r);	/* one that came as the program ended */
	r->profile->wall_seconds = (double)(now_ns() - start) / 1e9;
	r->profile->paused_seconds = (double)r->paused_ns / 1e9;
	r->profile->rate_requested = r->opt->rate;
	free(r->profile->sampler);
	r->profile->sampler = xstrdup("gdb");
	r->profile->all_threads = r->opt->all_threads;
	/* Of the main thread's CPU time (main_thread_ran); with --threads
	 * all, of the threads running at each tick (threads_running). */
	r->profile->cpu_time = !r->threads && r->cpu_seen_ns >= 0;
	r->profile->cut_depth = STACK_MAX_FRAMES;
}

/* Settings for quiet, fast sampling.  Failures of the optional ones
 * (older gdbs lack debuginfod) do not matter. */
static int configure_gdb(struct gdb *g, const char *path)
{
	static const char *const required[] = {
		"-gdb-set non-stop on",
		"-gdb-set mi-async on",
		"-gdb-set pagination off",
		"-gdb-set confirm off",
		/* Every signal goes to the program untouched; the interrupts
		 * non-stop mode sends are gdb's own and never passed on. */
		"-interpreter-exec console \"handle all nostop noprint pass\"",
		"-interpreter-exec console \"handle SIGINT nostop noprint pass\"",
		/* An exec ends every interrupt in flight unanswered: have gdb
		 * report it (a stop, see wait_stopped). */
		"-interpreter-exec console \"catch exec\"",
	};
	static const char *const optional[] = {
		"-gdb-set debuginfod enabled off",
		"-gdb-set auto-load off",
		"-gdb-set print thread-events off",
		"-gdb-set print inferior-events off",
		/* A stop reports its frame: keep that cheap. */
		"-gdb-set print frame-arguments none",
		"-gdb-set print entry-values no",
		"-gdb-set print frame-info short-location",
		/* gdb asks its Python unwinders about every frame it unwinds:
		 * gdb._execute_unwinders walks every objfile, in Python, and
		 * each of Numba's functions is one (JIT objects): with 300 of
		 * them, 1.2 ms of gdb's CPU time a sample.  With -nx and
		 * auto-load off no unwinder can be registered; say none claims
		 * the frame.  (A gdb without Python refuses it: no matter.) */
		"-interpreter-exec console \"python gdb._execute_unwinders = lambda pending_frame: None\"",
	};
	const char *words;
	char *msg;

	for (size_t i = 0; i < ARRAY_SIZE(required); i++) {
		if (gdb_command(g, SETUP_TIMEOUT_MS, NULL, &msg, "%s", required[i]) < 0) {
			/* Of what gdb said, its first line (at most 200 bytes). */
			words = gdb_last_words(g);
			if (msg)
				error("gdb '%s' refused '%s': %s; run 'nprof doctor'", path, required[i], msg);
			else
				error("cannot use gdb '%s': %s%s%.*s; pass --gdb PATH or run 'nprof setup'",
				      path, gdb_failed(g), *words ? ": " : "",
				      (int)(strcspn(words, "\n") < 200 ? strcspn(words, "\n") : 200), words);
			free(msg);
			return -1;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(optional); i++)
		if (gdb_command(g, SETUP_TIMEOUT_MS, NULL, NULL, "%s", optional[i]) < 0 && gdb_failed(g))
			return -1;
	return 0;
}

/* Waits for the stop that attaching reports for the main thread. */
static int wait_attached(struct run *r)
{
	struct tick t = { .n = 1 };
	int ret;

	snprintf(t.ids[0], THREADS_ID_MAX, "%s", MAIN_THREAD);
	ret = wait_stopped(r, &t);
	mi_record_free(t.stops[0]);
	return ret;
}

/* Attaches gdb to the child waiting at its gate, resumes it and opens the
 * gate: from here the program runs. */
static int attach_and_release(struct run *r)
{
	char *msg = NULL;

	if (gdb_command(r->gdb, SETUP_TIMEOUT_MS, NULL, &msg, "-target-attach %ld",
			(long)r->target.pid) < 0) {
		error("gdb cannot attach to the program: %s; ptrace may be forbidden here "
		      "(see /proc/sys/kernel/yama/ptrace_scope)",
		      msg ? msg : gdb_failed(r->gdb));
		free(msg);
		return -1;
	}
	if (wait_attached(r) < 0 ||
	    gdb_command(r->gdb, SETUP_TIMEOUT_MS, NULL, &msg, "-exec-continue --all") < 0) {
		error("gdb cannot resume the program: %s", msg ? msg : "no answer");
		free(msg);
		return -1;
	}
	if (target_release(&r->target) < 0)
		return -1;
	/* From here a signal is passed on at once, whatever nprof waits for
	 * (before, it waits: the program is not running yet). */
	gdb_watch(r->gdb, sigfwd_fd(), on_signal_fd, r);
	return 0;
}

/* Ends gdb and waits for the program.  When sampling stopped early (gdb
 * died or stopped answering), the program runs on to its end: a thread
 * gdb held stopped when it went is detached with gdb's SIGSTOP still to
 * be delivered, which would stop the whole program for good; a SIGCONT
 * once gdb is reaped cancels that stop (or ends it). */
static int finish(struct run *r, int started)
{
	const char *failed = r->failed ? r->failed : gdb_failed(r->gdb);

	if (failed && !r->ended && started)
		warning("sampling stopped: %s; the program runs on to its end, the report holds "
			"what was sampled before", failed);
	gdb_close(r->gdb);
	r->gdb = NULL;
	if (!started) {
		target_kill(&r->target, SIGKILL);
		target_reap(&r->target, 1);
		return -1;
	}
	if (failed && !r->ended)
		target_kill(&r->target, SIGCONT);
	sigfwd_wait(&r->target);
	return target_exit_code(&r->target);
}

int sampler_gdb_run(const struct sampler_options *opt, struct profile *profile)
{
	struct run r = { .opt = opt, .profile = profile };
	int started = 0, code;

	sigfwd_install();
	r.gdb = gdb_start(opt->gdb);
	if (!r.gdb) {
		sigfwd_restore();
		return -1;
	}
	if (configure_gdb(r.gdb, opt->gdb) == 0 &&
	    target_spawn(&r.target, opt->python, opt->argv, opt->envp) == 0) {
		if (opt->all_threads)
			r.threads = threads_new(r.target.pid);
		started = attach_and_release(&r) == 0;
		if (started)
			sample_loop(&r);
	}
	code = r.target.pid > 0 ? finish(&r, started) : (gdb_close(r.gdb), -1);
	stack_release(&r.stack);
	codemap_free(r.map);
	free(r.named);
	threads_free(r.threads);
	sigfwd_restore();
	return code;
}
