/* locate: which python and which gdb to run, and why. */
#ifndef NPROF_LOCATE_H
#define NPROF_LOCATE_H

/* Searches PATH for an executable `name` (returned as is when it holds a
 * '/').  New string, or NULL. */
char *locate_in_path(const char *name);

struct located {
	char *path;		/* the executable, or NULL when not found */
	const char *why;	/* "--python", "$NPROF_PYTHON", "PATH", ... */
};

/* Order: --python, $NPROF_PYTHON, python3 on PATH. */
int locate_python(const char *option, struct located *out);
/* Order: --gdb, $NPROF_GDB, the gdb `nprof setup` installed, gdb on PATH. */
int locate_gdb(const char *option, struct located *out);
void located_release(struct located *l);

#define LOCATE_PYTHON_TIMEOUT_MS 60000	/* importing numba can take seconds on a cold cache */

/* Is `path` a python with numba?  0 with *line "Python 3.11.2, numba
 * 0.56.4", else -1 with *line "not a python with numba: WHY" (a python
 * without numba, or not a python at all: /bin/true).  `import`: import
 * numba (slow, and proves it works), else only find it.  *line is new. */
int locate_check_python(const char *path, int import, char **line);

#endif
