/* locate: finding the interpreter and the debugger.  Each returns 0 with
 * out->path set, or -1 after printing one line that says what to do. */
#include "locate.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"
#include "proc.h"
#include "strbuf.h"
#include "util.h"

static int is_executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

char *locate_in_path(const char *name)
{
	const char *path = getenv("PATH");
	const char *p, *end;

	if (strchr(name, '/'))
		return is_executable(name) ? xstrdup(name) : NULL;
	if (!path)
		path = "/usr/bin:/bin";
	for (p = path;; p = end + 1) {
		char *candidate;

		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		candidate = end > p ? xasprintf("%.*s/%s", (int)(end - p), p, name)
				    : xasprintf("./%s", name);
		if (is_executable(candidate))
			return candidate;
		free(candidate);
		if (!*end)
			return NULL;
	}
}

/* An explicit choice must exist: never fall back silently past it. */
static int explicit_choice(const char *value, const char *why, const char *what,
			   struct located *out)
{
	out->path = locate_in_path(value);
	out->why = why;
	if (!out->path)
		return error("cannot run %s '%s' (from %s): no such executable", what, value, why);
	return 0;
}

int locate_python(const char *option, struct located *out)
{
	const char *env = getenv("NPROF_PYTHON");

	if (option)
		return explicit_choice(option, "--python", "python", out);
	if (env && *env)
		return explicit_choice(env, "$NPROF_PYTHON", "python", out);
	out->path = locate_in_path("python3");
	out->why = "PATH";
	if (!out->path)
		return error("cannot find python3 on PATH; pass --python PATH or set NPROF_PYTHON");
	return 0;
}

int locate_gdb(const char *option, struct located *out)
{
	const char *env = getenv("NPROF_GDB");
	char *root;

	if (option)
		return explicit_choice(option, "--gdb", "gdb", out);
	if (env && *env)
		return explicit_choice(env, "$NPROF_GDB", "gdb", out);
	root = getenv("HOME") || getenv("XDG_DATA_HOME") ? paths_user_root() : NULL;
	out->path = root ? paths_installed_gdb(root) : NULL;
	free(root);
	if (out->path) {
		out->why = "nprof setup";
		return 0;
	}
	out->path = locate_in_path("gdb");
	out->why = "PATH";
	if (!out->path)
		return error("cannot find gdb; run 'nprof setup', install gdb (apt-get install gdb), or pass --gdb PATH");
	return 0;
}

void located_release(struct located *l)
{
	free(l->path);
	l->path = NULL;
}

/* Asks the interpreter for its Python and Numba versions: with `import`,
 * by importing numba (doctor: it must work), else by finding it only
 * (annotate: a quick check, before the program runs). */
int locate_check_python(const char *path, int import, char **line)
{
	char *code = import
		? "import sys, numba; print('Python', sys.version.split()[0] + ', numba', numba.__version__)"
		: "import sys, importlib.util\n"
		  "if not importlib.util.find_spec('numba'):\n"
		  "    sys.exit(\"ModuleNotFoundError: No module named 'numba'\")\n"
		  "try:\n"
		  "    from importlib.metadata import version\n"
		  "    v = version('numba')\n"
		  "except Exception:\n"
		  "    v = '(version unknown)'\n"
		  "print('Python', sys.version.split()[0] + ', numba', v)\n";
	char *argv[] = { (char *)path, "-c", code, NULL };
	struct proc_run run;
	const char *out, *end, *start;
	int ok;

	*line = NULL;
	if (proc_run(argv, LOCATE_PYTHON_TIMEOUT_MS, &run) < 0)
		return -1;
	out = strbuf_str(&run.out);
	ok = proc_succeeded(&run) && strncmp(out, "Python ", 7) == 0 && strstr(out, ", numba ");
	if (ok) {
		*line = xstrndup(out, strcspn(out, "\n"));
	} else if (run.exec_errno) {
		*line = xasprintf("not a python with numba: %s", strerror(run.exec_errno));
	} else if (run.timed_out) {
		*line = xstrdup("not a python with numba: no answer within a minute");
	} else if (proc_succeeded(&run) || !strstr(out, "Error")) {
		*line = xstrdup("not a python with numba: it does not report a Python and a Numba version");
	} else {
		/* A python whose numba fails: a traceback ends with what failed. */
		for (end = out + strlen(out); end > out && end[-1] == '\n'; end--)
			;
		for (start = end; start > out && start[-1] != '\n'; start--)
			;
		*line = xasprintf("not a python with numba: %.*s", (int)(end - start), start);
	}
	proc_release(&run);
	return ok ? 0 : -1;
}
