/* build: builds gdb from a release tarball (build.h). */
#include "build.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "locate.h"
#include "proc.h"
#include "launch.h"
#include "strbuf.h"
#include "util.h"

#define BUILD_TAIL 72
#define BUILD_PROBE_TIMEOUT_MS 60000	/* a check compiles a line or two */

static volatile sig_atomic_t build_interrupted;

static int build_probe(const char *script);
static void build_default_compiler(const char *var, const char *const *names);
static void build_show_tail(const char *line, size_t len);
static int build_run(const struct build *b, int logfd, const char *what, const char *dir,
		     char *const argv[]);
static int build_patch(const struct build *b, int logfd);
static int build_steps(const struct build *b, int logfd, char **tree);

void build_interrupt(void)
{
	build_interrupted = 1;
}

void build_say(struct build_progress *p, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "[%d/%d] ", ++p->step, p->nsteps);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Runs a sh script quietly; 0 when it exits 0. */
static int build_probe(const char *script)
{
	char *const argv[] = { "/bin/sh", "-c", (char *)script, NULL };
	struct proc_run run;
	int ret;

	if (proc_run(argv, BUILD_PROBE_TIMEOUT_MS, &run) < 0)
		return -1;
	ret = proc_succeeded(&run) ? 0 : -1;
	proc_release(&run);
	return ret;
}

/* gdb's configure reads CC and CXX: settle them once so the checks and the
 * build use the same compilers. */
static void build_default_compiler(const char *var, const char *const *names)
{
	const char *set = getenv(var);

	if (set && *set)
		return;
	for (; *names; names++) {
		char *path = locate_in_path(*names);

		if (path) {
			free(path);
			setenv(var, *names, 1);
			return;
		}
	}
}

int build_check_needs(const char *version, int npatches)
{
	static const char *const ccs[] = { "cc", "gcc", "clang", NULL };
	static const char *const cxxs[] = { "c++", "g++", "clang++", NULL };
	/* Each check runs in sh with CC and CXX set.  Header checks need a
	 * working C++ compiler to mean anything: without one, only it is named. */
	enum { ANY, IS_CXX, AFTER_CXX };
	static const struct {
		const char *what, *script;
		int role;
	} needs[] = {
		{ "cc (Debian: gcc, RHEL: gcc)",
		  "printf 'int main(void) { return 0; }\\n' | ${CC:-cc} -x c -o /dev/null -", ANY },
		{ "g++ (Debian: g++, RHEL: gcc-c++)",
		  "printf 'int main() { return 0; }\\n' | ${CXX:-c++} -x c++ -o /dev/null -", IS_CXX },
		{ "make (Debian: make, RHEL: make)", "command -v make", ANY },
		{ "gmp.h (Debian: libgmp-dev, RHEL: gmp-devel)",
		  "printf '#include <gmp.h>\\n' | ${CXX:-c++} -x c++ -E -o /dev/null -", AFTER_CXX },
		{ "mpfr.h (Debian: libmpfr-dev, RHEL: mpfr-devel)",
		  "printf '#include <mpfr.h>\\n' | ${CXX:-c++} -x c++ -E -o /dev/null -", AFTER_CXX },
		{ "libtinfo (Debian: libncurses-dev, RHEL: ncurses-devel)",
		  "for l in tinfo ncursesw ncurses termcap; do"
		  " printf 'int tgetent(char *, const char *);\\nint main(void) { return tgetent(0, 0); }\\n'"
		  " | ${CC:-cc} -x c -o /dev/null - -l$l && exit 0; done; exit 1", ANY },
	};
	struct strbuf missing = STRBUF_INIT;
	int cxx_ok = 1, ret = 0;

	build_default_compiler("CC", ccs);
	build_default_compiler("CXX", cxxs);
	for (size_t i = 0; i < ARRAY_SIZE(needs); i++) {
		if (needs[i].role == AFTER_CXX && !cxx_ok)
			continue;
		if (build_probe(needs[i].script) == 0)
			continue;
		if (needs[i].role == IS_CXX)
			cxx_ok = 0;
		strbuf_addf(&missing, "%s%s", missing.len ? ", " : "", needs[i].what);
	}
	if (npatches && build_probe("command -v patch") < 0)
		strbuf_addf(&missing, "%s%s", missing.len ? ", " : "", "patch (Debian: patch, RHEL: patch)");
	if (missing.len)
		ret = error("cannot build gdb %s from source, this system lacks: %s; install them and run nprof setup again",
			    version, missing.buf);
	strbuf_release(&missing);
	return ret;
}

/* On a terminal, the command's latest output line stands for progress. */
static void build_show_tail(const char *line, size_t len)
{
	while (len && isspace((unsigned char)*line)) {
		line++;
		len--;
	}
	if (!len)
		return;
	fprintf(stderr, "\r\033[K      %.*s", (int)(len > BUILD_TAIL ? BUILD_TAIL : len), line);
}

/* Runs argv in dir, its output going to the log.  The child gets a session
 * of its own, so nothing it runs can stop on the terminal, and a signal to
 * nprof reaches it only through the kill() here. */
static int build_run(const struct build *b, int logfd, const char *what, const char *dir,
		     char *const argv[])
{
	/* SIGTERM when nprof dies lets make stop what it started. */
	struct launch s = {
		.path = argv[0], .argv = argv, .search = 1, .dir = dir,
		.death_signal = SIGTERM,
		.detach = LAUNCH_NEW_SESSION,
		.close_others = 1,
	};
	struct launch_failure f;
	int pfd[2], status, null, status_fd, tty = isatty(STDERR_FILENO), shown = 0;
	char buf[4096], line[256];
	size_t linelen = 0;
	ssize_t n;
	pid_t pid;

	dprintf(logfd, "\n$ cd %s &&", dir);
	for (int i = 0; argv[i]; i++)
		dprintf(logfd, " %s", argv[i]);
	dprintf(logfd, "\n");
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return error("cannot create a pipe: %s", strerror(errno));
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return error("cannot open /dev/null: %s", strerror(errno));
	}
	s.stdio[0] = null;
	s.stdio[1] = s.stdio[2] = pfd[1];
	pid = launch_start(&s, &status_fd);
	close(null);
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (launch_result(status_fd, &f) < 0) {
		close(pfd[0]);
		close(pfd[1]);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (f.step == LAUNCH_CHDIR)
			return error("cannot enter %s: %s", dir, strerror(f.err));
		return error("cannot run %s: %s", argv[0], strerror(f.err));
	}
	close(pfd[1]);
	for (;;) {
		n = read(pfd[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR) {
			if (build_interrupted)
				kill(-pid, SIGTERM);
			continue;
		}
		if (n <= 0)
			break;
		if (write(logfd, buf, (size_t)n) < 0) {
			/* A full disk shows in the build too; keep draining. */
		}
		for (ssize_t i = 0; tty && i < n; i++) {
			if (buf[i] == '\n') {
				build_show_tail(line, linelen);
				shown = 1;
				linelen = 0;
			} else if (linelen < sizeof(line)) {
				line[linelen++] = buf[i];
			}
		}
	}
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return error("cannot wait for %s: %s", argv[0], strerror(errno));
	if (shown)
		fprintf(stderr, "\r\033[K");
	if (build_interrupted)
		return error("interrupted while %s; nothing was installed", what);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		return error("%s failed (exit status %d); the last lines of %s say why",
			     what, WEXITSTATUS(status), b->log);
	return error("%s failed (signal %d); see %s", what, WTERMSIG(status), b->log);
}

static int build_patch(const struct build *b, int logfd)
{
	build_say(b->progress, "patching: %d patch%s from %s", b->npatches, b->npatches == 1 ? "" : "es",
		  b->patchdir);
	for (int i = 0; i < b->npatches; i++) {
		char *patch = xasprintf("%s/%s", b->patchdir, b->patches[i]);
		char *const patch_argv[] = { "patch", "-p1", "--batch", "-i", patch, NULL };
		char *what = xasprintf("applying %s", b->patches[i]);
		int r;

		if (access(patch, R_OK) < 0)
			r = error("cannot read patch %s: %s; reinstall nprof", patch, strerror(errno));
		else
			r = build_run(b, logfd, what, b->src, patch_argv);
		free(what);
		free(patch);
		if (r < 0)
			return -1;
	}
	return 0;
}

static int build_steps(const struct build *b, int logfd, char **tree)
{
	char *build = xasprintf("%s/build", b->workdir);
	char *dest = xasprintf("%s/dest", b->workdir);
	char *configure = xasprintf("%s/configure", b->src);
	char *prefix_opt = xasprintf("--prefix=%s", b->prefix);
	char *destdir = xasprintf("DESTDIR=%s", dest);
	char jobs[32];
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int ret = -1;
	/* Only gdb itself: no simulators, no gdbserver, no binutils.  No Python:
	 * nprof speaks MI, and gdb's JIT interface (how Numba code shows up)
	 * is in gdb's core; leaving libpython out keeps the tree portable. */
	char *const configure_argv[] = {
		configure, prefix_opt,
		"--disable-werror", "--disable-nls", "--disable-sim", "--disable-gdbserver",
		"--disable-ld", "--disable-gold", "--disable-gas", "--disable-gprof",
		"--disable-gprofng", "--disable-binutils", "--disable-tui",
		"--disable-source-highlight", "--without-python", "--without-guile",
		"--without-babeltrace", "--without-debuginfod", "--without-intel-pt",
		"MAKEINFO=true", NULL,
	};
	char *const make_argv[] = { "make", jobs, "MAKEINFO=true", NULL };
	char *const install_argv[] = { "make", "install", destdir, "MAKEINFO=true", NULL };

	snprintf(jobs, sizeof(jobs), "-j%ld", ncpu > 0 ? ncpu : 1);
	if (access(configure, X_OK) < 0) {
		error("%s is not a gdb source tarball: it has no configure script at its top", b->url);
		goto out;
	}
	if (build_patch(b, logfd) < 0)
		goto out;
	if (mkdir(build, 0755) < 0) {
		error("cannot create %s: %s", build, strerror(errno));
		goto out;
	}
	build_say(b->progress, "configuring for %s (log: %s)", b->prefix, b->log);
	if (build_run(b, logfd, "configuring gdb", build, configure_argv) < 0)
		goto out;
	build_say(b->progress, "building with make %s: this takes several minutes", jobs);
	if (build_run(b, logfd, "building gdb", build, make_argv) < 0)
		goto out;
	build_say(b->progress, "installing into the staging directory");
	if (build_run(b, logfd, "installing gdb", build, install_argv) < 0)
		goto out;
	*tree = xasprintf("%s%s", dest, b->prefix);
	ret = 0;
out:
	free(build);
	free(dest);
	free(configure);
	free(prefix_opt);
	free(destdir);
	return ret;
}

int build_gdb(const struct build *b, char **tree)
{
	int logfd, ret;

	*tree = NULL;
	logfd = open(b->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (logfd < 0)
		return error("cannot create %s: %s", b->log, strerror(errno));
	ret = build_steps(b, logfd, tree);
	close(logfd);
	return ret;
}
