/* progenv: the environment the profiled program runs in: the user's own,
 * plus NUMBA_DEBUGINFO=1 so Numba emits line tables for gdb, plus (unless
 * the user wants Numba's debug code generation) nprof's start-up hook,
 * share/shim/sitecustomize.py, which restores production code generation
 * and removes these additions before the program's own code runs. */
#ifndef NPROF_PROGENV_H
#define NPROF_PROGENV_H

/* The start-up hook's directory, or NULL (with a warning) when it is not
 * installed.  New string. */
char *progenv_shim_dir(void);
/* A new environment for the program; `shim` may be NULL. */
char **progenv_new(const char *shim);
/* The same for --numba-debug: the hook (when given) only corrects the
 * source file of parallel=True loops, code generation stays Numba's debug
 * one. */
char **progenv_new_numba_debug(const char *shim);
void progenv_free(char **env);

#endif
