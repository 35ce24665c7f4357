/* build: builds gdb from a release tarball: checks the build needs,
 * patches, configures, makes, installs into staging, with progress and a
 * log.
 *
 * The tree is configured with its final --prefix and installed with
 * DESTDIR, so it lands where it was configured for.  Each command runs in
 * a session of its own with its output going to the log; on a terminal
 * its latest line stands for progress. */
#ifndef NPROF_BUILD_H
#define NPROF_BUILD_H

/* The numbered step lines on stderr ("[5/8] building ..."): setup's steps
 * and the build's share one count. */
struct build_progress {
	int step, nsteps;
};

/* One build.  The strings are the caller's. */
struct build {
	const char *version;	/* for messages */
	const char *url;	/* where the tarball came from, for messages */
	const char *src;	/* the unpacked source tree */
	const char *prefix;	/* where the tree will live: configure's --prefix */
	const char *workdir;	/* an empty dir for build/ and dest/ */
	char *const *patches;	/* file names under patchdir, applied in order */
	int npatches;
	const char *patchdir;
	const char *log;	/* created here; the caller removes it after a success */
	struct build_progress *progress;
};

void build_say(struct build_progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Settles CC and CXX for the checks and the build alike, then checks for
 * what building gdb `version` needs (patch too when there are patches).
 * -1 after one line naming all that is missing, with its packages. */
int build_check_needs(const char *version, int npatches);

/* Patches b->src, configures, makes, and installs into WORKDIR/dest;
 * *tree (new string) is then where the installed tree is.  -1 after one
 * line saying which step failed, and the log is kept. */
int build_gdb(const struct build *b, char **tree);

/* From a signal handler: the running command is killed and the build
 * stops. */
void build_interrupt(void);

#endif
