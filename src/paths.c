/* paths: nprof's data directory and per-user install root. */
#include "paths.h"

#include <stdlib.h>
#include <unistd.h>

#include "util.h"

const char *paths_pkgdatadir(void)
{
	const char *dir = getenv("NPROF_DATADIR");

	return dir && *dir ? dir : NPROF_PKGDATADIR;
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
