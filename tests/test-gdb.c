/* Tests of gdb: the MI connection against small fake gdbs (shell scripts),
 * so that answering, failing, dying and hanging are all deterministic. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gdb.h"
#include "util.h"

/* Writes an executable script into a fresh directory; returns its path. */
static char *fake_gdb(const char *body)
{
	char dir[] = "/tmp/nprof-test-gdb-XXXXXX";
	char *path;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/gdb", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s", body);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0755), 0);
	return path;
}

static void remove_fake(char *path)
{
	char *slash = strrchr(path, '/');

	unlink(path);
	*slash = '\0';
	rmdir(path);
	free(path);
}

/* Answers every command with its token: ^done, or ^error for "-fail",
 * with an async record and a console record in front. */
static const char answering[] =
	"while read -r line; do\n"
	"  tok=${line%%-*}; cmd=${line#$tok}\n"
	"  echo '~\"chatter\\n\"'\n"
	"  echo '=thread-group-added,id=\"i1\"'\n"
	"  case $cmd in\n"
	"    -fail) echo \"${tok}^error,msg=\\\"no such thing\\\"\" ;;\n"
	"    -gdb-exit) echo \"${tok}^exit\"; exit 0 ;;\n"
	"    *) echo \"${tok}^done,echo=\\\"$cmd\\\"\" ;;\n"
	"  esac\n"
	"  echo '(gdb) '\n"
	"done\n";

static void test_results_match_their_commands(void **state)
{
	char *path = fake_gdb(answering);
	struct gdb *g = gdb_start(path);
	struct mi_record *rec, *async;
	char *msg;

	(void)state;
	assert_non_null(g);
	assert_int_equal(gdb_command(g, 5000, &rec, NULL, "-list-features"), 0);
	assert_string_equal(rec->klass, "done");
	assert_string_equal(mi_find_string(rec->results, "echo"), "-list-features");
	mi_record_free(rec);
	/* The async record that came first is queued, not lost. */
	async = gdb_next_async(g, 0);
	assert_non_null(async);
	assert_string_equal(async->klass, "thread-group-added");
	mi_record_free(async);
	assert_int_equal(gdb_command(g, 5000, NULL, &msg, "-fail"), -1);
	assert_string_equal(msg, "no such thing");
	free(msg);
	assert_null(gdb_failed(g));
	gdb_close(g);
	remove_fake(path);
}

static void test_pipelined_commands(void **state)
{
	char *path = fake_gdb(answering);
	struct gdb *g = gdb_start(path);
	struct mi_record *rec;
	long a, b;

	(void)state;
	a = gdb_send(g, "-first");
	b = gdb_send(g, "-second");
	assert_true(b > a);
	/* Waiting for the second drops the first's result, older and unclaimed. */
	assert_int_equal(gdb_result(g, b, 5000, &rec, NULL), 0);
	assert_string_equal(mi_find_string(rec->results, "echo"), "-second");
	mi_record_free(rec);
	assert_int_equal(gdb_command(g, 5000, &rec, NULL, "-third"), 0);
	assert_string_equal(mi_find_string(rec->results, "echo"), "-third");
	mi_record_free(rec);
	gdb_close(g);
	remove_fake(path);
}

static void test_gdb_that_exits(void **state)
{
	char *path = fake_gdb("echo 'gdb: cannot start' >&2\nexit 1\n");
	struct gdb *g = gdb_start(path);

	(void)state;
	assert_non_null(g);
	assert_int_equal(gdb_command(g, 5000, NULL, NULL, "-gdb-set confirm off"), -1);
	assert_non_null(gdb_failed(g));
	assert_non_null(strstr(gdb_failed(g), "exited"));
	assert_non_null(strstr(gdb_last_words(g), "cannot start"));
	assert_null(gdb_next_async(g, 100));
	gdb_close(g);
	remove_fake(path);
}

static void test_gdb_that_stops_answering(void **state)
{
	char *path = fake_gdb("exec sleep 600\n");
	struct gdb *g = gdb_start(path);
	long long t0 = now_ns();

	(void)state;
	assert_int_equal(gdb_command(g, 200, NULL, NULL, "-list-features"), -1);
	assert_non_null(strstr(gdb_failed(g), "stopped answering"));
	/* Bounded: the timeout, not forever (generous for a loaded machine). */
	assert_true(now_ns() - t0 < 30LL * 1000000000LL);
	gdb_close(g);
	remove_fake(path);
}

struct watch_ctx {
	int fd;			/* the watched pipe's read end */
	const char *fifo;	/* what the fake gdb waits on */
	int calls;
};

/* Drains the watched pipe and lets the fake gdb answer. */
static void on_watched(void *ctx)
{
	struct watch_ctx *w = ctx;
	char c;
	FILE *f;

	assert_int_equal(read(w->fd, &c, 1), 1);
	w->calls++;
	f = fopen(w->fifo, "w");
	assert_non_null(f);
	fputs("go\n", f);
	fclose(f);
}

/* A gdb that answers "-wait" only once told to through a FIFO, which the
 * watch callback does: the callback must run while gdb_command waits. */
static void test_watched_fd_is_served_during_a_wait(void **state)
{
	char dir[] = "/tmp/nprof-test-watch-XXXXXX";
	char *fifo, *body, *path;
	struct watch_ctx w = { 0 };
	struct gdb *g;
	int p[2];

	(void)state;
	assert_non_null(mkdtemp(dir));
	fifo = xasprintf("%s/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	body = xasprintf("while read -r line; do\n"
			 "  tok=${line%%%%-*}; cmd=${line#$tok}\n"
			 "  case $cmd in -wait) read -r x < '%s' ;; -gdb-exit) exit 0 ;; esac\n"
			 "  echo \"${tok}^done\"; echo '(gdb) '\n"
			 "done\n", fifo);
	path = fake_gdb(body);
	g = gdb_start(path);
	assert_non_null(g);
	assert_int_equal(pipe(p), 0);
	w.fd = p[0];
	w.fifo = fifo;
	gdb_watch(g, p[0], on_watched, &w);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(gdb_command(g, 30000, NULL, NULL, "-wait"), 0);
	assert_int_equal(w.calls, 1);
	/* Unwatched: the fd is no longer served. */
	gdb_watch(g, -1, NULL, NULL);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(gdb_command(g, 30000, NULL, NULL, "-list-features"), 0);
	assert_int_equal(w.calls, 1);
	gdb_close(g);
	close(p[0]);
	close(p[1]);
	unlink(fifo);
	rmdir(dir);
	free(fifo);
	free(body);
	remove_fake(path);
}

static void test_missing_gdb(void **state)
{
	(void)state;
	assert_null(gdb_start("/nonexistent/gdb"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_results_match_their_commands),
		cmocka_unit_test(test_pipelined_commands),
		cmocka_unit_test(test_gdb_that_exits),
		cmocka_unit_test(test_gdb_that_stops_answering),
		cmocka_unit_test(test_missing_gdb),
		cmocka_unit_test(test_watched_fd_is_served_during_a_wait),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
