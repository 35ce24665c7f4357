/* paths: nprof's data directory and per-user install root. */
#include "paths.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strbuf.h"
#include "util.h"

static char *exe_dir(void);
static char *relative_path(const char *from, const char *to);
static int has_hook(const char *dir);

/* The directory of the running binary, or NULL. */
static char *exe_dir(void)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	return xstrdup(exe);
}

/* `to` as seen from `from` (both absolute, normalised): "../share". */
static char *relative_path(const char *from, const char *to)
{
	struct strbuf sb = STRBUF_INIT;
	size_t common = 0, i;

	/* The longest common prefix that ends at a '/' (or the end). */
	for (i = 0; from[i] && from[i] == to[i]; i++)
		if (from[i] == '/')
			common = i;
	if (!from[i] && (to[i] == '/' || !to[i]))
		common = i;
	for (const char *p = from + common; *p; p++)
		if (*p == '/')
			strbuf_addstr(&sb, "../");
	strbuf_addstr(&sb, to[common] == '/' ? to + common + 1 : to + common);
	return strbuf_detach(&sb);
}

static int has_hook(const char *dir)
{
	char *file = xasprintf("%s/shim/sitecustomize.py", dir);
	int ok = access(file, R_OK) == 0;

	free(file);
	return ok;
}

/* $NPROF_DATADIR; the source tree's share/ for the binary of the build
 * tree; else share/ where it lies from the binary: as in the build tree
 * (a build tree copied or moved whole) or as installed (PREFIX/bin and
 * PREFIX/share/nprof, a prefix moved); else the configured directory. */
const char *paths_pkgdatadir(void)
{
	static char *found;
	const char *dir = getenv("NPROF_DATADIR");
	char *exe, *rel, *cand[2];

	if (dir && *dir)
		return dir;
	if (found)
		return found;
	exe = exe_dir();
	if (!exe)
		return NPROF_PKGDATADIR;
	if (strcmp(exe, NPROF_BUILDDIR) == 0) {
		free(exe);
		return NPROF_SRCSHARE;
	}
	rel = relative_path(NPROF_BUILDDIR, NPROF_SRCSHARE);
	cand[0] = xasprintf("%s/%s", exe, rel);
	cand[1] = xasprintf("%s/../share/%s", exe, PACKAGE);
	for (size_t i = 0; i < ARRAY_SIZE(cand); i++) {
		if (!found && has_hook(cand[i]))
			found = cand[i];
		else
			free(cand[i]);
	}
	free(rel);
	free(exe);
	return found ? found : NPROF_PKGDATADIR;
}

char *paths_data_file(const char *name)
{
	return xasprintf("%s/%s", paths_pkgdatadir(), name);
}

char *paths_user_root(void)
{
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");

	/* The XDG spec says a relative XDG_DATA_HOME is invalid: ignore it. */
	if (xdg && xdg[0] == '/')
		return xasprintf("%s/nprof", xdg);
	if (home && *home)
		return xasprintf("%s/.local/share/nprof", home);
	error("cannot find the user data directory: neither XDG_DATA_HOME nor HOME is set; pass --prefix DIR");
	return NULL;
}

char *paths_installed_gdb(const char *root)
{
	char *gdb = xasprintf("%s/current/bin/gdb", root);

	if (access(gdb, X_OK) == 0)
		return gdb;
	free(gdb);
	return NULL;
}
