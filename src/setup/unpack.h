/* unpack: extracts a verified archive into a staging directory with
 * libarchive, allowing only what a gdb tree needs.
 *
 * Formats: tar; filters gzip, xz, bzip2, zstd (never support_*_all; a
 * filter that would run an external program is an error).  Extraction is
 * done relative to the staging dir with the SECURE_* flags and without
 * PERM, OWNER, ACL, XATTR, FFLAGS, plus an allowlist: regular files,
 * directories, and symlinks whose target is relative and stays inside the
 * tree; no hardlinks outside; no duplicate paths; modes masked to 0755 at
 * most (no setuid/setgid/sticky); caps on total bytes and entry count.
 * Any violation aborts with the entry named. */
#ifndef NPROF_UNPACK_H
#define NPROF_UNPACK_H

#include <stdint.h>

struct unpack_limits {
	uint64_t max_bytes;	/* total unpacked bytes; 0: default 2 GiB */
	uint64_t max_entries;	/* 0: default 100000 */
};

/* 0 on success; -1 after printing one line naming the archive and the
 * offending entry.  `dir` must exist and be empty.  An entry naming the
 * tree itself ("./") is skipped; an archive of nothing else is an error. */
int unpack_archive(const char *archive, const char *dir, const struct unpack_limits *limits);

#endif
