/* locate: finding the interpreter and the debugger.  Each returns 0 with
 * out->path set, or -1 after printing one line that says what to do. */
#include "locate.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"
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
