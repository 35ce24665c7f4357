/* paths: nprof's data directory and per-user install root. */
#include "paths.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* Is this the nprof binary of the build tree, run before `make install`? */
static int running_uninstalled(void)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0)
		return 0;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return 0;
	*slash = '\0';
	return strcmp(exe, NPROF_BUILDDIR) == 0;
}

const char *paths_pkgdatadir(void)
{
	const char *dir = getenv("NPROF_DATADIR");

	if (dir && *dir)
		return dir;
	/* ./nprof in the build tree uses the source tree's share/. */
	return running_uninstalled() ? NPROF_SRCSHARE : NPROF_PKGDATADIR;
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
