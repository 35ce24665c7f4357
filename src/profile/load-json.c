/* load-json: nprof's JSON into a profile, through the profile's own
 * interning and counting (so the counts are the stacks', as in the run). */
#include "load-json.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "source.h"
#include "util.h"

#define LOAD_JSON_VERSION 1

struct load {
	struct profile *p;
	char *err;
	size_t errsize;
	uint32_t *frames;	/* JSON index -> the profile's */
	size_t nframes;
	uint32_t *stacks;
	size_t nstacks;
	size_t nthreads;
};

static int load_fail(struct load *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static const struct json *load_array(const struct json *root, const char *key);
static int load_header(struct load *l, const struct json *root);
static int load_frames(struct load *l, const struct json *root);
static int load_stacks(struct load *l, const struct json *root);
static int load_threads(struct load *l, const struct json *root);
static int load_samples(struct load *l, const struct json *root);
static int load_sources(struct load *l, const struct json *root);
static char *load_strdup_or_null(const struct json *v, const char *key);

static int load_fail(struct load *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(l->err, l->errsize, fmt, ap);
	va_end(ap);
	return -1;
}

static const struct json *load_array(const struct json *root, const char *key)
{
	const struct json *v = json_get(root, key);

	return v && v->kind == JSON_ARRAY ? v : NULL;
}

static char *load_strdup_or_null(const struct json *v, const char *key)
{
	const char *s = json_get_string(v, key, NULL);

	return s ? xstrdup(s) : NULL;
}

static int load_header(struct load *l, const struct json *root)
{
	struct profile *p = l->p;
	const struct json *v = json_get(root, "version");

	if (!json_get_string(root, "format", NULL) ||
	    strcmp(json_get_string(root, "format", ""), "nprof-profile") != 0)
		return load_fail(l, "not an nprof profile (no \"format\": \"nprof-profile\")");
	if (!json_is_int(v, 1, 1e9))
		return load_fail(l, "no profile format version");
	if (v->u.number > LOAD_JSON_VERSION)
		return load_fail(l, "profile format version %.0f, newer than this nprof reads (%d); "
				 "use a newer nprof", v->u.number, LOAD_JSON_VERSION);
	p->sampler = load_strdup_or_null(root, "sampler");
	p->command = load_strdup_or_null(root, "command");
	p->python_version = load_strdup_or_null(root, "python_version");
	p->numba_version = load_strdup_or_null(root, "numba_version");
	p->codegen = load_strdup_or_null(root, "codegen");
	p->rate_requested = json_get_number(root, "rate_requested", 0);
	p->cpu_time = json_get_bool(root, "cpu_time", 0);
	p->all_threads = json_get_bool(root, "all_threads", 0);
	p->never_paused = json_get_bool(root, "never_paused", 0);
	p->wall_seconds = json_get_number(root, "wall_seconds", 0);
	p->paused_seconds = json_get_number(root, "paused_seconds", 0);
	p->ticks = (unsigned long)json_get_number(root, "ticks", 0);
	p->lost = (unsigned long)json_get_number(root, "lost", 0);
	p->cut = (unsigned long)json_get_number(root, "cut", 0);
	p->cut_depth = (int)json_get_number(root, "cut_depth", 0);
	p->blind = (unsigned long)json_get_number(root, "blind", 0);
	return 0;
}

static int load_frames(struct load *l, const struct json *root)
{
	const struct json *a = load_array(root, "frames");

	if (!a)
		return load_fail(l, "no \"frames\" array");
	l->frames = xcalloc(a->u.array.n + 1, sizeof(*l->frames));
	for (size_t i = 0; i < a->u.array.n; i++) {
		const struct json *v = &a->u.array.items[i];
		const char *kind = json_get_string(v, "kind", "");
		struct profile_frame f = { 0 };

		f.name = (char *)json_get_string(v, "name", NULL);
		if (strcmp(kind, "user") == 0 || strcmp(kind, "internal") == 0) {
			f.kind = kind[0] == 'u' ? PROFILE_FRAME_USER : PROFILE_FRAME_INTERNAL;
			f.file = (char *)json_get_string(v, "file", NULL);
			if (!json_is_int(json_get(v, "line"), 1, 1 << 22) || !f.file)
				return load_fail(l, "frame %zu has no file or line", i);
			f.line = (int)json_get(v, "line")->u.number;
			f.inlined = json_get_bool(v, "inlined", 0);
		} else if (strcmp(kind, "native") == 0) {
			f.kind = PROFILE_FRAME_NATIVE;
			f.lib = (char *)json_get_string(v, "lib", NULL);
		} else {
			return load_fail(l, "frame %zu is of no known kind", i);
		}
		if (!f.name)
			return load_fail(l, "frame %zu has no name", i);
		l->frames[i] = profile_intern_frame(l->p, &f);
	}
	l->nframes = a->u.array.n;
	return 0;
}

/* Stack 0 is the empty stack; each other one's parent comes before it. */
static int load_stacks(struct load *l, const struct json *root)
{
	const struct json *a = load_array(root, "stacks");

	if (!a || a->u.array.n == 0 || a->u.array.items[0].kind != JSON_NULL)
		return load_fail(l, "no \"stacks\" array beginning with null");
	l->stacks = xcalloc(a->u.array.n, sizeof(*l->stacks));
	l->stacks[0] = PROFILE_STACK_EMPTY;
	for (size_t i = 1; i < a->u.array.n; i++) {
		const struct json *v = &a->u.array.items[i];

		if (v->kind != JSON_ARRAY || v->u.array.n != 2 ||
		    !json_is_int(&v->u.array.items[0], 0, (double)i - 1) ||
		    !json_is_int(&v->u.array.items[1], 0, (double)l->nframes - 1))
			return load_fail(l, "stack %zu is not [an earlier stack, a frame]", i);
		l->stacks[i] = profile_intern_stack(l->p,
						    l->stacks[(size_t)v->u.array.items[0].u.number],
						    l->frames[(size_t)v->u.array.items[1].u.number]);
	}
	l->nstacks = a->u.array.n;
	return 0;
}

static int load_threads(struct load *l, const struct json *root)
{
	const struct json *a = load_array(root, "threads"), *procs = load_array(root, "processes");

	if (!a || !procs)
		return load_fail(l, "no \"threads\" or \"processes\" array");
	for (size_t i = 0; i < a->u.array.n; i++) {
		const struct json *v = &a->u.array.items[i];

		if (!json_is_int(json_get(v, "pid"), 0, INT32_MAX) ||
		    !json_is_int(json_get(v, "tid"), 0, INT32_MAX))
			return load_fail(l, "thread %zu has no pid or tid", i);
		/* Each thread as its own entry, even one listed twice. */
		if (profile_intern_thread(l->p, (int)json_get(v, "pid")->u.number,
					  (int)json_get(v, "tid")->u.number,
					  json_get_string(v, "name", NULL)) != i)
			return load_fail(l, "thread %zu is listed twice", i);
	}
	l->nthreads = a->u.array.n;
	for (size_t i = 0; i < procs->u.array.n; i++) {
		const struct json *v = &procs->u.array.items[i];

		if (!json_is_int(json_get(v, "pid"), 0, INT32_MAX))
			return load_fail(l, "process %zu has no pid", i);
		profile_add_process(l->p, (int)json_get(v, "pid")->u.number,
				    json_get_string(v, "command", NULL));
	}
	return 0;
}

static int load_samples(struct load *l, const struct json *root)
{
	const struct json *s = json_get(root, "samples");
	const struct json *th = load_array(s, "thread"), *st = load_array(s, "stack");
	const struct json *dt = load_array(s, "dt_us");
	long long t = 0;

	if (!th || !st || !dt || th->u.array.n != st->u.array.n || th->u.array.n != dt->u.array.n)
		return load_fail(l, "no \"samples\" with arrays thread, stack and dt_us of one length");
	for (size_t i = 0; i < th->u.array.n; i++) {
		const struct json *ti = &th->u.array.items[i], *si = &st->u.array.items[i];
		const struct json *di = &dt->u.array.items[i];

		if (!json_is_int(ti, 0, (double)l->nthreads - 1) ||
		    !json_is_int(si, -1, (double)l->nstacks - 1) || !json_is_int(di, -1e15, 1e15))
			return load_fail(l, "sample %zu has a bad thread, stack or time", i);
		t += (long long)di->u.number;
		profile_log_sample(l->p, (uint32_t)ti->u.number,
				   si->u.number < 0 ? PROFILE_STACK_BAD
						    : l->stacks[(size_t)si->u.number], t);
	}
	return 0;
}

static int load_sources(struct load *l, const struct json *root)
{
	const struct json *a = load_array(root, "sources");

	if (!a)
		return 0;
	for (size_t i = 0; i < a->u.array.n; i++) {
		const struct json *v = &a->u.array.items[i], *lines = json_get(v, "lines");
		const char *path = json_get_string(v, "path", NULL);
		const char **text;

		if (!path || !lines || (lines->kind != JSON_NULL && lines->kind != JSON_ARRAY))
			return load_fail(l, "source %zu has no path or lines", i);
		if (lines->kind == JSON_NULL || lines->u.array.n > INT32_MAX) {
			profile_set_source(l->p, path, NULL);
			continue;
		}
		text = xcalloc(lines->u.array.n + 1, sizeof(*text));
		for (size_t k = 0; k < lines->u.array.n; k++) {
			if (lines->u.array.items[k].kind != JSON_STRING) {
				free(text);
				return load_fail(l, "line %zu of source %zu is not a string", k + 1, i);
			}
			text[k] = lines->u.array.items[k].u.string.s;
		}
		profile_set_source(l->p, path, source_from_lines(text, (int)lines->u.array.n));
		free(text);
	}
	return 0;
}

struct profile *load_json(const char *text, size_t len, char *err, size_t errsize)
{
	struct load l = { .err = err, .errsize = errsize };
	struct json root;
	int ret;

	if (json_parse(text, len, &root, err, errsize) < 0)
		return NULL;
	l.p = profile_new(NULL, NULL);
	ret = root.kind != JSON_OBJECT ? load_fail(&l, "not a JSON object") : load_header(&l, &root);
	if (ret == 0)
		ret = load_frames(&l, &root);
	if (ret == 0)
		ret = load_stacks(&l, &root);
	if (ret == 0)
		ret = load_threads(&l, &root);
	if (ret == 0)
		ret = load_samples(&l, &root);
	if (ret == 0)
		ret = load_sources(&l, &root);
	json_release(&root);
	free(l.frames);
	free(l.stacks);
	if (ret < 0) {
		profile_free(l.p);
		return NULL;
	}
	return l.p;
}
