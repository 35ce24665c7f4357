/* test-fetch: fetch_file() against tests/httpd.py, a fault-injecting
 * server on 127.0.0.1, whose request log shows what fetch asked for. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "digest.h"
#include "fetch.h"
#include "strbuf.h"
#include "util.h"

#define PAYLOAD "payload.bin"
#define PAYLOAD_SIZE (300 * 1024)
#define SHA_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

extern char **environ;

struct server {
	pid_t pid;
	int in;		/* its stdin: closing it stops the server */
	int port;
};

/* One request from the server's log. */
struct req {
	char method[8];
	char path[256];
	int status;
	double t;
	char range[64];		/* "-" when absent */
	char if_range[128];
};

static struct {
	char root[64];		/* served directory */
	char *data;		/* $srcdir/data/fetch */
	char *script;		/* $srcdir/httpd.py */
	unsigned char *payload;
	char sha[DIGEST_HEX_LEN + 1];
	struct server http;
} g;

/* Per test. */
struct ctx {
	char dir[64];
	char *dest;
	char *part;
	char url[512];
	char *err;		/* stderr of the last run_fetch() */
	struct req log[32];
	int nlog;
};

/* The server. */

static int server_start(struct server *s, int tls)
{
	const char *python = access("/usr/bin/python3", X_OK) ? "python3" : "/usr/bin/python3";
	char *cert = xasprintf("%s/server.pem", g.data);
	char *key = xasprintf("%s/server.key", g.data);
	char *argv[8];
	posix_spawn_file_actions_t fa;
	int in[2], out[2], argc = 0, err;
	char line[32];
	size_t n = 0;

	argv[argc++] = (char *)python;
	argv[argc++] = g.script;
	if (tls) {
		argv[argc++] = "--tls";
		argv[argc++] = cert;
		argv[argc++] = key;
	}
	argv[argc++] = g.root;
	argv[argc] = NULL;
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC))
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	err = posix_spawnp(&s->pid, python, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(out[1]);
	free(cert);
	free(key);
	if (err) {
		close(in[1]);
		close(out[0]);
		return -1;
	}
	/* The first line is the port: the server is listening by then. */
	while (n + 1 < sizeof(line) && read(out[0], line + n, 1) == 1 && line[n] != '\n')
		n++;
	line[n] = '\0';
	close(out[0]);
	s->in = in[1];
	s->port = atoi(line);
	return s->port > 0 ? 0 : -1;
}

static void server_stop(struct server *s)
{
	if (s->pid <= 0)
		return;
	close(s->in);
	kill(s->pid, SIGTERM);
	waitpid(s->pid, NULL, 0);
	s->pid = 0;
}

static size_t get_write(char *data, size_t size, size_t n, void *arg)
{
	strbuf_add(arg, data, size * n);
	return size * n;
}

/* GETs a control path from the plain server. */
static char *server_get(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	char *url = xasprintf("http://127.0.0.1:%d%s", g.http.port, path);
	CURL *c = curl_easy_init();
	CURLcode rc;

	assert_non_null(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, get_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &sb);
	rc = curl_easy_perform(c);
	curl_easy_cleanup(c);
	free(url);
	assert_int_equal(rc, CURLE_OK);
	return strbuf_detach(&sb);
}

/* Loads the server's log into c->log. */
static int load_log(struct ctx *c)
{
	char *text = server_get("/_log?format=text"), *line, *save = NULL;

	c->nlog = 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct req *r = &c->log[c->nlog];

		assert_true(c->nlog < (int)ARRAY_SIZE(c->log));
		assert_int_equal(sscanf(line, "%7s %255s %d %lf %63s %127[^\n]", r->method,
					r->path, &r->status, &r->t, r->range, r->if_range), 6);
		c->nlog++;
	}
	free(text);
	return c->nlog;
}

/* Files and helpers. */

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static int exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static long file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) ? -1 : (long)sb.st_size;
}

static void assert_payload(const char *path)
{
	char hex[DIGEST_HEX_LEN + 1];

	assert_int_equal(digest_file(path, hex), 0);
	assert_string_equal(hex, g.sha);
}

static void remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char *p;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		p = xasprintf("%s/%s", dir, e->d_name);
		unlink(p);
		free(p);
	}
	closedir(d);
	rmdir(dir);
}

static const char *url(struct ctx *c, const char *path)
{
	snprintf(c->url, sizeof(c->url), "http://127.0.0.1:%d%s", g.http.port, path);
	return c->url;
}

/* Small timeouts and retries, so failures take a fraction of a second. */
static struct fetch_options options(struct ctx *c, const char *u)
{
	struct fetch_options o = {
		.url = u,
		.dest = c->dest,
		.sha256 = g.sha,
		.size = PAYLOAD_SIZE,
		.connect_timeout_s = 5,
		.stall_seconds = 5,
		.stall_bytes_per_s = 1024,
		.max_retries = 2,
		.max_backoff_ms = 50,
	};
	return o;
}

/* Sends stderr to a temporary file until capture_end(). */
static FILE *capture_begin(int *saved)
{
	FILE *tmp = tmpfile();

	assert_non_null(tmp);
	fflush(stderr);
	*saved = dup(2);
	assert_true(*saved >= 0);
	assert_true(dup2(fileno(tmp), 2) >= 0);
	return tmp;
}

/* Puts stderr back; what was written goes to c->err (and stdout). */
static void capture_end(struct ctx *c, FILE *tmp, int saved)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;

	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	while ((n = fread(buf, 1, sizeof(buf), tmp)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(tmp);
	free(c->err);
	c->err = strbuf_detach(&sb);
	if (*c->err)
		printf("# stderr: %s", c->err);
}

/* fetch_file() with its stderr captured in c->err. */
static int run_fetch(struct ctx *c, const struct fetch_options *o)
{
	int saved, ret;
	FILE *tmp = capture_begin(&saved);

	ret = fetch_file(o);
	capture_end(c, tmp, saved);
	return ret;
}

/* fetch_text() with its stderr captured in c->err. */
static int run_text(struct ctx *c, const char *u, size_t cap, const char *cacert,
		    struct strbuf *out)
{
	int saved, ret;
	FILE *tmp = capture_begin(&saved);

	ret = fetch_text(u, cap, cacert, out);
	capture_end(c, tmp, saved);
	return ret;
}

/* Exactly one "nprof: ..." line, naming what it is about. */
static void assert_one_line(struct ctx *c, const char *needle)
{
	char *nl = strchr(c->err, '\n');

	assert_true(!strncmp(c->err, "nprof: ", 7));
	assert_non_null(nl);
	assert_true(nl[1] == '\0');
	if (needle && !strstr(c->err, needle))
		fail_msg("expected \"%s\" in: %s", needle, c->err);
}

static void assert_contains(const char *s, const char *needle)
{
	if (!strstr(s, needle))
		fail_msg("expected \"%s\" in: %s", needle, s);
}

static void assert_nothing_left(struct ctx *c)
{
	assert_false(exists(c->dest));
	assert_false(exists(c->part));
}

/* Fixtures. */

static int group_setup(void **state)
{
	const char *srcdir = getenv("srcdir");
	char *path;
	uint32_t x = 2463534242u;
	size_t i;

	if (!srcdir)
		srcdir = ".";
	g.data = xasprintf("%s/data/fetch", srcdir);
	g.script = xasprintf("%s/httpd.py", srcdir);
	strcpy(g.root, "/tmp/test-fetch-root-XXXXXX");
	if (!mkdtemp(g.root))
		return -1;
	/* xorshift32: deterministic bytes that do not compress to nothing. */
	g.payload = xmalloc(PAYLOAD_SIZE);
	for (i = 0; i < PAYLOAD_SIZE; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		g.payload[i] = (unsigned char)x;
	}
	path = xasprintf("%s/%s", g.root, PAYLOAD);
	write_file(path, g.payload, PAYLOAD_SIZE);
	if (digest_file(path, g.sha))
		return -1;
	free(path);
	if (fetch_global_init())
		return -1;
	return server_start(&g.http, 0);
}

static int group_teardown(void **state)
{
	server_stop(&g.http);
	remove_tree(g.root);
	fetch_global_cleanup();
	free(g.payload);
	free(g.data);
	free(g.script);
	return 0;
}

static int setup(void **state)
{
	struct ctx *c = xcalloc(1, sizeof(*c));

	strcpy(c->dir, "/tmp/test-fetch-XXXXXX");
	if (!mkdtemp(c->dir))
		return -1;
	c->dest = xasprintf("%s/gdb.tar.xz", c->dir);
	c->part = xasprintf("%s.part", c->dest);
	free(server_get("/_reset"));
	fetch_interrupt_clear();
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	remove_tree(c->dir);
	free(c->dest);
	free(c->part);
	free(c->err);
	free(c);
	return 0;
}

/* Plain downloads. */

static void test_ok(void **state)
{
	struct ctx *c = *state;
	struct fetch_options o = options(c, url(c, "/" PAYLOAD));

	assert_int_equal(run_fetch(c, &o), 0);
	assert_string_equal(c->err, "");
	assert_payload(c->dest);
	assert_false(exists(c->part));
	assert_int_equal(load_log(c), 1);
	assert_int_equal(c->log[0].status, 200);
	assert_string_equal(c->log[0].range, "-");
}

static void test_unknown_size(void **state)
{
	struct ctx *c = *state;
	struct fetch_options o = options(c, url(c, "/" PAYLOAD));

	o.size = 0;
	assert_int_equal(run_fetch(c, &o), 0);
	assert_payload(c->dest);
}

static void test_redirect_ok(void **state)
{
	struct ctx *c = *state;
	struct fetch_options o = options(c, url(c, "/redirect/" PAYLOAD));

	assert_int_equal(run_fetch(c, &o), 0);
	assert_payload(c->dest);
	assert_int_equal(load_log(c), 2);
	assert_int_equal(c->log[0].status, 302);
	assert_string_equal(c->log[1].path, "/" PAYLOAD);
}

static void test_progress(void **state)
{
	struct ctx *c = *state;
	struct fetch_options o = options(c, url(c, "/503-then-ok/" PAYLOAD));

	o.progress = 1;
	assert_int_equal(run_fetch(c, &o), 0);
	assert_payload(c->dest);
	assert_contains(c->err, "retrying in");
	assert_contains(c->err, "300.0 KiB / 300.0 KiB");
	assert_contains(c->err, "ETA");
}

/* Status codes and retries. */

static void test_404(void **state)
{
	struct ctx *c = *state;
	struct fetch_options o = options(c, url(c, "/404/" PAYLOAD));

	o.max_retries = 3;
	assert_int_equal(run_fetch(c, &o), -1);
	assert_one_line(c, c->url);
	assert_contains(c->err, "404");
	assert_nothing_left(c);
	assert_int_equal(load_log(c), 1);
}

static void test_403(void **state)
{
	struct ctx *c = *state;
	struct fetch_options o = options(c, url(c, "/status/403/" PAYLOAD));

	assert_int_equal(run_fetch(c, &o), -1);
	assert_one_line(c, "access denied (HTTP 403)");
	assert_int_equal(load_log(c), 1);
}

static void test_503_then_ok(void **state)
{
	struct ctx *c = *state;
	struct fetch_options o = options(c, url(c, "/503-then-ok/" PAYLOAD "?n=2"));

	o.max_retries = 3;
	assert_int_equal(run_fetch(c, &o), 0);
	assert_string_equal(c->err, "");
	assert_payload(c->dest);
	assert_int_equal(load_log(c), 3);
	assert_int_equal(c->log[0].status, 503);
	assert_int_equal(c->log[1].status, 503);
	assert_int_equal(c->log[2].status, 200);
}

static void test_429_408_retried(void **state)
{
	struct ctx *c = *state;
	struct fetch_options o = options(c, url(c, "/503-then-ok/" PAYLOAD "?code=429"));

	assert_int_equal(run_fetch(c, &o), 0);
	assert_int_equal(load_log(c), 2);
	assert_int_equal(c->log[0].status, 429);
	unlink(c->dest);
	free(server_get("/_reset"));
	o.url = url(c, "/503-then-ok/" PAYLOAD "?code=408");
	assert_int_equal(run_fetch(c, &o), 0);
	assert_int_equal(load_log(c), 2);
	assert_int_equal(c->log[0].status, 408);
}

static void test_503_gives_up(void **state)
{
	struct ctx *c = *state;
	struct fetch_options o = options(c, url(c, "/503-then-ok/" PAYLOAD "?n=100"));

	assert_int_equal(run_fetch(c, &o), -1);
	assert_one_line(c, "HTTP 503 after 3 attempts");
	assert_contains(c->err, c->url);
	assert_nothing_left(c);
	assert_int_equal(load_log(c), 3);
}

static void test_no_retries(void **state)
{
	struct ctx *c = *state;
	struct fetch_options o = options(c, url(c, "/503-then-ok/" PAYLOAD));

	o.max_retries = -1;
	assert_int_equal(run_fetch(c, &o), -1);
	assert_one_line(c, "HTTP 503 after 1 attempt;");
	assert_int_equal(load_log(c), 1);
}

static void test_retry_after(void **state)
{
	struct ctx *c = *state;
	struct fetch_options o = options(c, url(c, "/retry-after/" PAYLOAD "?after=2"));

	/* Our own first backoff would be 1 s: the server's 2 s wins. */
	o.max_backoff_ms = 5000;
	assert_int_equal(run_fetch(c, &o), 0);
	assert_payload(c->dest);
	assert_int_equal(load_log(c), 2);
	assert_true(c->log[1].t - c->log[0].t >= 1.9);
}

static void test_retry_after_capped(void **state)
{
	struct ctx *c = *state;
	struct fetch_options o = options(c, url(c, "/retry-after/" PAYLOAD "?after=3600"));

	o.max_backoff_ms = 300;
	assert_int_equal(run_fetch(c, &o), 0);
	assert_int_equal(load_log(c), 2);
	assert_true(c->log[1].t - c->log[0].t >= 0.25);
	assert_true(c->log[1].t - c->log[0].t < 3);
}

/* Resuming. */

static void test_drop_resume(void **state)
{
	struct ctx *c = *state;
	struct fetch_options o = options(c, url(c, "/drop/" PAYLOAD));

	assert_int_equal(run_fetch(c, &o), 0);
	assert_string_equal(c->err, "");
	assert_payload(c->dest);
	assert_false(exists(c->part));
	assert_int_equal(load_log(c), 2);
	assert_int_equal(c->log[0].status, 200);
	assert_int_equal(c->log[1].status, 206);
	assert_string_equal(c->log[1].range, "bytes=153600-");
	/* The first response's ETag guards the resume. */
	assert_int_equal(c->log[1].if_range[0], '"');
}

static void test_drop_norange(void **state)
{
	struct ctx *c = *state;
	struct fetch_options o = options(c, url(c, "/drop/norange/" PAYLOAD));

	assert_int_equal(run_fetch(c, &o), 0);
	assert_payload(c->dest);
	assert_int_equal(load_log(c), 2);
	assert_string_equal(c->log[1].range, "bytes=153600-");
	assert_int_equal(c->log[1].status, 200);
}

static void test_resume_old_part(void **state)
{
	struct ctx *c = *state;
	struct fetch_options o = options(c, url(c, "/" PAYLOAD));

	write_file(c->part, g.payload, 100000);
	assert_int_equal(run_fetch(c, &o), 0);
	assert_payload(c->dest);
	assert_int_equal(load_log(c), 1);
	assert_int_equal(c->log[0].status, 206);
	assert_string_equal(c->log[0].range, "bytes=100000-");
	/* No validator survives from an earlier run. */
	assert_string_equal(c->log[0].if_range, "-");
}

static void test_norange_restart(void **state)
{
	struct ctx *c = *state;
	struct fetch_options o = options(c, url(c, "/norange/" PAYLOAD));

	write_file(c->part, g.payload, 100000);
	assert_int_equal(run_fetch(c, &o), 0);
	assert_payload(c->dest);
	assert_int_equal(load_log(c), 1);
	assert_string_equal(c->log[0].range, "bytes=100000-");
	assert_int_equal(c->log[0].status, 200);
}

static void test_corrupt_part(void **state)
{
	struct ctx *c = *state;
	struct fetch_options o = options(c, url(c, "/" PAYLOAD));
	char junk[1000];

	memset(junk, 'x', sizeof(junk));
	write_file(c->part, junk, sizeof(junk));
	assert_int_equal(run_fetch(c, &o), 0);
	assert_string_equal(c->err, "");
	assert_payload(c->dest);
	assert_int_equal(load_log(c), 2);
	assert_string_equal(c->log[0].range, "bytes=1000-");
	assert_int_equal(c->log[0].status, 206);
	assert_string_equal(c->log[1].range, "-");
	assert_int_equal(c->log[1].status, 200);
}

static void test_corrupt_range(void **state)
{
	struct ctx *c = *state;
	struct fetch_options o = options(c, url(c, "/corrupt-range/" PAYLOAD));

	write_file(c->part, g.payload, 1000);
	assert_int_equal(run_fetch(c, &o), 0);
	assert_payload(c->dest);
	assert_int_equal(load_log(c), 2);
	assert_int_equal(c->log[0].status, 206);
	assert_int_equal(c->log[1].status, 200);
}

static void test_corrupt_forever(void **state)
{
	struct ctx *c = *state;
	struct fetch_options o = options(c, url(c, "/corrupt/" PAYLOAD));

	write_file(c->part, g.payload, 1000);
	assert_int_equal(run_fetch(c, &o), -1);
	assert_one_line(c, "sha-256 mismatch");
	assert_contains(c->err, c->url);
	assert_contains(c->err, g.sha);
	assert_nothing_left(c);
	/* One retry from zero, no more. */
	assert_int_equal(load_log(c), 2);
}

static void test_complete_part(void **state)
{
	struct ctx *c = *state;
	struct fetch_options o = options(c, url(c, "/" PAYLOAD));

	write_file(c->part, g.payload, PAYLOAD_SIZE);
	assert_int_equal(run_fetch(c, &o), 0);
	assert_payload(c->dest);
	assert_int_equal(load_log(c), 0);
}

static void test_complete_part_416(void **state)
{
	struct ctx *c = *state;
	struct fetch_options o = options(c, url(c, "/" PAYLOAD));

	o.size = 0;
	write_file(c->part, g.payload, PAYLOAD_SIZE);
	assert_int_equal(run_fetch(c, &o), 0);
	assert_payload(c->dest);
	assert_int_equal(load_log(c), 1);
	assert_int_equal(c->log[0].status, 416);
}

static void test_part_too_long(void **state)
{
	struct ctx *c = *state;
	struct fetch_options o = options(c, url(c, "/" PAYLOAD));
	unsigned char *big = xcalloc(1, PAYLOAD_SIZE + 10);

	write_file(c->part, big, PAYLOAD_SIZE + 10);
	free(big);
	assert_int_equal(run_fetch(c, &o), 0);
	assert_payload(c->dest);
	assert_int_equal(load_log(c), 1);
	assert_string_equal(c->log[0].range, "-");
}

/* Failures. */

static void test_stall(void **state)
{
	struct ctx *c = *state;
	struct fetch_options o = options(c, url(c, "/stall/" PAYLOAD));

	o.stall_seconds = 1;
	o.max_retries = 1;
	assert_int_equal(run_fetch(c, &o), -1);
	assert_one_line(c, "stalled (under 1024 bytes/s for 1 s) after 2 attempts");
	assert_contains(c->err, c->url);
	assert_false(exists(c->dest));
	/* Kept for a rerun to resume. */
	assert_int_equal(file_size(c->part), 1024);
	assert_int_equal(load_log(c), 2);
	assert_string_equal(c->log[1].range, "bytes=512-");
}

static void test_endless(void **state)
{
	struct ctx *c = *state;
	struct fetch_options o = options(c, url(c, "/endless/" PAYLOAD));

	assert_int_equal(run_fetch(c, &o), -1);
	assert_one_line(c, "the server sent more than the expected 307200 bytes");
	assert_contains(c->err, c->url);
	assert_nothing_left(c);
	assert_int_equal(load_log(c), 1);
}

static void test_redirect_loop(void **state)
{
	struct ctx *c = *state;
	struct fetch_options o = options(c, url(c, "/redirect-loop/" PAYLOAD));

	assert_int_equal(run_fetch(c, &o), -1);
	assert_one_line(c, "too many redirects");
	assert_nothing_left(c);
	assert_int_equal(load_log(c), 11);
}

static void test_redirect_file(void **state)
{
	struct ctx *c = *state;
	struct fetch_options o = options(c, url(c, "/redirect-file/" PAYLOAD));

	assert_int_equal(run_fetch(c, &o), -1);
	assert_one_line(c, "refused a redirect to file:///etc/passwd");
	assert_nothing_left(c);
	assert_int_equal(load_log(c), 1);
}

static void test_html(void **state)
{
	struct ctx *c = *state;
	struct fetch_options o = options(c, url(c, "/html/" PAYLOAD));

	assert_int_equal(run_fetch(c, &o), -1);
	assert_one_line(c, "the server sent a web page, not an archive");
	assert_nothing_left(c);
	assert_int_equal(load_log(c), 1);
}

static void test_wrong_checksum(void **state)
{
	struct ctx *c = *state;
	struct fetch_options o = options(c, url(c, "/" PAYLOAD));

	o.sha256 = SHA_ABC;
	assert_int_equal(run_fetch(c, &o), -1);
	assert_one_line(c, "sha-256 mismatch");
	assert_contains(c->err, c->url);
	assert_contains(c->err, SHA_ABC);
	assert_contains(c->err, g.sha);
	assert_nothing_left(c);
	assert_int_equal(load_log(c), 1);
}

static void test_wrong_size(void **state)
{
	struct ctx *c = *state;
	struct fetch_options o = options(c, url(c, "/" PAYLOAD));

	o.size = PAYLOAD_SIZE + 1;
	assert_int_equal(run_fetch(c, &o), -1);
	assert_one_line(c, "expected 307201 bytes");
	assert_nothing_left(c);
}

static void test_no_checksum(void **state)
{
	struct ctx *c = *state;
	struct fetch_options o = options(c, url(c, "/" PAYLOAD));
	static const char *const bad[] = {
		"", "abc", SHA_ABC "0", "zz7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	};
	size_t i;

	o.sha256 = NULL;
	assert_int_equal(run_fetch(c, &o), -1);
	assert_one_line(c, "refusing to download");
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		o.sha256 = bad[i];
		assert_int_equal(run_fetch(c, &o), -1);
		assert_one_line(c, c->url);
	}
	assert_nothing_left(c);
	assert_int_equal(load_log(c), 0);
}

static void test_bad_scheme(void **state)
{
	struct ctx *c = *state;
	struct fetch_options o = options(c, "ftp://127.0.0.1/" PAYLOAD);

	assert_int_equal(run_fetch(c, &o), -1);
	assert_one_line(c, "unsupported URL scheme");
	o.url = "gopher://127.0.0.1/" PAYLOAD;
	assert_int_equal(run_fetch(c, &o), -1);
	assert_nothing_left(c);
}

static void test_unreachable(void **state)
{
	struct ctx *c = *state;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct fetch_options o;

	/* A port that was free a moment ago refuses connections. */
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	snprintf(c->url, sizeof(c->url), "http://127.0.0.1:%d/" PAYLOAD, ntohs(sa.sin_port));
	o = options(c, c->url);
	assert_int_equal(run_fetch(c, &o), -1);
	assert_one_line(c, "cannot connect");
	assert_contains(c->err, c->url);
	assert_nothing_left(c);
}

/* Local sources. */

static void test_local_path(void **state)
{
	struct ctx *c = *state;
	char *path = xasprintf("%s/%s", g.root, PAYLOAD);
	struct fetch_options o = options(c, path);

	assert_int_equal(run_fetch(c, &o), 0);
	assert_payload(c->dest);
	assert_false(exists(c->part));
	unlink(c->dest);

	o.sha256 = SHA_ABC;
	assert_int_equal(run_fetch(c, &o), -1);
	assert_one_line(c, "sha-256 mismatch");
	assert_contains(c->err, path);
	assert_nothing_left(c);

	o.url = "/nonexistent/gdb.tar.xz";
	o.sha256 = g.sha;
	assert_int_equal(run_fetch(c, &o), -1);
	assert_one_line(c, "cannot read /nonexistent/gdb.tar.xz");
	assert_nothing_left(c);

	o.url = g.root;
	assert_int_equal(run_fetch(c, &o), -1);
	assert_one_line(c, "is a directory");
	assert_nothing_left(c);
	free(path);
}

static void test_file_url(void **state)
{
	struct ctx *c = *state;
	char *u = xasprintf("file://%s/%s", g.root, PAYLOAD);
	struct fetch_options o = options(c, u);

	/* file:// never resumes: junk in DEST.part does not matter. */
	write_file(c->part, "junk", 4);
	assert_int_equal(run_fetch(c, &o), 0);
	assert_payload(c->dest);
	assert_false(exists(c->part));
	unlink(c->dest);

	free(u);
	u = xasprintf("file://%s/missing.bin", g.root);
	o.url = u;
	assert_int_equal(run_fetch(c, &o), -1);
	assert_one_line(c, u);
	assert_nothing_left(c);
	free(u);
}

/* TLS. */

static void test_https_cacert(void **state)
{
	struct ctx *c = *state;
	struct server tls = { 0 };
	char *ca = xasprintf("%s/ca.pem", g.data);
	struct fetch_options o;

	assert_int_equal(server_start(&tls, 1), 0);
	snprintf(c->url, sizeof(c->url), "https://127.0.0.1:%d/" PAYLOAD, tls.port);
	o = options(c, c->url);
	o.cacert = ca;
	assert_int_equal(run_fetch(c, &o), 0);
	assert_payload(c->dest);
	unlink(c->dest);

	/* Verification is never off: without the CA the download fails. */
	o.cacert = NULL;
	assert_int_equal(run_fetch(c, &o), -1);
	assert_one_line(c, "--cacert");
	assert_nothing_left(c);

	o.cacert = "/nonexistent/ca.pem";
	assert_int_equal(run_fetch(c, &o), -1);
	assert_one_line(c, "/nonexistent/ca.pem");
	server_stop(&tls);
	free(ca);
}

/* Ctrl-C. */

static void on_alarm(int sig)
{
	fetch_interrupt();
}

static void test_interrupt(void **state)
{
	struct ctx *c = *state;
	struct fetch_options o = options(c, url(c, "/slow/" PAYLOAD "?rate=20000"));
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	struct itimerval it = { .it_value = { 0, 300000 } };

	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
	assert_int_equal(run_fetch(c, &o), -1);
	sigaction(SIGALRM, &old, NULL);
	assert_one_line(c, "download interrupted; run again to resume");
	assert_false(exists(c->dest));
	assert_true(file_size(c->part) > 0);

	/* A rerun picks up where it stopped. */
	fetch_interrupt_clear();
	o.url = url(c, "/" PAYLOAD);
	assert_int_equal(run_fetch(c, &o), 0);
	assert_payload(c->dest);
	assert_int_equal(load_log(c), 2);
	assert_int_equal(c->log[1].status, 206);
}

static void test_interrupt_stalled(void **state)
{
	struct ctx *c = *state;
	struct fetch_options o = options(c, url(c, "/stall/" PAYLOAD));
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	struct itimerval it = { .it_value = { 0, 300000 } };
	long long start = now_ns();

	/* No data flows, yet Ctrl-C gets through well before the stall timeout. */
	o.stall_seconds = 60;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
	assert_int_equal(run_fetch(c, &o), -1);
	sigaction(SIGALRM, &old, NULL);
	assert_one_line(c, "interrupted");
	assert_true(now_ns() - start < 5000000000LL);
	assert_int_equal(file_size(c->part), 512);
}

static void test_interrupt_before(void **state)
{
	struct ctx *c = *state;
	struct fetch_options o = options(c, url(c, "/" PAYLOAD));

	fetch_interrupt();
	assert_int_equal(run_fetch(c, &o), -1);
	assert_one_line(c, "interrupted");
	assert_nothing_left(c);
	assert_int_equal(load_log(c), 0);
}

/* fetch_text(). */

#define TEXT "m.txt"
#define TEXT_BODY "nprof-manifest 1\n"

static void write_text(void)
{
	char *path = xasprintf("%s/" TEXT, g.root);

	write_file(path, TEXT_BODY, strlen(TEXT_BODY));
	free(path);
}

static void test_text_ok(void **state)
{
	struct ctx *c = *state;
	struct strbuf sb = STRBUF_INIT;

	write_text();
	strbuf_addstr(&sb, "left over");
	assert_int_equal(run_text(c, url(c, "/" TEXT), 1 << 20, NULL, &sb), 0);
	assert_string_equal(c->err, "");
	assert_string_equal(strbuf_str(&sb), TEXT_BODY);
	/* A body of exactly the cap is fine. */
	assert_int_equal(run_text(c, c->url, strlen(TEXT_BODY), NULL, &sb), 0);
	assert_string_equal(strbuf_str(&sb), TEXT_BODY);
	assert_int_equal(load_log(c), 2);
	assert_int_equal(c->log[0].status, 200);
	strbuf_release(&sb);
}

static void test_text_cap(void **state)
{
	struct ctx *c = *state;
	struct strbuf sb = STRBUF_INIT;

	assert_int_equal(run_text(c, url(c, "/" PAYLOAD), 1024, NULL, &sb), -1);
	assert_one_line(c, "is larger than 1024 bytes");
	assert_contains(c->err, c->url);
	write_text();
	assert_int_equal(run_text(c, url(c, "/" TEXT), strlen(TEXT_BODY) - 1, NULL, &sb), -1);
	assert_one_line(c, "larger than");
	strbuf_release(&sb);
}

static void test_text_redirect_http(void **state)
{
	struct ctx *c = *state;
	struct strbuf sb = STRBUF_INIT;
	char *u = xasprintf("http://127.0.0.1:%d/redirect/x?to=http://127.0.0.1:%d/" TEXT,
			    g.http.port, g.http.port);

	write_text();
	assert_int_equal(run_text(c, u, 1 << 20, NULL, &sb), -1);
	assert_one_line(c, u);
	/* The 302 only: the http URL it points at is not asked for. */
	assert_int_equal(load_log(c), 1);
	assert_int_equal(c->log[0].status, 302);
	strbuf_release(&sb);
	free(u);
}

static void test_text_untrusted(void **state)
{
	struct ctx *c = *state;
	struct strbuf sb = STRBUF_INIT;

	assert_int_equal(run_text(c, "http://example.invalid/" TEXT, 1 << 20, NULL, &sb), -1);
	assert_one_line(c, "is not https");
	assert_int_equal(run_text(c, "ftp://127.0.0.1/" TEXT, 1 << 20, NULL, &sb), -1);
	assert_one_line(c, "is not https");
	strbuf_release(&sb);
}

static void test_text_404(void **state)
{
	struct ctx *c = *state;
	struct strbuf sb = STRBUF_INIT;

	assert_int_equal(run_text(c, url(c, "/404/" TEXT), 1 << 20, NULL, &sb), -1);
	assert_one_line(c, "cannot download manifest");
	assert_contains(c->err, "404");
	strbuf_release(&sb);
}

static void test_text_https(void **state)
{
	struct ctx *c = *state;
	struct server tls = { 0 };
	struct strbuf sb = STRBUF_INIT;
	char *ca = xasprintf("%s/ca.pem", g.data);
	char *u;

	write_text();
	assert_int_equal(server_start(&tls, 1), 0);
	snprintf(c->url, sizeof(c->url), "https://127.0.0.1:%d/" TEXT, tls.port);
	assert_int_equal(run_text(c, c->url, 1 << 20, ca, &sb), 0);
	assert_string_equal(strbuf_str(&sb), TEXT_BODY);
	/* Verification is never off. */
	assert_int_equal(run_text(c, c->url, 1 << 20, NULL, &sb), -1);
	assert_one_line(c, c->url);
	/* A redirect to https is followed. */
	u = xasprintf("http://127.0.0.1:%d/redirect/x?to=https://127.0.0.1:%d/" TEXT,
		      g.http.port, tls.port);
	assert_int_equal(run_text(c, u, 1 << 20, ca, &sb), 0);
	assert_string_equal(strbuf_str(&sb), TEXT_BODY);
	server_stop(&tls);
	strbuf_release(&sb);
	free(u);
	free(ca);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	static const char *const proxies[] = {
		"http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
	};
	const struct CMUnitTest tests[] = {
		T(test_ok),
		T(test_unknown_size),
		T(test_redirect_ok),
		T(test_progress),
		T(test_404),
		T(test_403),
		T(test_503_then_ok),
		T(test_429_408_retried),
		T(test_503_gives_up),
		T(test_no_retries),
		T(test_retry_after),
		T(test_retry_after_capped),
		T(test_drop_resume),
		T(test_drop_norange),
		T(test_resume_old_part),
		T(test_norange_restart),
		T(test_corrupt_part),
		T(test_corrupt_range),
		T(test_corrupt_forever),
		T(test_complete_part),
		T(test_complete_part_416),
		T(test_part_too_long),
		T(test_stall),
		T(test_endless),
		T(test_redirect_loop),
		T(test_redirect_file),
		T(test_html),
		T(test_wrong_checksum),
		T(test_wrong_size),
		T(test_no_checksum),
		T(test_bad_scheme),
		T(test_unreachable),
		T(test_local_path),
		T(test_file_url),
		T(test_https_cacert),
		T(test_interrupt),
		T(test_interrupt_stalled),
		T(test_interrupt_before),
		T(test_text_ok),
		T(test_text_cap),
		T(test_text_redirect_http),
		T(test_text_untrusted),
		T(test_text_404),
		T(test_text_https),
	};
	size_t i;

	/* Loopback only: a proxy from the environment must not get in the way. */
	for (i = 0; i < ARRAY_SIZE(proxies); i++)
		unsetenv(proxies[i]);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
