/* gdb: one gdb process spoken to through GDB/MI on pipes.
 *
 * It knows nothing of sampling: it spawns gdb, sends commands with numeric
 * tokens, matches each result record to its command, and queues the
 * asynchronous records (*stopped, =thread-group-exited, ...) for whoever
 * drives it.  Reads use poll() with timeouts, so a gdb that exits or stops
 * answering is detected, never waited on forever. */
#ifndef NPROF_GDB_H
#define NPROF_GDB_H

#include "mi.h"

struct gdb;

/* Starts `path --interpreter=mi3 -nx -q` in a session of its own (so the
 * terminal's Ctrl-C does not reach it) that dies with nprof.  NULL after
 * printing an error. */
struct gdb *gdb_start(const char *path);

/* Sends a command and waits up to timeout_ms for its result record.
 * Returns 0 for ^done/^running/^connected with *result set (when result is
 * not NULL; the caller frees it), -1 otherwise: for ^error, *errmsg (when
 * not NULL) gets gdb's message (caller frees); for a timeout or a gdb that
 * died, gdb_failed() says which. */
int gdb_command(struct gdb *g, int timeout_ms, struct mi_record **result,
		char **errmsg, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Sends a command without waiting; its result is queued like any record
 * and gdb_next_result() collects it.  Returns the token, or -1. */
long gdb_send(struct gdb *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Waits up to timeout_ms for the result record of `token` (see gdb_command). */
int gdb_result(struct gdb *g, long token, int timeout_ms, struct mi_record **result, char **errmsg);

/* The next queued asynchronous record (exec and notify), waiting up to
 * timeout_ms (0: only what is already read; -1: forever).  NULL on timeout
 * or when gdb is gone.  The caller frees the record. */
struct mi_record *gdb_next_async(struct gdb *g, int timeout_ms);

/* Has every wait for gdb also watch `fd`: when it is readable, fn(ctx) is
 * called (it must not call into gdb).  fn NULL: no more. */
void gdb_watch(struct gdb *g, int fd, void (*fn)(void *ctx), void *ctx);

/* Reads what gdb has written so far without blocking; -1 when gdb is gone. */
int gdb_pump(struct gdb *g);
/* The descriptor to poll() for gdb output. */
int gdb_fd(const struct gdb *g);

/* Non-NULL once gdb died or stopped answering: says what happened. */
const char *gdb_failed(const struct gdb *g);
/* The last lines gdb wrote on its stderr or as log records, for messages. */
const char *gdb_last_words(const struct gdb *g);

/* Asks gdb to exit, waits briefly, then kills it; frees everything. */
void gdb_close(struct gdb *g);

#endif
