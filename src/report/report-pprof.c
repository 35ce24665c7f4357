/* report-pprof: Go pprof's profile.proto
 * (github.com/google/pprof/blob/main/proto/profile.proto), encoded here
 * (varints and length-delimited fields) and gzipped with zlib.  One
 * Location per (function, line), so `go tool pprof -lines` shows lines;
 * one Sample per (thread, stack) with labels "thread", "tid" and "pid";
 * values: samples, and their CPU (perf) or wall (gdb) time.  Comments
 * (`go tool pprof -comments`) give the share waiting in Numba's thread
 * pool and, with several threads, the thread table. */
#include "report.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "strbuf.h"
#include "util.h"

/* Field numbers of profile.proto. */
enum {
	PB_PROFILE_SAMPLE_TYPE = 1, PB_PROFILE_SAMPLE = 2, PB_PROFILE_LOCATION = 4,
	PB_PROFILE_FUNCTION = 5, PB_PROFILE_STRING = 6, PB_PROFILE_DURATION = 10,
	PB_PROFILE_PERIOD_TYPE = 11, PB_PROFILE_PERIOD = 12, PB_PROFILE_COMMENT = 13,
	PB_VALUETYPE_TYPE = 1, PB_VALUETYPE_UNIT = 2,
	PB_SAMPLE_LOCATION = 1, PB_SAMPLE_VALUE = 2, PB_SAMPLE_LABEL = 3,
	PB_LABEL_KEY = 1, PB_LABEL_STR = 2, PB_LABEL_NUM = 3,
	PB_LOCATION_ID = 1, PB_LOCATION_LINE = 4,
	PB_LINE_FUNCTION = 1, PB_LINE_LINE = 2,
	PB_FUNCTION_ID = 1, PB_FUNCTION_NAME = 2, PB_FUNCTION_SYSTEM_NAME = 3,
	PB_FUNCTION_FILENAME = 4,
};

/* A hash map from a pair of numbers to an index + 1. */
struct pprof_map {
	uint64_t *keys;
	uint32_t *vals;
	size_t nslots, n;
};

struct pprof {
	const struct profile *p;
	struct strbuf out;		/* the Profile message */
	char **strings;			/* the string table */
	size_t nstrings, strings_alloc;
	struct pprof_map string_map;	/* hash of a string -> index + 1 (chained by probe) */
	struct pprof_map funcs;		/* (name, file) string ids -> function id */
	struct pprof_map locs;		/* (function id, line) -> location id */
	uint32_t *frame_loc;		/* frame -> location id */
	uint32_t bad_loc, none_loc;
	struct pprof_map samples;	/* (thread, stack) -> count index + 1 */
	uint64_t *sample_keys;
	unsigned long *sample_counts;
	size_t nsamples, samples_alloc;
};

static void pb_varint(struct strbuf *sb, uint64_t v);
static void pb_uint(struct strbuf *sb, int field, uint64_t v);
static void pb_bytes(struct strbuf *sb, int field, const void *data, size_t len);
static uint64_t pprof_hash(uint64_t k);
static uint32_t pprof_map_get(struct pprof_map *m, uint64_t key, uint32_t val_if_new);
static void pprof_map_free(struct pprof_map *m);
static uint64_t pprof_string(struct pprof *pp, const char *s);
static uint32_t pprof_function(struct pprof *pp, const char *name, const char *file);
static uint32_t pprof_location(struct pprof *pp, uint32_t func, int line);
static void pprof_value_type(struct pprof *pp, int field, const char *type, const char *unit);
static void pprof_locations(struct pprof *pp);
static void pprof_count_samples(struct pprof *pp);
static void pprof_label(struct strbuf *sb, uint64_t key, uint64_t str, int64_t num);
static void pprof_comment(struct pprof *pp, char *text);
static void pprof_comments(struct pprof *pp);
static void pprof_samples(struct pprof *pp, double ns_per_sample);
static int pprof_gzip(FILE *out, const struct strbuf *sb);

static void pb_varint(struct strbuf *sb, uint64_t v)
{
	do {
		strbuf_addch(sb, (int)((v & 0x7f) | (v > 0x7f ? 0x80 : 0)));
		v >>= 7;
	} while (v);
}

static void pb_uint(struct strbuf *sb, int field, uint64_t v)
{
	pb_varint(sb, (uint64_t)field << 3);
	pb_varint(sb, v);
}

static void pb_bytes(struct strbuf *sb, int field, const void *data, size_t len)
{
	pb_varint(sb, (uint64_t)field << 3 | 2);
	pb_varint(sb, len);
	strbuf_add(sb, data, len);
}

static uint64_t pprof_hash(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	return k;
}

/* The value of `key`, storing val_if_new when it is new (0: look only). */
static uint32_t pprof_map_get(struct pprof_map *m, uint64_t key, uint32_t val_if_new)
{
	size_t k;

	if (2 * (m->n + 1) > m->nslots) {
		struct pprof_map old = *m;

		m->nslots = old.nslots ? old.nslots * 2 : 256;
		m->keys = xcalloc(m->nslots, sizeof(*m->keys));
		m->vals = xcalloc(m->nslots, sizeof(*m->vals));
		m->n = 0;
		for (size_t i = 0; i < old.nslots; i++)
			if (old.vals[i])
				pprof_map_get(m, old.keys[i], old.vals[i]);
		free(old.keys);
		free(old.vals);
	}
	for (k = pprof_hash(key) & (m->nslots - 1); m->vals[k]; k = (k + 1) & (m->nslots - 1))
		if (m->keys[k] == key)
			return m->vals[k];
	if (!val_if_new)
		return 0;
	m->keys[k] = key;
	m->vals[k] = val_if_new;
	m->n++;
	return val_if_new;
}

static void pprof_map_free(struct pprof_map *m)
{
	free(m->keys);
	free(m->vals);
}

/* Strings are keyed by their hash; a collision probes the next key. */
static uint64_t pprof_string(struct pprof *pp, const char *s)
{
	uint64_t h = 14695981039346656037ull;
	uint32_t v;

	for (const char *q = s; *q; q++)
		h = (h ^ (unsigned char)*q) * 1099511628211ull;
	for (;; h++) {
		v = pprof_map_get(&pp->string_map, h, (uint32_t)pp->nstrings + 1);
		if (v == pp->nstrings + 1) {
			pp->strings = xgrow(pp->strings, &pp->strings_alloc, pp->nstrings + 1,
					    sizeof(*pp->strings));
			pp->strings[pp->nstrings++] = xstrdup(s);
			return v - 1;
		}
		if (strcmp(pp->strings[v - 1], s) == 0)
			return v - 1;
	}
}

static uint32_t pprof_function(struct pprof *pp, const char *name, const char *file)
{
	uint64_t n = pprof_string(pp, name), f = pprof_string(pp, file ? file : "");
	uint32_t id = (uint32_t)pp->funcs.n + 1;
	struct strbuf fn = STRBUF_INIT;

	if (pprof_map_get(&pp->funcs, n << 32 | f, id) != id)
		return pprof_map_get(&pp->funcs, n << 32 | f, 0);
	pb_uint(&fn, PB_FUNCTION_ID, id);
	pb_uint(&fn, PB_FUNCTION_NAME, n);
	pb_uint(&fn, PB_FUNCTION_SYSTEM_NAME, n);
	pb_uint(&fn, PB_FUNCTION_FILENAME, f);
	pb_bytes(&pp->out, PB_PROFILE_FUNCTION, fn.buf, fn.len);
	strbuf_release(&fn);
	return id;
}

static uint32_t pprof_location(struct pprof *pp, uint32_t func, int line)
{
	uint64_t key = (uint64_t)func << 32 | (uint32_t)line;
	uint32_t id = (uint32_t)pp->locs.n + 1;
	struct strbuf loc = STRBUF_INIT, ln = STRBUF_INIT;

	if (pprof_map_get(&pp->locs, key, id) != id)
		return pprof_map_get(&pp->locs, key, 0);
	pb_uint(&ln, PB_LINE_FUNCTION, func);
	pb_uint(&ln, PB_LINE_LINE, (uint64_t)line);
	pb_uint(&loc, PB_LOCATION_ID, id);
	pb_bytes(&loc, PB_LOCATION_LINE, ln.buf, ln.len);
	pb_bytes(&pp->out, PB_PROFILE_LOCATION, loc.buf, loc.len);
	strbuf_release(&ln);
	strbuf_release(&loc);
	return id;
}

static void pprof_value_type(struct pprof *pp, int field, const char *type, const char *unit)
{
	struct strbuf vt = STRBUF_INIT;

	pb_uint(&vt, PB_VALUETYPE_TYPE, pprof_string(pp, type));
	pb_uint(&vt, PB_VALUETYPE_UNIT, pprof_string(pp, unit));
	pb_bytes(&pp->out, field, vt.buf, vt.len);
	strbuf_release(&vt);
}

/* A native frame's function is its symbol in its library. */
static void pprof_locations(struct pprof *pp)
{
	const struct profile *p = pp->p;

	pp->frame_loc = xcalloc(p->nframes + 1, sizeof(*pp->frame_loc));
	for (size_t i = 0; i < p->nframes; i++) {
		const struct profile_frame *f = &p->frames[i];
		char *label = f->kind == PROFILE_FRAME_NATIVE ? report_frame_label(f) : NULL;
		uint32_t fn = label ? pprof_function(pp, label, f->lib)
				    : pprof_function(pp, f->name, f->file);

		free(label);
		pp->frame_loc[i] = pprof_location(pp, fn, f->line);
	}
	pp->bad_loc = pprof_location(pp, pprof_function(pp, "[unreadable]", NULL), 0);
	pp->none_loc = pprof_location(pp, pprof_function(pp, "[no code nprof could name]", NULL), 0);
}

static void pprof_count_samples(struct pprof *pp)
{
	struct profile_sample s;
	size_t pos = 0;

	while (profile_next_sample(pp->p, &pos, &s)) {
		uint64_t key = (uint64_t)s.thread << 32 | s.stack;
		uint32_t i = pprof_map_get(&pp->samples, key, (uint32_t)pp->nsamples + 1);

		if (i == pp->nsamples + 1) {
			size_t alloc = pp->samples_alloc;

			pp->sample_keys = xgrow(pp->sample_keys, &alloc, pp->nsamples + 1,
						sizeof(*pp->sample_keys));
			pp->sample_counts = xgrow(pp->sample_counts, &pp->samples_alloc,
						  pp->nsamples + 1, sizeof(*pp->sample_counts));
			pp->sample_keys[pp->nsamples] = key;
			pp->sample_counts[pp->nsamples++] = 0;
		}
		pp->sample_counts[i - 1]++;
	}
}

static void pprof_label(struct strbuf *sb, uint64_t key, uint64_t str, int64_t num)
{
	struct strbuf l = STRBUF_INIT;

	pb_uint(&l, PB_LABEL_KEY, key);
	if (str)
		pb_uint(&l, PB_LABEL_STR, str);
	else
		pb_uint(&l, PB_LABEL_NUM, (uint64_t)num);
	pb_bytes(sb, PB_SAMPLE_LABEL, l.buf, l.len);
	strbuf_release(&l);
}

static void pprof_comment(struct pprof *pp, char *text)
{
	pb_uint(&pp->out, PB_PROFILE_COMMENT, pprof_string(pp, text));
	free(text);
}

static void pprof_comments(struct pprof *pp)
{
	const struct profile *p = pp->p;
	struct profile_thread_top *tops;

	if (p->pool_wait)
		pprof_comment(pp, xasprintf("%.1f%% of samples waiting in Numba's thread pool",
					    100.0 * (double)p->pool_wait / (double)p->samples));
	if (p->nthreads < 2)
		return;
	tops = xcalloc(p->nthreads, sizeof(*tops));
	profile_thread_tops(p, tops);
	for (size_t t = 0; t < p->nthreads; t++) {
		const struct profile_thread *th = &p->threads[t];
		char *summary = report_thread_summary(p, t, &tops[t]);

		pprof_comment(pp, xasprintf("thread %d (%s): %s", th->tid, th->name ? th->name : "?",
					    summary));
		free(summary);
	}
	free(tops);
}

static void pprof_samples(struct pprof *pp, double ns_per_sample)
{
	const struct profile *p = pp->p;
	uint64_t k_thread = pprof_string(pp, "thread"), k_tid = pprof_string(pp, "tid");
	uint64_t k_pid = pprof_string(pp, "pid");
	struct strbuf smp = STRBUF_INIT, packed = STRBUF_INIT;

	for (size_t i = 0; i < pp->nsamples; i++) {
		uint32_t thread = (uint32_t)(pp->sample_keys[i] >> 32);
		uint32_t stack = (uint32_t)pp->sample_keys[i];
		const struct profile_thread *t = &p->threads[thread];

		strbuf_reset(&smp);
		strbuf_reset(&packed);
		if (stack == PROFILE_STACK_BAD)
			pb_varint(&packed, pp->bad_loc);
		else if (stack == PROFILE_STACK_EMPTY)
			pb_varint(&packed, pp->none_loc);
		for (uint32_t s = stack; s != PROFILE_STACK_BAD && s != PROFILE_STACK_EMPTY;
		     s = p->stacks[s].parent)
			pb_varint(&packed, pp->frame_loc[p->stacks[s].frame]);
		pb_bytes(&smp, PB_SAMPLE_LOCATION, packed.buf, packed.len);
		strbuf_reset(&packed);
		pb_varint(&packed, pp->sample_counts[i]);
		pb_varint(&packed, (uint64_t)((double)pp->sample_counts[i] * ns_per_sample));
		pb_bytes(&smp, PB_SAMPLE_VALUE, packed.buf, packed.len);
		if (t->name)
			pprof_label(&smp, k_thread, pprof_string(pp, t->name), 0);
		if (t->tid)
			pprof_label(&smp, k_tid, 0, t->tid);
		if (t->pid)
			pprof_label(&smp, k_pid, 0, t->pid);
		pb_bytes(&pp->out, PB_PROFILE_SAMPLE, smp.buf, smp.len);
	}
	strbuf_release(&smp);
	strbuf_release(&packed);
}

static int pprof_gzip(FILE *out, const struct strbuf *sb)
{
	unsigned char buf[65536];
	z_stream z = { 0 };
	int ret, failed = 0;

	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		fatal("zlib: cannot start compressing");
	z.next_in = (unsigned char *)(sb->buf ? sb->buf : "");
	z.avail_in = (uInt)sb->len;
	do {
		z.next_out = buf;
		z.avail_out = sizeof(buf);
		ret = deflate(&z, Z_FINISH);
		if (ret == Z_STREAM_ERROR)
			fatal("zlib: compression failed");
		if (fwrite(buf, 1, sizeof(buf) - z.avail_out, out) != sizeof(buf) - z.avail_out)
			failed = 1;
	} while (ret != Z_STREAM_END);
	deflateEnd(&z);
	return failed ? -1 : 0;
}

int report_pprof(FILE *out, struct profile *p, const struct report_options *opt)
{
	struct pprof pp = { .p = p };
	double rate = p->cpu_time ? p->rate_requested : profile_rate(p);
	double period = rate > 0 ? 1e9 / rate : 0;
	struct strbuf whole = STRBUF_INIT;
	int ret;

	pprof_string(&pp, "");
	pprof_value_type(&pp, PB_PROFILE_SAMPLE_TYPE, "samples", "count");
	pprof_value_type(&pp, PB_PROFILE_SAMPLE_TYPE, p->cpu_time ? "cpu" : "wall", "nanoseconds");
	pprof_locations(&pp);
	pprof_count_samples(&pp);
	pprof_samples(&pp, period);
	pb_uint(&pp.out, PB_PROFILE_DURATION, (uint64_t)(p->wall_seconds * 1e9));
	pprof_value_type(&pp, PB_PROFILE_PERIOD_TYPE, p->cpu_time ? "cpu" : "wall", "nanoseconds");
	pb_uint(&pp.out, PB_PROFILE_PERIOD, (uint64_t)period);
	pprof_comments(&pp);
	/* The string table last: every string is known by now. */
	strbuf_add(&whole, pp.out.buf ? pp.out.buf : "", pp.out.len);
	for (size_t i = 0; i < pp.nstrings; i++)
		pb_bytes(&whole, PB_PROFILE_STRING, pp.strings[i], strlen(pp.strings[i]));
	ret = pprof_gzip(out, &whole);
	strbuf_release(&whole);
	strbuf_release(&pp.out);
	for (size_t i = 0; i < pp.nstrings; i++)
		free(pp.strings[i]);
	free(pp.strings);
	free(pp.frame_loc);
	free(pp.sample_keys);
	free(pp.sample_counts);
	pprof_map_free(&pp.string_map);
	pprof_map_free(&pp.funcs);
	pprof_map_free(&pp.locs);
	pprof_map_free(&pp.samples);
	if (ret < 0 || fflush(out) != 0 || ferror(out))
		return -1;
	return 0;
}
