/* tracer: nprof as the ptracer of the program's threads, so that it can
 * stop one for a moment and copy its registers and the top of its stack.
 *
 * The program is seized (PTRACE_SEIZE: no SIGSTOP, nothing it can see)
 * before it execs, with its threads as they start (clone events).  A
 * tracer sees every signal and stop of the program first; each is passed
 * on as it came, so the program behaves as it would untraced:
 *   - a signal is re-injected where it stopped the thread;
 *   - a group stop (SIGSTOP, SIGTSTP, ...) is left to last (PTRACE_LISTEN)
 *     until SIGCONT ends it, as without a tracer;
 *   - new threads are seized; processes the program starts (fork, vfork,
 *     posix_spawn) are not traced at all: their events are not asked for;
 *   - an exec is followed (the new image goes on being traced);
 *   - the program's exit status is its own.
 * The only stops of nprof's own are its interrupts (PTRACE_INTERRUPT),
 * each ended as soon as the copy is made. */
#ifndef NPROF_TRACER_H
#define NPROF_TRACER_H

#include <stddef.h>
#include <sys/types.h>

#include "target.h"
#include "unwind.h"

struct tracer;

/* Can this process trace and read its own children (ptrace, a Yama
 * ptrace_scope, a seccomp policy)?  0, or TRACER_NO_PTRACE when ptrace
 * itself is refused (gdb cannot attach either), TRACER_NO_READ when only
 * reading the child's memory is, with the reason in `why` (one phrase).
 * Forks a short-lived child to try. */
#define TRACER_NO_PTRACE (-2)
#define TRACER_NO_READ (-1)
int tracer_probe(char *why, size_t n);

/* Seizes the child waiting at its gate (before target_release).  NULL
 * with errno set. */
struct tracer *tracer_seize(struct target *t);
void tracer_free(struct tracer *tr);

/* Handles every event waiting, without blocking.  1 once the program has
 * ended (its status is in the target, which counts as reaped), else 0. */
int tracer_events(struct tracer *tr);

/* How many execs the program made so far (its code changed each time). */
unsigned tracer_execs(const struct tracer *tr);

/* The traced threads not in a group stop: fills up to `max` tids (the
 * main thread first) and returns how many. */
size_t tracer_threads(const struct tracer *tr, pid_t *tids, size_t max);

/* Is `tid` a traced thread, not in a group stop? */
int tracer_running(const struct tracer *tr, pid_t tid);

/* When each step of a sample ended (CLOCK_MONOTONIC ns), from the
 * interrupt to the resume: resumed - start is the pause. */
struct tracer_pause {
	long long start;	/* before the interrupt */
	long long interrupted;	/* PTRACE_INTERRUPT returned */
	long long stopped;	/* the stop was seen (waitpid) */
	long long regs;		/* registers read */
	long long copied;	/* stack copied */
	long long resumed;	/* PTRACE_CONT returned */
	int in_syscall;		/* the thread was in a system call (blocked,
				 * most likely), not in the program's code */
};

/* One sample of thread `tid`: stops it, copies its registers and up to
 * `size` bytes of stack from its stack pointer into `buf`, and resumes
 * it.  0 with `regs` and `stack` filled (stack->data is `buf`) and
 * `pause` the times of its steps; -1 when it gave no sample (it exited,
 * stopped for the program's own reasons, execed). */
int tracer_sample(struct tracer *tr, pid_t tid, struct unwind_regs *regs,
		  struct unwind_stack *stack, unsigned char *buf, size_t size,
		  struct tracer_pause *pause);

#endif
