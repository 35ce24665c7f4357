/* progenv: the environment the profiled program runs in. */
#include "progenv.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paths.h"
#include "util.h"

extern char **environ;

static char **progenv_build(const char *shim, int parfor_only);

static void env_set(char ***env, size_t *n, size_t *alloc, const char *name, const char *value)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < *n; i++) {
		if (strncmp((*env)[i], name, len) == 0 && (*env)[i][len] == '=') {
			free((*env)[i]);
			(*env)[i] = xasprintf("%s=%s", name, value);
			return;
		}
	}
	*env = xgrow(*env, alloc, *n + 2, sizeof(**env));
	(*env)[(*n)++] = xasprintf("%s=%s", name, value);
	(*env)[*n] = NULL;
}

/* The start-up hook's directory, or NULL (with a warning) when it is not
 * installed: then the profile is of Numba's debug code generation, and the
 * report must say so. */
char *progenv_shim_dir(void)
{
	char *dir = paths_data_file("shim");
	char *file = xasprintf("%s/sitecustomize.py", dir);
	int ok = access(file, R_OK) == 0;

	if (!ok) {
		warning("cannot find nprof's start-up hook %s; profiling Numba's debug code generation (set NPROF_DATADIR to nprof's share directory)", file);
		free(dir);
		dir = NULL;
	}
	free(file);
	return dir;
}

/* The user's environment plus NUMBA_DEBUGINFO=1 (line tables for gdb) and,
 * when `shim` is given, the start-up hook that restores production code
 * generation (share/shim/sitecustomize.py; it undoes these additions before
 * the program runs). */
char **progenv_new(const char *shim)
{
	return progenv_build(shim, 0);
}

/* With --numba-debug the hook leaves code generation alone and only gives
 * the gufuncs of parallel=True loops the user's file (its section 5). */
char **progenv_new_numba_debug(const char *shim)
{
	return progenv_build(shim, 1);
}

static char **progenv_build(const char *shim, int parfor_only)
{
	size_t n = 0, alloc = 0;
	char **env = NULL;
	const char *pythonpath = getenv("PYTHONPATH");

	for (char **e = environ; *e; e++) {
		env = xgrow(env, &alloc, n + 2, sizeof(*env));
		env[n++] = xstrdup(*e);
	}
	env = xgrow(env, &alloc, n + 1, sizeof(*env));
	env[n] = NULL;
	env_set(&env, &n, &alloc, "NUMBA_DEBUGINFO", "1");
	if (shim) {
		char *path = pythonpath && *pythonpath ? xasprintf("%s:%s", shim, pythonpath)
						       : xstrdup(shim);

		env_set(&env, &n, &alloc, "PYTHONPATH", path);
		env_set(&env, &n, &alloc, "NPROF_SHIM", "1");
		if (pythonpath)
			env_set(&env, &n, &alloc, "NPROF_ORIG_PYTHONPATH", pythonpath);
		if (parfor_only)
			env_set(&env, &n, &alloc, "NPROF_SHIM_PARFOR_ONLY", "1");
		free(path);
	}
	return env;
}

void progenv_free(char **env)
{
	for (char **e = env; *e; e++)
		free(*e);
	free(env);
}
