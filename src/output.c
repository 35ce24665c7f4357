/* output: a report written whole or not at all.  (cmd-annotate still has
 * its own copy of this code while its -o handling is being hardened; the
 * two are to become this one.) */
#include "output.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

int output_open(struct output *out, const char *path)
{
	struct stat st;
	int fd;

	out->fp = stdout;
	out->tmp = NULL;
	out->path = NULL;
	if (!path)
		return 0;
	out->path = realpath(path, NULL);
	if (!out->path)
		out->path = xstrdup(path);	/* a new file: its directory is checked below */
	if (stat(out->path, &st) == 0 && !S_ISREG(st.st_mode)) {
		out->fp = fopen(out->path, "w");
		if (!out->fp)
			return error("cannot write the report to '%s': %s", path, strerror(errno));
		return 0;
	}
	out->tmp = xasprintf("%s.nprof-XXXXXX", out->path);
	fd = mkstemp(out->tmp);
	if (fd < 0 || !(out->fp = fdopen(fd, "w"))) {
		error("cannot write the report to '%s': %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(out->tmp);
		}
		free(out->tmp);
		out->tmp = NULL;
		out->fp = NULL;
		return -1;
	}
	return 0;
}

void output_abandon(struct output *out)
{
	if (out->fp && out->fp != stdout)
		fclose(out->fp);
	if (out->tmp)
		unlink(out->tmp);
	free(out->tmp);
	free(out->path);
	memset(out, 0, sizeof(*out));
}

int output_commit(struct output *out, int write_failed)
{
	const char *what = out->path ? out->path : "standard output";
	int failed = write_failed || fflush(out->fp) != 0;

	if (out->tmp && !failed)
		failed = fsync(fileno(out->fp)) != 0;
	if (out->fp != stdout) {
		failed |= fclose(out->fp) != 0;
		out->fp = NULL;
	}
	if (out->tmp && !failed)
		failed = rename(out->tmp, out->path) != 0;
	else if (out->tmp)
		unlink(out->tmp);
	free(out->tmp);
	out->tmp = NULL;
	if (failed)
		return error("cannot write the report to %s%s%s: %s", out->path ? "'" : "", what,
			     out->path ? "'" : "", errno ? strerror(errno) : "write error");
	return 0;
}
