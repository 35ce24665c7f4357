/* unpack: extracts a tar into a staging dir, allowing only a plain tree.
 *
 * libarchive's SECURE_* flags are the second line of defence: with 3.6.2
 * an absolute symlink target, a FIFO, a directory replaced by a symlink
 * and a small xz that inflates to gigabytes all get through them.  So each
 * entry is checked against an allowlist before it is written, keeping a
 * table of every path written so far (and of the parent directories
 * libarchive creates on the way). */
#include "unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strbuf.h"
#include "util.h"

#define UNPACK_MAX_BYTES	(UINT64_C(2) << 30)
#define UNPACK_MAX_ENTRIES	UINT64_C(100000)
#define UNPACK_BLOCK		(64 * 1024)
#define UNPACK_NAME_MAX		200	/* bytes of an entry name shown in a message */

/* What an earlier entry left at a path. */
enum unpack_kind {
	UNPACK_NONE,
	UNPACK_IMPLIED,		/* a parent directory created on the way */
	UNPACK_DIR,
	UNPACK_FILE,
	UNPACK_SYMLINK,
};

struct unpack_slot {
	char *path;
	enum unpack_kind kind;
};

/* Open addressing: a gdb tree has thousands of entries, the cap is 100000. */
struct unpack_seen {
	struct unpack_slot *slots;
	size_t alloc;		/* a power of two, or 0 */
	size_t used;
};

struct unpack_ctx {
	const char *name;	/* the archive's base name, for messages */
	struct archive *in;
	struct archive *out;
	int fd;			/* the archive */
	struct unpack_seen seen;
	uint64_t max_bytes;
	uint64_t max_entries;
	uint64_t bytes;		/* data actually written so far */
	uint64_t entries;	/* headers read so far */
	uint64_t written;	/* entries written (not the tree's own ".") */
	struct strbuf path;	/* the current entry, normalised */
	struct strbuf link;	/* its hardlink target, normalised */
	struct strbuf quoted;	/* its raw name, made printable */
	struct strbuf target;	/* its link target, made printable */
	char *block;
};

static int unpack_refuse(struct unpack_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static uint64_t unpack_hash(const char *s, size_t len)
{
	uint64_t h = UINT64_C(14695981039346656037);	/* FNV-1a */

	while (len--) {
		h ^= (unsigned char)*s++;
		h *= UINT64_C(1099511628211);
	}
	return h;
}

static struct unpack_slot *unpack_seen_slot(struct unpack_seen *seen, const char *path, size_t len)
{
	size_t i = (size_t)unpack_hash(path, len) & (seen->alloc - 1);

	for (;; i = (i + 1) & (seen->alloc - 1)) {
		struct unpack_slot *slot = &seen->slots[i];

		if (!slot->path || (strlen(slot->path) == len && !memcmp(slot->path, path, len)))
			return slot;
	}
}

static enum unpack_kind unpack_seen_get(struct unpack_seen *seen, const char *path, size_t len)
{
	if (!seen->alloc)
		return UNPACK_NONE;
	return unpack_seen_slot(seen, path, len)->kind;
}

static void unpack_seen_grow(struct unpack_seen *seen)
{
	struct unpack_slot *old = seen->slots;
	size_t n = seen->alloc, i;

	seen->alloc = n ? n * 2 : 1024;
	seen->slots = xcalloc(seen->alloc, sizeof(*seen->slots));
	for (i = 0; i < n; i++) {
		if (old[i].path)
			*unpack_seen_slot(seen, old[i].path, strlen(old[i].path)) = old[i];
	}
	free(old);
}

static void unpack_seen_set(struct unpack_seen *seen, const char *path, size_t len,
			    enum unpack_kind kind)
{
	struct unpack_slot *slot;

	if (2 * (seen->used + 1) > seen->alloc)
		unpack_seen_grow(seen);
	slot = unpack_seen_slot(seen, path, len);
	if (!slot->path) {
		slot->path = xstrndup(path, len);
		seen->used++;
	}
	slot->kind = kind;
}

static void unpack_seen_release(struct unpack_seen *seen)
{
	size_t i;

	for (i = 0; i < seen->alloc; i++)
		free(seen->slots[i].path);
	free(seen->slots);
}

/* Names come from the archive: escape what would break the line. */
static const char *unpack_quote(struct strbuf *sb, const char *raw)
{
	size_t i;

	strbuf_reset(sb);
	for (i = 0; raw && raw[i]; i++) {
		unsigned char c = (unsigned char)raw[i];

		if (i == UNPACK_NAME_MAX) {
			strbuf_addstr(sb, "...");
			break;
		}
		if (c < 0x20 || c >= 0x7f || c == '\\')
			strbuf_addf(sb, "\\x%02x", c);
		else
			strbuf_addch(sb, c);
	}
	return strbuf_str(sb);
}

/* "refusing NAME: entry 'E' ...", E being the entry being checked. */
static int unpack_refuse(struct unpack_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	char *why;
	int ret;

	va_start(ap, fmt);
	why = xvasprintf(fmt, ap);
	va_end(ap);
	ret = error("refusing %s: entry '%s' %s", ctx->name, strbuf_str(&ctx->quoted), why);
	free(why);
	return ret;
}

/* The next meaningful component of a slash-separated path at or after p:
 * empty and "." components are skipped.  Returns its start (with its
 * length in *len), or NULL at the end; *rest is where to look next. */
static const char *unpack_component(const char *p, size_t *len, const char **rest)
{
	for (;;) {
		const char *end = strchr(p, '/');

		if (!end)
			end = p + strlen(p);
		*len = (size_t)(end - p);
		*rest = *end ? end + 1 : end;
		if (*len && !(*len == 1 && p[0] == '.'))
			return p;
		if (!*end)
			return NULL;
		p = *rest;
	}
}

static int unpack_is_dotdot(const char *p, size_t len)
{
	return len == 2 && p[0] == '.' && p[1] == '.';
}

/* Drops "." and empty components (so "./a//b/" is "a/b"); NULL when fine,
 * else why not.  An empty result is the tree itself. */
static const char *unpack_normalise(const char *raw, struct strbuf *out)
{
	const char *p, *rest = raw;
	size_t len;

	strbuf_reset(out);
	if (!*raw)
		return "has an empty name";
	if (*raw == '/')
		return "is an absolute path";
	while ((p = unpack_component(rest, &len, &rest))) {
		if (unpack_is_dotdot(p, len))
			return "has a '..' component";
		if (out->len)
			strbuf_addch(out, '/');
		strbuf_add(out, p, len);
	}
	return NULL;
}

/* Nothing may go beneath a symlink or a file; the directories libarchive
 * will create on the way are recorded so nothing can replace them later. */
static int unpack_check_parents(struct unpack_ctx *ctx, const char *path)
{
	const char *slash;

	for (slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/')) {
		size_t len = (size_t)(slash - path);

		switch (unpack_seen_get(&ctx->seen, path, len)) {
		case UNPACK_SYMLINK:
			return unpack_refuse(ctx, "is beneath symlink '%.*s'", (int)len, path);
		case UNPACK_FILE:
			return unpack_refuse(ctx, "is beneath file '%.*s'", (int)len, path);
		case UNPACK_NONE:
			unpack_seen_set(&ctx->seen, path, len, UNPACK_IMPLIED);
			break;
		default:
			break;
		}
	}
	return 0;
}

/* A target of the form "../../a/b" whose ".."s stay within the entry's own
 * parents.  Those parents are real directories (nothing can be written
 * beneath a symlink, nor replace a directory), and every other symlink
 * obeys the same rule, so following the names down never leaves the tree.
 * ".." after a name is refused: "l/.." is the parent of wherever l leads,
 * which is not where a lexical reading puts it. */
static int unpack_check_symlink(struct unpack_ctx *ctx, const char *path, const char *target)
{
	const char *shown = unpack_quote(&ctx->target, target);
	const char *p, *rest = target, *s;
	size_t len;
	int depth = 0, ups = 0, named = 0;

	if (!target || !*target)
		return unpack_refuse(ctx, "is a symlink with an empty target");
	if (*target == '/')
		return unpack_refuse(ctx, "is a symlink to absolute path '%s'", shown);
	for (s = path; (s = strchr(s, '/')); s++)
		depth++;
	while ((p = unpack_component(rest, &len, &rest))) {
		if (unpack_is_dotdot(p, len)) {
			if (named)
				return unpack_refuse(ctx, "is a symlink to '%s', which has '..' after a name",
						     shown);
			if (++ups > depth)
				return unpack_refuse(ctx, "is a symlink to '%s', which leads outside the tree",
						     shown);
		} else {
			named = 1;
		}
	}
	return 0;
}

/* Only to a regular file written earlier: libarchive would otherwise link
 * to whatever the name reaches, outside the tree included. */
static int unpack_check_hardlink(struct unpack_ctx *ctx, struct archive_entry *entry,
				 const char *target)
{
	const char *shown = unpack_quote(&ctx->target, target);
	const char *why = unpack_normalise(target, &ctx->link);

	if (why)
		return unpack_refuse(ctx, "is a hardlink to '%s', which %s", shown, why);
	if (unpack_seen_get(&ctx->seen, ctx->link.buf, ctx->link.len) != UNPACK_FILE)
		return unpack_refuse(ctx, "is a hardlink to '%s', which is not an earlier file in the archive",
				     shown);
	archive_entry_set_hardlink(entry, ctx->link.buf);
	return 0;
}

static const char *unpack_type_name(mode_t type)
{
	switch (type) {
	case AE_IFIFO:
		return "a fifo";
	case AE_IFCHR:
		return "a character device";
	case AE_IFBLK:
		return "a block device";
	case AE_IFSOCK:
		return "a socket";
	default:
		return "of an unknown type";
	}
}

/* The allowlist.  0: write it; 1: skip it (the tree's own "."); -1: refuse.
 * Rewrites the entry's name and mode to what was checked. */
static int unpack_check_entry(struct unpack_ctx *ctx, struct archive_entry *entry)
{
	const char *raw = archive_entry_pathname(entry);
	const char *hardlink = archive_entry_hardlink(entry);
	mode_t type = archive_entry_filetype(entry);
	mode_t mode = archive_entry_perm(entry);
	enum unpack_kind kind;
	const char *why;

	unpack_quote(&ctx->quoted, raw);
	if (++ctx->entries > ctx->max_entries)
		return unpack_refuse(ctx, "is past the limit of %" PRIu64 " entries", ctx->max_entries);
	if (!raw)
		return unpack_refuse(ctx, "has a name that cannot be decoded");
	why = unpack_normalise(raw, &ctx->path);
	if (why)
		return unpack_refuse(ctx, "%s", why);
	if (!hardlink && type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK)
		return unpack_refuse(ctx, "is %s; only files, directories and symlinks are allowed",
				     unpack_type_name(type));
	if (!ctx->path.len) {
		if (hardlink || type != AE_IFDIR)
			return unpack_refuse(ctx, "names the tree itself but is not a directory");
		return 1;
	}
	/* refused before libarchive extends a file to its declared size */
	if (archive_entry_size(entry) > 0 &&
	    (uint64_t)archive_entry_size(entry) > ctx->max_bytes - ctx->bytes)
		return unpack_refuse(ctx, "takes the archive past the limit of %" PRIu64
				     " unpacked bytes", ctx->max_bytes);
	if (type != AE_IFLNK && (mode & (S_ISUID | S_ISGID)))
		return unpack_refuse(ctx, "is %s", (mode & S_ISUID) ? "setuid" : "setgid");
	kind = unpack_seen_get(&ctx->seen, ctx->path.buf, ctx->path.len);
	if (kind == UNPACK_IMPLIED && type == AE_IFDIR && !hardlink)
		kind = UNPACK_NONE;	/* a directory's own entry after its contents */
	if (kind == UNPACK_IMPLIED)
		return unpack_refuse(ctx, "would replace a directory made for earlier entries");
	if (kind != UNPACK_NONE)
		return unpack_refuse(ctx, "appears twice");
	if (unpack_check_parents(ctx, ctx->path.buf))
		return -1;

	if (hardlink) {
		if (unpack_check_hardlink(ctx, entry, hardlink))
			return -1;
		kind = UNPACK_FILE;
	} else if (type == AE_IFLNK) {
		if (unpack_check_symlink(ctx, ctx->path.buf, archive_entry_symlink(entry)))
			return -1;
		kind = UNPACK_SYMLINK;
	} else if (type == AE_IFDIR) {
		archive_entry_set_perm(entry, 0755);
		kind = UNPACK_DIR;
	} else {
		archive_entry_set_perm(entry, (mode & 0111) ? 0755 : 0644);
		kind = UNPACK_FILE;
	}
	unpack_seen_set(&ctx->seen, ctx->path.buf, ctx->path.len, kind);
	archive_entry_set_pathname(entry, ctx->path.buf);
	return 0;
}

/* libarchive's reason a disk write failed, with the errno text it leaves
 * out: "Write failed" alone does not say the disk is full. */
static const char *unpack_disk_why(struct unpack_ctx *ctx, char *buf, size_t len)
{
	const char *msg = archive_error_string(ctx->out);
	int err = archive_errno(ctx->out);

	if (!msg)
		msg = "unknown error";
	if (err <= 0 || strstr(msg, strerror(err)))
		return msg;
	snprintf(buf, len, "%s (%s)", msg, strerror(err));
	return buf;
}

static int unpack_write_failed(struct unpack_ctx *ctx)
{
	char why[1024];

	return error("cannot write '%s' from %s: %s", strbuf_str(&ctx->quoted), ctx->name,
		     unpack_disk_why(ctx, why, sizeof(why)));
}

/* Counts what is really inflated, not what the header claims; holes in a
 * sparse entry come back as zeros and are counted too. */
static int unpack_copy_data(struct unpack_ctx *ctx)
{
	for (;;) {
		la_ssize_t n = archive_read_data(ctx->in, ctx->block, UNPACK_BLOCK);

		if (n == 0)
			return 0;
		if (n < 0)
			return error("cannot unpack %s: archive is truncated or damaged at entry '%s' (%s)",
				     ctx->name, strbuf_str(&ctx->quoted), archive_error_string(ctx->in));
		if ((uint64_t)n > ctx->max_bytes - ctx->bytes)
			return unpack_refuse(ctx, "takes the archive past the limit of %" PRIu64
					     " unpacked bytes", ctx->max_bytes);
		ctx->bytes += (uint64_t)n;
		if (archive_write_data(ctx->out, ctx->block, (size_t)n) != n)
			return unpack_write_failed(ctx);
	}
}

static int unpack_not_tar(struct unpack_ctx *ctx)
{
	return error("cannot unpack %s: not a tar archive (plain, gzip, xz, bzip2 or zstd)",
		     ctx->name);
}

static int unpack_next_header_failed(struct unpack_ctx *ctx)
{
	const char *msg = archive_error_string(ctx->in);

	if (!ctx->entries && archive_format(ctx->in) == 0)
		return unpack_not_tar(ctx);
	if (!ctx->entries)
		return error("cannot unpack %s: archive is truncated or damaged (%s)", ctx->name,
			     msg ? msg : "unknown error");
	return error("cannot unpack %s: archive is truncated or damaged after entry '%s' (%s)",
		     ctx->name, strbuf_str(&ctx->quoted), msg ? msg : "unknown error");
}

/* Runs with the staging dir as the working directory. */
static int unpack_extract(struct unpack_ctx *ctx)
{
	struct archive_entry *entry;
	int r;

	while ((r = archive_read_next_header(ctx->in, &entry)) != ARCHIVE_EOF) {
		if (r != ARCHIVE_OK)
			return unpack_next_header_failed(ctx);
		r = unpack_check_entry(ctx, entry);
		if (r < 0)
			return -1;
		if (r > 0)
			continue;
		if (archive_write_header(ctx->out, entry) != ARCHIVE_OK)
			return unpack_write_failed(ctx);
		if (unpack_copy_data(ctx))
			return -1;
		/* a warning here is about times only */
		if (archive_write_finish_entry(ctx->out) < ARCHIVE_WARN)
			return unpack_write_failed(ctx);
		ctx->written++;
	}
	if (!ctx->written)
		return error("cannot unpack %s: archive is empty", ctx->name);
	return 0;
}

/* ARCHIVE_WARN means the filter would run an external program. */
typedef int (*unpack_filter_fn)(struct archive *);

static const unpack_filter_fn unpack_filters[] = {
	archive_read_support_filter_gzip,
	archive_read_support_filter_xz,
	archive_read_support_filter_bzip2,
	archive_read_support_filter_zstd,
};

static int unpack_filter_builtin(unpack_filter_fn fn)
{
	struct archive *probe = archive_read_new();
	int r;

	if (!probe)
		fatal("out of memory");
	r = fn(probe);
	archive_read_free(probe);
	return r == ARCHIVE_OK;
}

static int unpack_open(struct unpack_ctx *ctx, const char *archive)
{
	size_t i;
	struct stat st;
	int flags = ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS |
		    ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_TIME;

	ctx->in = archive_read_new();
	ctx->out = archive_write_disk_new();
	if (!ctx->in || !ctx->out)
		fatal("out of memory");
	if (archive_read_support_format_tar(ctx->in) != ARCHIVE_OK)
		return error("cannot unpack %s: libarchive cannot read tar", ctx->name);
	/* A filter without in-process support is left out rather than run as a
	 * program: its archives are then "not a tar archive". */
	for (i = 0; i < ARRAY_SIZE(unpack_filters); i++) {
		if (unpack_filter_builtin(unpack_filters[i]) &&
		    unpack_filters[i](ctx->in) != ARCHIVE_OK)
			return error("cannot unpack %s: %s", ctx->name, archive_error_string(ctx->in));
	}
	if (archive_write_disk_set_options(ctx->out, flags) != ARCHIVE_OK)
		return error("cannot unpack %s: %s", ctx->name, archive_error_string(ctx->out));
	/* opened here so that libarchive's failures are about the content */
	ctx->fd = open(archive, O_RDONLY | O_CLOEXEC);
	if (ctx->fd < 0 || fstat(ctx->fd, &st))
		return error("cannot open %s: %s", archive, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return error("cannot unpack %s: not a regular file", archive);
	if (!st.st_size)
		return error("cannot unpack %s: the file is empty", ctx->name);
	/* the filters and the format bid here, reading the first blocks */
	if (archive_read_open_fd(ctx->in, ctx->fd, UNPACK_BLOCK) != ARCHIVE_OK)
		return unpack_not_tar(ctx);
	return 0;
}

int unpack_archive(const char *archive, const char *dir, const struct unpack_limits *limits)
{
	struct unpack_ctx ctx = {
		.fd = -1, .path = STRBUF_INIT, .link = STRBUF_INIT,
		.quoted = STRBUF_INIT, .target = STRBUF_INIT,
	};
	const char *slash = strrchr(archive, '/');
	int cwd = -1, fd = -1, ret = -1;

	ctx.name = slash && slash[1] ? slash + 1 : archive;
	ctx.max_bytes = limits && limits->max_bytes ? limits->max_bytes : UNPACK_MAX_BYTES;
	ctx.max_entries = limits && limits->max_entries ? limits->max_entries : UNPACK_MAX_ENTRIES;
	ctx.block = xmalloc(UNPACK_BLOCK);
	/* the archive is opened first: its name may be relative */
	if (unpack_open(&ctx, archive))
		goto out;
	cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cwd < 0) {
		error("cannot open the working directory: %s", strerror(errno));
		goto out;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fchdir(fd)) {
		error("cannot enter %s: %s", dir, strerror(errno));
		goto out;
	}
	ret = unpack_extract(&ctx);
	/* closing applies deferred directory times, relative to the cwd */
	if (archive_write_close(ctx.out) != ARCHIVE_OK && !ret) {
		char why[1024];

		ret = error("cannot finish unpacking %s: %s", ctx.name, unpack_disk_why(&ctx, why, sizeof(why)));
	}
	if (fchdir(cwd))
		fatal("cannot return to the working directory: %s", strerror(errno));
out:
	if (fd >= 0)
		close(fd);
	if (cwd >= 0)
		close(cwd);
	if (ctx.in)
		archive_read_free(ctx.in);
	if (ctx.out)
		archive_write_free(ctx.out);
	if (ctx.fd >= 0)
		close(ctx.fd);
	unpack_seen_release(&ctx.seen);
	strbuf_release(&ctx.path);
	strbuf_release(&ctx.link);
	strbuf_release(&ctx.quoted);
	strbuf_release(&ctx.target);
	free(ctx.block);
	return ret;
}
