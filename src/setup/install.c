/* install: the per-user gdb tree, its lock, and the atomic switch.
 *
 * Nothing under versions/ or current changes until a staged tree is
 * complete, synced and checked: a setup killed half way leaves only a
 * .staging-* dir behind, which the next one removes. */
#include "install.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"
#include "strbuf.h"
#include "util.h"

#define INSTALL_TIMEOUT_MS	30000
#define INSTALL_SHOWN_MAX	160		/* of a line quoted in a message */
#define INSTALL_VERSION_MAX	64
#define INSTALL_WALK_FDS	32

struct install_lock {
	int fd;
};

static int install_timeout_ms = INSTALL_TIMEOUT_MS;

void install_set_validate_timeout(int ms)
{
	install_timeout_ms = ms > 0 ? ms : INSTALL_TIMEOUT_MS;
}

/* A version is used as a directory name: "13.1", "14.2.90-git". */
static int install_version_ok(const char *v)
{
	size_t n = strspn(v, "0123456789abcdefghijklmnopqrstuvwxyz"
			  "ABCDEFGHIJKLMNOPQRSTUVWXYZ._+-");

	return *v && *v != '.' && *v != '-' && n == strlen(v) && n <= INSTALL_VERSION_MAX;
}

static int install_mkdirs(const char *path)
{
	char *p = xstrdup(path), *s = p;
	struct stat st;
	int ret = 0;

	for (;;) {
		char c;

		s += strspn(s, "/");
		s += strcspn(s, "/");
		c = *s;
		*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST) {
			ret = error("cannot create %s: %s", p, strerror(errno));
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	if (!ret && (stat(path, &st) || !S_ISDIR(st.st_mode)))
		ret = error("%s is not a directory; move it out of the way", path);
	free(p);
	return ret;
}

struct install_lock *install_lock(const char *root)
{
	struct install_lock *lock;
	char *path;
	int fd;

	if (install_mkdirs(root))
		return NULL;
	path = xasprintf("%s/.lock", root);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		error("cannot open %s: %s", path, strerror(errno));
		goto fail;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK) {
			error("cannot lock %s: %s", path, strerror(errno));
			goto fail;
		}
		fflush(stdout);
		fputs("nprof: waiting for another nprof setup to finish\n", stderr);
		while (flock(fd, LOCK_EX)) {
			if (errno != EINTR) {
				error("cannot lock %s: %s", path, strerror(errno));
				goto fail;
			}
		}
	}
	free(path);
	lock = xmalloc(sizeof(*lock));
	lock->fd = fd;
	return lock;
fail:
	if (fd >= 0)
		close(fd);
	free(path);
	return NULL;
}

void install_unlock(struct install_lock *lock)
{
	if (!lock)
		return;
	/* explicitly: a forked child may still hold a copy of the fd */
	flock(lock->fd, LOCK_UN);
	close(lock->fd);
	free(lock);
}

void install_clean_stale(const char *root)
{
	DIR *dir = opendir(root);
	struct dirent *de;

	if (!dir)
		return;
	while ((de = readdir(dir))) {
		if (!strncmp(de->d_name, ".staging-", strlen(".staging-"))) {
			char *path = xasprintf("%s/%s", root, de->d_name);

			install_remove_tree(path);
			free(path);
		}
	}
	closedir(dir);
}

char *install_staging_dir(const char *root)
{
	char *path = xasprintf("%s/.staging-XXXXXX", root);

	if (!mkdtemp(path)) {
		error("cannot create a directory in %s: %s", root, strerror(errno));
		free(path);
		return NULL;
	}
	return path;
}

char *install_current_version(const char *root)
{
	char *link = xasprintf("%s/current", root);
	char buf[PATH_MAX];
	ssize_t n = readlink(link, buf, sizeof(buf) - 1);

	free(link);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	if (strncmp(buf, "versions/", strlen("versions/")) ||
	    !install_version_ok(buf + strlen("versions/")))
		return NULL;
	return xstrdup(buf + strlen("versions/"));
}

/* The first line of gdb's output worth quoting in a message: not empty,
 * not an MI notification ("=thread-group-added,..."); made printable. */
static char *install_first_line(const char *out)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = out;

	while (*p == '\n' || *p == '\r' || *p == '=') {
		if (*p == '=')
			p += strcspn(p, "\n");
		p += strspn(p, "\r\n");
	}
	for (; *p && *p != '\n' && *p != '\r' && sb.len < INSTALL_SHOWN_MAX; p++)
		strbuf_addch(&sb, (unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f ? '?' : *p);
	if (!sb.len)
		strbuf_addstr(&sb, "no output");
	return strbuf_detach(&sb);
}

/* From MI output: the console record ~"GNU gdb (...) VERSION\n" and the
 * ^done that shows the MI interpreter answered.  New string or NULL. */
static char *install_parse_version(const char *out)
{
	const char *line, *end;
	char *version = NULL;
	int done = 0;

	for (line = out; *line; line = *end ? end + 1 : end) {
		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		if (!strncmp(line, "^done", 5))
			done = 1;
		if (!version && !strncmp(line, "~\"GNU gdb ", 10)) {
			const char *stop = end, *start;

			while (stop > line && (stop[-1] == '"' || stop[-1] == '\r'))
				stop--;
			if (stop - line >= 2 && stop[-2] == '\\' && stop[-1] == 'n')
				stop -= 2;
			for (start = stop; start > line && start[-1] != ' '; start--)
				;
			version = xstrndup(start, (size_t)(stop - start));
			if (!install_version_ok(version) || *version < '0' || *version > '9') {
				free(version);
				version = NULL;
			}
		}
	}
	if (!done) {
		free(version);
		return NULL;
	}
	return version;
}

static void install_timeout_text(char *buf, size_t len)
{
	if (install_timeout_ms % 1000)
		snprintf(buf, len, "%d ms", install_timeout_ms);
	else
		snprintf(buf, len, "%d s", install_timeout_ms / 1000);
}

int install_validate_gdb(const char *staging, char **version)
{
	char *gdb = xasprintf("%s/bin/gdb", staging);
	char *argv[] = {
		gdb, "--interpreter=mi3", "-nx", "-q", "-batch",
		"-ex", "interpreter-exec mi3 \"-gdb-version\"", NULL,
	};
	struct proc_run run = { 0 };
	char *line = NULL, when[32];
	int ret = -1;

	*version = NULL;
	if (access(gdb, X_OK)) {
		error("the unpacked bundle has no runnable bin/gdb (%s); check the manifest entry",
		      strerror(errno));
		goto out;
	}
	if (proc_run(argv, install_timeout_ms, &run))
		goto out;
	line = install_first_line(strbuf_str(&run.out));
	install_timeout_text(when, sizeof(when));
	if (run.timed_out)
		error("the unpacked gdb did not answer within %s and was killed: %s", when, gdb);
	else if (run.exec_errno)
		error("cannot run the unpacked gdb %s: %s; is it built for this system?", gdb,
		      strerror(run.exec_errno));
	else if (WIFSIGNALED(run.status))
		error("the unpacked gdb was killed by signal %d: %s", WTERMSIG(run.status), line);
	else if (WEXITSTATUS(run.status))
		error("the unpacked gdb failed to start (exit status %d): %s", WEXITSTATUS(run.status), line);
	else if (!(*version = install_parse_version(strbuf_str(&run.out))))
		error("the unpacked gdb did not report its version in MI mode: %s", line);
	else
		ret = 0;
out:
	free(line);
	free(gdb);
	proc_release(&run);
	return ret;
}

static int install_fsync_path(const char *path, int is_dir)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | (is_dir ? O_DIRECTORY : 0));
	int e;

	if (fd < 0)
		return error("cannot open %s: %s", path, strerror(errno));
	/* some filesystems cannot sync a directory: that is no failure */
	if (fsync(fd) && errno != EINVAL) {
		e = errno;
		close(fd);
		return error("cannot sync %s: %s", path, strerror(e));
	}
	close(fd);
	return 0;
}

static int install_sync_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	switch (type) {
	case FTW_F:
		return S_ISREG(st->st_mode) && install_fsync_path(path, 0) ? 1 : 0;
	case FTW_DP:
		return install_fsync_path(path, 1) ? 1 : 0;
	case FTW_SL:
	case FTW_SLN:
		return 0;
	default:
		error("cannot read %s", path);
		return 1;
	}
}

/* Files before their directories, so each entry is durable once named. */
static int install_sync_tree(const char *path)
{
	int r = nftw(path, install_sync_one, INSTALL_WALK_FDS, FTW_PHYS | FTW_DEPTH);

	if (r < 0)
		return error("cannot sync %s: %s", path, strerror(errno));
	return r ? -1 : 0;
}

static int install_remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	if (remove(path) && errno != ENOENT) {
		warning("cannot remove %s: %s", path, strerror(errno));
		return 1;
	}
	return 0;
}

void install_remove_tree(const char *path)
{
	/* FTW_PHYS: a symlink in the tree is removed, never followed */
	int r = nftw(path, install_remove_one, INSTALL_WALK_FDS, FTW_PHYS | FTW_DEPTH | FTW_MOUNT);

	if (r < 0 && errno != ENOENT)
		warning("cannot remove %s: %s", path, strerror(errno));
}

/* Puts staging at dest, which exists; returns what to delete once current
 * has switched.  renameat2() swaps the two atomically where the filesystem
 * can (not NFS); else the old tree is moved aside first. */
static char *install_replace(const char *root, const char *staging, const char *dest)
{
	char *aside, *old;

	if (!renameat2(AT_FDCWD, staging, AT_FDCWD, dest, RENAME_EXCHANGE))
		return xstrdup(staging);
	if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) {
		error("cannot replace %s: %s", dest, strerror(errno));
		return NULL;
	}
	aside = install_staging_dir(root);
	if (!aside)
		return NULL;
	old = xasprintf("%s/old", aside);
	if (rename(dest, old)) {
		error("cannot move %s aside: %s", dest, strerror(errno));
		goto fail;
	}
	if (rename(staging, dest)) {
		error("cannot move %s to %s: %s", staging, dest, strerror(errno));
		if (rename(old, dest))
			fatal("cannot put %s back from %s: %s", dest, old, strerror(errno));
		goto fail;
	}
	free(old);
	return aside;
fail:
	install_remove_tree(aside);
	free(old);
	free(aside);
	return NULL;
}

/* A new link under a temporary name renamed over the old: readers see the
 * old version or the new, never neither. */
static int install_switch_current(const char *root, const char *version)
{
	char *tmp = xasprintf("%s/.current.new", root);
	char *cur = xasprintf("%s/current", root);
	char *target = xasprintf("versions/%s", version);
	int ret = 0;

	if (unlink(tmp) && errno != ENOENT)
		ret = error("cannot remove %s: %s", tmp, strerror(errno));
	else if (symlink(target, tmp))
		ret = error("cannot create %s: %s", tmp, strerror(errno));
	else if (rename(tmp, cur)) {
		ret = error("cannot switch %s to %s: %s", cur, target, strerror(errno));
		unlink(tmp);
	} else {
		ret = install_fsync_path(root, 1);
	}
	free(tmp);
	free(cur);
	free(target);
	return ret;
}

int install_commit(const char *root, const char *staging, const char *version, int force)
{
	char *versions = xasprintf("%s/versions", root);
	char *dest = xasprintf("%s/%s", versions, version);
	char *old = NULL;
	struct stat st;
	int ret = -1;

	if (!install_version_ok(version)) {
		error("cannot install gdb version '%s': not a plain version name", version);
		goto out;
	}
	if (install_sync_tree(staging))
		goto out;
	if (mkdir(versions, 0755) && errno != EEXIST) {
		error("cannot create %s: %s", versions, strerror(errno));
		goto out;
	}
	if (!lstat(dest, &st)) {
		if (!force) {
			error("gdb %s is already installed in %s; pass --force to replace it",
			      version, dest);
			goto out;
		}
		old = install_replace(root, staging, dest);
		if (!old)
			goto out;
	} else if (errno != ENOENT) {
		error("cannot inspect %s: %s", dest, strerror(errno));
		goto out;
	} else if (rename(staging, dest)) {
		error("cannot move %s to %s: %s", staging, dest, strerror(errno));
		goto out;
	}
	if (install_fsync_path(versions, 1) || install_switch_current(root, version))
		goto out;
	ret = 0;
out:
	if (old)
		install_remove_tree(old);
	free(old);
	free(dest);
	free(versions);
	return ret;
}
