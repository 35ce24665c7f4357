/* output: where a report goes: standard output, or FILE written whole or
 * not at all (a temporary file beside it, renamed over it once complete).
 * A FILE that is not a regular file (/dev/null, a FIFO, a terminal) is
 * written directly; a symbolic link is followed. */
#ifndef NPROF_OUTPUT_H
#define NPROF_OUTPUT_H

#include <stdio.h>

struct output {
	FILE *fp;
	char *tmp;		/* NULL when writing directly */
	char *path;
};

/* path NULL: standard output.  0, or -1 after printing why. */
int output_open(struct output *out, const char *path);
/* Finishes the report (write_failed: the renderer saw an error): 0, or
 * -1 after printing why, leaving nothing half-written. */
int output_commit(struct output *out, int write_failed);
/* Drops whatever is not committed. */
void output_abandon(struct output *out);

#endif
