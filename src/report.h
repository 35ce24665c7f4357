/* report: renderers of a finished profile.  They know nothing of gdb. */
#ifndef NPROF_REPORT_H
#define NPROF_REPORT_H

#include <stdio.h>

#include "profile.h"

struct report_options {
	int show_internals;	/* list Numba's own source files too */
	enum profile_sort sort;	/* order of the function table */
	const char *codegen;	/* one line on how the code was compiled, or NULL;
				 * printed as is under the header line */
	const char *no_samples;	/* why no sample was in Numba code, when the
				 * caller knows (the program failed), or NULL */
};

/* The text report: header, per-file annotated source, function table.
 * Returns 0, or -1 when writing failed (the caller reports it). */
int report_text(FILE *out, struct profile *p, const struct report_options *opt);

#endif
