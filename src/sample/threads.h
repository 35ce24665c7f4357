/* threads: the profiled program's threads, as gdb numbers them, and which
 * of them are on a CPU right now (from /proc, without stopping anything).
 * Sampling every running thread gives a CPU-time profile of all threads,
 * the workers of Numba's parallel=True included, while sleeping threads
 * (idle thread pools) cost no pause at all. */
#ifndef NPROF_THREADS_H
#define NPROF_THREADS_H

#include <stddef.h>
#include <sys/types.h>

#include "gdb.h"

#define THREADS_ID_MAX 16

struct threads;

struct threads *threads_new(pid_t pid);
void threads_free(struct threads *t);

/* Threads came or went (=thread-created, =thread-exited): the next
 * threads_running() asks gdb for the list again. */
void threads_changed(struct threads *t);

/* Fills ids (up to max) with the gdb ids of the threads running now;
 * returns how many.  Asks gdb for its thread list first when it changed. */
size_t threads_running(struct threads *t, struct gdb *g, char ids[][THREADS_ID_MAX], size_t max);

/* The LWP (the kernel's thread id) of gdb's thread `id` as the last list
 * gdb gave had it, or 0 when unknown. */
pid_t threads_lwp(const struct threads *t, const char *id);

/* The CPU time task `lwp` of process `pid` has run, in ns (the first
 * field of /proc/PID/task/LWP/schedstat), or -1 when unreadable. */
long long threads_cpu_ns(pid_t pid, pid_t lwp);

/* The state letter of task `lwp` of process `pid` ('R' running, 'S'
 * sleeping, ...), or 0 when it is gone.  For tests, and used above. */
char threads_state(pid_t pid, pid_t lwp);

#endif
