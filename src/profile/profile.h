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
 *   - Numba's thread pool waiting or spinning for work (a worker with no
 *     work, the main thread at a parallel region's end waiting for the
 *     workers): a native frame of the pool's own libraries
 *     (profile_is_pool_lib) inside the innermost line frame, or in a stack
 *     with no line frame: SAMPLE_POOL, counted in pool_wait and on no line
 *     (the workers' work is not counted twice).
 *
 * Besides these counts the profile keeps what they are derived from, so
 * every renderer reads one model: each distinct stack (a trie of interned
 * frames), the threads and processes samples came from, and every sample
 * in order with its time (a compact log of a few bytes a sample).  Frames
 * are of three kinds: a line of the user's Numba code, a line of Numba's
 * own source (internal), and native code (a function in a library).  A
 * Numba sample keeps its line frames and the native frames among and
 * inside them (sin called from a line, Numba's thread pool between a
 * function and its prange body), not the interpreter's frames around the
 * outermost line; a sample in no Numba code keeps its innermost native
 * frame only (down to the innermost frame of the pool's, when waiting).
 * The per-line and per-function counts are those of the stacks, counted as each sample comes in (profile_count), so a profile
 * read back from its JSON counts the same. */
#ifndef NPROF_PROFILE_H
#define NPROF_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "strmap.h"

struct source;

/* What a sampler hands in, innermost first.  Zero the fields it does not
 * know: old callers that set func, file and line only keep working. */
struct frame {
	const char *func;	/* the debugger's function name, or NULL */
	const char *file;	/* source path (absolute when known), or NULL */
	int line;		/* 0 when unknown */
	int inlined;		/* this source frame was inlined into the next one */
	const char *lib;	/* native code: the file it is in, or NULL */
};

/* Who a sample is of, and when.  Zeros: unknown (one anonymous thread;
 * the time the sample is added). */
struct profile_origin {
	int pid, tid;
	long long time_ns;	/* any monotonic clock, the same for all samples */
};

enum profile_frame_kind {
	PROFILE_FRAME_USER,
	PROFILE_FRAME_INTERNAL,
	PROFILE_FRAME_NATIVE,
};

/* An interned frame: two frames are one when all their fields match. */
struct profile_frame {
	enum profile_frame_kind kind;
	char *name;		/* "kernel" (as written), "sin", "??" */
	char *file;		/* line frames: the source path; else NULL */
	char *lib;		/* native frames: the library's file name
				 * ("libm.so.6") when known; else NULL */
	int line;		/* line frames: > 0; else 0 */
	int inlined;		/* line frames: inlined into its caller */
	int pool;		/* native frames: Numba's thread pool's own code
				 * (profile_is_pool_lib of lib; set when interned) */
};

/* Where an interned frame counts: its entries in files and funcs. */
struct profile_frame_count {
	uint32_t file, func;	/* index + 1; 0: not looked up yet */
};

/* A node of the stack trie: a frame called from the stack `parent`.
 * Stack 0 is the empty stack (a sample in no code nprof could name). */
#define PROFILE_STACK_EMPTY 0u
#define PROFILE_STACK_BAD UINT32_MAX	/* in a profile_sample: unreadable */
struct profile_stack {
	uint32_t parent;
	uint32_t frame;
	unsigned long count;	/* samples whose stack is exactly this one */
};

struct profile_thread {
	int pid, tid;		/* 0 when the sampler did not say */
	char *name;		/* from /proc/PID/task/TID/comm, or NULL */
	unsigned long samples;
	unsigned long pool_wait; /* of them, waiting in Numba's thread pool */
};

/* A thread's most sampled user line (profile_thread_tops). */
struct profile_thread_top {
	const char *file;	/* NULL: none of its samples was on a user line */
	int line;
	unsigned long self;
};

struct profile_process {
	int pid;
	char *command;		/* /proc/PID/cmdline, arguments joined by spaces, or NULL */
};

/* One sample of the log, as profile_next_sample reads it back. */
struct profile_sample {
	uint32_t thread;	/* index in threads */
	uint32_t stack;		/* or PROFILE_STACK_BAD */
	long long time_us;	/* since the profile's first sample */
};

enum sample_kind {
	SAMPLE_NUMBA,
	SAMPLE_OTHER,
	SAMPLE_BAD,
	SAMPLE_POOL,
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
	unsigned long samples;	/* all samples: numba + other + bad + pool_wait */
	unsigned long numba, other, bad;
	unsigned long pool_wait; /* waiting in Numba's thread pool (SAMPLE_POOL) */
	unsigned long internal_only; /* numba samples with no user frame */

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
	char *sampler;		/* "perf", "gdb", or NULL */
	char *codegen;		/* how the code was compiled (one line), or NULL */
	char *command;		/* the command line profiled, or NULL */
	char *python_version;	/* "3.11.2" of the python profiled, or NULL */
	char *numba_version;	/* "0.56.4" of its numba, or NULL */

	/* The stacks, and who and when each sample was. */
	struct profile_frame *frames;
	size_t nframes, frames_alloc;
	struct profile_stack *stacks;	/* stacks[0] is the empty stack */
	size_t nstacks, stacks_alloc;
	struct profile_thread *threads;
	size_t nthreads, threads_alloc;
	struct profile_process *procs;
	size_t nprocs, procs_alloc;
	unsigned char *log;	/* per sample: varints of thread, stack + 1
				 * (0: unreadable), time step in µs (zigzag) */
	size_t log_len, log_alloc;
	long long t0_ns, last_ns;	/* the first and the latest sample's time */
	long long log_last_us;
	uint32_t *frame_slots, *stack_slots;	/* hash tables: index + 1, 0 free */
	size_t nframe_slots, nstack_slots;
	struct profile_srcfile *sources;	/* source text, read once */
	size_t nsources, sources_alloc;
	unsigned long stamp;	/* internal: one per profile_count */
	unsigned long cut;	/* samples whose stack was read only to its
				 * innermost cut_depth frames (deeper ones
				 * get no total from them) */
	int cut_depth;
	unsigned long blind;	/* samples whose stack ended in Numba code the
				 * debugger could not read (a gdb without
				 * Numba's JIT objects): callers lost */

	struct profile_file *files;
	size_t nfiles, files_alloc;
	struct profile_func *funcs;
	size_t nfuncs, funcs_alloc;

	/* Indexes for the hot path (profile_add_sample): a symbol's decoded
	 * name, decoded once (symbol -> index in names); a file's entry
	 * (path -> index in files); an interned frame's file and function
	 * (frame_counts[frame]: index + 1 of each, 0 not looked up yet). */
	struct strmap name_index, file_index;
	char **names;
	size_t nnames, names_alloc;
	struct profile_frame_count *frame_counts;
	size_t nframe_counts;

	profile_internal_fn is_internal;
	void *is_internal_ctx;
};

/* is_internal may be NULL: then no file is internal. */
struct profile *profile_new(profile_internal_fn is_internal, void *ctx);
void profile_free(struct profile *p);

/* A sample of thread `o` (NULL: unknown) with `frames`, innermost first. */
enum sample_kind profile_add_sample(struct profile *p, const struct profile_origin *o,
				    const struct frame *frames, size_t n);
void profile_add_bad_sample(struct profile *p, const struct profile_origin *o);
/* The same, of an unknown thread now. */
enum sample_kind profile_add_stack(struct profile *p, const struct frame *frames, size_t n);
void profile_add_bad(struct profile *p);

/* For readers of a saved profile (and profile_add_sample): interns a
 * frame, or a stack of `frame` called from `parent`; returns its index.
 * A stack's parent must be an existing stack. */
uint32_t profile_intern_frame(struct profile *p, const struct profile_frame *f);
uint32_t profile_intern_stack(struct profile *p, uint32_t parent, uint32_t frame);
/* The thread (pid, tid) with its name (or NULL), added on first sight;
 * its index.  (profile_add_sample reads a new thread's name and its
 * process's command line from /proc.) */
uint32_t profile_intern_thread(struct profile *p, int pid, int tid, const char *name);
/* Logs one sample of thread `thread` with `stack` (PROFILE_STACK_BAD:
 * unreadable) at `time_us`, and counts it: samples, numba/other/bad and
 * the per-line and per-function counts. */
void profile_log_sample(struct profile *p, uint32_t thread, uint32_t stack, long long time_us);
/* Reads the log: start with *pos = 0; 1 and the sample at *pos, advanced;
 * 0 at the end. */
int profile_next_sample(const struct profile *p, size_t *pos, struct profile_sample *s);
/* Does `stack` hold a line of Numba code, or is it the pool waiting? */
enum sample_kind profile_stack_kind(const struct profile *p, uint32_t stack);
/* Each thread's top user line: tops[i] for threads[i] (nthreads of them),
 * the line with most self samples of that thread (ties: the first file by
 * path, then the first line); strings point into the profile. */
void profile_thread_tops(const struct profile *p, struct profile_thread_top *tops);

/* The process `pid` with its command line (or NULL), unless known. */
void profile_add_process(struct profile *p, int pid, const char *command);
/* The source text of `path` as the renderers show it: the text saved
 * with the profile, else the file read now and kept (later edits do not
 * change a profile); NULL when unreadable. */
const struct source *profile_source(struct profile *p, const char *path);
/* Attaches `src` (taken; NULL: unreadable) as the text of `path`. */
void profile_set_source(struct profile *p, const char *path, struct source *src);

/* Bytes of memory the model holds (stacks, frames, threads, log, counts;
 * source text apart), for bench/. */
size_t profile_bytes(const struct profile *p);

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

/* Is `lib` (a path or file name) a library of one of Numba's threading
 * layers, whose own code (not the jitted code it calls) is the pool
 * waiting or spinning for work: Numba's workqueue, omppool and tbbpool
 * modules, OpenMP's runtimes (libgomp, libiomp, libomp) and TBB's
 * scheduler (libtbb, not its allocator libtbbmalloc)? */
int profile_is_pool_lib(const char *lib);

/* The default is_internal: is `file` part of the numba package?  True when
 * an ancestor directory is named "numba" and holds both "__init__.py" and
 * a "core" directory (Numba's own layout), wherever it is installed. */
int profile_is_numba_file(const char *file, void *ctx);

#endif
