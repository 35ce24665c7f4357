/* report-text: the profile as annotated source and a function table.
 *
 * Every percentage is of all samples, so the numbers on a line say how
 * much of the whole run it cost, wherever the rest of the time went. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "source.h"
#include "util.h"

#define REPORT_PCT_WIDTH 7	/* " 100.0%" */
#define REPORT_PCT_SIZE 32

struct report {
	FILE *out;
	struct profile *p;
	const struct report_options *opt;
};

static const struct source *report_source(struct report *r, const char *path);
static void report_pct(char *buf, unsigned long n, unsigned long of);
static double report_ratio(double n, double of);
static void report_header(struct report *r);
static const struct profile_func *report_first_func(struct report *r,
						    const struct profile_file *f);
static int report_decorated_def(const struct source *src, const char *name, int line);
static int report_file_start(struct report *r, const struct profile_file *f,
			     const struct source *src);
static void report_row(struct report *r, const struct profile_line *l, int width, int n,
		       const char *text);
static void report_file(struct report *r, const struct profile_file *f);
static int report_files(struct report *r, int internal);
static int report_func_shown(struct report *r, const struct profile_func *fn);
static int report_func_line(struct report *r, const struct profile_func *fn);
static void report_funcs(struct report *r);
static void report_threads(struct report *r);

/* The text the run saw, kept in the profile. */
static const struct source *report_source(struct report *r, const char *path)
{
	return profile_source(r->p, path);
}

static double report_ratio(double n, double of)
{
	return of > 0 ? 100.0 * n / of : 0;
}

/* Blank for zero, so the eye finds the lines that cost something. */
static void report_pct(char *buf, unsigned long n, unsigned long of)
{
	if (!n)
		buf[0] = '\0';
	else
		snprintf(buf, REPORT_PCT_SIZE, "%.1f%%", report_ratio((double)n, (double)of));
}

static void report_header(struct report *r)
{
	const struct profile *p = r->p;
	double rate = profile_rate(p);

	fprintf(r->out, "nprof: %lu sample%s", p->samples, p->samples == 1 ? "" : "s");
	if (p->cpu_time && p->rate_requested > 0) {
		/* Taken per CPU time: a rate per wall second would mislead. */
		fprintf(r->out, ", one per %.3g ms of %s CPU time", 1000 / p->rate_requested,
			p->all_threads ? "each thread's" : "the main thread's");
	} else {
		if (p->all_threads)
			fprintf(r->out, " of every running thread");
		if (rate > 0)
			fprintf(r->out, " at %.1f Hz", rate);
		if (p->rate_requested > 0)
			fprintf(r->out, " (%g Hz requested)", p->rate_requested);
	}
	if (p->samples) {
		fprintf(r->out, ", %.1f%% not in Numba code, %.1f%% unreadable",
			report_ratio((double)p->other, (double)p->samples),
			report_ratio((double)p->bad, (double)p->samples));
		if (p->internal_only)
			fprintf(r->out, ", %.1f%% only in Numba's own code",
				report_ratio((double)p->internal_only, (double)p->samples));
		if (p->pool_wait)
			fprintf(r->out, ", %.1f%% waiting in Numba's thread pool",
				report_ratio((double)p->pool_wait, (double)p->samples));
	}
	if (p->lost)
		fprintf(r->out, ", %lu lost", p->lost);
	if (p->cut && p->samples)
		fprintf(r->out, ", %.1f%% of stacks cut (a recursion, or deeper than %d frames: "
			"their outer callers get no total)",
			report_ratio((double)p->cut, (double)p->samples), p->cut_depth);
	if (p->blind && p->samples)
		fprintf(r->out, ", %.1f%% of stacks end in Numba code gdb could not read (its "
			"callers get no total; 'nprof setup' installs a gdb that reads it)",
			report_ratio((double)p->blind, (double)p->samples));
	if (p->never_paused)
		fprintf(r->out, "; the kernel took the samples, the target was not stopped");
	else if (p->wall_seconds > 0)
		fprintf(r->out, "; sampling paused the target %.1f%% of %.1f s",
			report_ratio(p->paused_seconds, p->wall_seconds), p->wall_seconds);
	fputc('\n', r->out);
	if (r->opt->codegen || p->codegen)
		fprintf(r->out, "%s\n", r->opt->codegen ? r->opt->codegen : p->codegen);
}

/* The function holding the file's first sampled line. */
static const struct profile_func *report_first_func(struct report *r,
						    const struct profile_file *f)
{
	size_t i;

	for (i = 0; i < r->p->nfuncs; i++) {
		const struct profile_func *fn = &r->p->funcs[i];

		if (fn->first_line == f->first_line && strcmp(fn->file, f->path) == 0)
			return fn;
	}
	return NULL;
}

/* The `def` of `name` enclosing `line` and the "@..." lines right above it
 * (one-line decorators only: a decorator split over lines stops the climb,
 * which costs a line of context, not a wrong number). */
static int report_decorated_def(const struct source *src, const char *name, int line)
{
	int def = source_find_def(src, name, line);
	const char *s;

	if (!def)
		return 0;
	while (def > 1) {
		s = source_line(src, def - 1);
		s += strspn(s, " \t");
		if (*s != '@')
			break;
		def--;
	}
	return def;
}

/* From the first sampled line up to its function's def and decorators, so
 * the listing starts where the reader's function does. */
static int report_file_start(struct report *r, const struct profile_file *f,
			     const struct source *src)
{
	const struct profile_func *fn;
	int def;

	if (!src)
		return f->first_line;
	fn = report_first_func(r, f);
	def = fn ? report_decorated_def(src, fn->name, f->first_line) : 0;
	return def ? def : f->first_line;
}

static void report_row(struct report *r, const struct profile_line *l, int width, int n,
		       const char *text)
{
	char self[REPORT_PCT_SIZE] = "", total[REPORT_PCT_SIZE] = "";

	if (l) {
		report_pct(self, l->self, r->p->samples);
		report_pct(total, l->total, r->p->samples);
	}
	fprintf(r->out, "%*s %*s  %*d |", REPORT_PCT_WIDTH, self, REPORT_PCT_WIDTH, total,
		width, n);
	if (!text)
		fprintf(r->out, " <line %d>\n", n);
	else if (*text)
		fprintf(r->out, " %s\n", text);
	else
		fputc('\n', r->out);
}

static void report_file(struct report *r, const struct profile_file *f)
{
	const struct source *src = report_source(r, f->path);
	const struct profile_line *l;
	const char *text;
	int n, width;

	width = snprintf(NULL, 0, "%d", f->last_line);
	if (width < 4)
		width = 4;
	fprintf(r->out, "\n%s  (%.1f%% self)\n", f->path,
		report_ratio((double)f->self, (double)r->p->samples));
	if (!src)
		fprintf(r->out, "(cannot read this file: showing the sampled lines only)\n");
	else if (f->last_line > source_nlines(src))
		fprintf(r->out, "(the file has %d lines but line %d was sampled: code Numba generates, "
			"as for parallel=True, can carry such lines; or the file changed since the run)\n",
			source_nlines(src), f->last_line);
	fprintf(r->out, "%*s %*s  %*s | source\n", REPORT_PCT_WIDTH, "self%",
		REPORT_PCT_WIDTH, "total%", width, "line");
	for (n = report_file_start(r, f, src); n <= f->last_line; n++) {
		l = profile_file_line(f, n);
		text = src ? source_line(src, n) : NULL;
		if (l || text)
			report_row(r, l, width, n, text);
	}
}

/* The files with samples of one kind (user or Numba's own); how many. */
static int report_files(struct report *r, int internal)
{
	int shown = 0;
	size_t i;

	for (i = 0; i < r->p->nfiles; i++) {
		const struct profile_file *f = &r->p->files[i];

		if (!f->internal != !internal || !f->first_line)
			continue;
		if (internal && !shown)
			fprintf(r->out, "\nNumba's own source (shown by --show-internals):\n");
		report_file(r, f);
		shown++;
	}
	return shown;
}

static int report_func_shown(struct report *r, const struct profile_func *fn)
{
	return !fn->internal || r->opt->show_internals;
}

/* Where the function starts: its def when the source says, else the
 * first line sampled in it. */
static int report_func_line(struct report *r, const struct profile_func *fn)
{
	const struct source *src = report_source(r, fn->file);
	int def = src ? source_find_def(src, fn->name, fn->first_line) : 0;

	return def ? def : fn->first_line;
}

static void report_funcs(struct report *r)
{
	char self[REPORT_PCT_SIZE], total[REPORT_PCT_SIZE], counts[64];
	int name_width = (int)strlen("function"), count_width = (int)strlen("self/total");
	const struct profile_func *fn;
	size_t i, shown = 0;
	int n;

	for (i = 0; i < r->p->nfuncs; i++) {
		fn = &r->p->funcs[i];
		if (!report_func_shown(r, fn))
			continue;
		shown++;
		n = (int)strlen(fn->name);
		if (n > name_width)
			name_width = n;
		n = snprintf(NULL, 0, "%lu/%lu", fn->self, fn->total);
		if (n > count_width)
			count_width = n;
	}
	if (!shown)
		return;
	fprintf(r->out, "\n%-*s %*s %*s  %*s  location\n", name_width, "function",
		REPORT_PCT_WIDTH, "self%", REPORT_PCT_WIDTH, "total%", count_width, "self/total");
	for (i = 0; i < r->p->nfuncs; i++) {
		fn = &r->p->funcs[i];
		if (!report_func_shown(r, fn))
			continue;
		report_pct(self, fn->self, r->p->samples);
		report_pct(total, fn->total, r->p->samples);
		snprintf(counts, sizeof(counts), "%lu/%lu", fn->self, fn->total);
		fprintf(r->out, "%-*s %*s %*s  %*s  %s:%d\n", name_width, fn->name,
			REPORT_PCT_WIDTH, self, REPORT_PCT_WIDTH, total, count_width, counts,
			fn->file, report_func_line(r, fn));
	}
}

/* One row per thread sampled, when there were several: its samples, the
 * share of them it spent waiting in Numba's thread pool and the user line
 * it spent most self samples on (shares of all samples, as elsewhere). */
static void report_threads(struct report *r)
{
	const struct profile *p = r->p;
	char share[REPORT_PCT_SIZE], wait[REPORT_PCT_SIZE], top[REPORT_PCT_SIZE];
	int name_width = (int)strlen("name");
	struct profile_thread_top *tops;

	if (p->nthreads < 2)
		return;
	for (size_t i = 0; i < p->nthreads; i++) {
		int n = p->threads[i].name ? (int)strlen(p->threads[i].name) : 1;

		if (n > name_width)
			name_width = n;
	}
	tops = xcalloc(p->nthreads, sizeof(*tops));
	profile_thread_tops(p, tops);
	fprintf(r->out, "\n%8s  %-*s %8s %*s %*s  top line\n", "thread", name_width, "name",
		"samples", REPORT_PCT_WIDTH, "share", REPORT_PCT_WIDTH, "waiting");
	for (size_t i = 0; i < p->nthreads; i++) {
		const struct profile_thread *t = &p->threads[i];
		const struct profile_thread_top *l = &tops[i];

		report_pct(share, t->samples, p->samples);
		report_pct(wait, t->pool_wait, p->samples);
		fprintf(r->out, "%8d  %-*s %8lu %*s %*s  ", t->tid, name_width,
			t->name ? t->name : "?", t->samples, REPORT_PCT_WIDTH, share,
			REPORT_PCT_WIDTH, wait);
		if (l->file) {
			report_pct(top, l->self, p->samples);
			fprintf(r->out, "%s:%d (%s)\n", l->file, l->line, top);
		} else {
			fprintf(r->out, "%s\n", t->pool_wait ? "none: waiting in Numba's thread pool"
							      : "none in Numba code");
		}
	}
	free(tops);
}

int report_text(FILE *out, struct profile *p, const struct report_options *opt)
{
	struct report r = { .out = out, .p = p, .opt = opt };

	profile_sort(p, opt->sort);
	report_header(&r);
	if (!p->numba && opt->no_samples) {
		fprintf(out, "\nno samples were in Numba-compiled code: %s\n", opt->no_samples);
	} else if (!p->numba) {
		fprintf(out, "\nno samples were in Numba-compiled code with line info: "
			"was the function compiled with @njit, and did it run long enough? "
			"`nprof doctor` checks that nprof can see Numba's JIT code here\n");
	} else {
		if (!report_files(&r, 0) && !opt->show_internals)
			fprintf(out, "\nevery Numba sample was in Numba's own code; --show-internals lists it\n");
		if (opt->show_internals)
			report_files(&r, 1);
		report_funcs(&r);
	}
	report_threads(&r);
	/* Buffered writes fail late: flush so a full disk is seen here. */
	if (fflush(out) != 0 || ferror(out))
		return -1;
	return 0;
}
