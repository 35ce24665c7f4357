/* install: the per-user gdb install tree and its atomic update.
 *
 * ROOT/
 *   versions/VERSION/   one unpacked gdb tree per version (bin/gdb inside)
 *   current -> versions/VERSION   switched atomically (temp link + rename)
 *   downloads/          NAME.part files being downloaded
 *   .staging-XXXXXX/    work in progress; stale ones are removed
 *   .lock               flock()ed by a running setup
 */
#ifndef NPROF_INSTALL_H
#define NPROF_INSTALL_H

struct install_lock;

/* Creates ROOT if needed and takes the lock (waits for another setup,
 * saying so once).  NULL after printing an error. */
struct install_lock *install_lock(const char *root);
void install_unlock(struct install_lock *lock);

/* Removes stale .staging-* directories (safe: the caller holds the lock). */
void install_clean_stale(const char *root);
/* A new empty staging dir on the same filesystem; new string or NULL. */
char *install_staging_dir(const char *root);
/* The version `current` points at (new string), or NULL when none. */
char *install_current_version(const char *root);

/* Checks that STAGING/bin/gdb starts in MI mode and reports its version
 * (new string in *version); -1 after printing why not. */
int install_validate_gdb(const char *staging, char **version);
/* How long install_validate_gdb() waits before killing gdb; <= 0 restores
 * the default of 30 s.  For tests. */
void install_set_validate_timeout(int ms);
/* fsyncs the staged tree, renames it to versions/VERSION (replacing an
 * older one of that name only when `force`), and switches `current`.
 * On success `staging` is gone; on failure `current` is untouched. */
int install_commit(const char *root, const char *staging, const char *version, int force);
/* Recursively removes a directory tree (staging cleanup). */
void install_remove_tree(const char *path);

#endif
