/* fetch: downloads one file with libcurl, fail-closed on its SHA-256.
 *
 * fetch_remote() runs attempts, each one curl_easy_perform() writing into
 * DEST.part, and sorts each into done, retry (with backoff) or fail.  The
 * write callback decides what to do with a body from its status: a 200
 * (or file://) truncates DEST.part and writes from zero, a 206 whose
 * Content-Range starts where DEST.part ends appends, anything else is an
 * error page and is dropped.  We ask for ranges with CURLOPT_RANGE rather
 * than CURLOPT_RESUME_FROM so a server that ignores the range restarts the
 * file in the same request instead of failing it.
 *
 * If-Range: we send the strong ETag, else the Last-Modified date, of the
 * last response that wrote into DEST.part in this call, so a file changed
 * on the server between attempts comes back whole with a 200.  A .part left
 * by an earlier run is resumed without If-Range: its validator is not kept
 * on disk, and the SHA-256 check (with its one retry from zero) catches a
 * splice of two versions anyway, since only the pinned version can pass.
 *
 * Size: with opt->size the body may not grow DEST.part past it; without,
 * FETCH_SIZE_CAP applies.  The whole of DEST.part is hashed at the end, so
 * resumed and copied bytes are checked alike. */
#include "fetch.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "digest.h"
#include "strbuf.h"
#include "util.h"

#define FETCH_MAX_REDIRS 10
#define FETCH_SIZE_CAP ((uint64_t)4 << 30)	/* when the size is unknown */
#define FETCH_CONNECT_TIMEOUT_S 30L
#define FETCH_STALL_SECONDS 60L
#define FETCH_STALL_BYTES_PER_S 1024L
#define FETCH_MAX_RETRIES 5
#define FETCH_MAX_BACKOFF_MS 30000L
#define FETCH_BACKOFF_BASE_MS 1000L		/* 1, 2, 4, 8, 16 s */
#define FETCH_PROGRESS_EVERY_NS 250000000LL
#define FETCH_VALIDATOR_MAX 256

enum fetch_outcome { FETCH_DONE, FETCH_RETRY, FETCH_FAIL };
enum fetch_verdict { VERIFY_OK, VERIFY_AGAIN, VERIFY_FAIL };

/* Why one of our callbacks stopped a transfer. */
enum fetch_abort {
	ABORT_NONE,
	ABORT_TOO_BIG,
	ABORT_WRITE,
	ABORT_WEB_PAGE,
	ABORT_BAD_RANGE,
};

/* One download, across its attempts. */
struct fetch_state {
	const struct fetch_options *opt;
	const char *part;
	CURL *curl;
	int local;		/* opt->url is a plain path */
	int is_file;		/* file://: no status codes, never resumed */
	int kept;		/* DEST.part holds bytes from before the last transfer */
	int restarted;		/* the one retry from zero after a bad digest is used */
	int answered;		/* some attempt got an HTTP response */
	long retry_after_s;	/* from the last response, 0 when absent */
	char validator[FETCH_VALIDATOR_MAX];	/* for If-Range, "" for none */
	struct strbuf why;	/* the last transient failure */
};

/* One attempt: what the callbacks see. */
struct fetch_xfer {
	struct fetch_state *st;
	int fd;			/* DEST.part once the body starts, else -1 */
	uint64_t offset;	/* bytes of DEST.part the request skips */
	uint64_t written;	/* bytes now in DEST.part */
	uint64_t limit;		/* DEST.part may not grow past this */
	int began;		/* the body's status has been looked at */
	int discard;		/* an error page: drop its body */
	int kept;		/* this body continues DEST.part (a 206) */
	enum fetch_abort abort;
	int saved_errno;
	char etag[FETCH_VALIDATOR_MAX];
	char last_modified[FETCH_VALIDATOR_MAX];
	char content_range[128];
	char location[512];	/* where a redirect we refused pointed */
	long long start_ns, drawn_ns;
	int drawn;
	char errbuf[CURL_ERROR_SIZE];
};

static volatile sig_atomic_t fetch_interrupted;

static int fetch_local(struct fetch_state *st);
static int fetch_remote(struct fetch_state *st);
static enum fetch_verdict fetch_verify(struct fetch_state *st);

int fetch_global_init(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return error("cannot initialise libcurl; check its installation");
	return 0;
}

void fetch_global_cleanup(void)
{
	curl_global_cleanup();
}

void fetch_interrupt(void)
{
	fetch_interrupted = 1;
}

void fetch_interrupt_clear(void)
{
	fetch_interrupted = 0;
}

/* Which kind of source: 'l'ocal path, 'f'ile://, 'h'ttp(s), or 0. */
static int fetch_url_kind(const char *url)
{
	const char *sep = strstr(url, "://");
	size_t n;

	if (!sep)
		return 'l';
	n = (size_t)(sep - url);
	if ((n == 4 && !strncasecmp(url, "http", 4)) ||
	    (n == 5 && !strncasecmp(url, "https", 5)))
		return 'h';
	if (n == 4 && !strncasecmp(url, "file", 4))
		return 'f';
	return 0;
}

int fetch_file(const struct fetch_options *opt)
{
	struct fetch_state st = { .opt = opt, .why = STRBUF_INIT };
	char *part;
	int kind, ret;

	if (!opt->url || !*opt->url || !opt->dest || !*opt->dest)
		fatal("fetch_file called without a URL or destination");
	if (!opt->sha256 || !*opt->sha256)
		return error("refusing to download %s without a sha-256 to check it against; pin its digest",
			     opt->url);
	if (!digest_is_valid_hex(opt->sha256))
		return error("invalid sha-256 '%s' for %s; it must be 64 hex digits",
			     opt->sha256, opt->url);
	kind = fetch_url_kind(opt->url);
	if (!kind)
		return error("%s: unsupported URL scheme; use https://, http://, file:// or a local path",
			     opt->url);

	part = xasprintf("%s.part", opt->dest);
	st.part = part;
	st.local = kind == 'l';
	st.is_file = kind == 'f';
	ret = st.local ? fetch_local(&st) : fetch_remote(&st);
	strbuf_release(&st.why);
	free(part);
	return ret;
}

/* Local files. */

static int fetch_write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int fetch_error_write(const char *part, int err)
{
	return error("cannot write %s: %s; check free space and permissions",
		     part, strerror(err));
}

static uint64_t fetch_limit(const struct fetch_options *opt)
{
	return opt->size ? opt->size : FETCH_SIZE_CAP;
}

/* Copies the plain path opt->url to DEST.part. */
static int fetch_copy(struct fetch_state *st)
{
	const char *src = st->opt->url;
	uint64_t total = 0, limit = fetch_limit(st->opt);
	char buf[64 * 1024];
	struct stat sb;
	int in, out, ret = 0;
	ssize_t n;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return error("cannot read %s: %s; check the path", src, strerror(errno));
	if (fstat(in, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		close(in);
		return error("%s is a directory; pass the downloaded file", src);
	}
	out = open(st->part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		ret = fetch_error_write(st->part, errno);
		close(in);
		return ret;
	}
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = error("cannot read %s: %s; check the path", src, strerror(errno));
			break;
		}
		if ((uint64_t)n > limit - total) {
			ret = error("%s is larger than the expected %" PRIu64 " bytes; check that it is the right file",
				    src, limit);
			break;
		}
		if (fetch_write_all(out, buf, (size_t)n)) {
			ret = fetch_error_write(st->part, errno);
			break;
		}
		total += (uint64_t)n;
	}
	close(in);
	if (close(out) && !ret)
		ret = fetch_error_write(st->part, errno);
	return ret;
}

static int fetch_local(struct fetch_state *st)
{
	if (fetch_copy(st)) {
		unlink(st->part);
		return -1;
	}
	return fetch_verify(st) == VERIFY_OK ? 0 : -1;
}

/* Verification. */

static int fetch_has_prefix_ci(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && !strncasecmp(s, prefix, n);
}

/* Does a body starting with data look like a web page?  typed_html: the
 * server said text/html, so any markup will do. */
static int fetch_looks_like_html(const char *data, size_t len, int typed_html)
{
	static const char *const starts[] = {
		"<!doctype html", "<html", "<head", "<body", "<!--",
	};
	size_t i = 0, k;

	if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < len && strchr(" \t\r\n", data[i]))
		i++;
	if (i >= len || data[i] != '<')
		return 0;
	if (typed_html)
		return 1;
	for (k = 0; k < ARRAY_SIZE(starts); k++)
		if (fetch_has_prefix_ci(data + i, len - i, starts[k]))
			return 1;
	return 0;
}

static int fetch_part_is_html(const char *part)
{
	char buf[512];
	ssize_t n = -1;
	int fd = open(part, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf));
		close(fd);
	}
	return n > 0 && fetch_looks_like_html(buf, (size_t)n, 0);
}

static int fetch_error_web_page(const char *url)
{
	return error("%s: the server sent a web page, not an archive; check the URL, or download the file in a browser and pass its path",
		     url);
}

static void fetch_report_mismatch(struct fetch_state *st, const char *hex, uint64_t got)
{
	const struct fetch_options *opt = st->opt;
	const char *hint = st->local ? "check that it is the right file"
				     : "the download was deleted, check the URL and the pinned digest";

	if (fetch_part_is_html(st->part))
		fetch_error_web_page(opt->url);
	else if (opt->size && got != opt->size)
		error("%s: expected %" PRIu64 " bytes with sha-256 %s, got %" PRIu64 " bytes with sha-256 %s; %s",
		      opt->url, opt->size, opt->sha256, got, hex, hint);
	else
		error("%s: sha-256 mismatch: expected %s, got %s; %s",
		      opt->url, opt->sha256, hex, hint);
}

/* Hashes DEST.part and renames it to DEST when it matches.  A mismatch on
 * a file that continued an earlier transfer may be a corrupt .part, so it
 * is deleted and, once, the caller starts again from zero. */
static enum fetch_verdict fetch_verify(struct fetch_state *st)
{
	const struct fetch_options *opt = st->opt;
	char hex[DIGEST_HEX_LEN + 1];
	struct stat sb;
	uint64_t got;

	if (stat(st->part, &sb)) {
		error("cannot read %s: %s; run again", st->part, strerror(errno));
		return VERIFY_FAIL;
	}
	got = (uint64_t)sb.st_size;
	if (digest_file(st->part, hex))
		return VERIFY_FAIL;
	if ((!opt->size || got == opt->size) && digest_equal(hex, opt->sha256)) {
		if (!rename(st->part, opt->dest))
			return VERIFY_OK;
		error("cannot rename %s to %s: %s; check permissions",
		      st->part, opt->dest, strerror(errno));
		return VERIFY_FAIL;
	}
	if (st->kept && !st->restarted) {
		st->restarted = 1;
		st->kept = 0;
		st->validator[0] = '\0';
		unlink(st->part);
		return VERIFY_AGAIN;
	}
	fetch_report_mismatch(st, hex, got);
	unlink(st->part);
	return VERIFY_FAIL;
}

/* Progress. */

static void fetch_human(char *buf, size_t len, double n)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	size_t u = 0;

	while (n >= 1024 && u + 1 < ARRAY_SIZE(units)) {
		n /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%.0f %s", n, units[u]);
	else
		snprintf(buf, len, "%.1f %s", n, units[u]);
}

static void fetch_progress_draw(struct fetch_xfer *x, curl_off_t dltotal, curl_off_t dlnow, int force)
{
	const struct fetch_options *opt = x->st->opt;
	long long now = now_ns();
	double secs = (double)(now - x->start_ns) / 1e9;
	double rate = secs > 0 ? (double)dlnow / secs : 0;
	uint64_t total = opt->size;
	char done_s[32], total_s[32], rate_s[32], eta_s[32] = "--:--";

	if (!force && x->drawn && now - x->drawn_ns < FETCH_PROGRESS_EVERY_NS)
		return;
	if (!total && dltotal > 0)
		total = (x->kept ? x->offset : 0) + (uint64_t)dltotal;
	if (total && x->written >= total) {
		strcpy(eta_s, "0:00");
	} else if (rate > 0 && total > x->written) {
		long long eta = (long long)((double)(total - x->written) / rate);

		if (eta < 100 * 3600)
			snprintf(eta_s, sizeof(eta_s), "%lld:%02lld", eta / 60, eta % 60);
	}
	fetch_human(done_s, sizeof(done_s), (double)x->written);
	fetch_human(total_s, sizeof(total_s), (double)total);
	fetch_human(rate_s, sizeof(rate_s), rate);
	if (total)
		fprintf(stderr, "\r%s / %s  %s/s  ETA %s   ", done_s, total_s, rate_s, eta_s);
	else
		fprintf(stderr, "\r%s  %s/s   ", done_s, rate_s);
	x->drawn = 1;
	x->drawn_ns = now;
}

/* Draws the final state, even of a transfer too quick to have been drawn,
 * and ends the line so what follows starts on its own. */
static void fetch_progress_end(struct fetch_xfer *x)
{
	curl_off_t total = 0, now = 0;

	if (!x->st->opt->progress || !x->began || x->discard || (x->abort && !x->drawn))
		return;
	curl_easy_getinfo(x->st->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &total);
	curl_easy_getinfo(x->st->curl, CURLINFO_SIZE_DOWNLOAD_T, &now);
	fetch_progress_draw(x, total, now, 1);
	fputc('\n', stderr);
}

/* libcurl calls this about once a second even when no data flows, which is
 * what lets fetch_interrupt() stop a stalled transfer. */
static int fetch_xferinfo(void *arg, curl_off_t dltotal, curl_off_t dlnow,
			  curl_off_t ultotal, curl_off_t ulnow)
{
	struct fetch_xfer *x = arg;

	if (fetch_interrupted)
		return 1;
	/* Nothing to show for an error page or before the body starts. */
	if (x->st->opt->progress && x->began && !x->discard)
		fetch_progress_draw(x, dltotal, dlnow, 0);
	return 0;
}

/* Headers and body. */

/* Copies the value of header `name` from one header line into out. */
static void fetch_header_copy(const char *line, size_t len, const char *name,
			      char *out, size_t outsz)
{
	size_t n = strlen(name);

	if (len <= n || strncasecmp(line, name, n) || line[n] != ':')
		return;
	line += n + 1;
	len -= n + 1;
	while (len && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	while (len && strchr(" \t\r\n", line[len - 1]))
		len--;
	/* A cut validator would never match: better none. */
	if (len >= outsz)
		return;
	memcpy(out, line, len);
	out[len] = '\0';
}

static size_t fetch_header(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct fetch_xfer *x = arg;
	size_t len = size * nmemb;

	/* A status line starts a new response (after a redirect, say). */
	if (len >= 5 && !memcmp(buf, "HTTP/", 5)) {
		x->etag[0] = x->last_modified[0] = '\0';
		x->content_range[0] = x->location[0] = '\0';
		return len;
	}
	fetch_header_copy(buf, len, "etag", x->etag, sizeof(x->etag));
	fetch_header_copy(buf, len, "last-modified", x->last_modified, sizeof(x->last_modified));
	fetch_header_copy(buf, len, "content-range", x->content_range, sizeof(x->content_range));
	fetch_header_copy(buf, len, "location", x->location, sizeof(x->location));
	return len;
}

/* The first byte of "Content-Range: bytes FIRST-LAST/TOTAL". */
static int fetch_range_start(const char *s, uint64_t *start)
{
	char *end;

	if (strncasecmp(s, "bytes ", 6))
		return -1;
	s += 6;
	while (*s == ' ')
		s++;
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*start = strtoull(s, &end, 10);
	return errno || *end != '-' ? -1 : 0;
}

static int fetch_open_part(struct fetch_xfer *x, uint64_t start)
{
	const char *part = x->st->part;

	x->fd = open(part, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (x->fd < 0 || ftruncate(x->fd, (off_t)start) ||
	    lseek(x->fd, (off_t)start, SEEK_SET) < 0) {
		x->abort = ABORT_WRITE;
		x->saved_errno = errno;
		return -1;
	}
	x->written = start;
	return 0;
}

/* Decides, at the first bytes of a body, where they go. */
static int fetch_begin(struct fetch_xfer *x, const char *data, size_t len)
{
	CURL *curl = x->st->curl;
	const char *type = NULL;
	uint64_t start = 0;
	long code = 0;

	x->began = 1;
	if (!x->st->is_file)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
	if (code == 206) {
		if (fetch_range_start(x->content_range, &start) || start != x->offset) {
			x->abort = ABORT_BAD_RANGE;
			return -1;
		}
	} else if (code != 200 && !x->st->is_file) {
		x->discard = 1;
		return 0;
	}
	curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type);
	if (start == 0 && data &&
	    fetch_looks_like_html(data, len, type && !strncasecmp(type, "text/html", 9))) {
		x->abort = ABORT_WEB_PAGE;
		return -1;
	}
	x->kept = start > 0;
	return fetch_open_part(x, start);
}

static size_t fetch_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct fetch_xfer *x = arg;
	size_t len = size * nmemb;

	/* Returning less than len aborts the transfer; x->abort says why. */
	if (!x->began && fetch_begin(x, data, len))
		return 0;
	if (x->discard)
		return len;
	if (len > x->limit - x->written) {
		x->abort = ABORT_TOO_BIG;
		return 0;
	}
	if (fetch_write_all(x->fd, data, len)) {
		x->abort = ABORT_WRITE;
		x->saved_errno = errno;
		return 0;
	}
	x->written += len;
	return len;
}

/* The libcurl handle. */

/* fetch_file() follows redirects to http too, as the digest checks what
 * arrives; fetch_text() has no digest, so only to https. */
static int fetch_setopt_protocols(CURL *c, int https_redirects_only)
{
#if LIBCURL_VERSION_NUM >= 0x075500
	return curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,file") |
	       curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR,
				https_redirects_only ? "https" : "http,https");
#else
	return curl_easy_setopt(c, CURLOPT_PROTOCOLS,
				(long)(CURLPROTO_HTTP | CURLPROTO_HTTPS | CURLPROTO_FILE)) |
	       curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS,
				https_redirects_only ? (long)CURLPROTO_HTTPS
						     : (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
}

static long fetch_or(long value, long fallback)
{
	return value > 0 ? value : fallback;
}

/* What every transfer shares: TLS always verified, bounded redirects,
 * timeouts for a dead or stalled server, our user agent.  NULL after
 * printing why. */
static CURL *fetch_curl_new(const struct fetch_options *opt, int https_redirects_only)
{
	CURL *c = curl_easy_init();
	int bad = 0;

	if (!c) {
		error("cannot initialise libcurl for %s; check its installation", opt->url);
		return NULL;
	}
	/* Proxies come from the environment, as libcurl does by default. */
	bad |= curl_easy_setopt(c, CURLOPT_URL, opt->url);
	bad |= fetch_setopt_protocols(c, https_redirects_only);
	bad |= curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	bad |= curl_easy_setopt(c, CURLOPT_MAXREDIRS, (long)FETCH_MAX_REDIRS);
	bad |= curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	bad |= curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	bad |= curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (opt->cacert)
		bad |= curl_easy_setopt(c, CURLOPT_CAINFO, opt->cacert);
	bad |= curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
				fetch_or(opt->connect_timeout_s, FETCH_CONNECT_TIMEOUT_S));
	bad |= curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME,
				fetch_or(opt->stall_seconds, FETCH_STALL_SECONDS));
	bad |= curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT,
				fetch_or(opt->stall_bytes_per_s, FETCH_STALL_BYTES_PER_S));
	/* Our SIGINT handler, not libcurl's signals, stops a transfer. */
	bad |= curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	bad |= curl_easy_setopt(c, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
	if (bad) {
		curl_easy_cleanup(c);
		error("cannot set up libcurl to fetch %s safely; install libcurl 7.85 or later",
		      opt->url);
		return NULL;
	}
	return c;
}

/* fetch_file()'s handle, set up once for every attempt. */
static CURL *fetch_curl_file(const struct fetch_options *opt)
{
	CURL *c = fetch_curl_new(opt, 0);

	if (c) {
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fetch_write);
		curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, fetch_header);
		curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, fetch_xferinfo);
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	}
	return c;
}

/* One attempt. */

static void fetch_transient(struct fetch_state *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fetch_transient(struct fetch_state *st, const char *fmt, ...)
{
	va_list ap;

	strbuf_reset(&st->why);
	va_start(ap, fmt);
	strbuf_vaddf(&st->why, fmt, ap);
	va_end(ap);
}

static const char *fetch_curl_msg(struct fetch_xfer *x, CURLcode rc)
{
	return x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc);
}

/* Sorts a libcurl failure (with no abort of ours) into retry or fail. */
static enum fetch_outcome fetch_classify_curl(struct fetch_state *st, struct fetch_xfer *x,
					      CURLcode rc)
{
	const struct fetch_options *opt = st->opt;
	const char *url = opt->url;
	curl_off_t connect_us = 0;

	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		curl_easy_getinfo(st->curl, CURLINFO_CONNECT_TIME_T, &connect_us);
		if (!connect_us)
			fetch_transient(st, "the connection timed out after %ld s",
					fetch_or(opt->connect_timeout_s, FETCH_CONNECT_TIMEOUT_S));
		else
			fetch_transient(st, "the download stalled (under %ld bytes/s for %ld s)",
					fetch_or(opt->stall_bytes_per_s, FETCH_STALL_BYTES_PER_S),
					fetch_or(opt->stall_seconds, FETCH_STALL_SECONDS));
		return FETCH_RETRY;
	case CURLE_COULDNT_CONNECT:
		/* Offline fails fast; a server that answered before and now
		 * refuses is likely restarting. */
		if (!st->answered)
			break;
		/* fall through */
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		fetch_transient(st, "the connection broke (%s)", fetch_curl_msg(x, rc));
		return FETCH_RETRY;
	case CURLE_TOO_MANY_REDIRECTS:
		error("%s: too many redirects (more than %d); check the URL", url, FETCH_MAX_REDIRS);
		return FETCH_FAIL;
	case CURLE_UNSUPPORTED_PROTOCOL:
		/* fetch_file() vetted the URL itself, so this was a redirect. */
		error("%s: refused a redirect to %s; only http and https redirects are followed, check the URL",
		      url, x->location[0] ? x->location : "another protocol");
		return FETCH_FAIL;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
		error("%s: TLS verification failed (%s); for a private CA pass --cacert FILE",
		      url, fetch_curl_msg(x, rc));
		return FETCH_FAIL;
	case CURLE_SSL_CACERT_BADFILE:
		error("cannot use the CA file %s (%s); check the --cacert path",
		      opt->cacert ? opt->cacert : "(default)", fetch_curl_msg(x, rc));
		return FETCH_FAIL;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		error("%s: cannot resolve the host (%s); check your network and proxy settings",
		      url, fetch_curl_msg(x, rc));
		return FETCH_FAIL;
	case CURLE_FILE_COULDNT_READ_FILE:
		error("%s: cannot read the file (%s); check the path", url, fetch_curl_msg(x, rc));
		return FETCH_FAIL;
	default:
		break;
	}
	if (rc == CURLE_COULDNT_CONNECT)
		error("%s: cannot connect (%s); check your network and proxy settings",
		      url, fetch_curl_msg(x, rc));
	else
		error("%s: download failed (%s); check the URL and your network",
		      url, fetch_curl_msg(x, rc));
	return FETCH_FAIL;
}

/* Sorts a complete HTTP exchange by its status. */
static enum fetch_outcome fetch_classify_status(struct fetch_state *st, struct fetch_xfer *x,
						long code)
{
	const char *url = st->opt->url;
	curl_off_t retry_after = 0;

	if (st->is_file || code == 200 || code == 206) {
		st->kept = x->kept;
		return FETCH_DONE;
	}
	/* Asked for the bytes after the end: DEST.part may be whole. */
	if (code == 416 && x->offset > 0) {
		st->kept = 1;
		return FETCH_DONE;
	}
	if (code == 408 || code == 429 || (code >= 500 && code <= 599)) {
		curl_easy_getinfo(st->curl, CURLINFO_RETRY_AFTER, &retry_after);
		st->retry_after_s = retry_after > 0 ? (long)retry_after : 0;
		fetch_transient(st, "the server answered HTTP %ld", code);
		return FETCH_RETRY;
	}
	if (code == 404 || code == 410)
		error("%s: not found (HTTP %ld); check the URL", url, code);
	else if (code == 401 || code == 403)
		error("%s: access denied (HTTP %ld); check the URL, or download the file yourself and pass its path",
		      url, code);
	else
		error("%s: unexpected HTTP status %ld; check the URL", url, code);
	return FETCH_FAIL;
}

static enum fetch_outcome fetch_classify(struct fetch_state *st, struct fetch_xfer *x,
					 CURLcode rc)
{
	const struct fetch_options *opt = st->opt;
	long code = 0;

	curl_easy_getinfo(st->curl, CURLINFO_RESPONSE_CODE, &code);
	if (code)
		st->answered = 1;
	switch (x->abort) {
	case ABORT_NONE:
		break;
	case ABORT_TOO_BIG:
		unlink(st->part);
		if (opt->size)
			error("%s: the server sent more than the expected %" PRIu64 " bytes; check the URL",
			      opt->url, opt->size);
		else
			error("%s: the server sent more than %" PRIu64 " bytes; check the URL",
			      opt->url, x->limit);
		return FETCH_FAIL;
	case ABORT_WRITE:
		fetch_error_write(st->part, x->saved_errno);
		return FETCH_FAIL;
	case ABORT_WEB_PAGE:
		fetch_error_web_page(opt->url);
		return FETCH_FAIL;
	case ABORT_BAD_RANGE:
		unlink(st->part);
		st->validator[0] = '\0';
		fetch_transient(st, "the server sent the wrong range (%s)",
				x->content_range[0] ? x->content_range : "none");
		return FETCH_RETRY;
	}
	if (rc == CURLE_ABORTED_BY_CALLBACK) {
		error("%s: download interrupted; run again to resume", opt->url);
		return FETCH_FAIL;
	}
	if (rc != CURLE_OK)
		return fetch_classify_curl(st, x, rc);
	return fetch_classify_status(st, x, code);
}

/* Keeps what identifies the version DEST.part now holds, for If-Range. */
static void fetch_remember_validator(struct fetch_state *st, struct fetch_xfer *x)
{
	if (!x->began || x->discard || x->abort)
		return;
	/* If-Range takes only a strong ETag; a date is the fallback. */
	if (x->etag[0] && strncmp(x->etag, "W/", 2))
		strcpy(st->validator, x->etag);
	else
		strcpy(st->validator, x->last_modified);
}

static uint64_t fetch_part_size(const char *part)
{
	struct stat sb;

	return stat(part, &sb) ? 0 : (uint64_t)sb.st_size;
}

static enum fetch_outcome fetch_attempt(struct fetch_state *st)
{
	struct fetch_xfer x = { .st = st, .fd = -1 };
	struct curl_slist *headers = NULL;
	char range[32], *if_range = NULL;
	CURLcode rc;

	x.offset = st->is_file ? 0 : fetch_part_size(st->part);
	x.written = x.offset;
	x.limit = fetch_limit(st->opt);
	x.start_ns = now_ns();
	st->retry_after_s = 0;
	if (x.offset) {
		snprintf(range, sizeof(range), "%" PRIu64 "-", x.offset);
		curl_easy_setopt(st->curl, CURLOPT_RANGE, range);
		if (st->validator[0]) {
			if_range = xasprintf("If-Range: %s", st->validator);
			headers = curl_slist_append(NULL, if_range);
			if (!headers)
				fatal("out of memory");
		}
	} else {
		curl_easy_setopt(st->curl, CURLOPT_RANGE, NULL);
	}
	curl_easy_setopt(st->curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(st->curl, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(st->curl, CURLOPT_HEADERDATA, &x);
	curl_easy_setopt(st->curl, CURLOPT_XFERINFODATA, &x);
	curl_easy_setopt(st->curl, CURLOPT_ERRORBUFFER, x.errbuf);

	rc = curl_easy_perform(st->curl);
	/* An empty body never reaches the write callback. */
	if (rc == CURLE_OK && !x.began && !x.abort)
		fetch_begin(&x, NULL, 0);
	if (x.fd >= 0 && close(x.fd) && !x.abort) {
		x.abort = ABORT_WRITE;
		x.saved_errno = errno;
	}
	fetch_progress_end(&x);
	curl_easy_setopt(st->curl, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(st->curl, CURLOPT_ERRORBUFFER, NULL);
	curl_slist_free_all(headers);
	free(if_range);
	fetch_remember_validator(st, &x);
	return fetch_classify(st, &x, rc);
}

/* Before asking the server: with a known size, a .part that is complete
 * needs no request, and one that is too long is junk.  1 when DEST is
 * done, 0 to go ahead with a request, -1 on failure. */
static int fetch_check_part(struct fetch_state *st)
{
	uint64_t size = st->opt->size, have;

	if (st->is_file || !size)
		return 0;
	have = fetch_part_size(st->part);
	if (have > size)
		unlink(st->part);
	if (have != size)
		return 0;
	st->kept = 1;
	switch (fetch_verify(st)) {
	case VERIFY_OK:
		return 1;
	case VERIFY_AGAIN:
		return 0;
	default:
		return -1;
	}
}

/* Sleeps before retry number `retry` (from 1); -1 when interrupted. */
static int fetch_backoff(struct fetch_state *st, int retry, int max_retries)
{
	const struct fetch_options *opt = st->opt;
	long cap = fetch_or(opt->max_backoff_ms, FETCH_MAX_BACKOFF_MS);
	long ms = FETCH_BACKOFF_BASE_MS << (retry < 16 ? retry - 1 : 15);
	long long until;

	if (st->retry_after_s > 0)
		ms = st->retry_after_s > cap / 1000 ? cap : st->retry_after_s * 1000;
	if (ms > cap)
		ms = cap;
	if (opt->progress)
		warning("%s: %s; retrying in %.1f s (%d of %d)",
			opt->url, strbuf_str(&st->why), (double)ms / 1000, retry, max_retries);
	until = now_ns() + ms * 1000000LL;
	while (!fetch_interrupted) {
		long long left = until - now_ns();
		struct timespec ts = { 0, 100000000L };

		if (left <= 0)
			return 0;
		if (left < ts.tv_nsec)
			ts.tv_nsec = (long)left;
		nanosleep(&ts, NULL);
	}
	return -1;
}

static int fetch_remote(struct fetch_state *st)
{
	const struct fetch_options *opt = st->opt;
	int max_retries = opt->max_retries > 0 ? opt->max_retries :
			  opt->max_retries < 0 ? 0 : FETCH_MAX_RETRIES;
	int retries = 0, done, ret = -1;
	enum fetch_outcome outcome;
	enum fetch_verdict verdict;

	st->curl = fetch_curl_file(opt);
	if (!st->curl)
		return -1;
	for (;;) {
		if (fetch_interrupted) {
			error("%s: download interrupted; run again to resume", opt->url);
			break;
		}
		done = fetch_check_part(st);
		if (done) {
			ret = done > 0 ? 0 : -1;
			break;
		}
		outcome = fetch_attempt(st);
		if (outcome == FETCH_FAIL)
			break;
		if (outcome == FETCH_DONE) {
			verdict = fetch_verify(st);
			if (verdict == VERIFY_AGAIN)
				continue;
			ret = verdict == VERIFY_OK ? 0 : -1;
			break;
		}
		if (retries >= max_retries) {
			error("%s: %s after %d attempt%s; try again later, a rerun resumes the download",
			      opt->url, strbuf_str(&st->why), retries + 1, retries ? "s" : "");
			break;
		}
		retries++;
		if (fetch_backoff(st, retries, max_retries)) {
			error("%s: download interrupted; run again to resume", opt->url);
			break;
		}
	}
	curl_easy_cleanup(st->curl);
	st->curl = NULL;
	return ret;
}

/* Text into memory. */

struct fetch_text_sink {
	struct strbuf *out;
	size_t cap;
	int too_big;
};

static size_t fetch_text_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct fetch_text_sink *sink = arg;
	size_t len = size * nmemb;

	if (len > sink->cap - sink->out->len) {
		sink->too_big = 1;
		return 0;
	}
	strbuf_add(sink->out, data, len);
	return len;
}

/* Nothing checks what fetch_text() brings, so it comes over TLS or does
 * not leave the machine. */
static int fetch_text_trusted(const char *url)
{
	static const char *const trusted[] = {
		"https://", "file://", "http://127.0.0.1:", "http://127.0.0.1/",
		"http://localhost:", "http://localhost/", "http://[::1]:", "http://[::1]/",
	};

	for (size_t i = 0; i < ARRAY_SIZE(trusted); i++)
		if (strncmp(url, trusted[i], strlen(trusted[i])) == 0)
			return 1;
	return 0;
}

int fetch_text(const char *url, size_t cap, const char *cacert, struct strbuf *out)
{
	struct fetch_options opt = { .url = url, .cacert = cacert };
	struct fetch_text_sink sink = { .out = out, .cap = cap };
	char msg[CURL_ERROR_SIZE] = "";
	CURLcode rc;
	CURL *c;

	if (!fetch_text_trusted(url))
		return error("manifest URL %s is not https; a manifest over plain http could be altered on the way, so use https or a local file",
			     url);
	c = fetch_curl_new(&opt, 1);
	if (!c)
		return -1;
	strbuf_reset(out);
	curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, msg);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fetch_text_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
	rc = curl_easy_perform(c);
	curl_easy_cleanup(c);
	if (sink.too_big)
		return error("manifest %s is larger than %zu bytes; is the URL right?", url, cap);
	if (rc != CURLE_OK)
		return error("cannot download manifest %s: %s", url, *msg ? msg : curl_easy_strerror(rc));
	return 0;
}
