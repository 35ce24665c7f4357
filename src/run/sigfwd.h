/* sigfwd: nprof's signals while a program runs under it.
 *
 * A terminal's Ctrl-C reaches the program itself (same process group):
 * nprof lets it be, so Python raises KeyboardInterrupt; a second Ctrl-C
 * kills the program.  SIGTERM, SIGHUP, SIGQUIT and a SIGINT sent to nprof
 * alone (kill(1)) are passed on.  Handlers only write to a self-pipe; the
 * sampler's loop polls sigfwd_fd() and calls sigfwd_handle().
 *
 * One policy, setup's too: a signal nprof was started with ignored (nohup)
 * stays ignored, by nprof and by the program, which starts with the
 * dispositions and mask nprof was given, as a shell would start it. */
#ifndef NPROF_SIGFWD_H
#define NPROF_SIGFWD_H

#include "target.h"

/* Calls nest: only the outermost restore puts back what was saved. */
void sigfwd_install(void);
/* Puts back the actions sigfwd_install found and forgets past Ctrl-Cs. */
void sigfwd_restore(void);
/* In a forked child before exec (async-signal-safe): the signal state
 * nprof was started with, not nprof's handlers. */
void sigfwd_child_reset(void);
int sigfwd_fd(void);
/* The signal that last came for nprof (Ctrl-C, SIGTERM, ...) since
 * sigfwd_install, or 0: after the run, it says the user ended it. */
int sigfwd_received(void);
/* Acts on the signals that arrived.  Returns 1 when the program has
 * ended (it is reaped), else 0. */
int sigfwd_handle(struct target *t);
/* Waits for the program to end, passing signals on meanwhile (after
 * sampling stopped early: a plain waitpid would hold them back). */
void sigfwd_wait(struct target *t);
/* The same without reaping, for a sampler that waits for the program
 * itself (a ptracer: a waitpid of its own would take ptrace stops). */
void sigfwd_forward(struct target *t);

#endif
