/* report-json: nprof's own format, everything the profile holds, so that
 * `nprof report` renders it again in any format (load-json reads it).
 * The schema is share/profile.schema.json; the README describes it.  A
 * change a reader of version N cannot ignore bumps "version". */
#include "report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "source.h"
#include "util.h"

#define REPORT_JSON_VERSION 1

static void json_key(FILE *out, const char *key, int *first);
static void json_str_or_null(FILE *out, const char *s);
static void json_header(FILE *out, struct profile *p);
static void json_frames(FILE *out, const struct profile *p);
static void json_stacks(FILE *out, const struct profile *p);
static void json_threads(FILE *out, const struct profile *p);
static void json_samples(FILE *out, const struct profile *p);
static int json_path_cmp(const void *a, const void *b);
static void json_sources(FILE *out, struct profile *p);

static const char *const json_kind_names[] = {
	[PROFILE_FRAME_USER] = "user",
	[PROFILE_FRAME_INTERNAL] = "internal",
	[PROFILE_FRAME_NATIVE] = "native",
};

static void json_key(FILE *out, const char *key, int *first)
{
	fputs(*first ? "\n  " : ",\n  ", out);
	*first = 0;
	json_write_string(out, key);
	fputs(": ", out);
}

static void json_str_or_null(FILE *out, const char *s)
{
	if (s)
		json_write_string(out, s);
	else
		fputs("null", out);
}

static void json_header(FILE *out, struct profile *p)
{
	int first = 1;

	fputc('{', out);
	json_key(out, "format", &first);
	fputs("\"nprof-profile\"", out);
	json_key(out, "version", &first);
	fprintf(out, "%d", REPORT_JSON_VERSION);
	json_key(out, "nprof_version", &first);
	json_write_string(out, PACKAGE_VERSION);
	json_key(out, "sampler", &first);
	json_str_or_null(out, p->sampler);
	json_key(out, "command", &first);
	json_str_or_null(out, p->command);
	json_key(out, "python_version", &first);
	json_str_or_null(out, p->python_version);
	json_key(out, "numba_version", &first);
	json_str_or_null(out, p->numba_version);
	json_key(out, "codegen", &first);
	json_str_or_null(out, p->codegen);
	json_key(out, "rate_requested", &first);
	json_write_number(out, p->rate_requested);
	json_key(out, "rate_achieved", &first);
	json_write_number(out, profile_rate(p));
	json_key(out, "cpu_time", &first);
	fputs(p->cpu_time ? "true" : "false", out);
	json_key(out, "all_threads", &first);
	fputs(p->all_threads ? "true" : "false", out);
	json_key(out, "never_paused", &first);
	fputs(p->never_paused ? "true" : "false", out);
	json_key(out, "wall_seconds", &first);
	json_write_number(out, p->wall_seconds);
	json_key(out, "paused_seconds", &first);
	json_write_number(out, p->paused_seconds);
	json_key(out, "ticks", &first);
	fprintf(out, "%lu", p->ticks);
	json_key(out, "lost", &first);
	fprintf(out, "%lu", p->lost);
	json_key(out, "cut", &first);
	fprintf(out, "%lu", p->cut);
	json_key(out, "cut_depth", &first);
	fprintf(out, "%d", p->cut_depth);
	json_key(out, "blind", &first);
	fprintf(out, "%lu", p->blind);
	json_key(out, "counts", &first);
	fprintf(out, "{\"samples\": %lu, \"numba\": %lu, \"other\": %lu, \"bad\": %lu, "
		"\"internal_only\": %lu, \"pool_wait\": %lu}", p->samples, p->numba, p->other, p->bad,
		p->internal_only, p->pool_wait);
}

static void json_frames(FILE *out, const struct profile *p)
{
	fputs(",\n  \"frames\": [", out);
	for (size_t i = 0; i < p->nframes; i++) {
		const struct profile_frame *f = &p->frames[i];

		fprintf(out, "%s\n    {\"kind\": \"%s\", \"name\": ", i ? "," : "",
			json_kind_names[f->kind]);
		json_write_string(out, f->name);
		if (f->kind == PROFILE_FRAME_NATIVE) {
			fputs(", \"lib\": ", out);
			json_str_or_null(out, f->lib);
			if (f->pool)
				fputs(", \"pool\": true", out);
		} else {
			fputs(", \"file\": ", out);
			json_write_string(out, f->file);
			fprintf(out, ", \"line\": %d, \"inlined\": %s", f->line,
				f->inlined ? "true" : "false");
		}
		fputc('}', out);
	}
	fputs("\n  ]", out);
}

/* [parent, frame] per stack; stack 0, the empty one, is null. */
static void json_stacks(FILE *out, const struct profile *p)
{
	fputs(",\n  \"stacks\": [null", out);
	for (size_t i = 1; i < p->nstacks; i++)
		fprintf(out, ",%s[%" PRIu32 ", %" PRIu32 "]", i % 8 ? " " : "\n    ",
			p->stacks[i].parent, p->stacks[i].frame);
	fputs("\n  ]", out);
}

/* Each thread with what the thread table shows: its samples, those
 * waiting in Numba's thread pool and its top user line. */
static void json_threads(FILE *out, const struct profile *p)
{
	struct profile_thread_top *tops = xcalloc(p->nthreads + 1, sizeof(*tops));

	profile_thread_tops(p, tops);
	fputs(",\n  \"threads\": [", out);
	for (size_t i = 0; i < p->nthreads; i++) {
		const struct profile_thread *t = &p->threads[i];

		fprintf(out, "%s\n    {\"pid\": %d, \"tid\": %d, \"name\": ", i ? "," : "", t->pid,
			t->tid);
		json_str_or_null(out, t->name);
		fprintf(out, ", \"samples\": %lu, \"pool_wait\": %lu, \"top_line\": ", t->samples,
			t->pool_wait);
		if (tops[i].file) {
			fputs("{\"file\": ", out);
			json_write_string(out, tops[i].file);
			fprintf(out, ", \"line\": %d, \"self\": %lu}}", tops[i].line, tops[i].self);
		} else {
			fputs("null}", out);
		}
	}
	free(tops);
	fputs("\n  ],\n  \"processes\": [", out);
	for (size_t i = 0; i < p->nprocs; i++) {
		fprintf(out, "%s\n    {\"pid\": %d, \"command\": ", i ? "," : "", p->procs[i].pid);
		json_str_or_null(out, p->procs[i].command);
		fputc('}', out);
	}
	fputs("\n  ]", out);
}

/* Three parallel arrays, one entry a sample in the order taken: its
 * thread, its stack (-1: unreadable) and the µs since the sample before. */
static void json_samples(FILE *out, const struct profile *p)
{
	static const char *const names[] = { "thread", "stack", "dt_us" };
	struct profile_sample s;
	long long prev;
	size_t pos, k;

	fputs(",\n  \"samples\": {", out);
	for (int col = 0; col < 3; col++) {
		fprintf(out, "%s\n    \"%s\": [", col ? "," : "", names[col]);
		pos = 0;
		prev = 0;
		for (k = 0; profile_next_sample(p, &pos, &s); k++) {
			if (k)
				fputs(k % 32 ? "," : ",\n      ", out);
			if (col == 0)
				fprintf(out, "%" PRIu32, s.thread);
			else if (col == 1 && s.stack == PROFILE_STACK_BAD)
				fputs("-1", out);
			else if (col == 1)
				fprintf(out, "%" PRIu32, s.stack);
			else
				fprintf(out, "%lld", s.time_us - prev);
			prev = s.time_us;
		}
		fputc(']', out);
	}
	fputs("\n  }", out);
}

/* The text of every file with a sampled line, as the run read it: a
 * profile renders the same on a machine without the sources. */
static int json_path_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* In path order: the same whatever order a renderer before left them in. */
static void json_sources(FILE *out, struct profile *p)
{
	char **paths = xcalloc(p->nfiles + 1, sizeof(*paths));

	for (size_t i = 0; i < p->nfiles; i++)
		paths[i] = p->files[i].path;
	if (p->nfiles)
		qsort(paths, p->nfiles, sizeof(*paths), json_path_cmp);
	fputs(",\n  \"sources\": [", out);
	for (size_t i = 0; i < p->nfiles; i++) {
		const struct source *src = profile_source(p, paths[i]);

		fprintf(out, "%s\n    {\"path\": ", i ? "," : "");
		json_write_string(out, paths[i]);
		fputs(", \"lines\": ", out);
		if (!src) {
			fputs("null}", out);
			continue;
		}
		fputc('[', out);
		for (int n = 1; n <= source_nlines(src); n++) {
			fputs(n > 1 ? ",\n      " : "\n      ", out);
			json_write_string(out, source_line(src, n));
		}
		fputs("]}", out);
	}
	fputs("\n  ]", out);
	free(paths);
}

int report_json(FILE *out, struct profile *p, const struct report_options *opt)
{
	json_header(out, p);
	json_frames(out, p);
	json_stacks(out, p);
	json_threads(out, p);
	json_samples(out, p);
	json_sources(out, p);
	fputs("\n}\n", out);
	if (fflush(out) != 0 || ferror(out))
		return -1;
	return 0;
}
