/* report: renderers of a finished profile, one file per format
 * (report-FORMAT.c), found through one table (report.c).  They know
 * nothing of samplers: each takes the profile and the options only. */
#ifndef NPROF_REPORT_H
#define NPROF_REPORT_H

#include <stdio.h>

#include "profile.h"

struct report_options {
	int show_internals;	/* list Numba's own source files too */
	enum profile_sort sort;	/* order of the function table */
	const char *codegen;	/* one line on how the code was compiled, or NULL
				 * (then the profile's own); printed as is under
				 * the header line */
	const char *no_samples;	/* why no sample was in Numba code, when the
				 * caller knows (the program failed), or NULL */
};

/* Each returns 0, or -1 when writing failed (the caller reports it). */
typedef int (*report_fn)(FILE *out, struct profile *p, const struct report_options *opt);

struct report_format {
	const char *name;		/* for --format */
	const char *const *suffixes;	/* of -o FILE names that choose it, NULL-ended */
	report_fn render;
	int binary;			/* not text: refused on a terminal */
};

/* NULL-terminated, in the order --help lists them. */
extern const struct report_format *const report_formats[];

/* The format named `name`, or NULL. */
const struct report_format *report_format_find(const char *name);
/* The format a file name asks for by its suffix (the longest that
 * matches: ".speedscope.json" before ".json"), or NULL. */
const struct report_format *report_format_for_path(const char *path);
/* The format for --format `name` (NULL: absent) and -o `path` (NULL:
 * standard output): the one named, else the one the file name's suffix
 * asks for, else text.  NULL after printing an error for an unknown name. */
const struct report_format *report_format_choose(const char *name, const char *path);
/* --sort KEY (self, total, name) of annotate and report: 0, or -1 after
 * printing why. */
int report_sort_parse(const char *s, enum profile_sort *sort);
/* "text, json, ..." for messages and help. */
const char *report_format_names(void);

/* The text report: header, per-file annotated source, function table. */
int report_text(FILE *out, struct profile *p, const struct report_options *opt);
/* nprof's own JSON (share/profile.schema.json): all the profile holds. */
int report_json(FILE *out, struct profile *p, const struct report_options *opt);
/* speedscope's file format: one sampled profile per thread. */
int report_speedscope(FILE *out, struct profile *p, const struct report_options *opt);
/* Go pprof's profile.proto, gzipped. */
int report_pprof(FILE *out, struct profile *p, const struct report_options *opt);
/* Brendan Gregg's collapsed stacks: "root;...;leaf COUNT" per line. */
int report_collapsed(FILE *out, struct profile *p, const struct report_options *opt);
/* One self-contained HTML page. */
int report_html(FILE *out, struct profile *p, const struct report_options *opt);

/* For renderers: the name a stack view shows for a frame:
 * "kernel (two_loops.py:21)", "sin (libm.so.6)", "workqueue". */
char *report_frame_label(const struct profile_frame *f);
/* For renderers' thread lists: thread `t`'s share of all samples, its
 * share waiting in Numba's thread pool (when any) and its top line
 * (tops from profile_thread_tops): "68.4% of samples, 2.1% waiting in
 * Numba's thread pool, top line prange.py:21 (15.7%)".  A new string. */
char *report_thread_summary(const struct profile *p, size_t t,
			    const struct profile_thread_top *top);

#endif
