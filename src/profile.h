/* profile: the model of a profile: samples in, per-line and per-function
 * self and total counts out.  It knows nothing of gdb and nothing of any
 * output format: the sampler feeds it stacks, the renderers read it.
 *
 * A stack is a list of frames, innermost first.  A frame with a Python
 * source line (file ending in ".py", line > 0) is jitted code with line
 * info.  Classification of one sample:
 *   - no such frame: SAMPLE_OTHER (the interpreter, NumPy, sleeping);
 *   - otherwise SAMPLE_NUMBA.  "User" frames are those whose file is not
 *     internal to Numba (the is_internal callback decides).
 *     self:  the innermost user frame's line and function get one;
 *     total: every distinct user line and function on the stack gets one
 *            (once per sample, even under recursion).
 *     Internal frames are counted the same way in their own files, flagged
 *     internal, so a renderer can list them apart (--show-internals).  A
 *     sample whose .py frames are all internal counts in `internal_only`.
 *   - a stack that could not be read: profile_add_bad(), SAMPLE_BAD.
 *   - a thread of Numba's thread pool (workqueue, OpenMP, TBB) waiting or
 *     spinning for work, or the main thread waiting in it for the workers:
 *     profile_add_pool_wait(), SAMPLE_POOL; the sampler decides (from the
 *     native code it unwound) and never adds a stack for such a sample.
 *
 * The sampler may say which thread each sample is of (profile_add_*_of):
 * then the profile counts each thread's samples, its pool waiting and its
 * self lines (for its top line), for the per-thread table. */
#ifndef NPROF_PROFILE_H
#define NPROF_PROFILE_H

#include <stddef.h>

struct frame {
	const char *func;	/* the debugger's function name, or NULL */
	const char *file;	/* source path (absolute when known), or NULL */
	int line;		/* 0 when unknown */
};

enum sample_kind {
	SAMPLE_NUMBA,
	SAMPLE_OTHER,
	SAMPLE_BAD,
	SAMPLE_POOL,
};

/* A line of one thread: its self samples. */
struct profile_thread_line {
	const char *file;	/* the path of its profile_file (stays valid
				 * when profile_sort moves the files) */
	int line;
	unsigned long self;
};

struct profile_thread {
	int tid;
	char *name;		/* /proc/PID/task/TID/comm when the sampler read it, or NULL */
	unsigned long samples;	/* all of this thread's */
	unsigned long pool_wait; /* of them, waiting in Numba's thread pool */
	struct profile_thread_line *lines; /* self lines of user code */
	size_t nlines, lines_alloc;
};

struct profile_line {
	unsigned long self;
	unsigned long total;
	unsigned long last_sample; /* internal: the sample that last counted total */
};

struct profile_file {
	char *path;
	int internal;		/* a file of the numba package itself */
	unsigned long self;	/* sum of self over its lines */
	struct profile_line *lines; /* indexed by line number, 0..nlines-1 */
	int nlines;
	int first_line, last_line; /* lines with any count; 0 when none */
};

struct profile_func {
	char *name;		/* as written in the source ("kernel") */
	char *file;
	int internal;
	int first_line;		/* the smallest line sampled in it */
	unsigned long self;
	unsigned long total;
	unsigned long last_sample;
};

enum profile_sort {
	PROFILE_SORT_SELF,
	PROFILE_SORT_TOTAL,
	PROFILE_SORT_NAME,
};

typedef int (*profile_internal_fn)(const char *file, void *ctx);

struct profile {
	unsigned long samples;	/* all samples: numba + other + bad */
	unsigned long numba, other, bad;
	unsigned long internal_only; /* numba samples with no user frame */
	unsigned long pool_wait; /* waiting in Numba's thread pool (SAMPLE_POOL) */

	/* How the sampling went, filled by whoever sampled. */
	double wall_seconds;	/* from the first to the last sample window */
	double paused_seconds;	/* time the target spent stopped by sampling */
	double rate_requested;	/* Hz */
	int all_threads;	/* samples are of every (running) thread, not
				 * of the main thread alone */
	unsigned long ticks;	/* sampling rounds, when they differ from samples */
	int cpu_time;		/* samples are of CPU time (taken while a
				 * thread runs), not of wall time */
	int never_paused;	/* the sampler did not stop the target */
	unsigned long lost;	/* samples taken but dropped before reading */

	struct profile_file *files;
	size_t nfiles, files_alloc;
	struct profile_func *funcs;
	size_t nfuncs, funcs_alloc;
	struct profile_thread *threads; /* in order of their first sample */
	size_t nthreads, threads_alloc;

	profile_internal_fn is_internal;
	void *is_internal_ctx;
};

/* is_internal may be NULL: then no file is internal. */
struct profile *profile_new(profile_internal_fn is_internal, void *ctx);
void profile_free(struct profile *p);

enum sample_kind profile_add_stack(struct profile *p, const struct frame *frames, size_t n);
void profile_add_bad(struct profile *p);
void profile_add_pool_wait(struct profile *p);

/* The same, for a sample of thread `tid` (> 0; 0 adds no thread). */
enum sample_kind profile_add_stack_of(struct profile *p, int tid, const struct frame *frames,
				      size_t n);
void profile_add_bad_of(struct profile *p, int tid);
void profile_add_pool_wait_of(struct profile *p, int tid);

/* Thread `tid`, added (with no samples) when new, so the sampler can name
 * it; NULL for tid 0. */
struct profile_thread *profile_thread(struct profile *p, int tid);
/* The thread's most sampled self line (ties: the first file by path,
 * then line), or NULL when none of its samples was on a user line. */
const struct profile_thread_line *profile_thread_top(const struct profile_thread *t);

/* Orders files by self samples (most first, then path) and functions by
 * `by` (self/total descending, ties by name; or name ascending). */
void profile_sort(struct profile *p, enum profile_sort by);

const struct profile_file *profile_find_file(const struct profile *p, const char *path);
const struct profile_func *profile_find_func(const struct profile *p, const char *name);
/* Counts of one line (NULL when the line was never sampled). */
const struct profile_line *profile_file_line(const struct profile_file *f, int line);

/* Achieved sampling rate in Hz: rounds (ticks, else samples) per second
 * of wall time; 0 when nothing was sampled. */
double profile_rate(const struct profile *p);

/* The name a user wrote for a function, from the debugger's symbol:
 * "__main__::kernel[abi:v1][abi:c8tJ...](Array<double, 1, C, mutable, aligned>)"
 * gives "kernel"; "mod::outer::<locals>::inner[abi:v1](long long)" gives
 * "inner"; the gufunc Numba generates for a parallel loop's body
 * ("__numba_parfor_gufunc_0x7f...") gives PROFILE_PARFOR_NAME.  Returns a
 * new string. */
#define PROFILE_PARFOR_NAME "(parallel loop body)"
char *profile_func_name(const char *symbol);

/* The default is_internal: is `file` part of the numba package?  True when
 * an ancestor directory is named "numba" and holds both "__init__.py" and
 * a "core" directory (Numba's own layout), wherever it is installed. */
int profile_is_numba_file(const char *file, void *ctx);

#endif
