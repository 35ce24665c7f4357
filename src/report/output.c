/* output: where annotate's report goes, written whole or not at all. */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static int open_temp(struct output *out, const struct stat *old);
static int open_in_place(struct output *out, const char *shown);
static int name_temp(struct output *out, const char *base, char **name);
static int commit_replace(struct output *out);
static int commit_in_place(struct output *out);
static int temp_refused(int e);

static void output_reset(struct output *out)
{
	memset(out, 0, sizeof(*out));
	out->fp = stdout;
	out->dir_fd = -1;
	out->fd = -1;
}

int output_open(struct output *out, const char *path)
{
	struct stat st;
	int exists, fd;

	output_reset(out);
	if (!path)
		return 0;
	if (!*path)
		return error("the report's file name is empty; pass -o FILE");
	out->path = realpath(path, NULL);
	if (!out->path)
		out->path = xstrdup(path);	/* a new file: its directory is checked below */
	exists = stat(out->path, &st) == 0;
	if (exists && !S_ISREG(st.st_mode)) {
		fd = open(out->path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0 || !(out->fp = fdopen(fd, "w"))) {
			error("cannot write the report to '%s': %s", path, strerror(errno));
			if (fd >= 0)
				close(fd);
			out->fp = NULL;
			return -1;
		}
		out->how = OUTPUT_DIRECT;
		return 0;
	}
	if (exists && st.st_nlink > 1)
		return open_in_place(out, path);
	if (open_temp(out, exists ? &st : NULL) == 0)
		return 0;
	/* No file beside it: a file the user may write is written in place,
	 * as the shell's '>' would. */
	if (exists && temp_refused(errno))
		return open_in_place(out, path);
	return error("cannot write the report to '%s': %s", path, strerror(errno));
}

/* May a temporary file not be made where FILE could still be written? */
static int temp_refused(int e)
{
	return e == EACCES || e == EPERM || e == EROFS || e == EDQUOT || e == ENOSPC;
}

/* A temporary file in FILE's directory with the mode (and owner) the
 * report must end with.  0, or -1 with errno set. */
static int open_temp(struct output *out, const struct stat *old)
{
	char *slash = strrchr(out->path, '/');
	char *dir = slash ? xstrndup(out->path, slash == out->path ? 1 : (size_t)(slash - out->path))
			  : xstrdup(".");
	mode_t mask = umask(0);
	mode_t mode = old ? old->st_mode & 07777 : 0666 & ~mask;
	int fd = -1, e;

	umask(mask);
	out->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (out->dir_fd < 0)
		return -1;
#ifdef O_TMPFILE
	fd = openat(out->dir_fd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0 && errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
		goto fail;
#endif
	if (fd < 0) {
		/* A filesystem without unnamed files: a named one, removed on
		 * every failure (only a kill -9 can leave it behind). */
		out->tmp = xasprintf("%s.nprof-XXXXXX", out->path);
		fd = mkostemp(out->tmp, O_CLOEXEC);
		if (fd < 0)
			goto fail;
	}
	/* A file of another owner keeps its owner, or is written in place. */
	if ((old && (old->st_uid != geteuid() || old->st_gid != getegid()) &&
	     fchown(fd, old->st_uid, old->st_gid) < 0) ||
	    fchmod(fd, mode) < 0) {
		errno = EPERM;
		goto fail;
	}
	out->fp = fdopen(fd, "w");
	if (!out->fp)
		goto fail;
	out->how = OUTPUT_REPLACE;
	return 0;
fail:
	e = errno;
	if (fd >= 0)
		close(fd);
	if (out->tmp && fd >= 0)
		unlink(out->tmp);
	free(out->tmp);
	out->tmp = NULL;
	close(out->dir_fd);
	out->dir_fd = -1;
	out->fp = NULL;
	errno = e;
	return -1;
}

/* FILE itself, opened now (so that a file nprof cannot write fails before
 * the program runs) and truncated only when the report is ready: the
 * report is kept in memory until then. */
static int open_in_place(struct output *out, const char *shown)
{
	out->fd = open(out->path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (out->fd < 0)
		return error("cannot write the report to '%s': %s", shown, strerror(errno));
	out->fp = open_memstream(&out->buf, &out->len);
	if (!out->fp)
		fatal("open_memstream: %s", strerror(errno));
	out->how = OUTPUT_IN_PLACE;
	return 0;
}

/* Gives the unnamed temporary file a name beside FILE: linkat cannot
 * replace, so a fresh name, renamed over FILE after. */
static int name_temp(struct output *out, const char *base, char **name)
{
	char proc[64];
	int fd = fileno(out->fp);

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	for (unsigned tries = 0; tries < 100; tries++) {
		*name = xasprintf("%s.nprof-%06llx", base,
				  (unsigned long long)(now_ns() ^ ((long long)getpid() << 20)) & 0xffffff);
		/* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; /proc does not. */
		if (linkat(fd, "", out->dir_fd, *name, AT_EMPTY_PATH) == 0 ||
		    linkat(AT_FDCWD, proc, out->dir_fd, *name, AT_SYMLINK_FOLLOW) == 0)
			return 0;
		free(*name);
		*name = NULL;
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

static int commit_replace(struct output *out)
{
	const char *slash = strrchr(out->path, '/');
	const char *base = slash ? slash + 1 : out->path;
	char *name = NULL;
	int failed = fsync(fileno(out->fp)) != 0;

	if (!failed && !out->tmp) {
		failed = name_temp(out, base, &name) < 0;
		if (!failed && renameat(out->dir_fd, name, out->dir_fd, base) < 0) {
			int e = errno;

			unlinkat(out->dir_fd, name, 0);
			errno = e;
			failed = 1;
		}
	} else if (!failed) {
		failed = rename(out->tmp, out->path) != 0;
	}
	free(name);
	return failed ? -1 : 0;
}

static int commit_in_place(struct output *out)
{
	size_t off = 0;

	if (ftruncate(out->fd, 0) < 0)
		return -1;
	while (off < out->len) {
		ssize_t n = write(out->fd, out->buf + off, out->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

int output_commit(struct output *out, int write_failed)
{
	int failed;

	if (!write_failed)
		errno = 0;	/* else the renderer's errno says why */
	failed = write_failed || fflush(out->fp) != 0 || ferror(out->fp);
	if (out->how == OUTPUT_IN_PLACE) {
		failed |= fclose(out->fp) != 0;
		out->fp = NULL;
		if (!failed)
			failed = commit_in_place(out) < 0;
		failed |= close(out->fd) != 0;
		out->fd = -1;
	} else {
		if (!failed && out->how == OUTPUT_REPLACE)
			failed = commit_replace(out) < 0;
		if (out->fp != stdout) {
			failed |= fclose(out->fp) != 0;
			out->fp = NULL;
		}
	}
	if (!failed) {
		output_abandon(out);
		return 0;
	}
	if (out->path)
		error("cannot write the report to '%s': %s", out->path,
		      errno ? strerror(errno) : "write error");
	else
		error("cannot write the report to standard output: %s",
		      errno ? strerror(errno) : "write error");
	if (out->fp == stdout) {
		/* Said once: what is left must not fail again at exit. */
		__fpurge(stdout);
		clearerr(stdout);
	}
	output_abandon(out);
	return -1;
}

void output_abandon(struct output *out)
{
	if (out->fp && out->fp != stdout)
		fclose(out->fp);
	if (out->tmp)
		unlink(out->tmp);
	if (out->dir_fd >= 0)
		close(out->dir_fd);
	if (out->fd >= 0)
		close(out->fd);
	free(out->tmp);
	free(out->path);
	free(out->buf);
	output_reset(out);
	out->fp = NULL;
}
