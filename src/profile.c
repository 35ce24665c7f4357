/* profile: samples in, per-line and per-function self/total counts out. */
#include "profile.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "strbuf.h"
#include "util.h"

/* A line number past this is a corrupt frame, not a source line: counting
 * it would allocate a line table of that size. */
#define PROFILE_MAX_LINE (1 << 22)

#define PROFILE_PARFOR_PREFIX "__numba_parfor_gufunc"

/* Where one sample puts its self count. */
struct profile_self {
	size_t file, func;
	int line;
	int set;
};

static int profile_frame_has_line(const struct frame *fr);
static size_t profile_file_get(struct profile *p, const char *path);
static struct profile_line *profile_file_slot(struct profile_file *f, int line);
static size_t profile_func_get(struct profile *p, const char *symbol, size_t file);
static void profile_count_total(struct profile *p, size_t file, int line, size_t func,
				unsigned long stamp);
static const char *profile_symbol_args(const char *s, const char *end);
static const char *profile_symbol_tags(const char *s, const char *end);
static const char *profile_symbol_last(const char *s, const char *end);
static char *profile_symbol_mangled(const char *s);
static char *profile_symbol_decode(const char *s, size_t n);
static int profile_hex(int c);
static char *profile_func_parfor(char *name);
static int profile_is_numba_dir(const char *dir);
static int profile_file_cmp(const void *a, const void *b);
static int profile_func_cmp_self(const void *a, const void *b);
static int profile_func_cmp_total(const void *a, const void *b);
static int profile_func_cmp_name(const void *a, const void *b);
static enum sample_kind profile_add(struct profile *p, const struct frame *frames, size_t n,
				    struct profile_self *out);
static void profile_thread_self(struct profile_thread *t, const char *file, int line);

struct profile *profile_new(profile_internal_fn is_internal, void *ctx)
{
	struct profile *p = xcalloc(1, sizeof(*p));

	p->is_internal = is_internal;
	p->is_internal_ctx = ctx;
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
	for (i = 0; i < p->nthreads; i++) {
		free(p->threads[i].name);
		free(p->threads[i].lines);
	}
	free(p->files);
	free(p->funcs);
	free(p->threads);
	free(p);
}

static int profile_frame_has_line(const struct frame *fr)
{
	return fr->file && has_suffix(fr->file, ".py") &&
	       fr->line > 0 && fr->line <= PROFILE_MAX_LINE;
}

/* Files and functions are found by linear search: a profile holds a handful
 * of each, and the is_internal verdict (a few stat calls) is taken once per
 * file, here, rather than once per frame. */
static size_t profile_file_get(struct profile *p, const char *path)
{
	struct profile_file *f;
	size_t i;

	for (i = 0; i < p->nfiles; i++)
		if (strcmp(p->files[i].path, path) == 0)
			return i;
	p->files = xgrow(p->files, &p->files_alloc, p->nfiles + 1, sizeof(*p->files));
	f = &p->files[p->nfiles];
	memset(f, 0, sizeof(*f));
	f->path = xstrdup(path);
	f->internal = p->is_internal && p->is_internal(path, p->is_internal_ctx);
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

static size_t profile_func_get(struct profile *p, const char *symbol, size_t file)
{
	const char *path = p->files[file].path;
	char *name = profile_func_name(symbol);
	struct profile_func *fn;
	size_t i;

	for (i = 0; i < p->nfuncs; i++) {
		if (strcmp(p->funcs[i].name, name) == 0 && strcmp(p->funcs[i].file, path) == 0) {
			free(name);
			return i;
		}
	}
	p->funcs = xgrow(p->funcs, &p->funcs_alloc, p->nfuncs + 1, sizeof(*p->funcs));
	fn = &p->funcs[p->nfuncs];
	memset(fn, 0, sizeof(*fn));
	fn->name = name;
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

enum sample_kind profile_add_stack(struct profile *p, const struct frame *frames, size_t n)
{
	return profile_add(p, frames, n, NULL);
}

/* Counts one stack; *out (when given) gets where its self count went
 * (out->set is 0 unless that was a user line). */
static enum sample_kind profile_add(struct profile *p, const struct frame *frames, size_t n,
				    struct profile_self *out)
{
	struct profile_self user = { 0 }, internal = { 0 }, *self;
	unsigned long stamp;
	size_t i, file, func;
	int any = 0;

	p->samples++;
	stamp = p->samples;
	for (i = 0; i < n; i++) {
		const struct frame *fr = &frames[i];

		if (!profile_frame_has_line(fr))
			continue;
		any = 1;
		file = profile_file_get(p, fr->file);
		func = profile_func_get(p, fr->func, file);
		profile_count_total(p, file, fr->line, func, stamp);
		self = p->files[file].internal ? &internal : &user;
		if (!self->set)
			*self = (struct profile_self){ file, func, fr->line, 1 };
	}
	if (!any) {
		p->other++;
		return SAMPLE_OTHER;
	}
	p->numba++;
	self = &user;
	if (!user.set) {
		p->internal_only++;
		self = &internal;
	}
	p->files[self->file].lines[self->line].self++;
	p->files[self->file].self++;
	p->funcs[self->func].self++;
	if (out)
		*out = user;
	return SAMPLE_NUMBA;
}

void profile_add_bad(struct profile *p)
{
	p->samples++;
	p->bad++;
}

void profile_add_pool_wait(struct profile *p)
{
	p->samples++;
	p->pool_wait++;
}

struct profile_thread *profile_thread(struct profile *p, int tid)
{
	struct profile_thread *t;

	if (tid <= 0)
		return NULL;
	for (size_t i = 0; i < p->nthreads; i++)
		if (p->threads[i].tid == tid)
			return &p->threads[i];
	p->threads = xgrow(p->threads, &p->threads_alloc, p->nthreads + 1, sizeof(*p->threads));
	t = &p->threads[p->nthreads++];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	return t;
}

/* Linear: a thread's self samples fall on a handful of lines. */
static void profile_thread_self(struct profile_thread *t, const char *file, int line)
{
	struct profile_thread_line *l;

	for (size_t i = 0; i < t->nlines; i++) {
		if (t->lines[i].file == file && t->lines[i].line == line) {
			t->lines[i].self++;
			return;
		}
	}
	t->lines = xgrow(t->lines, &t->lines_alloc, t->nlines + 1, sizeof(*t->lines));
	l = &t->lines[t->nlines++];
	*l = (struct profile_thread_line){ file, line, 1 };
}

enum sample_kind profile_add_stack_of(struct profile *p, int tid, const struct frame *frames,
				      size_t n)
{
	struct profile_self self = { 0 };
	enum sample_kind kind = profile_add(p, frames, n, &self);
	struct profile_thread *t = profile_thread(p, tid);

	if (t) {
		t->samples++;
		if (self.set)
			profile_thread_self(t, p->files[self.file].path, self.line);
	}
	return kind;
}

void profile_add_bad_of(struct profile *p, int tid)
{
	struct profile_thread *t = profile_thread(p, tid);

	profile_add_bad(p);
	if (t)
		t->samples++;
}

void profile_add_pool_wait_of(struct profile *p, int tid)
{
	struct profile_thread *t = profile_thread(p, tid);

	profile_add_pool_wait(p);
	if (t) {
		t->samples++;
		t->pool_wait++;
	}
}

const struct profile_thread_line *profile_thread_top(const struct profile_thread *t)
{
	const struct profile_thread_line *top = NULL;

	for (size_t i = 0; i < t->nlines; i++) {
		const struct profile_thread_line *l = &t->lines[i];

		if (!top || l->self > top->self ||
		    (l->self == top->self && (strcmp(l->file, top->file) < 0 ||
					      (strcmp(l->file, top->file) == 0 &&
					       l->line < top->line))))
			top = l;
	}
	return top;
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
}

const struct profile_file *profile_find_file(const struct profile *p, const char *path)
{
	size_t i;

	for (i = 0; i < p->nfiles; i++)
		if (strcmp(p->files[i].path, path) == 0)
			return &p->files[i];
	return NULL;
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

/* Numba's mangler escapes characters outside [A-Za-z0-9_] as "$xx" (a byte
 * in hex): "$3clambda$3e" is "<lambda>". */
static char *profile_symbol_decode(const char *s, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	int hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] == '$' && i + 2 < n &&
		    (hi = profile_hex((unsigned char)s[i + 1])) >= 0 &&
		    (lo = profile_hex((unsigned char)s[i + 2])) >= 0) {
			strbuf_addch(&sb, hi * 16 + lo);
			i += 2;
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
