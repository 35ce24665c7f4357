/* gdb: a gdb process on pipes, spoken to in GDB/MI. */
#include "gdb.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launch.h"
#include "strbuf.h"
#include "util.h"

#define LAST_WORDS_MAX 2048	/* bytes of gdb's stderr kept for messages */

struct record_node {
	struct mi_record *rec;
	struct record_node *next;
};

struct gdb {
	pid_t pid;
	int in_fd;		/* gdb's stdin: we write commands */
	int out_fd;		/* gdb's stdout: MI records */
	int err_fd;		/* gdb's stderr: kept as last words */
	struct mi_parser *parser;
	struct record_node *head, *tail; /* records read, not yet taken */
	long next_token;
	const char *failed;
	struct strbuf last_words;
	struct strbuf cmd;
	FILE *log;		/* $NPROF_MI_LOG: the whole conversation, for debugging */
	int log_midline;	/* the log's last output did not end a line */
	int watch_fd;		/* see gdb_watch; -1: none */
	void (*watch_fn)(void *ctx);
	void *watch_ctx;
};

static void queue_record(void *ctx, struct mi_record *rec);
static void log_time(struct gdb *g);
static void keep_last_words(struct gdb *g, const char *text, size_t len);

/* gdb's own step in the child: the signals nprof ignores are gdb's to
 * handle (exec keeps what is ignored). */
static int gdb_prepare(void *ctx)
{
	(void)ctx;
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	return 0;
}

static void close_pipes(int (*p)[2], size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i][0] >= 0)
			close(p[i][0]);
		if (p[i][1] >= 0)
			close(p[i][1]);
	}
}

struct gdb *gdb_start(const char *path)
{
	int p[3][2] = { { -1, -1 }, { -1, -1 }, { -1, -1 } };	/* stdin, stdout, stderr */
	char *argv[] = { (char *)path, "--interpreter=mi3", "-nx", "-q", NULL };
	/* A session of its own: the terminal's Ctrl-C is for the target. */
	struct launch s = {
		.path = path, .argv = argv,
		.death_signal = SIGKILL,
		.detach = LAUNCH_NEW_SESSION,
		.close_others = 1,
		.prepare = gdb_prepare,
	};
	struct launch_failure f;
	struct gdb *g;
	int status_fd;
	pid_t pid;

	for (size_t i = 0; i < ARRAY_SIZE(p); i++)
		if (pipe2(p[i], O_CLOEXEC) < 0) {
			error("cannot create pipes for gdb: %s", strerror(errno));
			close_pipes(p, ARRAY_SIZE(p));
			return NULL;
		}
	s.stdio[0] = p[0][0];
	s.stdio[1] = p[1][1];
	s.stdio[2] = p[2][1];
	/* A gdb that dies must show as EPIPE on our writes, not kill nprof. */
	signal(SIGPIPE, SIG_IGN);
	pid = launch_start(&s, &status_fd);
	if (pid < 0) {
		close_pipes(p, ARRAY_SIZE(p));
		return NULL;
	}
	close(p[0][0]);
	close(p[1][1]);
	close(p[2][1]);
	g = xcalloc(1, sizeof(*g));
	g->pid = pid;
	g->in_fd = p[0][1];
	g->out_fd = p[1][0];
	g->err_fd = p[2][0];
	fcntl(g->out_fd, F_SETFL, O_NONBLOCK);
	fcntl(g->err_fd, F_SETFL, O_NONBLOCK);
	g->parser = mi_parser_new(queue_record, g);
	if (getenv("NPROF_MI_LOG") && *getenv("NPROF_MI_LOG"))
		g->log = fopen(getenv("NPROF_MI_LOG"), "we");
	g->next_token = 1;
	g->watch_fd = -1;
	if (launch_result(status_fd, &f) < 0) {
		error("cannot run gdb '%s': %s; pass --gdb PATH or run 'nprof setup'", path,
		      strerror(f.err));
		g->failed = "gdb did not start";
		gdb_close(g);
		return NULL;
	}
	return g;
}

/* "# @ SECONDS" (the monotonic clock) before what follows in the log:
 * where a sample's time goes, command by command. */
static void log_time(struct gdb *g)
{
	long long t = now_ns();

	fprintf(g->log, "# @ %lld.%06lld\n", t / 1000000000, t % 1000000000 / 1000);
}

static void queue_record(void *ctx, struct mi_record *rec)
{
	struct gdb *g = ctx;
	struct record_node *node;

	switch (rec->kind) {
	case MI_LOG:
		keep_last_words(g, rec->text, strlen(rec->text));
		/* fall through */
	case MI_CONSOLE:
	case MI_TARGET:
	case MI_PROMPT:
	case MI_MALFORMED:
		mi_record_free(rec);
		return;
	default:
		break;
	}
	node = xmalloc(sizeof(*node));
	node->rec = rec;
	node->next = NULL;
	if (g->tail)
		g->tail->next = node;
	else
		g->head = node;
	g->tail = node;
}

static void keep_last_words(struct gdb *g, const char *text, size_t len)
{
	strbuf_add(&g->last_words, text, len);
	if (g->last_words.len > LAST_WORDS_MAX)
		strbuf_remove_front(&g->last_words, g->last_words.len - LAST_WORDS_MAX);
}

static void drain_stderr(struct gdb *g)
{
	char buf[1024];
	ssize_t n;

	while ((n = read(g->err_fd, buf, sizeof(buf))) > 0)
		keep_last_words(g, buf, (size_t)n);
}

/* Marks gdb as gone, keeping what it said on its way out: its dying
 * words were written before we noticed. */
static void fail(struct gdb *g, const char *why)
{
	g->failed = why;
	drain_stderr(g);
}

int gdb_pump(struct gdb *g)
{
	char buf[65536];
	ssize_t n;

	if (g->failed)
		return -1;
	drain_stderr(g);
	for (;;) {
		n = read(g->out_fd, buf, sizeof(buf));
		if (n > 0) {
			mi_parser_push(g->parser, buf, (size_t)n);
			if (g->log) {
				if (!g->log_midline)
					log_time(g);
				fwrite(buf, 1, (size_t)n, g->log);
				g->log_midline = buf[n - 1] != '\n';
			}
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		fail(g, "gdb exited unexpectedly");
		return -1;
	}
}

/* Waits until gdb writes something or the deadline passes; then pumps.
 * Returns -1 when gdb is gone, 0 otherwise. */
static int wait_output(struct gdb *g, long long deadline)
{
	struct pollfd pfd[3] = {
		{ .fd = g->out_fd, .events = POLLIN },
		{ .fd = g->err_fd, .events = POLLIN },
		{ .fd = g->watch_fd, .events = POLLIN },
	};
	int timeout = -1;

	if (deadline >= 0) {
		long long left = deadline - now_ns();

		timeout = left <= 0 ? 0 : (int)((left + 999999) / 1000000);
	}
	if (poll(pfd, g->watch_fd >= 0 ? 3 : 2, timeout) < 0 && errno != EINTR) {
		fail(g, "cannot poll gdb's output");
		return -1;
	}
	if (g->watch_fd >= 0 && pfd[2].revents)
		g->watch_fn(g->watch_ctx);
	return gdb_pump(g);
}

static long long deadline_after(int timeout_ms)
{
	return timeout_ms < 0 ? -1 : now_ns() + (long long)timeout_ms * 1000000LL;
}

static int past(long long deadline)
{
	return deadline >= 0 && now_ns() >= deadline;
}

static long vsend(struct gdb *g, const char *fmt, va_list ap)
{
	long token = g->next_token++;
	size_t off = 0;

	if (g->failed)
		return -1;
	strbuf_reset(&g->cmd);
	strbuf_addf(&g->cmd, "%ld", token);
	strbuf_vaddf(&g->cmd, fmt, ap);
	strbuf_addch(&g->cmd, '\n');
	if (g->log) {
		if (g->log_midline)
			fputc('\n', g->log);
		log_time(g);
		fprintf(g->log, "# > %s", g->cmd.buf);
		g->log_midline = 0;
	}
	while (off < g->cmd.len) {
		ssize_t n = write(g->in_fd, g->cmd.buf + off, g->cmd.len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fail(g, "gdb exited unexpectedly");
			return -1;
		}
		off += (size_t)n;
	}
	return token;
}

long gdb_send(struct gdb *g, const char *fmt, ...)
{
	va_list ap;
	long token;

	va_start(ap, fmt);
	token = vsend(g, fmt, ap);
	va_end(ap);
	return token;
}

/* Unlinks `node` (whose predecessor is `prev`, NULL for the head) and
 * returns its record. */
static struct mi_record *unlink_node(struct gdb *g, struct record_node *prev,
				     struct record_node *node)
{
	struct mi_record *rec = node->rec;

	if (prev)
		prev->next = node->next;
	else
		g->head = node->next;
	if (g->tail == node)
		g->tail = prev;
	free(node);
	return rec;
}

/* Removes and returns the result record for `token`, dropping results of
 * older commands nobody waits for any more. */
static struct mi_record *take_result(struct gdb *g, long token)
{
	struct record_node *prev = NULL, *node = g->head;

	while (node) {
		struct record_node *next = node->next;
		struct mi_record *rec = node->rec;

		if (rec->kind == MI_RESULT && rec->token <= token) {
			rec = unlink_node(g, prev, node);
			if (rec->token == token)
				return rec;
			mi_record_free(rec);
		} else {
			prev = node;
		}
		node = next;
	}
	return NULL;
}

int gdb_result(struct gdb *g, long token, int timeout_ms, struct mi_record **result, char **errmsg)
{
	long long deadline = deadline_after(timeout_ms);
	struct mi_record *rec;

	if (result)
		*result = NULL;
	if (errmsg)
		*errmsg = NULL;
	if (token < 0)
		return -1;
	while (!(rec = take_result(g, token))) {
		if (g->failed)
			return -1;
		if (past(deadline)) {
			fail(g, "gdb stopped answering");
			return -1;
		}
		wait_output(g, deadline);
	}
	if (strcmp(rec->klass, "error") == 0 || strcmp(rec->klass, "exit") == 0) {
		if (errmsg) {
			const char *msg = mi_find_string(rec->results, "msg");

			*errmsg = xstrdup(msg ? msg : rec->klass);
		}
		mi_record_free(rec);
		return -1;
	}
	if (result)
		*result = rec;
	else
		mi_record_free(rec);
	return 0;
}

int gdb_command(struct gdb *g, int timeout_ms, struct mi_record **result, char **errmsg,
		const char *fmt, ...)
{
	va_list ap;
	long token;

	va_start(ap, fmt);
	token = vsend(g, fmt, ap);
	va_end(ap);
	return gdb_result(g, token, timeout_ms, result, errmsg);
}

struct mi_record *gdb_next_async(struct gdb *g, int timeout_ms)
{
	long long deadline = deadline_after(timeout_ms);

	for (;;) {
		struct record_node *prev = NULL, *node;

		for (node = g->head; node; prev = node, node = node->next)
			if (node->rec->kind != MI_RESULT)
				return unlink_node(g, prev, node);
		if (g->failed || timeout_ms == 0 || past(deadline))
			return NULL;
		if (wait_output(g, deadline) < 0)
			return NULL;
	}
}

void gdb_watch(struct gdb *g, int fd, void (*fn)(void *ctx), void *ctx)
{
	g->watch_fd = fn ? fd : -1;
	g->watch_fn = fn;
	g->watch_ctx = ctx;
}

int gdb_fd(const struct gdb *g)
{
	return g->out_fd;
}

const char *gdb_failed(const struct gdb *g)
{
	return g->failed;
}

const char *gdb_last_words(const struct gdb *g)
{
	return strbuf_str(&g->last_words);
}

/* gdb closes its stdout as it exits: wait for that EOF (bounded), then
 * reap it, killing it if it lingers. */
static void reap(struct gdb *g, int timeout_ms)
{
	long long deadline = deadline_after(timeout_ms);
	char buf[4096];

	while (!past(deadline)) {
		struct pollfd pfd = { .fd = g->out_fd, .events = POLLIN };
		long long left = deadline - now_ns();
		ssize_t n;

		if (poll(&pfd, 1, (int)(left / 1000000) + 1) <= 0)
			continue;
		n = read(g->out_fd, buf, sizeof(buf));
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			break;
	}
	if (waitpid(g->pid, NULL, WNOHANG) != g->pid) {
		kill(g->pid, SIGKILL);
		waitpid(g->pid, NULL, 0);
	}
}

void gdb_close(struct gdb *g)
{
	struct record_node *node, *next;

	if (!g)
		return;
	if (!g->failed)
		gdb_send(g, "-gdb-exit");
	close(g->in_fd);
	reap(g, 1000);
	close(g->out_fd);
	close(g->err_fd);
	for (node = g->head; node; node = next) {
		next = node->next;
		mi_record_free(node->rec);
		free(node);
	}
	mi_parser_free(g->parser);
	strbuf_release(&g->last_words);
	strbuf_release(&g->cmd);
	if (g->log)
		fclose(g->log);
	free(g);
}
