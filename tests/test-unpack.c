/* Tests for unpack: good archives in every supported compression, and
 * hostile ones generated here with libarchive's write API, each of which
 * must be refused with one line naming the entry while nothing appears
 * outside the staging dir. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "install.h"
#include "strbuf.h"
#include "unpack.h"
#include "util.h"

#define MiB (1024 * 1024)

/* One entry to write: 'f' file, 'd' dir, 'l' symlink, 'h' hardlink,
 * 'p' fifo, 'c' char device, 'b' block device. */
struct tent {
	char type;
	const char *path;
	int mode;		/* 0: 0644 for files, 0755 for dirs */
	const char *link;	/* symlink or hardlink target */
	const char *data;
	size_t zeros;		/* or this many zero bytes */
};

#define F(p, m, d)	{ .type = 'f', .path = (p), .mode = (m), .data = (d) }
#define Z(p, n)		{ .type = 'f', .path = (p), .zeros = (n) }
#define D(p, m)		{ .type = 'd', .path = (p), .mode = (m) }
#define L(p, to)	{ .type = 'l', .path = (p), .link = (to) }
#define H(p, to)	{ .type = 'h', .path = (p), .link = (to) }
#define N(ty, p)	{ .type = (ty), .path = (p) }

struct fx {
	char *top;		/* TOP/{stage,outside,victim,bundle.tar.*} */
	char *stage;
	char *outside;
	char *victim;
	char *archive;
	char *err;		/* stderr of the last unpack_archive() */
};

static int add_filter(struct archive *a, const char *filter)
{
	if (!strcmp(filter, "gz"))
		return archive_write_add_filter_gzip(a);
	if (!strcmp(filter, "xz"))
		return archive_write_add_filter_xz(a);
	if (!strcmp(filter, "bz2"))
		return archive_write_add_filter_bzip2(a);
	if (!strcmp(filter, "zst"))
		return archive_write_add_filter_zstd(a);
	return archive_write_add_filter_none(a);
}

/* pax where needed, else ustar; ustar is three times faster under ASan. */
static struct archive *archive_start(const char *path, const char *filter, int ustar)
{
	struct archive *a = archive_write_new();

	assert_non_null(a);
	assert_int_equal(ustar ? archive_write_set_format_ustar(a) :
			 archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	assert_int_equal(add_filter(a, filter), ARCHIVE_OK);
	if (!strcmp(filter, "gz") || !strcmp(filter, "xz"))
		assert_int_equal(archive_write_set_filter_option(a, NULL, "compression-level", "1"),
				 ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	return a;
}

static void archive_add(struct archive *a, const struct tent *t)
{
	static const char zeros[64 * 1024];
	struct archive_entry *e = archive_entry_new();
	size_t len = t->data ? strlen(t->data) : t->zeros;

	archive_entry_set_pathname(e, t->path);
	archive_entry_set_mtime(e, 1700000000, 0);
	switch (t->type) {
	case 'd':
		archive_entry_set_filetype(e, AE_IFDIR);
		archive_entry_set_perm(e, t->mode ? t->mode : 0755);
		break;
	case 'l':
		archive_entry_set_filetype(e, AE_IFLNK);
		archive_entry_set_perm(e, 0777);
		archive_entry_set_symlink(e, t->link);
		break;
	case 'h':
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_hardlink(e, t->link);
		archive_entry_set_size(e, (la_int64_t)len);
		break;
	case 'p':
		archive_entry_set_filetype(e, AE_IFIFO);
		archive_entry_set_perm(e, 0644);
		break;
	case 'c':
	case 'b':
		archive_entry_set_filetype(e, t->type == 'c' ? AE_IFCHR : AE_IFBLK);
		archive_entry_set_perm(e, 0666);
		archive_entry_set_rdevmajor(e, 1);
		archive_entry_set_rdevminor(e, 3);
		break;
	default:
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, t->mode ? t->mode : 0644);
		archive_entry_set_size(e, (la_int64_t)len);
		break;
	}
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	if (t->data) {
		assert_int_equal(archive_write_data(a, t->data, len), (la_ssize_t)len);
	} else {
		size_t left = t->zeros;

		while (left) {
			size_t n = left < sizeof(zeros) ? left : sizeof(zeros);

			assert_int_equal(archive_write_data(a, zeros, n), (la_ssize_t)n);
			left -= n;
		}
	}
	archive_entry_free(e);
}

static void archive_finish(struct archive *a)
{
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

/* Writes TOP/bundle.tar.FILTER and makes it fx->archive. */
static void write_archive(struct fx *fx, const char *filter, const struct tent *t, size_t n)
{
	struct archive *a;
	size_t i;

	free(fx->archive);
	fx->archive = xasprintf("%s/bundle.tar%s%s", fx->top, *filter ? "." : "", filter);
	a = archive_start(fx->archive, filter, 0);
	for (i = 0; i < n; i++)
		archive_add(a, &t[i]);
	archive_finish(a);
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static char *read_file(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(f);
	return strbuf_detach(&sb);
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static int setup_in(void **state, const char *base)
{
	struct fx *fx = xcalloc(1, sizeof(*fx));

	fx->top = xasprintf("%s/nprof-unpack-XXXXXX", base);
	assert_non_null(mkdtemp(fx->top));
	fx->stage = xasprintf("%s/stage", fx->top);
	fx->outside = xasprintf("%s/outside", fx->top);
	fx->victim = xasprintf("%s/victim", fx->top);
	assert_int_equal(mkdir(fx->stage, 0700), 0);
	assert_int_equal(mkdir(fx->outside, 0700), 0);
	write_file(fx->victim, "precious", 8);
	*state = fx;
	return 0;
}

static int setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	return setup_in(state, tmp && *tmp ? tmp : "/tmp");
}

/* 100000 file creations take a couple of seconds on a tmpfs, and can take
 * ten times that on a virtual disk. */
static int setup_fast(void **state)
{
	if (access("/dev/shm", W_OK | X_OK) == 0)
		return setup_in(state, "/dev/shm");
	return setup(state);
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	install_remove_tree(fx->top);
	free(fx->top);
	free(fx->stage);
	free(fx->outside);
	free(fx->victim);
	free(fx->archive);
	free(fx->err);
	free(fx);
	return 0;
}

/* Runs unpack_archive() on fx->archive with stderr captured in fx->err,
 * checking that the working directory comes back. */
static int run_unpack(struct fx *fx, const struct unpack_limits *limits)
{
	char before[4096], after[4096];
	FILE *cap = tmpfile();
	struct strbuf sb = STRBUF_INIT;
	char buf[1024];
	size_t n;
	int saved, ret;

	assert_non_null(cap);
	assert_non_null(getcwd(before, sizeof(before)));
	fflush(stderr);
	saved = dup(2);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(cap), 2) >= 0);
	ret = unpack_archive(fx->archive, fx->stage, limits);
	fflush(stderr);
	assert_true(dup2(saved, 2) >= 0);
	close(saved);
	rewind(cap);
	while ((n = fread(buf, 1, sizeof(buf), cap)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(cap);
	free(fx->err);
	fx->err = strbuf_detach(&sb);
	assert_non_null(getcwd(after, sizeof(after)));
	assert_string_equal(before, after);
	return ret;
}

/* One line, starting "nprof: ", containing `want`. */
static void assert_one_line(const char *err, const char *want)
{
	const char *nl = strchr(err, '\n');

	if (!strstr(err, want))
		fail_msg("expected '%s' in: %s", want, err);
	assert_non_null(nl);
	assert_null(strchr(nl + 1, '\n'));
	assert_int_equal(strncmp(err, "nprof: ", 7), 0);
}

/* Nothing escaped: outside/ empty, victim intact, TOP holds only ours. */
static void assert_contained(struct fx *fx)
{
	char *victim = read_file(fx->victim);

	assert_int_equal(count_entries(fx->outside), 0);
	assert_string_equal(victim, "precious");
	free(victim);
	assert_int_equal(count_entries(fx->top), 4);
}

/* "nprof: refusing bundle.tar.gz: entry 'ENTRY' ...WHY...", and contained. */
static void assert_refused(struct fx *fx, const struct tent *t, size_t n,
			   const struct unpack_limits *limits, const char *entry, const char *why)
{
	char *want = xasprintf("nprof: refusing bundle.tar.gz: entry '%s' ", entry);

	write_archive(fx, "gz", t, n);
	assert_int_equal(run_unpack(fx, limits), -1);
	assert_one_line(fx->err, why);
	if (strncmp(fx->err, want, strlen(want)))
		fail_msg("expected '%s' at the start of: %s", want, fx->err);
	assert_contained(fx);
	free(want);
}

static mode_t mode_of(const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name);
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	free(path);
	return st.st_mode;
}

static const struct tent good_tree[] = {
	D("./", 0),
	D("bin", 0775),
	F("./bin//gdb", 0775, "#!/bin/sh\n"),
	F("bin/helper", 0700, "x"),
	D("lib/", 0),
	F("lib/libfoo.so.1.0", 0600, "\177ELF"),
	L("lib/libfoo.so.1", "libfoo.so.1.0"),
	L("bin/lib", "../lib"),
	L("bin/self", "./"),
	F("share/gdb/python/gdb/__init__.py", 0664, "# gdb\n"),
	D("share", 01777),
	H("bin/gdb-link", "./bin/gdb"),
	F("empty", 0, ""),
};

static void check_good_tree(struct fx *fx)
{
	char buf[64];
	char *path, *text;
	struct stat a, b;
	ssize_t n;

	assert_int_equal(mode_of(fx->stage, "bin/gdb") & 07777, 0755);
	assert_int_equal(mode_of(fx->stage, "bin/helper") & 07777, 0755);
	assert_int_equal(mode_of(fx->stage, "lib/libfoo.so.1.0") & 07777, 0644);
	assert_int_equal(mode_of(fx->stage, "share/gdb/python/gdb/__init__.py") & 07777, 0644);
	assert_int_equal(mode_of(fx->stage, "share") & 07777, 0755);
	assert_true(S_ISDIR(mode_of(fx->stage, "bin")));
	assert_true(S_ISLNK(mode_of(fx->stage, "lib/libfoo.so.1")));
	assert_true(S_ISREG(mode_of(fx->stage, "empty")));

	path = xasprintf("%s/lib/libfoo.so.1", fx->stage);
	n = readlink(path, buf, sizeof(buf) - 1);
	assert_int_equal(n, strlen("libfoo.so.1.0"));
	buf[n] = '\0';
	assert_string_equal(buf, "libfoo.so.1.0");
	free(path);

	/* symlinks resolve inside the tree */
	path = xasprintf("%s/bin/lib/libfoo.so.1", fx->stage);
	text = read_file(path);
	assert_string_equal(text, "\177ELF");
	free(text);
	free(path);

	/* the hardlink shares the file */
	path = xasprintf("%s/bin/gdb", fx->stage);
	assert_int_equal(stat(path, &a), 0);
	free(path);
	path = xasprintf("%s/bin/gdb-link", fx->stage);
	assert_int_equal(stat(path, &b), 0);
	free(path);
	assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	assert_int_equal(a.st_nlink, 2);
	assert_contained(fx);
}

static void check_good(void **state, const char *filter)
{
	struct fx *fx = *state;

	write_archive(fx, filter, good_tree, ARRAY_SIZE(good_tree));
	assert_int_equal(run_unpack(fx, NULL), 0);
	assert_string_equal(fx->err, "");
	check_good_tree(fx);
}

static void test_good_gz(void **state)
{
	check_good(state, "gz");
}

static void test_good_xz(void **state)
{
	check_good(state, "xz");
}

static void test_good_bz2(void **state)
{
	check_good(state, "bz2");
}

static void test_good_plain(void **state)
{
	check_good(state, "");
}

/* Only when libarchive has zstd built in, both to write and to read. */
static void test_good_zst(void **state)
{
	struct archive *w = archive_write_new(), *r = archive_read_new();
	int ok = archive_write_add_filter_zstd(w) == ARCHIVE_OK &&
		 archive_read_support_filter_zstd(r) == ARCHIVE_OK;

	archive_write_free(w);
	archive_read_free(r);
	if (!ok)
		skip();
	check_good(state, "zst");
}

/* A relative archive and dir, from another working directory. */
static void test_relative_paths(void **state)
{
	struct fx *fx = *state;
	char cwd[4096];
	int ret;

	write_archive(fx, "gz", good_tree, ARRAY_SIZE(good_tree));
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(fx->top), 0);
	ret = unpack_archive("bundle.tar.gz", "stage", NULL);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(ret, 0);
	check_good_tree(fx);
}

static void test_dotdot(void **state)
{
	const struct tent t[] = { F("evil/../x", 0, "x") };

	assert_refused(*state, t, 1, NULL, "evil/../x", "has a '..' component");
}

static void test_dotdot_escape(void **state)
{
	const struct tent t[] = {
		F("ok", 0, "x"),
		F("../outside/pwned", 0, "x"),
	};

	assert_refused(*state, t, 2, NULL, "../outside/pwned", "has a '..' component");
}

static void test_absolute_path(void **state)
{
	struct fx *fx = *state;
	char *abs = xasprintf("%s/pwned", fx->outside);
	const struct tent t[] = { F(abs, 0, "x") };

	assert_refused(fx, t, 1, NULL, abs, "is an absolute path");
	free(abs);
}

static void test_symlink_outside_then_write(void **state)
{
	const struct tent t[] = {
		L("link", "../outside"),
		F("link/pwned", 0, "x"),
	};

	assert_refused(*state, t, 2, NULL, "link", "is a symlink to '../outside', which leads outside the tree");
}

static void test_symlink_deep_escape(void **state)
{
	const struct tent t[] = {
		D("a/b", 0),
		L("a/b/up", "../../../outside"),
		F("a/b/up/pwned", 0, "x"),
	};

	assert_refused(*state, t, 3, NULL, "a/b/up", "leads outside the tree");
}

static void test_symlink_absolute_target(void **state)
{
	struct fx *fx = *state;
	const struct tent t[] = {
		L("abs", fx->outside),
		F("abs/pwned", 0, "x"),
	};

	assert_refused(fx, t, 2, NULL, "abs", "is a symlink to absolute path");
}

/* Read lexically "a/self/../.." is the tree's parent's parent; through
 * the symlink it is one level higher still.  Either way, refused. */
static void test_symlink_dotdot_after_name(void **state)
{
	const struct tent t[] = {
		D("a", 0),
		L("a/self", ".."),
		L("x", "a/self/.."),
		F("x/pwned", 0, "x"),
	};

	assert_refused(*state, t, 4, NULL, "x", "has '..' after a name");
}

static void test_write_beneath_symlink(void **state)
{
	const struct tent t[] = {
		D("real", 0),
		L("lib", "real"),
		F("lib/x", 0, "x"),
	};

	assert_refused(*state, t, 3, NULL, "lib/x", "is beneath symlink 'lib'");
}

static void test_write_beneath_file(void **state)
{
	const struct tent t[] = {
		F("a", 0, "x"),
		F("a/b", 0, "x"),
	};

	assert_refused(*state, t, 2, NULL, "a/b", "is beneath file 'a'");
}

/* A hardlink with data would write through to the file it names. */
static void test_hardlink_outside(void **state)
{
	const struct tent t[] = { H("h", "../victim") };

	assert_refused(*state, t, 1, NULL, "h", "is a hardlink to '../victim', which has a '..' component");
}

static void test_hardlink_absolute(void **state)
{
	struct fx *fx = *state;
	const struct tent t[] = { H("h", fx->victim) };

	assert_refused(fx, t, 1, NULL, "h", "which is an absolute path");
}

static void test_hardlink_to_symlink(void **state)
{
	const struct tent t[] = {
		L("s", "elsewhere"),
		H("h", "s"),
	};

	assert_refused(*state, t, 2, NULL, "h", "which is not an earlier file in the archive");
}

static void test_hardlink_forward(void **state)
{
	const struct tent t[] = {
		H("h", "f"),
		F("f", 0, "x"),
	};

	assert_refused(*state, t, 2, NULL, "h", "which is not an earlier file in the archive");
}

static void test_fifo(void **state)
{
	const struct tent t[] = { N('p', "pipe") };

	assert_refused(*state, t, 1, NULL, "pipe", "is a fifo");
}

static void test_char_device(void **state)
{
	const struct tent t[] = { N('c', "null") };

	assert_refused(*state, t, 1, NULL, "null", "is a character device");
}

static void test_block_device(void **state)
{
	const struct tent t[] = { N('b', "disk") };

	assert_refused(*state, t, 1, NULL, "disk", "is a block device");
}

static void test_setuid(void **state)
{
	const struct tent t[] = { F("bin/su", 04755, "x") };

	assert_refused(*state, t, 1, NULL, "bin/su", "is setuid");
}

static void test_setgid(void **state)
{
	const struct tent t[] = { F("bin/sg", 02755, "x") };

	assert_refused(*state, t, 1, NULL, "bin/sg", "is setgid");
}

static void test_dir_then_symlink(void **state)
{
	const struct tent t[] = {
		D("lib", 0),
		L("lib", "elsewhere"),
	};

	assert_refused(*state, t, 2, NULL, "lib", "appears twice");
}

static void test_implied_dir_then_symlink(void **state)
{
	const struct tent t[] = {
		F("lib/a", 0, "x"),
		L("lib", "elsewhere"),
	};

	assert_refused(*state, t, 2, NULL, "lib", "would replace a directory");
}

static void test_duplicate(void **state)
{
	const struct tent t[] = {
		F("bin/gdb", 0, "good"),
		F("./bin//gdb", 0, "evil"),
	};

	assert_refused(*state, t, 2, NULL, "./bin//gdb", "appears twice");
}

/* 305 KB of xz inflating to 2 GiB got through libarchive alone; here 64 MiB
 * against a 16 MiB cap, and no more than the cap reaches the disk. */
static void test_bomb(void **state)
{
	struct fx *fx = *state;
	const struct tent t[] = { Z("zeros", 64 * MiB) };
	const struct unpack_limits limits = { .max_bytes = 16 * MiB };
	struct stat st;
	char *path = xasprintf("%s/zeros", fx->stage);

	write_archive(fx, "xz", t, 1);
	assert_int_equal(stat(fx->archive, &st), 0);
	assert_true(st.st_size < MiB);
	assert_int_equal(run_unpack(fx, &limits), -1);
	assert_one_line(fx->err, "nprof: refusing bundle.tar.xz: entry 'zeros' takes the archive past "
			"the limit of 16777216 unpacked bytes");
	if (stat(path, &st) == 0)
		assert_true(st.st_size <= 16 * MiB);
	assert_contained(fx);
	free(path);
}

/* The cap counts bytes across entries, not per entry. */
static void test_bytes_across_entries(void **state)
{
	const struct tent t[] = {
		Z("a", 600 * 1024),
		Z("b", 600 * 1024),
	};
	const struct unpack_limits limits = { .max_bytes = MiB };

	assert_refused(*state, t, 2, &limits, "b", "past the limit of 1048576 unpacked bytes");
}

static void test_entry_cap(void **state)
{
	struct tent t[20];
	char names[20][8];
	const struct unpack_limits limits = { .max_entries = 10 };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		snprintf(names[i], sizeof(names[i]), "f%02zu", i);
		t[i] = (struct tent)F(names[i], 0, "");
	}
	assert_refused(*state, t, ARRAY_SIZE(t), &limits, "f10", "is past the limit of 10 entries");
}

/* A million empty files against the default cap of 100000, streamed. */
static void test_million_entries(void **state)
{
	struct fx *fx = *state;
	struct archive_entry *e = archive_entry_new();
	struct archive *a;
	char name[16];
	int i;

	free(fx->archive);
	fx->archive = xasprintf("%s/bundle.tar.gz", fx->top);
	a = archive_start(fx->archive, "gz", 1);
	for (i = 0; i < 1000000; i++) {
		snprintf(name, sizeof(name), "f%07d", i);
		archive_entry_clear(e);
		archive_entry_set_pathname(e, name);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, 0);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	}
	archive_entry_free(e);
	archive_finish(a);
	assert_int_equal(run_unpack(fx, NULL), -1);
	assert_one_line(fx->err, "nprof: refusing bundle.tar.gz: entry 'f0100000' is past the limit "
			"of 100000 entries");
	assert_contained(fx);
}

/* Pseudo-random, so that compression cannot hide a truncation. */
static void fill_noise(char *buf, size_t len)
{
	uint32_t x = 2463534242u;
	size_t i;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (char)('a' + x % 26);
	}
	buf[len] = '\0';
}

static void check_truncated(void **state, const char *filter)
{
	struct fx *fx = *state;
	size_t len = 256 * 1024;
	char *noise = xmalloc(len + 1);
	struct tent t[] = {
		F("first", 0, "ok"),
		F("noise", 0, noise),
	};
	struct stat st;

	fill_noise(noise, len);
	write_archive(fx, filter, t, 2);
	assert_int_equal(stat(fx->archive, &st), 0);
	assert_int_equal(truncate(fx->archive, st.st_size / 2), 0);
	assert_int_equal(run_unpack(fx, NULL), -1);
	assert_one_line(fx->err, "archive is truncated or damaged at entry 'noise'");
	assert_contained(fx);
	free(noise);
}

static void test_truncated_gz(void **state)
{
	check_truncated(state, "gz");
}

static void test_truncated_plain(void **state)
{
	check_truncated(state, "");
}

static void check_not_archive(struct fx *fx, const void *data, size_t len, const char *want)
{
	free(fx->archive);
	fx->archive = xasprintf("%s/bundle.tar.gz", fx->top);
	write_file(fx->archive, data, len);
	assert_int_equal(run_unpack(fx, NULL), -1);
	assert_one_line(fx->err, want);
	assert_int_equal(count_entries(fx->stage), 0);
	assert_contained(fx);
}

static void test_random_bytes(void **state)
{
	char noise[4097];

	fill_noise(noise, sizeof(noise) - 1);
	check_not_archive(*state, noise, sizeof(noise) - 1, "cannot unpack bundle.tar.gz: not a tar archive");
}

static void test_html_page(void **state)
{
	static const char page[] =
		"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>\n"
		"<body><h1>Not Found</h1><p>The requested URL was not found.</p></body></html>\n";

	check_not_archive(*state, page, sizeof(page) - 1, "cannot unpack bundle.tar.gz: not a tar archive");
}

static void test_zero_bytes(void **state)
{
	check_not_archive(*state, "", 0, "cannot unpack bundle.tar.gz: ");
}

static void test_empty_archive(void **state)
{
	struct fx *fx = *state;

	write_archive(fx, "gz", NULL, 0);
	assert_int_equal(run_unpack(fx, NULL), -1);
	assert_one_line(fx->err, "nprof: cannot unpack bundle.tar.gz: archive is empty");
	assert_contained(fx);
}

/* "./" alone unpacks to nothing: empty too. */
static void test_only_dot(void **state)
{
	struct fx *fx = *state;
	const struct tent t[] = { D("./", 0) };

	write_archive(fx, "gz", t, 1);
	assert_int_equal(run_unpack(fx, NULL), -1);
	assert_one_line(fx->err, "archive is empty");
}

static void test_missing_archive(void **state)
{
	struct fx *fx = *state;

	free(fx->archive);
	fx->archive = xasprintf("%s/nonexistent.tar.xz", fx->top);
	assert_int_equal(run_unpack(fx, NULL), -1);
	assert_one_line(fx->err, "nonexistent.tar.xz");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_good_gz),
		T(test_good_xz),
		T(test_good_bz2),
		T(test_good_plain),
		T(test_good_zst),
		T(test_relative_paths),
		T(test_dotdot),
		T(test_dotdot_escape),
		T(test_absolute_path),
		T(test_symlink_outside_then_write),
		T(test_symlink_deep_escape),
		T(test_symlink_absolute_target),
		T(test_symlink_dotdot_after_name),
		T(test_write_beneath_symlink),
		T(test_write_beneath_file),
		T(test_hardlink_outside),
		T(test_hardlink_absolute),
		T(test_hardlink_to_symlink),
		T(test_hardlink_forward),
		T(test_fifo),
		T(test_char_device),
		T(test_block_device),
		T(test_setuid),
		T(test_setgid),
		T(test_dir_then_symlink),
		T(test_implied_dir_then_symlink),
		T(test_duplicate),
		T(test_bomb),
		T(test_bytes_across_entries),
		T(test_entry_cap),
		cmocka_unit_test_setup_teardown(test_million_entries, setup_fast, teardown),
		T(test_truncated_gz),
		T(test_truncated_plain),
		T(test_random_bytes),
		T(test_html_page),
		T(test_zero_bytes),
		T(test_empty_archive),
		T(test_only_dot),
		T(test_missing_archive),
	};

	umask(022);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
