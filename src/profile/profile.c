/* profile: samples in, per-line and per-function self/total counts out. */
#include "profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "source.h"
#include "strbuf.h"
#include "util.h"

/* A line number past this is a corrupt frame, not a source line: counting
 * it would allocate a line table of that size. */
#define PROFILE_MAX_LINE (1 << 22)

/* How deep in a stack with no line the pool's frame is looked for. */
#define PROFILE_POOL_DEPTH 32

#define PROFILE_PARFOR_PREFIX "__numba_parfor_gufunc"

/* Where one sample puts its self count. */
struct profile_self {
	size_t file, func;
	int line;
	int set;
};

static int profile_frame_has_line(const struct frame *fr);
static size_t profile_file_get(struct profile *p, const char *path, int internal);
static struct profile_line *profile_file_slot(struct profile_file *f, int line);
static size_t profile_func_get(struct profile *p, const char *name, size_t file);
static void profile_count_total(struct profile *p, size_t file, int line, size_t func,
				unsigned long stamp);
static void profile_count(struct profile *p, uint32_t stack);
static void profile_frame_count(struct profile *p, uint32_t id, size_t *file, size_t *func);
static const char *profile_name_of(struct profile *p, const char *symbol);
static uint64_t profile_hash_str(uint64_t h, const char *s);
static uint64_t profile_hash_frame(const struct profile_frame *f);
static int profile_str_eq(const char *a, const char *b);
static int profile_frame_eq(const struct profile_frame *a, const struct profile_frame *b);
static void profile_origin_of(struct profile *p, const struct profile_origin *o,
			      uint32_t *thread, long long *time_us);
static void profile_rehash(uint32_t **slots, size_t *nslots, size_t n, const struct profile *p,
			   uint64_t (*hash)(const struct profile *, uint32_t));
static uint64_t profile_frame_hash_at(const struct profile *p, uint32_t i);
static uint64_t profile_stack_hash(uint32_t parent, uint32_t frame);
static uint64_t profile_stack_hash_at(const struct profile *p, uint32_t i);
static uint32_t profile_frame_of(struct profile *p, const struct frame *fr);
static char *profile_read_proc(int pid, int tid, const char *what);
static void profile_log_varint(struct profile *p, uint64_t v);
static int profile_read_varint(const struct profile *p, size_t *pos, uint64_t *v);
static const char *profile_symbol_args(const char *s, const char *end);
static const char *profile_symbol_tags(const char *s, const char *end);
static const char *profile_symbol_last(const char *s, const char *end);
static char *profile_symbol_mangled(const char *s);
static char *profile_symbol_decode(const char *s, size_t n);
static int profile_escape_at(const char *s, size_t n, size_t i, char c);
static size_t profile_escaped_char(const char *s, size_t n, size_t i, char c, unsigned char *out);
static int profile_hex(int c);
static char *profile_func_parfor(char *name);
static int profile_top_better(const struct profile_thread_top *a, const struct profile_thread_top *b);
static int profile_is_numba_dir(const char *dir);
static int profile_file_cmp(const void *a, const void *b);
static int profile_func_cmp_self(const void *a, const void *b);
static int profile_func_cmp_total(const void *a, const void *b);
static int profile_func_cmp_name(const void *a, const void *b);

/* A source file's text as the run saw it. */
struct profile_srcfile {
	char *path;
	struct source *src;	/* NULL: unreadable */
};

struct profile *profile_new(profile_internal_fn is_internal, void *ctx)
{
	struct profile *p = xcalloc(1, sizeof(*p));

	p->is_internal = is_internal;
	p->is_internal_ctx = ctx;
	/* Stack 0: the empty stack, the root of the trie. */
	p->stacks = xgrow(p->stacks, &p->stacks_alloc, 1, sizeof(*p->stacks));
	memset(p->stacks, 0, sizeof(*p->stacks));
	p->nstacks = 1;
	p->t0_ns = -1;
	return p;
}

void profile_free(struct profile *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nfiles; i++) {
		free(p->files[i].path);
		free(p->files[i].lines);
	}
	for (i = 0; i < p->nfuncs; i++) {
		free(p->funcs[i].name);
		free(p->funcs[i].file);
	}
	for (i = 0; i < p->nframes; i++) {
		free(p->frames[i].name);
		free(p->frames[i].file);
		free(p->frames[i].lib);
	}
	for (i = 0; i < p->nthreads; i++)
		free(p->threads[i].name);
	for (i = 0; i < p->nprocs; i++)
		free(p->procs[i].command);
	for (i = 0; i < p->nsources; i++) {
		free(p->sources[i].path);
		source_free(p->sources[i].src);
	}
	for (i = 0; i < p->nnames; i++)
		free(p->names[i]);
	free(p->names);
	strmap_release(&p->name_index);
	strmap_release(&p->file_index);
	free(p->frame_counts);
	free(p->files);
	free(p->funcs);
	free(p->frames);
	free(p->stacks);
	free(p->threads);
	free(p->procs);
	free(p->sources);
	free(p->log);
	free(p->frame_slots);
	free(p->stack_slots);
	free(p->sampler);
	free(p->codegen);
	free(p->command);
	free(p->python_version);
	free(p->numba_version);
	free(p);
}

static int profile_frame_has_line(const struct frame *fr)
{
	return fr->file && has_suffix(fr->file, ".py") &&
	       fr->line > 0 && fr->line <= PROFILE_MAX_LINE;
}

/* A file by its path (file_index), its is_internal verdict (a few stat
 * calls) taken once, here, rather than once per frame.  `internal` < 0:
 * ask is_internal. */
static size_t profile_file_get(struct profile *p, const char *path, int internal)
{
	struct profile_file *f;
	size_t i;

	if (strmap_get(&p->file_index, path, &i))
		return i;
	strmap_put(&p->file_index, path, p->nfiles);
	p->files = xgrow(p->files, &p->files_alloc, p->nfiles + 1, sizeof(*p->files));
	f = &p->files[p->nfiles];
	memset(f, 0, sizeof(*f));
	f->path = xstrdup(path);
	if (internal < 0)
		internal = p->is_internal && p->is_internal(path, p->is_internal_ctx);
	f->internal = internal;
	return p->nfiles++;
}

static struct profile_line *profile_file_slot(struct profile_file *f, int line)
{
	int n;

	if (line >= f->nlines) {
		n = f->nlines ? f->nlines : 64;
		while (n <= line)
			n *= 2;
		f->lines = xrealloc(f->lines, (size_t)n * sizeof(*f->lines));
		memset(f->lines + f->nlines, 0, (size_t)(n - f->nlines) * sizeof(*f->lines));
		f->nlines = n;
	}
	return &f->lines[line];
}

/* Functions are found by linear search, once per interned frame
 * (profile_frame_count): a profile holds tens of them. */
static size_t profile_func_get(struct profile *p, const char *name, size_t file)
{
	const char *path = p->files[file].path;
	struct profile_func *fn;
	size_t i;

	for (i = 0; i < p->nfuncs; i++)
		if (strcmp(p->funcs[i].name, name) == 0 && strcmp(p->funcs[i].file, path) == 0)
			return i;
	p->funcs = xgrow(p->funcs, &p->funcs_alloc, p->nfuncs + 1, sizeof(*p->funcs));
	fn = &p->funcs[p->nfuncs];
	memset(fn, 0, sizeof(*fn));
	fn->name = xstrdup(name);
	fn->file = xstrdup(path);
	fn->internal = p->files[file].internal;
	return p->nfuncs++;
}

/* The stamp makes a line or function seen twice in one stack (recursion,
 * inlined frames at one address) count once. */
static void profile_count_total(struct profile *p, size_t file, int line, size_t func,
				unsigned long stamp)
{
	struct profile_file *f = &p->files[file];
	struct profile_line *l = profile_file_slot(f, line);
	struct profile_func *fn = &p->funcs[func];

	if (l->last_sample != stamp) {
		l->last_sample = stamp;
		l->total++;
	}
	if (fn->last_sample != stamp) {
		fn->last_sample = stamp;
		fn->total++;
	}
	if (!f->first_line || line < f->first_line)
		f->first_line = line;
	if (line > f->last_line)
		f->last_line = line;
	if (!fn->first_line || line < fn->first_line)
		fn->first_line = line;
}

/* The file and function entries frame `id` counts in, looked up once. */
static void profile_frame_count(struct profile *p, uint32_t id, size_t *file, size_t *func)
{
	const struct profile_frame *fr = &p->frames[id];
	struct profile_frame_count *c;

	if (id >= p->nframe_counts) {
		size_t n = p->nframe_counts ? p->nframe_counts : 64;

		while (n <= id)
			n *= 2;
		p->frame_counts = xrealloc(p->frame_counts, n * sizeof(*p->frame_counts));
		memset(p->frame_counts + p->nframe_counts, 0,
		       (n - p->nframe_counts) * sizeof(*p->frame_counts));
		p->nframe_counts = n;
	}
	c = &p->frame_counts[id];
	if (!c->file) {
		*file = profile_file_get(p, fr->file, fr->kind == PROFILE_FRAME_INTERNAL);
		*func = profile_func_get(p, fr->name, *file);
		c->file = (uint32_t)*file + 1;
		c->func = (uint32_t)*func + 1;
	}
	*file = c->file - 1;
	*func = c->func - 1;
}

/* One Numba sample of `stack` into the per-line and per-function counts:
 * total to every line and function on it, self to the innermost user
 * line (else the innermost internal one). */
static void profile_count(struct profile *p, uint32_t stack)
{
	struct profile_self user = { 0 }, internal = { 0 }, *self;
	size_t file, func;

	p->stamp++;
	for (uint32_t s = stack; s != PROFILE_STACK_EMPTY; s = p->stacks[s].parent) {
		const struct profile_frame *fr = &p->frames[p->stacks[s].frame];

		if (fr->kind == PROFILE_FRAME_NATIVE)
			continue;
		profile_frame_count(p, p->stacks[s].frame, &file, &func);
		profile_count_total(p, file, fr->line, func, p->stamp);
		self = fr->kind == PROFILE_FRAME_INTERNAL ? &internal : &user;
		if (!self->set)
			*self = (struct profile_self){ file, func, fr->line, 1 };
	}
	self = &user;
	if (!user.set) {
		p->internal_only++;
		self = &internal;
	}
	p->files[self->file].lines[self->line].self++;
	p->files[self->file].self++;
	p->funcs[self->func].self++;
}

/* Over the fields, NULL apart from "". */
static uint64_t profile_hash_str(uint64_t h, const char *s)
{
	if (!s)
		return (h ^ 0xff) * 1099511628211ull;
	return strmap_hash_mem(h, s, strlen(s) + 1);
}

static uint64_t profile_hash_frame(const struct profile_frame *f)
{
	uint64_t h = 14695981039346656037ull;

	h = profile_hash_str(h, f->name);
	h = profile_hash_str(h, f->file);
	h = profile_hash_str(h, f->lib);
	h = (h ^ (uint64_t)(unsigned)f->line) * 1099511628211ull;
	h = (h ^ (uint64_t)(f->kind * 2 + !!f->inlined)) * 1099511628211ull;
	return h;
}

static int profile_str_eq(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static int profile_frame_eq(const struct profile_frame *a, const struct profile_frame *b)
{
	return a->kind == b->kind && a->line == b->line && !a->inlined == !b->inlined &&
	       profile_str_eq(a->name, b->name) && profile_str_eq(a->file, b->file) &&
	       profile_str_eq(a->lib, b->lib);
}

static uint64_t profile_frame_hash_at(const struct profile *p, uint32_t i)
{
	return profile_hash_frame(&p->frames[i]);
}

static uint64_t profile_stack_hash(uint32_t parent, uint32_t frame)
{
	uint64_t h = ((uint64_t)parent << 32 | frame) * 0x9e3779b97f4a7c15ull;

	return h ^ (h >> 29);
}

static uint64_t profile_stack_hash_at(const struct profile *p, uint32_t i)
{
	return profile_stack_hash(p->stacks[i].parent, p->stacks[i].frame);
}

/* Open addressing, kept under half full; a slot holds index + 1. */
static void profile_rehash(uint32_t **slots, size_t *nslots, size_t n, const struct profile *p,
			   uint64_t (*hash)(const struct profile *, uint32_t))
{
	size_t want = *nslots ? *nslots * 2 : 256;

	free(*slots);
	*slots = xcalloc(want, sizeof(**slots));
	*nslots = want;
	for (uint32_t i = 0; i < n; i++) {
		size_t k = hash(p, i) & (want - 1);

		if (hash == profile_stack_hash_at && i == PROFILE_STACK_EMPTY)
			continue;
		while ((*slots)[k])
			k = (k + 1) & (want - 1);
		(*slots)[k] = i + 1;
	}
}

uint32_t profile_intern_frame(struct profile *p, const struct profile_frame *f)
{
	struct profile_frame *nf;
	size_t k;

	if (2 * (p->nframes + 1) > p->nframe_slots)
		profile_rehash(&p->frame_slots, &p->nframe_slots, p->nframes, p,
			       profile_frame_hash_at);
	k = profile_hash_frame(f) & (p->nframe_slots - 1);
	for (; p->frame_slots[k]; k = (k + 1) & (p->nframe_slots - 1))
		if (profile_frame_eq(&p->frames[p->frame_slots[k] - 1], f))
			return p->frame_slots[k] - 1;
	if (p->nframes >= UINT32_MAX - 1)
		fatal("profile: too many distinct frames");
	p->frames = xgrow(p->frames, &p->frames_alloc, p->nframes + 1, sizeof(*p->frames));
	nf = &p->frames[p->nframes];
	nf->kind = f->kind;
	nf->name = xstrdup(f->name ? f->name : "??");
	nf->file = f->file ? xstrdup(f->file) : NULL;
	nf->lib = f->lib ? xstrdup(f->lib) : NULL;
	nf->line = f->line;
	nf->inlined = !!f->inlined;
	nf->pool = f->kind == PROFILE_FRAME_NATIVE && f->lib && profile_is_pool_lib(f->lib);
	p->frame_slots[k] = (uint32_t)++p->nframes;
	return (uint32_t)(p->nframes - 1);
}

uint32_t profile_intern_stack(struct profile *p, uint32_t parent, uint32_t frame)
{
	struct profile_stack *st;
	size_t k;

	if (2 * (p->nstacks + 1) > p->nstack_slots)
		profile_rehash(&p->stack_slots, &p->nstack_slots, p->nstacks, p,
			       profile_stack_hash_at);
	k = profile_stack_hash(parent, frame) & (p->nstack_slots - 1);
	for (; p->stack_slots[k]; k = (k + 1) & (p->nstack_slots - 1)) {
		st = &p->stacks[p->stack_slots[k] - 1];
		if (st->parent == parent && st->frame == frame)
			return p->stack_slots[k] - 1;
	}
	if (p->nstacks >= UINT32_MAX - 1)
		fatal("profile: too many distinct stacks");
	p->stacks = xgrow(p->stacks, &p->stacks_alloc, p->nstacks + 1, sizeof(*p->stacks));
	st = &p->stacks[p->nstacks];
	st->parent = parent;
	st->frame = frame;
	st->count = 0;
	p->stack_slots[k] = (uint32_t)++p->nstacks;
	return (uint32_t)(p->nstacks - 1);
}

/* A line frame is the user's or Numba's by its file; the rest native,
 * named by the symbol as the sampler found it. */
static uint32_t profile_frame_of(struct profile *p, const struct frame *fr)
{
	struct profile_frame f = { 0 };
	const char *slash;

	if (profile_frame_has_line(fr)) {
		size_t file = profile_file_get(p, fr->file, -1);

		f.kind = p->files[file].internal ? PROFILE_FRAME_INTERNAL : PROFILE_FRAME_USER;
		f.name = (char *)profile_name_of(p, fr->func);
		f.file = (char *)fr->file;
		f.line = fr->line;
		f.inlined = fr->inlined;
	} else {
		f.kind = PROFILE_FRAME_NATIVE;
		f.name = (char *)(fr->func && *fr->func ? fr->func : "??");
		if (fr->lib) {
			slash = strrchr(fr->lib, '/');
			f.lib = (char *)(slash ? slash + 1 : fr->lib);
		}
	}
	return profile_intern_frame(p, &f);
}

/* profile_func_name of `symbol`, decoded once a symbol (name_index). */
static const char *profile_name_of(struct profile *p, const char *symbol)
{
	size_t i;

	if (!symbol)
		symbol = "";
	if (strmap_get(&p->name_index, symbol, &i))
		return p->names[i];
	p->names = xgrow(p->names, &p->names_alloc, p->nnames + 1, sizeof(*p->names));
	p->names[p->nnames] = profile_func_name(symbol);
	strmap_put(&p->name_index, symbol, p->nnames);
	return p->names[p->nnames++];
}

/* A small file of /proc, its NULs as spaces, its last newline dropped. */
static char *profile_read_proc(int pid, int tid, const char *what)
{
	char path[96], buf[4096];
	size_t n;
	FILE *f;

	if (tid)
		snprintf(path, sizeof(path), "/proc/%d/task/%d/%s", pid, tid, what);
	else
		snprintf(path, sizeof(path), "/proc/%d/%s", pid, what);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\0'))
		n--;
	if (!n)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (buf[i] == '\0' || buf[i] == '\n')
			buf[i] = ' ';
	buf[n] = '\0';
	return xstrdup(buf);
}

uint32_t profile_intern_thread(struct profile *p, int pid, int tid, const char *name)
{
	struct profile_thread *t;

	for (size_t i = p->nthreads; i-- > 0;)
		if (p->threads[i].pid == pid && p->threads[i].tid == tid)
			return (uint32_t)i;
	p->threads = xgrow(p->threads, &p->threads_alloc, p->nthreads + 1, sizeof(*p->threads));
	t = &p->threads[p->nthreads];
	t->pid = pid;
	t->tid = tid;
	t->samples = 0;
	t->pool_wait = 0;
	t->name = name ? xstrdup(name) : NULL;
	return (uint32_t)p->nthreads++;
}

void profile_add_process(struct profile *p, int pid, const char *command)
{
	struct profile_process *pr;

	for (size_t i = 0; i < p->nprocs; i++)
		if (p->procs[i].pid == pid)
			return;
	p->procs = xgrow(p->procs, &p->procs_alloc, p->nprocs + 1, sizeof(*p->procs));
	pr = &p->procs[p->nprocs++];
	pr->pid = pid;
	pr->command = command ? xstrdup(command) : NULL;
}

static void profile_log_varint(struct profile *p, uint64_t v)
{
	p->log = xgrow(p->log, &p->log_alloc, p->log_len + 10, 1);
	do {
		p->log[p->log_len++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
}

static int profile_read_varint(const struct profile *p, size_t *pos, uint64_t *v)
{
	int shift = 0;

	*v = 0;
	while (*pos < p->log_len && shift < 64) {
		unsigned char b = p->log[(*pos)++];

		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 0;
		shift += 7;
	}
	return -1;
}

enum sample_kind profile_stack_kind(const struct profile *p, uint32_t stack)
{
	if (stack == PROFILE_STACK_BAD)
		return SAMPLE_BAD;
	for (uint32_t s = stack; s != PROFILE_STACK_EMPTY; s = p->stacks[s].parent) {
		const struct profile_frame *f = &p->frames[p->stacks[s].frame];

		if (f->kind != PROFILE_FRAME_NATIVE)
			return SAMPLE_NUMBA;
		if (f->pool)
			return SAMPLE_POOL;
	}
	return SAMPLE_OTHER;
}

void profile_log_sample(struct profile *p, uint32_t thread, uint32_t stack, long long time_us)
{
	long long step = time_us - p->log_last_us;

	profile_log_varint(p, thread);
	profile_log_varint(p, stack == PROFILE_STACK_BAD ? 0 : (uint64_t)stack + 1);
	profile_log_varint(p, step < 0 ? ((uint64_t)(-(step + 1)) << 1) | 1 : (uint64_t)step << 1);
	p->log_last_us = time_us;
	p->samples++;
	p->threads[thread].samples++;
	switch (profile_stack_kind(p, stack)) {
	case SAMPLE_BAD:
		p->bad++;
		return;
	case SAMPLE_OTHER:
		p->other++;
		break;
	case SAMPLE_NUMBA:
		p->numba++;
		profile_count(p, stack);
		break;
	case SAMPLE_POOL:
		p->pool_wait++;
		p->threads[thread].pool_wait++;
		break;
	}
	p->stacks[stack].count++;
}

int profile_next_sample(const struct profile *p, size_t *pos, struct profile_sample *s)
{
	uint64_t thread, stack, step;

	if (*pos == 0)
		s->time_us = 0;
	if (*pos >= p->log_len || profile_read_varint(p, pos, &thread) < 0 ||
	    profile_read_varint(p, pos, &stack) < 0 || profile_read_varint(p, pos, &step) < 0)
		return 0;
	s->thread = (uint32_t)thread;
	s->stack = stack ? (uint32_t)(stack - 1) : PROFILE_STACK_BAD;
	s->time_us += step & 1 ? -(long long)(step >> 1) - 1 : (long long)(step >> 1);
	return 1;
}

/* The thread and time of a sample coming in now. */
static void profile_origin_of(struct profile *p, const struct profile_origin *o,
			      uint32_t *thread, long long *time_us)
{
	long long t = o && o->time_ns ? o->time_ns : now_ns();

	size_t known = p->nthreads, procs = p->nprocs;
	int pid = o ? o->pid : 0, tid = o ? o->tid : 0;

	*thread = profile_intern_thread(p, pid, tid, NULL);
	/* Names are read on first sight, while the thread still runs. */
	if (p->nthreads > known && pid > 0) {
		p->threads[*thread].name = profile_read_proc(pid, tid ? tid : pid, "comm");
		profile_add_process(p, pid, NULL);
		if (p->nprocs > procs)
			p->procs[procs].command = profile_read_proc(pid, 0, "cmdline");
	}
	if (p->t0_ns < 0)
		p->t0_ns = t;
	p->last_ns = t;
	*time_us = (t - p->t0_ns) / 1000;
}

/* The stack kept: from the outermost line frame in, natives among the
 * lines included; with no line, the innermost native frame alone, or
 * those down to the innermost of the thread pool's (what tells it is
 * waiting). */
enum sample_kind profile_add_sample(struct profile *p, const struct profile_origin *o,
				    const struct frame *frames, size_t n)
{
	uint32_t thread, stack = PROFILE_STACK_EMPTY;
	long long time_us;
	size_t outer = n;

	for (size_t i = n; i-- > 0;) {
		if (profile_frame_has_line(&frames[i])) {
			outer = i;
			break;
		}
	}
	if (outer == n && n > 0) {
		outer = 0;
		for (size_t i = 0; i < n && i < PROFILE_POOL_DEPTH; i++) {
			if (frames[i].lib && profile_is_pool_lib(frames[i].lib)) {
				outer = i;
				break;
			}
		}
	}
	if (n > 0)
		for (size_t i = outer + 1; i-- > 0;)
			stack = profile_intern_stack(p, stack, profile_frame_of(p, &frames[i]));
	profile_origin_of(p, o, &thread, &time_us);
	profile_log_sample(p, thread, stack, time_us);
	return profile_stack_kind(p, stack);
}

void profile_add_bad_sample(struct profile *p, const struct profile_origin *o)
{
	uint32_t thread;
	long long time_us;

	profile_origin_of(p, o, &thread, &time_us);
	profile_log_sample(p, thread, PROFILE_STACK_BAD, time_us);
}

enum sample_kind profile_add_stack(struct profile *p, const struct frame *frames, size_t n)
{
	return profile_add_sample(p, NULL, frames, n);
}

void profile_add_bad(struct profile *p)
{
	profile_add_bad_sample(p, NULL);
}

const struct source *profile_source(struct profile *p, const char *path)
{
	for (size_t i = 0; i < p->nsources; i++)
		if (strcmp(p->sources[i].path, path) == 0)
			return p->sources[i].src;
	profile_set_source(p, path, source_load(path));
	return p->sources[p->nsources - 1].src;
}

void profile_set_source(struct profile *p, const char *path, struct source *src)
{
	struct profile_srcfile *sf;

	for (size_t i = 0; i < p->nsources; i++) {
		if (strcmp(p->sources[i].path, path) == 0) {
			source_free(p->sources[i].src);
			p->sources[i].src = src;
			return;
		}
	}
	p->sources = xgrow(p->sources, &p->sources_alloc, p->nsources + 1, sizeof(*p->sources));
	sf = &p->sources[p->nsources++];
	sf->path = xstrdup(path);
	sf->src = src;
}

/* More self, else the first file by path, else the first line. */
static int profile_top_better(const struct profile_thread_top *a, const struct profile_thread_top *b)
{
	int c;

	if (!b->file || a->self != b->self)
		return !b->file || a->self > b->self;
	c = strcmp(a->file, b->file);
	return c < 0 || (c == 0 && a->line < b->line);
}

/* One pass over the log: each sample's self line (the innermost user
 * line frame of its stack, found once per stack) counted per thread in
 * a short list: a thread's samples fall on a handful of lines. */
void profile_thread_tops(const struct profile *p, struct profile_thread_top *tops)
{
	struct tops_list {
		struct profile_thread_top *v;
		size_t n, alloc;
	} *lists = xcalloc(p->nthreads + 1, sizeof(*lists));
	uint32_t *self = xcalloc(p->nstacks, sizeof(*self));	/* frame + 1; 0: none */
	unsigned char *known = xcalloc(p->nstacks, 1);
	struct profile_sample smp;
	size_t pos = 0;

	while (profile_next_sample(p, &pos, &smp)) {
		struct tops_list *l;
		const struct profile_frame *f;
		size_t i;

		if (smp.stack == PROFILE_STACK_BAD || smp.thread >= p->nthreads ||
		    profile_stack_kind(p, smp.stack) != SAMPLE_NUMBA)
			continue;
		if (!known[smp.stack]) {
			known[smp.stack] = 1;
			for (uint32_t s = smp.stack; s != PROFILE_STACK_EMPTY && !self[smp.stack];
			     s = p->stacks[s].parent)
				if (p->frames[p->stacks[s].frame].kind == PROFILE_FRAME_USER)
					self[smp.stack] = p->stacks[s].frame + 1;
		}
		if (!self[smp.stack])
			continue;
		f = &p->frames[self[smp.stack] - 1];
		l = &lists[smp.thread];
		for (i = 0; i < l->n; i++)
			if (l->v[i].line == f->line && strcmp(l->v[i].file, f->file) == 0)
				break;
		if (i == l->n) {
			l->v = xgrow(l->v, &l->alloc, l->n + 1, sizeof(*l->v));
			l->v[l->n++] = (struct profile_thread_top){ f->file, f->line, 0 };
		}
		l->v[i].self++;
	}
	for (size_t t = 0; t < p->nthreads; t++) {
		tops[t] = (struct profile_thread_top){ NULL, 0, 0 };
		for (size_t i = 0; i < lists[t].n; i++)
			if (profile_top_better(&lists[t].v[i], &tops[t]))
				tops[t] = lists[t].v[i];
		free(lists[t].v);
	}
	free(lists);
	free(self);
	free(known);
}

size_t profile_bytes(const struct profile *p)
{
	size_t n = sizeof(*p);

	n += p->frames_alloc * sizeof(*p->frames) + p->stacks_alloc * sizeof(*p->stacks);
	n += (p->nframe_slots + p->nstack_slots) * sizeof(uint32_t);
	n += p->threads_alloc * sizeof(*p->threads) + p->procs_alloc * sizeof(*p->procs);
	n += p->log_alloc;
	n += p->files_alloc * sizeof(*p->files) + p->funcs_alloc * sizeof(*p->funcs);
	for (size_t i = 0; i < p->nframes; i++) {
		const struct profile_frame *f = &p->frames[i];

		n += strlen(f->name) + 1 + (f->file ? strlen(f->file) + 1 : 0) +
		     (f->lib ? strlen(f->lib) + 1 : 0);
	}
	for (size_t i = 0; i < p->nfiles; i++)
		n += (size_t)p->files[i].nlines * sizeof(struct profile_line);
	n += strmap_bytes(&p->name_index) + strmap_bytes(&p->file_index);
	n += p->names_alloc * sizeof(*p->names) + p->nframe_counts * sizeof(*p->frame_counts);
	for (size_t i = 0; i < p->nnames; i++)
		n += strlen(p->names[i]) + 1;
	return n;
}

static int profile_file_cmp(const void *a, const void *b)
{
	const struct profile_file *x = a, *y = b;

	if (x->self != y->self)
		return x->self > y->self ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* Ties end by name, then file, then line, so the order never depends on
 * the order samples came in. */
static int profile_func_cmp_name(const void *a, const void *b)
{
	const struct profile_func *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	c = strcmp(x->file, y->file);
	if (c)
		return c;
	return (x->first_line > y->first_line) - (x->first_line < y->first_line);
}

static int profile_func_cmp_self(const void *a, const void *b)
{
	const struct profile_func *x = a, *y = b;

	if (x->self != y->self)
		return x->self > y->self ? -1 : 1;
	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return profile_func_cmp_name(a, b);
}

static int profile_func_cmp_total(const void *a, const void *b)
{
	const struct profile_func *x = a, *y = b;

	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return profile_func_cmp_self(a, b);
}

void profile_sort(struct profile *p, enum profile_sort by)
{
	int (*cmp)(const void *, const void *) = profile_func_cmp_self;

	if (by == PROFILE_SORT_TOTAL)
		cmp = profile_func_cmp_total;
	else if (by == PROFILE_SORT_NAME)
		cmp = profile_func_cmp_name;
	if (p->nfiles)
		qsort(p->files, p->nfiles, sizeof(*p->files), profile_file_cmp);
	if (p->nfuncs)
		qsort(p->funcs, p->nfuncs, sizeof(*p->funcs), cmp);
	/* The indexes into them are looked up again. */
	strmap_release(&p->file_index);
	for (size_t i = 0; i < p->nfiles; i++)
		strmap_put(&p->file_index, p->files[i].path, i);
	if (p->nframe_counts)
		memset(p->frame_counts, 0, p->nframe_counts * sizeof(*p->frame_counts));
}

const struct profile_file *profile_find_file(const struct profile *p, const char *path)
{
	size_t i;

	return strmap_get(&p->file_index, path, &i) ? &p->files[i] : NULL;
}

const struct profile_func *profile_find_func(const struct profile *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nfuncs; i++)
		if (strcmp(p->funcs[i].name, name) == 0)
			return &p->funcs[i];
	return NULL;
}

const struct profile_line *profile_file_line(const struct profile_file *f, int line)
{
	const struct profile_line *l;

	if (line <= 0 || line >= f->nlines)
		return NULL;
	l = &f->lines[line];
	return l->self || l->total ? l : NULL;
}

double profile_rate(const struct profile *p)
{
	unsigned long rounds = p->ticks ? p->ticks : p->samples;

	return p->wall_seconds > 0 ? (double)rounds / p->wall_seconds : 0;
}

/* The start of the trailing argument list "(...)", matched backwards so
 * parentheses inside it ("void (*)(int)") or earlier in the name
 * ("(anonymous namespace)::f") do not fool it; `end` when there is none. */
static const char *profile_symbol_args(const char *s, const char *end)
{
	const char *q = end;
	int depth = 0;

	if (q == s || q[-1] != ')')
		return end;
	while (q > s) {
		q--;
		if (*q == ')')
			depth++;
		else if (*q == '(' && --depth == 0)
			return q;
	}
	return end;
}

/* Drops trailing "[abi:...]" tags. */
static const char *profile_symbol_tags(const char *s, const char *end)
{
	const char *q;

	while (end > s && end[-1] == ']') {
		for (q = end - 1; q > s && *q != '['; q--)
			;
		if (*q != '[')
			break;
		end = q;
	}
	return end;
}

/* The last "::"-separated component, not splitting inside brackets. */
static const char *profile_symbol_last(const char *s, const char *end)
{
	const char *q, *last = s;
	int depth = 0;

	for (q = s; q < end; q++) {
		if (*q == '<' || *q == '[' || *q == '(')
			depth++;
		else if ((*q == '>' || *q == ']' || *q == ')') && depth > 0)
			depth--;
		else if (depth == 0 && q[0] == ':' && q + 1 < end && q[1] == ':')
			last = q + 2;
	}
	return last;
}

/* A symbol gdb could not demangle: "_ZN8__main__6kernelB2v1E5ArrayIdLi1E...".
 * The name is the last length-prefixed identifier before the abi tags ("B")
 * or the end of the nested name ("E").  NULL when it does not parse. */
static char *profile_symbol_mangled(const char *s)
{
	const char *name = NULL;
	size_t namelen = 0, len;
	int tag;

	if (strncmp(s, "_Z", 2) != 0)
		return NULL;
	s += 2;
	if (*s == 'N')
		s++;
	while (*s) {
		tag = *s == 'B';
		if (tag)
			s++;
		if (*s < '0' || *s > '9')
			break;
		for (len = 0; *s >= '0' && *s <= '9'; s++) {
			len = len * 10 + (size_t)(*s - '0');
			if (len > 4096)
				return NULL;
		}
		if (strnlen(s, len) < len)
			return NULL;
		if (!tag) {
			name = s;
			namelen = len;
		}
		s += len;
	}
	return name && namelen ? profile_symbol_decode(name, namelen) : NULL;
}

static int profile_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The byte an escape "Cxx" at s[i] (C the escape character) stands for,
 * or -1 when s[i] does not start one. */
static int profile_escape_at(const char *s, size_t n, size_t i, char c)
{
	int hi, lo;

	if (i + 2 >= n || s[i] != c)
		return -1;
	hi = profile_hex((unsigned char)s[i + 1]);
	lo = profile_hex((unsigned char)s[i + 2]);
	return hi >= 0 && lo >= 0 ? hi * 16 + lo : -1;
}

/* The bytes a run of escapes at s[i] stands for, when it is one character
 * Numba would have escaped: one outside [A-Za-z0-9_], a whole UTF-8
 * sequence for a non-ASCII one.  Returns the number of escapes (0: not an
 * escape) and writes the bytes to out[0..3]. */
static size_t profile_escaped_char(const char *s, size_t n, size_t i, char c, unsigned char *out)
{
	int b = profile_escape_at(s, n, i, c);
	size_t len, k;

	if (b < 0)
		return 0;
	if (b < 0x80)
		len = (b >= '0' && b <= '9') || (b >= 'A' && b <= 'Z') ||
		      (b >= 'a' && b <= 'z') || b == '_' ? 0 : 1;
	else if (b >= 0xc2 && b <= 0xdf)
		len = 2;
	else if (b >= 0xe0 && b <= 0xef)
		len = 3;
	else if (b >= 0xf0 && b <= 0xf4)
		len = 4;
	else
		len = 0;
	for (k = 0; k < len; k++) {
		int cb = k ? profile_escape_at(s, n, i + 3 * k, c) : b;

		if (cb < 0 || (k && (cb & 0xc0) != 0x80))
			return 0;
		out[k] = (unsigned char)cb;
	}
	return len;
}

/* Numba's mangler escapes each byte of a character outside [A-Za-z0-9_]
 * (UTF-8 encoded) as "_xx" (0.56 to 0.61; releases in between used
 * "$xx"), the byte in hex: "_3clambda_3e" and "$3clambda$3e" are
 * "<lambda>", "k_c3_a9rnel" is "kérnel".  An underscore is not escaped,
 * so "_xx" is read as an escape only where it makes a character Numba
 * would have escaped: "my_ab" and "x_41" stay as they are (a name that
 * really holds "_3c" reads as "<"). */
static char *profile_symbol_decode(const char *s, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	unsigned char bytes[4];
	size_t i, len;

	for (i = 0; i < n; i++) {
		if ((len = profile_escaped_char(s, n, i, '$', bytes)) == 0)
			len = profile_escaped_char(s, n, i, '_', bytes);
		if (len) {
			for (size_t k = 0; k < len; k++)
				strbuf_addch(&sb, bytes[k]);
			i += 3 * len - 1;
		} else {
			strbuf_addch(&sb, s[i]);
		}
	}
	return strbuf_detach(&sb);
}

char *profile_func_name(const char *symbol)
{
	const char *end, *start;
	char *name;

	if (!symbol || !*symbol)
		return xstrdup("?");
	name = profile_symbol_mangled(symbol);
	if (name)
		return profile_func_parfor(name);
	end = symbol + strlen(symbol);
	end = profile_symbol_args(symbol, end);
	end = profile_symbol_tags(symbol, end);
	start = profile_symbol_last(symbol, end);
	if (start == end)
		return xstrdup("?");
	return profile_func_parfor(profile_symbol_decode(start, (size_t)(end - start)));
}

/* The function Numba generates around a parallel loop's body
 * ("__numba_parfor_gufunc_0x7f..."): no name the user wrote. */
static char *profile_func_parfor(char *name)
{
	if (strncmp(name, PROFILE_PARFOR_PREFIX, strlen(PROFILE_PARFOR_PREFIX)) != 0)
		return name;
	free(name);
	return xstrdup(PROFILE_PARFOR_NAME);
}

int profile_is_pool_lib(const char *lib)
{
	static const char *const prefixes[] = {
		"workqueue.", "omppool.", "tbbpool.",	/* numba/np/ufunc */
		"libgomp.", "libgomp-", "libiomp", "libomp.", "libtbb.", "libtbb_",
	};
	const char *base = strrchr(lib, '/');

	base = base ? base + 1 : lib;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++)
		if (strncmp(base, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	return 0;
}

static int profile_is_numba_dir(const char *dir)
{
	struct stat st;
	char *path;
	int ok;

	path = xasprintf("%s/__init__.py", dir);
	ok = stat(path, &st) == 0 && S_ISREG(st.st_mode);
	free(path);
	if (!ok)
		return 0;
	path = xasprintf("%s/core", dir);
	ok = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
	free(path);
	return ok;
}

int profile_is_numba_file(const char *file, void *ctx)
{
	char *dir = xstrdup(file), *slash, *base;
	int ret = 0;

	while (!ret && (slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		base = strrchr(dir, '/');
		base = base ? base + 1 : dir;
		ret = strcmp(base, "numba") == 0 && profile_is_numba_dir(dir);
	}
	free(dir);
	return ret;
}
