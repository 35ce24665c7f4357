/* output: the file a report is written to (annotate's -o), or stdout.
 *
 * A regular file is replaced whole or not at all: the report goes to an
 * unnamed temporary file beside it (O_TMPFILE; a named one where the
 * filesystem has none, removed on every failure), given a name and
 * renamed over FILE only once complete, so a run that fails or is killed
 * leaves FILE as it was and nothing beside it.  The new file gets the
 * mode of the one it replaces (and its owner where nprof may set it), or
 * 0666 less the umask when there was none.  FILE is written in place,
 * truncated only once the report is ready, when it has other hard links
 * (replacing it would break them) or when no file can be made beside it
 * (a writable file in a directory the user cannot write).  A FILE that is
 * not a regular file (/dev/null, a FIFO, a terminal) is written directly.
 * A symbolic link is followed: the file it names is written, not the
 * link.  Every descriptor is close-on-exec: the profiled program never
 * holds the report open. */
#ifndef NPROF_OUTPUT_H
#define NPROF_OUTPUT_H

#include <stdio.h>

enum output_how { OUTPUT_STDOUT, OUTPUT_DIRECT, OUTPUT_REPLACE, OUTPUT_IN_PLACE };

struct output {
	FILE *fp;		/* where to write the report */
	enum output_how how;
	char *path;		/* FILE, links followed; NULL for stdout */
	char *tmp;		/* a named temporary file (no O_TMPFILE), else NULL */
	int dir_fd;		/* FILE's directory, for OUTPUT_REPLACE */
	int fd;			/* FILE itself, for OUTPUT_IN_PLACE */
	char *buf;		/* OUTPUT_IN_PLACE: the report, until committed */
	size_t len;
};

/* For a struct output not yet opened (output_abandon does nothing). */
#define OUTPUT_INIT { .fp = NULL, .dir_fd = -1, .fd = -1 }

/* Prepares to write to `path` (NULL: standard output).  0, or -1 after
 * printing why the report could not be written there. */
int output_open(struct output *out, const char *path);
/* Puts the report in place once written (write_failed: the renderer saw
 * an error).  0, or -1 after printing one line saying what failed. */
int output_commit(struct output *out, int write_failed);
/* Drops a report not committed (FILE stays as it was); safe after commit. */
void output_abandon(struct output *out);

#endif
