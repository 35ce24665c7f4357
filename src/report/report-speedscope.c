/* report-speedscope: speedscope's file format
 * (https://www.speedscope.app/file-format-schema.json): the frames shared,
 * one "sampled" profile per thread with its samples in the order taken
 * (runs of one stack merged), so speedscope's time-order view is the
 * run's timeline.  Weights are milliseconds: of CPU time per sample with
 * the perf sampler, of wall time per sample (the rate achieved) with gdb. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "util.h"

struct speedscope {
	FILE *out;
	const struct profile *p;
	uint32_t *path;
	size_t path_alloc;
	double weight;		/* of one sample */
	struct profile_thread_top *tops;	/* per thread */
};

static void speedscope_frames(struct speedscope *ss);
static void speedscope_stack(struct speedscope *ss, uint32_t stack);
static char *speedscope_thread_name(const struct speedscope *ss, size_t t);
static void speedscope_thread(struct speedscope *ss, size_t t, int first);

/* The profile's frames, then two of nprof's own: samples that could not
 * be read, and samples in no code nprof could name. */
#define SPEEDSCOPE_BAD(p) ((p)->nframes)
#define SPEEDSCOPE_NONE(p) ((p)->nframes + 1)

static void speedscope_frames(struct speedscope *ss)
{
	FILE *out = ss->out;

	fputs("  \"shared\": {\"frames\": [", out);
	for (size_t i = 0; i < ss->p->nframes; i++) {
		const struct profile_frame *f = &ss->p->frames[i];
		char *label = report_frame_label(f);

		fputs("\n    {\"name\": ", out);
		json_write_string(out, label);
		free(label);
		if (f->kind != PROFILE_FRAME_NATIVE) {
			fputs(", \"file\": ", out);
			json_write_string(out, f->file);
			fprintf(out, ", \"line\": %d", f->line);
		} else if (f->lib) {
			fputs(", \"file\": ", out);
			json_write_string(out, f->lib);
		}
		fputs("},", out);
	}
	fputs("\n    {\"name\": \"[unreadable]\"},\n    {\"name\": \"[no code nprof could name]\"}\n  ]},\n",
	      out);
}

/* Root first, as speedscope wants a stack. */
static void speedscope_stack(struct speedscope *ss, uint32_t stack)
{
	const struct profile *p = ss->p;
	size_t n = 0;

	if (stack == PROFILE_STACK_BAD || stack == PROFILE_STACK_EMPTY) {
		fprintf(ss->out, "[%zu]", stack == PROFILE_STACK_BAD ? SPEEDSCOPE_BAD(p)
								     : SPEEDSCOPE_NONE(p));
		return;
	}
	for (uint32_t s = stack; s != PROFILE_STACK_EMPTY; s = p->stacks[s].parent) {
		ss->path = xgrow(ss->path, &ss->path_alloc, n + 1, sizeof(*ss->path));
		ss->path[n++] = p->stacks[s].frame;
	}
	fputc('[', ss->out);
	while (n-- > 0)
		fprintf(ss->out, "%u%s", (unsigned)ss->path[n], n ? "," : "");
	fputc(']', ss->out);
}

/* With several threads, each name carries its line of the thread table
 * (speedscope lists the profiles by name). */
static char *speedscope_thread_name(const struct speedscope *ss, size_t t)
{
	const struct profile *p = ss->p;
	const struct profile_thread *th = &p->threads[t];
	char *who, *summary, *name;

	if (!th->pid)
		who = xstrdup(p->nthreads == 1 ? "all samples" : "samples of unknown threads");
	else if (!th->tid)
		who = xasprintf("other threads of process %d", th->pid);
	else
		who = xasprintf("%s (thread %d of process %d)", th->name ? th->name : "?", th->tid,
				th->pid);
	if (p->nthreads < 2)
		return who;
	summary = report_thread_summary(p, t, &ss->tops[t]);
	name = xasprintf("%s: %s", who, summary);
	free(who);
	free(summary);
	return name;
}

static void speedscope_thread(struct speedscope *ss, size_t t, int first)
{
	const struct profile *p = ss->p;
	struct profile_sample s;
	uint32_t run_stack = 0;
	unsigned long run = 0, nruns = 0;
	char *name = speedscope_thread_name(ss, t);
	size_t pos = 0;
	int pass;

	fputs(first ? "\n    " : ",\n    ", ss->out);
	fputs("{\"type\": \"sampled\", \"name\": ", ss->out);
	json_write_string(ss->out, name);
	free(name);
	fprintf(ss->out, ", \"unit\": \"%s\", \"startValue\": 0, \"endValue\": ",
		ss->weight > 0 ? "milliseconds" : "none");
	json_write_number(ss->out, (double)p->threads[t].samples * (ss->weight > 0 ? ss->weight : 1));
	/* Two passes over the log: the stacks, then their weights. */
	for (pass = 0; pass < 2; pass++) {
		fputs(pass ? "],\n     \"weights\": [" : ",\n     \"samples\": [", ss->out);
		pos = 0;
		run = nruns = 0;
		for (int more = 1; more;) {
			more = profile_next_sample(p, &pos, &s);
			if (more && s.thread != t)
				continue;
			if (run && (!more || s.stack != run_stack)) {
				if (nruns++)
					fputs(nruns % 16 ? "," : ",\n      ", ss->out);
				if (pass == 0)
					speedscope_stack(ss, run_stack);
				else
					json_write_number(ss->out, (double)run * (ss->weight > 0 ? ss->weight : 1));
				run = 0;
			}
			if (more) {
				run_stack = s.stack;
				run++;
			}
		}
	}
	fputs("]}", ss->out);
}

int report_speedscope(FILE *out, struct profile *p, const struct report_options *opt)
{
	struct speedscope ss = { .out = out, .p = p };
	double rate = p->cpu_time ? p->rate_requested : profile_rate(p);

	ss.weight = rate > 0 ? 1000.0 / rate : 0;
	ss.tops = xcalloc(p->nthreads + 1, sizeof(*ss.tops));
	profile_thread_tops(p, ss.tops);
	fputs("{\n  \"$schema\": \"https://www.speedscope.app/file-format-schema.json\",\n", out);
	fputs("  \"exporter\": \"nprof " PACKAGE_VERSION "\",\n  \"name\": ", out);
	json_write_string(out, p->command ? p->command : "nprof profile");
	fputs(",\n  \"activeProfileIndex\": 0,\n", out);
	speedscope_frames(&ss);
	fputs("  \"profiles\": [", out);
	for (size_t t = 0; t < p->nthreads; t++)
		speedscope_thread(&ss, t, t == 0);
	if (!p->nthreads)
		fputs("\n    {\"type\": \"sampled\", \"name\": \"no samples\", \"unit\": \"none\", "
		      "\"startValue\": 0, \"endValue\": 0, \"samples\": [], \"weights\": []}", out);
	fputs("\n  ]\n}\n", out);
	free(ss.path);
	free(ss.tops);
	if (fflush(out) != 0 || ferror(out))
		return -1;
	return 0;
}
