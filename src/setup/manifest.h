/* manifest: what `nprof setup` can install, per CPU architecture.
 * The format is documented in share/gdb.manifest and the README. */
#ifndef NPROF_MANIFEST_H
#define NPROF_MANIFEST_H

#include <stdint.h>

enum manifest_kind {
	MANIFEST_BUNDLE,	/* a prebuilt relocatable gdb tree (tarball) */
	MANIFEST_SOURCE,	/* a gdb release tarball to patch and build */
};

struct manifest_entry {
	enum manifest_kind kind;
	char *version;		/* "13.1" */
	char *arch;		/* "x86_64", "aarch64", or "any" (source) */
	char *url;
	char *sha256;
	uint64_t size;
	char **patches;		/* source: patch file names under setup/patches */
	int npatches;
};

struct manifest {
	struct manifest_entry *entries;
	int nentries;
};

/* Parses strictly; -1 after printing "FILE:LINE: what is wrong". */
int manifest_parse(const char *text, const char *name, struct manifest *out);
int manifest_load(const char *path, struct manifest *out);
void manifest_release(struct manifest *m);
/* The best entry for `arch`: a bundle for it first, else a source entry. */
const struct manifest_entry *manifest_pick(const struct manifest *m, const char *arch);

#endif
