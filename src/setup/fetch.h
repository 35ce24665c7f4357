/* fetch: downloads one file with libcurl, fail-closed on its SHA-256.
 *
 * http, https and file only; redirects only to http/https, at most 10; TLS
 * verification always on; connect timeout and a stall timeout (minimum
 * speed over a window), no total timeout; retries 408/429/5xx and
 * timeouts with backoff, honouring Retry-After; never retries a 404.
 * Downloads to DEST.part and resumes it (Range + If-Range, only a 206 is
 * a resume; a 200 restarts from zero; a 416 on a complete file is done),
 * stops at the expected size (an endless body is an error), re-hashes the
 * whole file, and renames DEST.part to DEST only when the digest matches.
 * A mismatch deletes the .part; a corrupt .part is retried once from zero.
 * `--from PATH` (a plain local path) is copied and verified the same way.
 *
 * fetch_text() gets a manifest into memory, with the same TLS, redirect
 * limit and timeouts but no digest: see there. */
#ifndef NPROF_FETCH_H
#define NPROF_FETCH_H

#include <stddef.h>
#include <stdint.h>

struct strbuf;

struct fetch_options {
	const char *url;	/* http(s)://, file://, or a local path */
	const char *dest;	/* final path; DEST.part is written meanwhile */
	const char *sha256;	/* required: 64 hex digits */
	uint64_t size;		/* expected size in bytes; 0 when unknown (then a cap applies) */
	const char *cacert;	/* --cacert FILE, or NULL */
	int progress;		/* draw a progress bar on stderr (a terminal) */
	/* Tuning, for tests: 0 means the default. */
	long connect_timeout_s;	/* default 30 */
	long stall_seconds;	/* default 60 */
	long stall_bytes_per_s;	/* default 1024 */
	int max_retries;	/* default 5; negative: none */
	long max_backoff_ms;	/* default 30000 */
};

/* Global libcurl setup, once per process. */
int fetch_global_init(void);
void fetch_global_cleanup(void);

/* 0 when DEST holds the verified file; -1 after printing one line that
 * names the URL and what went wrong (and, for a web page, says so). */
int fetch_file(const struct fetch_options *opt);

/* GETs a manifest into *out (emptied first).  It needs no digest: it is
 * small text whose entries carry the digests of what they name, so what
 * matters is that it comes unaltered, which is why only https, file:// and
 * plain http to the loopback address are allowed, and redirects only to
 * https.  Fails on an HTTP error status or a body over cap bytes.  0, or
 * -1 after printing one line naming the URL. */
int fetch_text(const char *url, size_t cap, const char *cacert, struct strbuf *out);

/* Set from a SIGINT handler: aborts a download in progress cleanly. */
void fetch_interrupt(void);
/* Forgets an earlier fetch_interrupt(), before a new download. */
void fetch_interrupt_clear(void);

#endif
