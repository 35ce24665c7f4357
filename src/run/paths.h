/* paths: where nprof's files live: its data directory (shim, example,
 * default manifest) and the per-user install that `nprof setup` makes. */
#ifndef NPROF_PATHS_H
#define NPROF_PATHS_H

/* $NPROF_DATADIR (tests, uninstalled runs) or the configured pkgdatadir. */
const char *paths_pkgdatadir(void);
/* A file under pkgdatadir; new string. */
char *paths_data_file(const char *name);
/* The per-user install root: $XDG_DATA_HOME/nprof, else ~/.local/share/nprof.
 * New string, or NULL (with an error printed) when HOME is unset too. */
char *paths_user_root(void);
/* The gdb that `nprof setup` installed under `root` (root/current/bin/gdb),
 * or NULL when there is none.  New string. */
char *paths_installed_gdb(const char *root);

#endif
