/* sigfwd: nprof's signals while a program runs under it.
 *
 * A terminal's Ctrl-C reaches the program itself (same process group):
 * nprof lets it be, so Python raises KeyboardInterrupt; a second Ctrl-C
 * kills the program.  SIGTERM, SIGHUP, SIGQUIT and a SIGINT sent to nprof
 * alone (kill(1)) are passed on.  Handlers only write to a self-pipe; the
 * sampler's loop polls sigfwd_fd() and calls sigfwd_handle(). */
#ifndef NPROF_SIGFWD_H
#define NPROF_SIGFWD_H

#include "target.h"

void sigfwd_install(void);
/* Restores the default actions and forgets past Ctrl-Cs. */
void sigfwd_restore(void);
int sigfwd_fd(void);
/* Acts on the signals that arrived.  Returns 1 when the program has
 * ended (it is reaped), else 0. */
int sigfwd_handle(struct target *t);
/* The same without reaping, for a sampler that waits for the program
 * itself (a ptracer: a waitpid of its own would take ptrace stops). */
void sigfwd_forward(struct target *t);

#endif
