/* Tests for install: the lock (across processes), staging dirs, the commit
 * and its `current` switch, and validating a gdb (fake ones and the real
 * one). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "install.h"
#include "locate.h"
#include "strbuf.h"
#include "testskip.h"
#include "util.h"

#define WAITING "nprof: waiting for another nprof setup to finish\n"

struct fx {
	char *top;		/* a temporary dir */
	char *root;		/* TOP/a/root: not created in advance */
	char *err;		/* stderr of the last captured call */
};

struct capture {
	FILE *file;
	int saved;
};

static int setup(void **state)
{
	struct fx *fx = xcalloc(1, sizeof(*fx));
	const char *tmp = getenv("TMPDIR");

	fx->top = xasprintf("%s/nprof-install-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(fx->top));
	fx->root = xasprintf("%s/a/root", fx->top);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	install_set_validate_timeout(0);
	install_remove_tree(fx->top);
	free(fx->top);
	free(fx->root);
	free(fx->err);
	free(fx);
	return 0;
}

static void capture_start(struct capture *c)
{
	c->file = tmpfile();
	assert_non_null(c->file);
	fflush(stderr);
	c->saved = dup(2);
	assert_true(c->saved >= 0);
	assert_true(dup2(fileno(c->file), 2) >= 0);
}

static void capture_end(struct capture *c, struct fx *fx)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[1024];
	size_t n;

	fflush(stderr);
	assert_true(dup2(c->saved, 2) >= 0);
	close(c->saved);
	rewind(c->file);
	while ((n = fread(buf, 1, sizeof(buf), c->file)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(c->file);
	free(fx->err);
	fx->err = strbuf_detach(&sb);
}

static void assert_err(struct fx *fx, const char *want)
{
	const char *nl = strchr(fx->err, '\n');

	if (!strstr(fx->err, want))
		fail_msg("expected '%s' in: %s", want, fx->err);
	assert_non_null(nl);
	assert_null(strchr(nl + 1, '\n'));
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(close(fd), 0);
}

static char *read_path(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[1024];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		strbuf_add(&sb, buf, (size_t)n);
	close(fd);
	return strbuf_detach(&sb);
}

/* Does DIR followed by REST exist (as anything, a dangling link too)? */
static int exists(const char *dir, const char *rest)
{
	char *path = xasprintf("%s%s", dir, rest);
	struct stat st;
	int r = lstat(path, &st) == 0;

	free(path);
	return r;
}

static int count_staging(const char *root)
{
	DIR *d = opendir(root);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, ".staging-", 9))
			n++;
	closedir(d);
	return n;
}

/* fx->root, created (as install_lock() does) if need be. */
static const char *made_root(struct fx *fx)
{
	install_unlock(install_lock(fx->root));
	return fx->root;
}

/* A staged tree: bin/gdb holding `text`, a subdir and a symlink. */
static char *stage_tree(const char *root, const char *text)
{
	char *staging = install_staging_dir(root);
	char *path;

	assert_non_null(staging);
	path = xasprintf("%s/bin", staging);
	assert_int_equal(mkdir(path, 0755), 0);
	free(path);
	path = xasprintf("%s/bin/gdb", staging);
	write_file(path, text, 0755);
	free(path);
	path = xasprintf("%s/lib", staging);
	assert_int_equal(symlink("bin", path), 0);
	free(path);
	return staging;
}

static void assert_current(struct fx *fx, const char *version, const char *text)
{
	char *v = install_current_version(fx->root);
	char *path = xasprintf("%s/current/bin/gdb", fx->root);
	char *got;

	assert_non_null(v);
	assert_string_equal(v, version);
	got = read_path(path);
	assert_string_equal(got, text);
	free(got);
	free(path);
	free(v);
}

static void test_lock_unlock(void **state)
{
	struct fx *fx = *state;
	struct install_lock *lock = install_lock(fx->root);
	struct stat st;
	char *path = xasprintf("%s/.lock", fx->root);

	assert_non_null(lock);
	assert_int_equal(stat(fx->root, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(stat(path, &st), 0);
	install_unlock(lock);
	/* taken again without waiting: the first was released */
	lock = install_lock(fx->root);
	assert_non_null(lock);
	install_unlock(lock);
	install_unlock(NULL);
	free(path);
}

static void test_lock_root_is_file(void **state)
{
	struct fx *fx = *state;
	char *a = xasprintf("%s/a", fx->top);
	struct capture c;

	write_file(a, "", 0644);
	capture_start(&c);
	assert_null(install_lock(fx->root));
	capture_end(&c, fx);
	assert_err(fx, "cannot create");
	free(a);
}

static char read_byte(int fd)
{
	char c;

	assert_int_equal(read(fd, &c, 1), 1);
	return c;
}

/* The child asks for the lock the parent holds: it must say it waits, and
 * get the lock only once the parent lets go.  Pipes order everything. */
static void test_lock_two_processes(void **state)
{
	struct fx *fx = *state;
	int go[2], err[2], got[2];
	struct install_lock *lock;
	struct strbuf said = STRBUF_INIT;
	char buf[256];
	ssize_t n;
	int status;
	pid_t pid;

	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(err), 0);
	assert_int_equal(pipe(got), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct install_lock *mine;

		dup2(err[1], 2);
		close(err[0]);
		close(err[1]);
		if (read_byte(go[0]) != 'g')
			_exit(2);
		mine = install_lock(fx->root);
		if (!mine)
			_exit(3);
		if (write(got[1], "L", 1) != 1)
			_exit(4);
		install_unlock(mine);
		_exit(0);
	}
	close(go[0]);
	close(err[1]);
	close(got[1]);
	lock = install_lock(fx->root);
	assert_non_null(lock);
	assert_int_equal(write(go[1], "g", 1), 1);
	/* the child's stderr: the waiting line, once the lock would block */
	while (said.len < strlen(WAITING) && (n = read(err[0], buf, sizeof(buf))) > 0)
		strbuf_add(&said, buf, (size_t)n);
	assert_string_equal(strbuf_str(&said), WAITING);
	install_unlock(lock);
	assert_int_equal(read_byte(got[0]), 'L');
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* and nothing more was said */
	assert_int_equal(read(err[0], buf, sizeof(buf)), 0);
	strbuf_release(&said);
	close(go[1]);
	close(err[0]);
	close(got[0]);
}

static void test_staging_and_clean_stale(void **state)
{
	struct fx *fx = *state;
	struct install_lock *lock = install_lock(fx->root);
	char *s1 = install_staging_dir(fx->root);
	char *s2 = stage_tree(fx->root, "gdb");
	char *keep = xasprintf("%s/keep", fx->root);
	char *outside = xasprintf("%s/outside", fx->top);
	char *link = xasprintf("%s/escape", s2);
	char *victim = xasprintf("%s/victim", outside);
	struct stat st;

	assert_non_null(s1);
	assert_string_not_equal(s1, s2);
	assert_int_equal(strncmp(s1, fx->root, strlen(fx->root)), 0);
	assert_int_equal(stat(s1, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(count_staging(fx->root), 2);
	/* a symlink out of a staging dir is removed, not followed */
	assert_int_equal(mkdir(outside, 0755), 0);
	write_file(victim, "precious", 0644);
	assert_int_equal(symlink(outside, link), 0);
	write_file(keep, "k", 0644);
	install_clean_stale(fx->root);
	assert_int_equal(count_staging(fx->root), 0);
	assert_int_equal(stat(keep, &st), 0);
	assert_int_equal(stat(victim, &st), 0);
	assert_int_equal(stat(fx->root, &st), 0);
	install_unlock(lock);
	free(s1);
	free(s2);
	free(keep);
	free(outside);
	free(link);
	free(victim);
}

static void test_commit_and_current(void **state)
{
	struct fx *fx = *state;
	struct install_lock *lock = install_lock(fx->root);
	char *staging = stage_tree(fx->root, "one");
	char *link = xasprintf("%s/current", fx->root);
	char buf[64];
	ssize_t n;

	assert_null(install_current_version(fx->root));
	assert_int_equal(install_commit(fx->root, staging, "13.1", 0), 0);
	assert_current(fx, "13.1", "one");
	n = readlink(link, buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "versions/13.1");
	assert_false(exists(staging, ""));
	assert_false(exists(fx->root, "/.current.new"));
	assert_true(exists(fx->root, "/versions/13.1/lib"));
	install_unlock(lock);
	free(staging);
	free(link);
}

static void test_commit_second_version(void **state)
{
	struct fx *fx = *state;
	char *s1 = stage_tree(made_root(fx), "one");
	char *s2;

	assert_int_equal(install_commit(fx->root, s1, "13.1", 0), 0);
	s2 = stage_tree(fx->root, "two");
	assert_int_equal(install_commit(fx->root, s2, "14.2", 0), 0);
	assert_current(fx, "14.2", "two");
	assert_true(exists(fx->root, "/versions/13.1/bin/gdb"));
	assert_int_equal(count_staging(fx->root), 0);
	free(s1);
	free(s2);
}

/* The failed commit changes nothing: not current, not the old tree, and
 * the staged tree stays for the caller to remove. */
static void test_commit_exists_no_force(void **state)
{
	struct fx *fx = *state;
	char *s1 = stage_tree(made_root(fx), "one");
	char *s2, *s3;
	struct capture c;

	assert_int_equal(install_commit(fx->root, s1, "13.1", 0), 0);
	s2 = stage_tree(fx->root, "two");
	assert_int_equal(install_commit(fx->root, s2, "14.2", 0), 0);
	s3 = stage_tree(fx->root, "three");
	capture_start(&c);
	assert_int_equal(install_commit(fx->root, s3, "13.1", 0), -1);
	capture_end(&c, fx);
	assert_err(fx, "nprof: gdb 13.1 is already installed in ");
	assert_err(fx, "--force");
	assert_current(fx, "14.2", "two");
	assert_true(exists(s3, "/bin/gdb"));
	free(s1);
	s1 = xasprintf("%s/versions/13.1/bin/gdb", fx->root);
	free(s2);
	s2 = read_path(s1);
	assert_string_equal(s2, "one");
	free(s1);
	free(s2);
	free(s3);
}

/* Replacing the version `current` points at: it never dangles, and the
 * old tree is gone afterwards. */
static void test_commit_force_replaces(void **state)
{
	struct fx *fx = *state;
	char *s1 = stage_tree(made_root(fx), "old");
	char *s2;

	assert_int_equal(install_commit(fx->root, s1, "13.1", 0), 0);
	s2 = stage_tree(fx->root, "new");
	assert_int_equal(install_commit(fx->root, s2, "13.1", 1), 0);
	assert_current(fx, "13.1", "new");
	assert_false(exists(s2, ""));
	assert_int_equal(count_staging(fx->root), 0);
	free(s1);
	free(s2);
}

static void test_commit_bad_version(void **state)
{
	static const char *const bad[] = { "", "..", ".hidden", "a/b", "../13.1", "-rf", "13 1" };
	struct fx *fx = *state;
	char *staging = stage_tree(made_root(fx), "x");
	struct capture c;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		capture_start(&c);
		assert_int_equal(install_commit(fx->root, staging, bad[i], 0), -1);
		capture_end(&c, fx);
		assert_err(fx, "not a plain version name");
	}
	assert_true(exists(staging, "/bin/gdb"));
	assert_null(install_current_version(fx->root));
	free(staging);
}

static void test_current_version_foreign(void **state)
{
	struct fx *fx = *state;
	char *link = xasprintf("%s/current", fx->root);

	made_root(fx);
	assert_int_equal(symlink("/usr", link), 0);
	assert_null(install_current_version(fx->root));
	assert_int_equal(unlink(link), 0);
	assert_int_equal(symlink("versions/../../etc", link), 0);
	assert_null(install_current_version(fx->root));
	free(link);
}

/* STAGING/bin/gdb as a shell script. */
static char *fake_gdb(struct fx *fx, const char *script)
{
	char *staging = install_staging_dir(made_root(fx));
	char *path = xasprintf("%s/bin", staging);
	char *text = xasprintf("#!/bin/sh\n%s", script);

	assert_int_equal(mkdir(path, 0755), 0);
	free(path);
	path = xasprintf("%s/bin/gdb", staging);
	write_file(path, text, 0755);
	free(path);
	free(text);
	return staging;
}

static int validate(struct fx *fx, const char *staging, char **version)
{
	struct capture c;
	int ret;

	capture_start(&c);
	ret = install_validate_gdb(staging, version);
	capture_end(&c, fx);
	return ret;
}

static void test_validate_fake_good(void **state)
{
	struct fx *fx = *state;
	char *staging = fake_gdb(fx,
		"test \"$1 $2 $3\" = '--interpreter=mi3 -nx -q' || exit 9\n"
		"read line && exit 8\n"	/* stdin is /dev/null */
		"echo '=thread-group-added,id=\"i1\"'\n"
		"echo '~\"GNU gdb (Fake) 42.1.90\\n\"'\n"
		"echo '~\"Copyright (C) 2023\\n\"'\n"
		"echo '^done'\n");
	char *version = NULL;

	if (validate(fx, staging, &version))
		fail_msg("%s", fx->err);
	assert_string_equal(fx->err, "");
	assert_non_null(version);
	assert_string_equal(version, "42.1.90");
	free(version);
	free(staging);
}

static void test_validate_exit_1(void **state)
{
	struct fx *fx = *state;
	char *staging = fake_gdb(fx, "echo 'gdb: error while loading shared libraries: libfoo.so' >&2\nexit 1\n");
	char *version = NULL;

	assert_int_equal(validate(fx, staging, &version), -1);
	assert_null(version);
	assert_err(fx, "exit status 1");
	assert_err(fx, "libfoo.so");
	free(staging);
}

static void test_validate_not_mi(void **state)
{
	struct fx *fx = *state;
	char *staging = fake_gdb(fx, "echo '=thread-group-added,id=\"i1\"'\necho 'GNU gdb (Fake) 13.1'\n");
	char *version = NULL;

	assert_int_equal(validate(fx, staging, &version), -1);
	assert_null(version);
	assert_err(fx, "did not report its version in MI mode: GNU gdb (Fake) 13.1");
	free(staging);
}

/* A version line, but no MI result record after it. */
static void test_validate_no_done(void **state)
{
	struct fx *fx = *state;
	char *staging = fake_gdb(fx, "echo '~\"GNU gdb (Fake) 13.1\\n\"'\n");
	char *version = NULL;

	assert_int_equal(validate(fx, staging, &version), -1);
	assert_null(version);
	assert_err(fx, "did not report its version in MI mode");
	free(staging);
}

static void test_validate_hangs(void **state)
{
	struct fx *fx = *state;
	char *staging = fake_gdb(fx, "echo starting\nsleep 60\n");
	char *version = NULL;
	long long start = now_ns();

	install_set_validate_timeout(300);
	assert_int_equal(validate(fx, staging, &version), -1);
	assert_null(version);
	assert_true(now_ns() - start < 10LL * 1000 * 1000 * 1000);
	assert_err(fx, "did not answer within 300 ms");
	free(staging);
}

/* Closes its output but goes on running: still killed at the deadline. */
static void test_validate_hangs_silently(void **state)
{
	struct fx *fx = *state;
	char *staging = fake_gdb(fx, "exec >/dev/null 2>&1\nsleep 60\n");
	char *version = NULL;

	install_set_validate_timeout(300);
	assert_int_equal(validate(fx, staging, &version), -1);
	assert_err(fx, "did not answer within 300 ms");
	free(staging);
}

/* Gone, or a zombie waiting for init. */
static int process_gone(pid_t pid)
{
	char *path = xasprintf("/proc/%d/stat", (int)pid);
	char *text, *paren;
	int gone;
	FILE *f = fopen(path, "r");

	free(path);
	if (!f)
		return 1;
	fclose(f);
	path = xasprintf("/proc/%d/stat", (int)pid);
	text = read_path(path);
	paren = strrchr(text, ')');
	gone = paren && paren[1] == ' ' && paren[2] == 'Z';
	free(text);
	free(path);
	return gone;
}

/* What the hung gdb started dies with it. */
static void test_validate_hang_kills_children(void **state)
{
	struct fx *fx = *state;
	char *pidfile = xasprintf("%s/sleeper", fx->top);
	char *script = xasprintf("sleep 60 &\necho $! >%s\nwait\n", pidfile);
	char *staging = fake_gdb(fx, script);
	char *version = NULL, *text;
	long long give_up;
	pid_t pid;

	install_set_validate_timeout(300);
	assert_int_equal(validate(fx, staging, &version), -1);
	text = read_path(pidfile);
	pid = (pid_t)atoi(text);
	assert_true(pid > 0);
	give_up = now_ns() + 5LL * 1000 * 1000 * 1000;
	while (!process_gone(pid) && now_ns() < give_up)
		usleep(10000);
	assert_true(process_gone(pid));
	free(text);
	free(pidfile);
	free(script);
	free(staging);
}

static void test_validate_missing(void **state)
{
	struct fx *fx = *state;
	char *staging = install_staging_dir(made_root(fx));
	char *version = NULL;

	assert_int_equal(validate(fx, staging, &version), -1);
	assert_err(fx, "no runnable bin/gdb");
	free(staging);
}

/* An executable that cannot be executed (no interpreter line). */
static void test_validate_exec_fails(void **state)
{
	struct fx *fx = *state;
	char *staging = fake_gdb(fx, "");
	char *path = xasprintf("%s/bin/gdb", staging);
	char *version = NULL;

	write_file(path, "#!/nonexistent/interpreter\n", 0755);
	assert_int_equal(validate(fx, staging, &version), -1);
	assert_err(fx, "cannot run the unpacked gdb");
	free(path);
	free(staging);
}

/* The last word of the first line of `GDB --version`. */
static char *real_gdb_version(const char *gdb)
{
	char *cmd = xasprintf("'%s' --version", gdb);
	FILE *p = popen(cmd, "r");
	char line[256], *word;

	assert_non_null(p);
	assert_non_null(fgets(line, sizeof(line), p));
	pclose(p);
	free(cmd);
	line[strcspn(line, "\n")] = '\0';
	word = strrchr(line, ' ');
	assert_non_null(word);
	return xstrdup(word + 1);
}

/* The machine's gdb (the first on PATH), linked into a staging tree. */
static void test_validate_real_gdb(void **state)
{
	struct fx *fx = *state;
	char *staging, *path, *version = NULL, *want, *gdb;

	gdb = locate_in_path("gdb");
	if (!gdb)
		test_skip("no gdb on PATH\n");
	staging = install_staging_dir(made_root(fx));
	path = xasprintf("%s/bin", staging);
	assert_int_equal(mkdir(path, 0755), 0);
	free(path);
	path = xasprintf("%s/bin/gdb", staging);
	assert_int_equal(symlink(gdb, path), 0);
	want = real_gdb_version(gdb);
	assert_int_equal(validate(fx, staging, &version), 0);
	assert_non_null(version);
	assert_string_equal(version, want);
	free(want);
	free(version);
	free(path);
	free(staging);
	free(gdb);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_lock_unlock),
		T(test_lock_root_is_file),
		T(test_lock_two_processes),
		T(test_staging_and_clean_stale),
		T(test_commit_and_current),
		T(test_commit_second_version),
		T(test_commit_exists_no_force),
		T(test_commit_force_replaces),
		T(test_commit_bad_version),
		T(test_current_version_foreign),
		T(test_validate_fake_good),
		T(test_validate_exit_1),
		T(test_validate_not_mi),
		T(test_validate_no_done),
		T(test_validate_hangs),
		T(test_validate_hangs_silently),
		T(test_validate_hang_kills_children),
		T(test_validate_missing),
		T(test_validate_exec_fails),
		T(test_validate_real_gdb),
	};

	return test_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
