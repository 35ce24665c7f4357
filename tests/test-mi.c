/* Tests for mi: hand-made lines for every rule and every way to break one,
 * real gdb 13 transcripts from data/mi/ (lines starting "# > " are the
 * commands that were sent), and streaming in chunks of every size. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mi.h"
#include "strbuf.h"
#include "util.h"

/* A transcript's lines (pointers into data) and their records. */
struct line {
	const char *raw;
	size_t len;
	struct mi_record *rec;
};

struct transcript {
	char *data;
	size_t len;
	struct line *lines;
	size_t n, alloc;
};

static struct mi_record *parse(const char *s)
{
	return mi_parse_line(s, strlen(s));
}

/* --- rendering a record back into MI text, escaping as gdb does --- */

static void render_cstring(struct strbuf *sb, const char *s)
{
	static const char from[] = "\n\b\t\f\r\033\007", to[] = "nbtfrea";
	const unsigned char *p;
	const char *hit;

	strbuf_addch(sb, '"');
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			strbuf_addf(sb, "\\%c", *p);
		else if ((hit = strchr(from, *p)))
			strbuf_addf(sb, "\\%c", to[hit - from]);
		else if (*p < 0x20 || *p >= 0x7f)
			strbuf_addf(sb, "\\%03o", *p);
		else
			strbuf_addch(sb, *p);
	}
	strbuf_addch(sb, '"');
}

static void render_value(struct strbuf *sb, const struct mi_value *v)
{
	const struct mi_value *c;

	if (v->name)
		strbuf_addf(sb, "%s=", v->name);
	if (v->kind == MI_CSTRING) {
		render_cstring(sb, v->cstring);
		return;
	}
	strbuf_addch(sb, v->kind == MI_TUPLE ? '{' : '[');
	for (c = v->children; c; c = c->next) {
		render_value(sb, c);
		if (c->next)
			strbuf_addch(sb, ',');
	}
	strbuf_addch(sb, v->kind == MI_TUPLE ? '}' : ']');
}

static void render_record(struct strbuf *sb, const struct mi_record *rec)
{
	static const char prefix[] = "^*+=~@&";
	const struct mi_value *v;

	if (rec->kind == MI_PROMPT) {
		strbuf_addstr(sb, "(gdb) ");
		return;
	}
	if (rec->kind == MI_MALFORMED) {
		strbuf_addf(sb, "MALFORMED<%s>", rec->error);
		render_cstring(sb, rec->text);
		return;
	}
	if (rec->token >= 0)
		strbuf_addf(sb, "%ld", rec->token);
	strbuf_addch(sb, prefix[rec->kind]);
	if (rec->kind >= MI_CONSOLE) {
		render_cstring(sb, rec->text);
		return;
	}
	strbuf_addstr(sb, rec->klass);
	for (v = rec->results; v; v = v->next) {
		strbuf_addch(sb, ',');
		render_value(sb, v);
	}
}

static char *render(const struct mi_record *rec)
{
	struct strbuf sb = STRBUF_INIT;

	render_record(&sb, rec);
	return strbuf_detach(&sb);
}

static size_t count(const struct mi_value *v)
{
	size_t n = 0;

	for (; v; v = v->next)
		n++;
	return n;
}

static const struct mi_value *nth(const struct mi_value *v, size_t i)
{
	while (v && i--)
		v = v->next;
	assert_non_null(v);
	return v;
}

/* --- transcripts --- */

static char *read_data(const char *name, size_t *len)
{
	const char *srcdir = getenv("srcdir");
	char *path = xasprintf("%s/data/mi/%s", srcdir ? srcdir : ".", name);
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f)
		fail_msg("cannot open %s; set srcdir to the tests directory", path);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&sb, buf, n);
	assert_int_equal(ferror(f), 0);
	fclose(f);
	free(path);
	*len = sb.len;
	return strbuf_detach(&sb);
}

static struct transcript *transcript_load(const char *name)
{
	struct transcript *t = xcalloc(1, sizeof(*t));
	char *p, *end, *nl;
	struct line *l;

	t->data = read_data(name, &t->len);
	end = t->data + t->len;
	for (p = t->data; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		assert_non_null(nl);	/* gdb ends every line */
		if (strncmp(p, "# ", 2) == 0)	/* commands sent, times */
			continue;
		t->lines = xgrow(t->lines, &t->alloc, t->n + 1, sizeof(*t->lines));
		l = &t->lines[t->n++];
		l->raw = p;
		l->len = (size_t)(nl - p);
		l->rec = mi_parse_line(p, l->len);
	}
	return t;
}

static void transcript_free(struct transcript *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		mi_record_free(t->lines[i].rec);
	free(t->lines);
	free(t->data);
	free(t);
}

static int setup_sample(void **state)
{
	*state = transcript_load("sample-numba-gdb13.mi");
	return 0;
}

static int setup_breakpoint(void **state)
{
	*state = transcript_load("breakpoint-numba-gdb13.mi");
	return 0;
}

static int setup_escapes(void **state)
{
	*state = transcript_load("escapes-errors-gdb13.mi");
	return 0;
}

static int teardown_transcript(void **state)
{
	transcript_free(*state);
	return 0;
}

/* Index of the first record of `kind` and `klass` at or after `from`
 * (klass NULL: any), and with token `token` unless that is -2. */
static size_t find_rec(const struct transcript *t, size_t from,
		       enum mi_record_kind kind, const char *klass, long token)
{
	size_t i;

	for (i = from; i < t->n; i++) {
		const struct mi_record *r = t->lines[i].rec;

		if (r->kind == kind && (!klass || strcmp(r->klass, klass) == 0) &&
		    (token == -2 || r->token == token))
			return i;
	}
	fail_msg("no %s record with token %ld", klass ? klass : "such", token);
	return 0;
}

static size_t count_recs(const struct transcript *t, enum mi_record_kind kind,
			 const char *klass)
{
	size_t i, n = 0;

	for (i = 0; i < t->n; i++)
		if (t->lines[i].rec->kind == kind &&
		    (!klass || strcmp(t->lines[i].rec->klass, klass) == 0))
			n++;
	return n;
}

/* Every line parses, and renders back to exactly what gdb wrote. */
static void test_transcript_roundtrip(void **state)
{
	const struct transcript *t = *state;
	size_t i;
	char *s;

	assert_true(t->n > 0);
	for (i = 0; i < t->n; i++) {
		if (t->lines[i].rec->kind == MI_MALFORMED)
			fail_msg("line %zu malformed: %s", i, t->lines[i].rec->error);
		s = render(t->lines[i].rec);
		if (t->lines[i].rec->kind == MI_PROMPT)
			assert_int_equal(strncmp(t->lines[i].raw, "(gdb)", 5), 0);
		else if (strlen(s) != t->lines[i].len || memcmp(s, t->lines[i].raw, t->lines[i].len) != 0)
			fail_msg("line %zu renders back as %s", i, s);
		free(s);
	}
}

static void assert_stack_frame(const struct mi_value *frame, const char *level,
			       const char *func_prefix, const char *file, const char *line)
{
	const char *func = mi_find_string(frame->children, "func");

	assert_string_equal(frame->name, "frame");
	assert_int_equal(frame->kind, MI_TUPLE);
	assert_string_equal(mi_find_string(frame->children, "level"), level);
	assert_non_null(func);
	assert_int_equal(strncmp(func, func_prefix, strlen(func_prefix)), 0);
	if (file)
		assert_string_equal(mi_find_string(frame->children, "file"), file);
	if (line)
		assert_string_equal(mi_find_string(frame->children, "line"), line);
}

static void test_sample_counts(void **state)
{
	const struct transcript *t = *state;

	assert_int_equal(t->n, 178 - 16);
	assert_int_equal(count_recs(t, MI_PROMPT, NULL), 15);
	assert_int_equal(count_recs(t, MI_NOTIFY, "library-loaded"), 85);
	assert_int_equal(count_recs(t, MI_NOTIFY, "library-unloaded"), 5);
	assert_int_equal(count_recs(t, MI_EXEC, "stopped"), 5);
	assert_int_equal(count_recs(t, MI_RESULT, "running"), 4);
	assert_int_equal(count_recs(t, MI_MALFORMED, NULL), 0);
}

static void test_sample_stack(void **state)
{
	const struct transcript *t = *state;
	const struct mi_record *r = t->lines[find_rec(t, 0, MI_RESULT, "done", 8)].rec;
	const struct mi_value *stack = mi_find_list(r->results, "stack");
	const struct mi_value *f;
	size_t i;

	assert_non_null(stack);
	assert_string_equal(stack->name, "stack");
	assert_int_equal(count(stack->children), 18);
	for (i = 0, f = stack->children; f; f = f->next, i++) {
		char level[8];

		snprintf(level, sizeof(level), "%zu", i);
		assert_stack_frame(f, level, "", NULL, NULL);
	}
	assert_stack_frame(nth(stack->children, 0), "0", "libc_feholdsetround_sse_ctx",
			   "../sysdeps/x86/fpu/fenv_private.h", "416");
	assert_stack_frame(nth(stack->children, 2), "2", "__main__::kernel",
			   "kernel.py", "12");
	assert_string_equal(mi_find_string(nth(stack->children, 2)->children, "fullname"),
			    "/tmp/exp/kernel.py");
	/* Frames without debug info name their library instead of a file. */
	f = nth(stack->children, 17);
	assert_null(mi_find_string(f->children, "file"));
	assert_null(mi_find(f->children, "line"));
	/* The other two samples land on line 12 too. */
	r = t->lines[find_rec(t, 0, MI_RESULT, "done", 11)].rec;
	f = nth(mi_find_list(r->results, "stack")->children, 2);
	assert_stack_frame(f, "2", "__main__::kernel", "kernel.py", "12");
}

static void test_sample_stops(void **state)
{
	const struct transcript *t = *state;
	size_t i = find_rec(t, 0, MI_EXEC, "stopped", -1);
	const struct mi_record *r = t->lines[i].rec;
	const struct mi_value *frame, *args, *threads;

	/* The stop on attach has no reason; its frame has args. */
	assert_null(mi_find(r->results, "reason"));
	frame = mi_find_tuple(r->results, "frame");
	assert_non_null(frame);
	args = mi_find_list(frame->children, "args");
	assert_int_equal(count(args->children), 3);
	assert_null(nth(args->children, 0)->name);
	assert_int_equal(nth(args->children, 0)->kind, MI_TUPLE);
	assert_string_equal(mi_find_string(nth(args->children, 0)->children, "name"), "fd");
	assert_string_equal(mi_find_string(nth(args->children, 0)->children, "value"), "3");
	threads = mi_find_list(r->results, "stopped-threads");
	assert_int_equal(count(threads->children), 1);
	assert_null(threads->children->name);
	assert_string_equal(threads->children->cstring, "1");

	/* The stop that answers -exec-interrupt (token 7). */
	i = find_rec(t, find_rec(t, 0, MI_RESULT, "done", 7), MI_EXEC, "stopped", -1);
	r = t->lines[i].rec;
	assert_string_equal(mi_find_string(r->results, "reason"), "signal-received");
	assert_string_equal(mi_find_string(r->results, "signal-name"), "0");
	assert_string_equal(mi_find_string(r->results, "signal-meaning"), "Signal 0");
	assert_string_equal(mi_find_string(r->results, "thread-id"), "1");
	frame = mi_find_tuple(r->results, "frame");
	assert_string_equal(mi_find_string(frame->children, "func"), "libc_feholdsetround_sse_ctx");
	args = mi_find_list(frame->children, "args");
	assert_string_equal(mi_find_string(nth(args->children, 1)->children, "value"),
			    "<synthetic pointer>");

	/* The kill. */
	i = find_rec(t, i + 1, MI_NOTIFY, "thread-group-exited", -1);
	assert_string_equal(mi_find_string(t->lines[i].rec->results, "id"), "i1");
	assert_null(mi_find(t->lines[i].rec->results, "exit-code"));
	r = t->lines[find_rec(t, i, MI_EXEC, "stopped", -1)].rec;
	assert_string_equal(mi_find_string(r->results, "reason"), "exited-signalled");
	assert_string_equal(mi_find_string(r->results, "signal-name"), "SIGKILL");
	r = t->lines[t->n - 1].rec;
	assert_int_equal(r->kind, MI_RESULT);
	assert_int_equal(r->token, 16);
	assert_string_equal(r->klass, "exit");
	assert_null(r->results);
}

static void test_sample_libraries(void **state)
{
	const struct transcript *t = *state;
	size_t i, n = 0;

	for (i = 0; i < t->n; i++) {
		const struct mi_value *ranges, *range;

		if (t->lines[i].rec->kind != MI_NOTIFY ||
		    strcmp(t->lines[i].rec->klass, "library-loaded") != 0)
			continue;
		n++;
		assert_non_null(mi_find_string(t->lines[i].rec->results, "id"));
		assert_string_equal(mi_find_string(t->lines[i].rec->results, "thread-group"), "i1");
		ranges = mi_find_list(t->lines[i].rec->results, "ranges");
		assert_non_null(ranges);
		assert_int_equal(count(ranges->children), 1);
		range = ranges->children;
		assert_null(range->name);
		assert_int_equal(range->kind, MI_TUPLE);
		assert_int_equal(strncmp(mi_find_string(range->children, "from"), "0x", 2), 0);
		assert_int_equal(strncmp(mi_find_string(range->children, "to"), "0x", 2), 0);
	}
	assert_int_equal(n, 85);
	i = find_rec(t, 0, MI_NOTIFY, "library-loaded", -1);
	assert_string_equal(mi_find_string(t->lines[i].rec->results, "id"),
			    "/lib/x86_64-linux-gnu/libm.so.6");
	assert_string_equal(mi_find_string(mi_find_list(t->lines[i].rec->results, "ranges")->children->children,
					   "to"), "0x00007f133797c3d8");
}

static void test_sample_streams(void **state)
{
	const struct transcript *t = *state;
	size_t i = find_rec(t, 0, MI_RESULT, "done", 4);

	/* The console lines that precede 4^done, escapes decoded. */
	assert_int_equal(t->lines[i - 5].rec->kind, MI_LOG);
	assert_string_equal(t->lines[i - 5].rec->text, "handle SIGINT nostop noprint pass\n");
	assert_int_equal(t->lines[i - 2].rec->kind, MI_CONSOLE);
	assert_string_equal(t->lines[i - 2].rec->text,
			    "Signal        Stop\tPrint\tPass to program\tDescription\n");
	assert_null(t->lines[i - 2].rec->klass);
	assert_null(t->lines[i - 2].rec->results);
	assert_int_equal(t->lines[i - 2].rec->token, -1);
	i = find_rec(t, 0, MI_NOTIFY, "library-loaded", -1);
	assert_string_equal(t->lines[i + 6].rec->text,
			    "Using host libthread_db library \"/lib/x86_64-linux-gnu/libthread_db.so.1\".\n");
	assert_string_equal(t->lines[i + 8].rec->text,
			    "26\t../sysdeps/unix/sysv/linux/read.c: No such file or directory.\n");
}

static void test_breakpoint_transcript(void **state)
{
	const struct transcript *t = *state;
	const struct mi_record *r;
	const struct mi_value *bkpt, *body, *script, *frame, *stack, *vars;
	size_t i;

	/* A pending breakpoint, then its table: a list of results whose
	 * script is a tuple of bare values (gdb strays from its grammar). */
	r = t->lines[find_rec(t, 0, MI_RESULT, "done", 4)].rec;
	bkpt = mi_find_tuple(r->results, "bkpt");
	assert_string_equal(mi_find_string(bkpt->children, "addr"), "<PENDING>");
	assert_string_equal(mi_find_string(bkpt->children, "pending"), "kern.py:9");
	r = t->lines[find_rec(t, 0, MI_RESULT, "done", 6)].rec;
	body = mi_find_list(mi_find_tuple(r->results, "BreakpointTable")->children, "body");
	assert_int_equal(count(body->children), 1);
	assert_string_equal(body->children->name, "bkpt");
	script = mi_find_tuple(body->children->children, "script");
	assert_non_null(script);
	assert_int_equal(count(script->children), 1);
	assert_null(script->children->name);
	assert_string_equal(script->children->cstring, "print i");
	assert_int_equal(count(mi_find_list(mi_find_tuple(r->results, "BreakpointTable")->children,
					    "hdr")->children), 6);

	/* The hit, once Numba's JIT registered the kernel. */
	i = find_rec(t, 0, MI_NOTIFY, "breakpoint-modified", -1);
	bkpt = mi_find_tuple(t->lines[i].rec->results, "bkpt");
	assert_string_equal(mi_find_string(bkpt->children, "file"), "kern.py");
	assert_string_equal(mi_find_list(bkpt->children, "thread-groups")->children->cstring, "i1");
	r = t->lines[find_rec(t, i, MI_EXEC, "stopped", -1)].rec;
	assert_string_equal(mi_find_string(r->results, "reason"), "breakpoint-hit");
	assert_string_equal(mi_find_string(r->results, "bkptno"), "1");
	assert_string_equal(mi_find_string(r->results, "stopped-threads"), "all");
	assert_null(mi_find_list(r->results, "stopped-threads"));
	frame = mi_find_tuple(r->results, "frame");
	assert_string_equal(mi_find_string(frame->children, "line"), "9");
	assert_string_equal(mi_find_string(mi_find_list(frame->children, "args")->children->children,
					   "value"), "...");

	r = t->lines[find_rec(t, 0, MI_RESULT, "done", 8)].rec;
	stack = mi_find_list(r->results, "stack");
	assert_int_equal(count(stack->children), 17);
	assert_stack_frame(stack->children, "0", "__main__::kernel", "kern.py", "9");
	assert_stack_frame(nth(stack->children, 1), "1", "cpython::__main__::kernel", NULL, NULL);
	assert_stack_frame(nth(stack->children, 16), "16", "_start", NULL, NULL);

	r = t->lines[find_rec(t, 0, MI_RESULT, "done", 9)].rec;
	vars = mi_find_list(r->results, "variables");
	assert_int_equal(count(vars->children), 2);
	assert_string_equal(mi_find_string(nth(vars->children, 1)->children, "name"), "s$2");
	assert_string_equal(mi_find_string(nth(vars->children, 1)->children, "type"), "float64");

	r = t->lines[find_rec(t, 0, MI_RESULT, "error", 10)].rec;
	assert_string_equal(mi_find_string(r->results, "msg"), "Undefined MI command: foo");
	assert_string_equal(mi_find_string(r->results, "code"), "undefined-command");

	/* sys.exit(3): gdb writes exit codes in octal. */
	i = find_rec(t, 0, MI_NOTIFY, "thread-group-exited", -1);
	assert_string_equal(mi_find_string(t->lines[i].rec->results, "exit-code"), "03");
	r = t->lines[find_rec(t, i, MI_EXEC, "stopped", -1)].rec;
	assert_string_equal(mi_find_string(r->results, "reason"), "exited");
	assert_string_equal(mi_find_string(r->results, "exit-code"), "03");
	r = t->lines[find_rec(t, 0, MI_RESULT, "exit", 13)].rec;
	assert_int_equal(r->kind, MI_RESULT);
}

static void test_escapes_transcript(void **state)
{
	const struct transcript *t = *state;
	const struct mi_record *r;
	const struct mi_value *features;
	size_t i;

	/* gdb's echo of "\a\b\f\v\001\177\033\t\"q\\ \303\251\n". */
	i = find_rec(t, 0, MI_RESULT, "done", 1);
	assert_int_equal(t->lines[i - 1].rec->kind, MI_CONSOLE);
	assert_string_equal(t->lines[i - 1].rec->text, "\a\b\f\v\001\177\033\t\"q\\ \303\251\n");

	/* A value that is itself a C literal: escapes two levels deep. */
	r = t->lines[find_rec(t, 0, MI_RESULT, "done", 2)].rec;
	assert_string_equal(mi_find_string(r->results, "value"), "\"a\\tb\\001\"");

	r = t->lines[find_rec(t, 0, MI_RESULT, "error", 3)].rec;
	assert_string_equal(mi_find_string(r->results, "msg"),
			    "A syntax error in expression, near `'.");
	assert_null(mi_find(r->results, "code"));
	r = t->lines[find_rec(t, 0, MI_RESULT, "error", 4)].rec;
	assert_string_equal(mi_find_string(r->results, "code"), "undefined-command");
	r = t->lines[find_rec(t, 0, MI_RESULT, "error", 5)].rec;
	assert_string_equal(mi_find_string(r->results, "msg"),
			    "/nonexistent/dir with space/x: No such file or directory.");

	r = t->lines[find_rec(t, 0, MI_RESULT, "done", 6)].rec;
	features = mi_find_list(r->results, "features");
	assert_int_equal(count(features->children), 12);
	assert_string_equal(features->children->cstring, "frozen-varobjs");
	assert_string_equal(nth(features->children, 11)->cstring, "python");

	i = find_rec(t, 0, MI_NOTIFY, "thread-group-exited", -1);
	assert_string_equal(mi_find_string(t->lines[i].rec->results, "exit-code"), "0");
	r = t->lines[find_rec(t, i, MI_EXEC, "stopped", -1)].rec;
	assert_string_equal(mi_find_string(r->results, "reason"), "exited-normally");
	r = t->lines[find_rec(t, 0, MI_EXEC, "running", -1)].rec;
	assert_string_equal(mi_find_string(r->results, "thread-id"), "all");
	r = t->lines[find_rec(t, 0, MI_RESULT, "running", 8)].rec;
	assert_null(r->results);
	assert_int_equal(t->lines[t->n - 1].rec->token, 9);
	assert_string_equal(t->lines[t->n - 1].rec->klass, "exit");
}

/* --- hand-made lines --- */

static void test_record_kinds(void **state)
{
	static const struct {
		const char *line;
		enum mi_record_kind kind;
		const char *klass;	/* or the stream text */
		size_t nresults;
	} cases[] = {
		{ "^done", MI_RESULT, "done", 0 },
		{ "^running", MI_RESULT, "running", 0 },
		{ "^connected", MI_RESULT, "connected", 0 },
		{ "^error,msg=\"No symbol \\\"x\\\".\"", MI_RESULT, "error", 1 },
		{ "^error,msg=\"x\",code=\"undefined-command\"", MI_RESULT, "error", 2 },
		{ "^exit", MI_RESULT, "exit", 0 },
		{ "*stopped", MI_EXEC, "stopped", 0 },
		{ "*running,thread-id=\"all\"", MI_EXEC, "running", 1 },
		{ "+download,section=\".text\",section-size=\"6668\",total-size=\"9880\"",
		  MI_STATUS, "download", 3 },
		{ "=thread-created,id=\"1\",group-id=\"i1\"", MI_NOTIFY, "thread-created", 2 },
		{ "=cmd-param-changed,param=\"print pretty\",value=\"on\"",
		  MI_NOTIFY, "cmd-param-changed", 2 },
		{ "~\"console\\n\"", MI_CONSOLE, "console\n", 0 },
		{ "@\"target\"", MI_TARGET, "target", 0 },
		{ "&\"log\"", MI_LOG, "log", 0 },
		{ "~\"\"", MI_CONSOLE, "", 0 },
		{ "^bogus", MI_RESULT, "bogus", 0 },	/* classes are not a closed set */
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mi_record *r = parse(cases[i].line);

		if (r->kind != cases[i].kind)
			fail_msg("%s: kind %d, want %d (%s)", cases[i].line, r->kind,
				 cases[i].kind, r->error ? r->error : "");
		assert_int_equal(r->token, -1);
		if (r->kind <= MI_NOTIFY) {
			assert_string_equal(r->klass, cases[i].klass);
			assert_int_equal(count(r->results), cases[i].nresults);
			assert_null(r->text);
		} else if (r->kind != MI_MALFORMED) {
			assert_null(r->klass);
			assert_null(r->results);
			assert_string_equal(r->text, cases[i].klass);
		}
		mi_record_free(r);
	}
}

static void test_tokens(void **state)
{
	static const struct {
		const char *line;
		long token;
	} cases[] = {
		{ "12^done", 12 },
		{ "0^done", 0 },
		{ "007^running", 7 },
		{ "42*stopped,reason=\"exited\"", 42 },
		{ "3+download", 3 },
		{ "9=thread-exited,id=\"1\"", 9 },
		{ "2147483647000^done", 2147483647000L },
		{ "^done", -1 },
	};
	struct mi_record *r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		r = parse(cases[i].line);
		assert_int_not_equal(r->kind, MI_MALFORMED);
		assert_true(r->token == cases[i].token);
		mi_record_free(r);
	}
	r = parse("12^done,value=\"3\"");
	assert_string_equal(r->klass, "done");
	assert_string_equal(mi_find_string(r->results, "value"), "3");
	mi_record_free(r);
}

static void test_prompt(void **state)
{
	static const char *const good[] = { "(gdb)", "(gdb) ", "(gdb) \r", "(gdb)   " };
	static const char *const bad[] = { "(gdb", "(gdb)x", "(gdb) (gdb)", " (gdb)", "1(gdb)" };
	struct mi_record *r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		r = parse(good[i]);
		assert_int_equal(r->kind, MI_PROMPT);
		assert_int_equal(r->token, -1);
		assert_null(r->klass);
		assert_null(r->results);
		assert_null(r->text);
		assert_null(r->error);
		mi_record_free(r);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		r = parse(bad[i]);
		assert_int_equal(r->kind, MI_MALFORMED);
		mi_record_free(r);
	}
}

static void test_escapes(void **state)
{
	static const struct {
		const char *line;
		const char *text;
		size_t len;
	} cases[] = {
		{ "~\"\\n\\t\\r\\\"\\\\\"", "\n\t\r\"\\", 5 },
		{ "~\"\\a\\b\\f\\v\\e\"", "\a\b\f\v\033", 5 },
		{ "~\"\\101\\142\\0143\"", "Ab\f" "3", 4 },	/* at most 3 digits */
		{ "~\"\\7\\12x\"", "\a\nx", 3 },		/* fewer digits */
		{ "~\"\\177\\200\\377\"", "\177\200\377", 3 },
		{ "~\"\\303\\251t\\303\\251\"", "\303\251t\303\251", 5 },
		{ "~\"a\\000b\"", "a", 1 },	/* NUL ends the C string */
		{ "~\"raw \303\251 \001 bytes\"", "raw \303\251 \001 bytes", 14 },
		{ "~\"{}[],=\"", "{}[],=", 6 },
		{ "~\"(gdb) \"", "(gdb) ", 6 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mi_record *r = parse(cases[i].line);

		if (r->kind != MI_CONSOLE)
			fail_msg("%s: %s", cases[i].line, r->error);
		assert_int_equal(strlen(r->text), cases[i].len);
		assert_memory_equal(r->text, cases[i].text, cases[i].len);
		mi_record_free(r);
	}
}

static void test_values(void **state)
{
	struct mi_record *r = parse("^done,a={b={c=[d={e=\"1\"},f={}]},g=[]},"
				    "h=[\"x\",\"y\"],i=[[],[{}]],j={},k=\"\",l=[\"\"]");
	const struct mi_value *a, *b, *c, *d, *h, *i, *v;

	assert_int_equal(r->kind, MI_RESULT);
	assert_int_equal(count(r->results), 6);
	a = mi_find_tuple(r->results, "a");
	assert_int_equal(count(a->children), 2);
	b = mi_find_tuple(a->children, "b");
	c = mi_find_list(b->children, "c");
	assert_int_equal(count(c->children), 2);
	d = c->children;
	assert_string_equal(d->name, "d");
	assert_string_equal(mi_find_string(d->children, "e"), "1");
	assert_string_equal(d->next->name, "f");
	assert_int_equal(d->next->kind, MI_TUPLE);
	assert_null(d->next->children);
	v = mi_find_list(a->children, "g");
	assert_non_null(v);
	assert_null(v->children);

	/* A list of values: no names. */
	h = mi_find_list(r->results, "h");
	assert_int_equal(count(h->children), 2);
	assert_null(h->children->name);
	assert_int_equal(h->children->kind, MI_CSTRING);
	assert_string_equal(h->children->cstring, "x");
	assert_string_equal(h->children->next->cstring, "y");

	i = mi_find_list(r->results, "i");
	assert_int_equal(count(i->children), 2);
	assert_int_equal(i->children->kind, MI_LIST);
	assert_null(i->children->children);
	assert_int_equal(i->children->next->children->kind, MI_TUPLE);
	assert_null(i->children->next->children->children);

	assert_null(mi_find_tuple(r->results, "j")->children);
	assert_string_equal(mi_find_string(r->results, "k"), "");
	assert_string_equal(mi_find_list(r->results, "l")->children->cstring, "");
	mi_record_free(r);
}

static void test_lists_of_results(void **state)
{
	struct mi_record *r = parse("*stopped,reason=\"signal-received\",frame={addr=\"0x1\","
				    "args=[{name=\"fd\",value=\"3\"}]},thread-id=\"1\","
				    "stopped-threads=[\"1\",\"2\"]");
	struct mi_record *s = parse("^done,stack=[frame={level=\"0\"},frame={level=\"1\"}],"
				    "mixed=[x=\"1\",\"2\"],script={\"silent\",\"print i\"}");
	const struct mi_value *args, *stack, *mixed, *script;

	assert_int_equal(r->kind, MI_EXEC);
	args = mi_find_list(mi_find_tuple(r->results, "frame")->children, "args");
	assert_int_equal(count(args->children), 1);
	assert_null(args->children->name);
	assert_string_equal(mi_find_string(args->children->children, "name"), "fd");
	assert_int_equal(count(mi_find_list(r->results, "stopped-threads")->children), 2);
	assert_string_equal(mi_find_list(r->results, "stopped-threads")->children->next->cstring, "2");

	stack = mi_find_list(s->results, "stack");
	assert_int_equal(count(stack->children), 2);
	assert_string_equal(stack->children->name, "frame");
	assert_string_equal(mi_find_string(stack->children->next->children, "level"), "1");
	/* mi_find works on a list of results too: it finds the first. */
	assert_string_equal(mi_find_string(mi_find_tuple(stack->children, "frame")->children,
					   "level"), "0");
	/* Lenient: a list may mix, a tuple may hold bare values (gdb's script=). */
	mixed = mi_find_list(s->results, "mixed");
	assert_string_equal(mixed->children->name, "x");
	assert_null(mixed->children->next->name);
	script = mi_find_tuple(s->results, "script");
	assert_int_equal(count(script->children), 2);
	assert_null(script->children->name);
	assert_string_equal(script->children->next->cstring, "print i");
	mi_record_free(r);
	mi_record_free(s);
}

static void test_find(void **state)
{
	struct mi_record *r = parse("^done,s=\"str\",t={x=\"1\"},l=[\"a\"],s=\"second\"");

	assert_non_null(mi_find(r->results, "s"));
	assert_string_equal(mi_find_string(r->results, "s"), "str");
	assert_null(mi_find_string(r->results, "t"));
	assert_null(mi_find_string(r->results, "l"));
	assert_null(mi_find_string(r->results, "absent"));
	assert_non_null(mi_find_tuple(r->results, "t"));
	assert_null(mi_find_tuple(r->results, "s"));
	assert_null(mi_find_tuple(r->results, "l"));
	assert_non_null(mi_find_list(r->results, "l"));
	assert_null(mi_find_list(r->results, "t"));
	assert_null(mi_find_list(r->results, "absent"));
	assert_int_equal(mi_find(r->results, "t")->kind, MI_TUPLE);
	assert_null(mi_find(NULL, "s"));
	assert_null(mi_find_string(NULL, "s"));
	/* Elements of a value list have no name and are never found. */
	assert_null(mi_find(mi_find_list(r->results, "l")->children, "a"));
	assert_null(mi_find(r->results, "S"));
	mi_record_free(r);
}

static void test_crlf(void **state)
{
	struct mi_record *r = parse("^done,a=\"1\"\r");

	assert_int_equal(r->kind, MI_RESULT);
	assert_string_equal(mi_find_string(r->results, "a"), "1");
	mi_record_free(r);
	r = parse("~\"x\"\r");
	assert_string_equal(r->text, "x");
	mi_record_free(r);
	/* Only one "\r" goes: a second one is garbage. */
	r = parse("^done\r\r");
	assert_int_equal(r->kind, MI_MALFORMED);
	assert_string_equal(r->error, "expected ',' or end of line, found byte 0x0d at column 6");
	mi_record_free(r);
}

static void test_malformed(void **state)
{
	static const struct {
		const char *line;
		const char *error;
	} cases[] = {
		{ "", "empty line" },
		{ "\r", "empty line" },
		{ "^done,msg=\"abc", "unterminated c-string at column 11" },
		{ "~\"abc\\\"", "unterminated c-string at column 2" },
		{ "~\"abc\\", "unterminated c-string at column 2" },
		{ "~\"abc\\q\"", "bad escape '\\q' at column 6" },
		{ "~\"\\x41\"", "bad escape '\\x' at column 3" },
		{ "~\"\\'\"", "bad escape '\\'' at column 3" },
		{ "~\"\\\001\"", "bad escape '\\' then byte 0x01 at column 3" },
		{ "~\"\\400\"", "octal escape out of range at column 3" },
		{ "^done,foo", "expected '=' after \"foo\", found end of line at column 10" },
		{ "^done,foo\"1\"", "expected '=' after \"foo\", found '\"' at column 10" },
		{ "^done,a b=\"1\"", "expected '=' after \"a\", found ' ' at column 8" },
		{ "^done,=\"1\"", "expected a variable name, found '=' at column 7" },
		{ "^done,", "expected a variable name, found end of line at column 7" },
		{ "^done,a=\"1\",,", "expected a variable name, found ',' at column 13" },
		{ "^done,a=", "expected a value, found end of line at column 9" },
		{ "^done,a=1", "expected a value, found '1' at column 9" },
		{ "^done,a=}", "expected a value, found '}' at column 9" },
		{ "^done,a=\"1\"x", "expected ',' or end of line, found 'x' at column 12" },
		{ "^done,a=\"1\" ", "expected ',' or end of line, found ' ' at column 12" },
		{ "^done x", "expected ',' or end of line, found ' ' at column 6" },
		{ "~\"a\"b", "expected end of line, found 'b' at column 5" },
		{ "~x", "expected a c-string, found 'x' at column 2" },
		{ "~", "expected a c-string, found end of line at column 2" },
		{ "^done,a={b=\"1\"", "unterminated tuple at column 9" },
		{ "^done,a={b=\"1\",", "unterminated tuple at column 9" },
		{ "^done,a=[\"1\"", "unterminated list at column 9" },
		{ "^done,a=[[[]]", "unterminated list at column 9" },
		{ "^done,a={b=\"1\"]", "expected ',' or '}', found ']' at column 15" },
		{ "^done,a=[\"1\"}", "expected ',' or ']', found '}' at column 13" },
		{ "^done,a=[\"1\"]]", "expected ',' or end of line, found ']' at column 14" },
		{ "^done,a={}}", "expected ',' or end of line, found '}' at column 11" },
		{ "^", "expected a result class, found end of line at column 2" },
		{ "^,a=\"1\"", "expected a result class, found ',' at column 2" },
		{ "*,a=\"1\"", "expected an async class, found ',' at column 2" },
		{ "garbage ^done", "unexpected 'g', not a GDB/MI record at column 1" },
		{ " ^done", "unexpected ' ', not a GDB/MI record at column 1" },
		{ "\033[1m^done", "unexpected byte 0x1b, not a GDB/MI record at column 1" },
		{ "12", "expected '^', '*', '+' or '=' after the token, found end of line at column 3" },
		{ "12~\"x\"", "expected '^', '*', '+' or '=' after the token, found '~' at column 3" },
		{ "99999999999999999999999^done", "token too large at column 1" },
		{ "+download,{section=\".text\"}", "expected a variable name, found '{' at column 11" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mi_record *r = parse(cases[i].line);
		size_t len = strlen(cases[i].line);

		if (r->kind != MI_MALFORMED)
			fail_msg("%s: parsed as kind %d", cases[i].line, r->kind);
		assert_string_equal(r->error, cases[i].error);
		/* text is the line as given, less a trailing "\r" */
		if (len && cases[i].line[len - 1] == '\r')
			len--;
		assert_int_equal(strlen(r->text), len);
		assert_memory_equal(r->text, cases[i].line, len);
		assert_int_equal(r->token, -1);
		assert_null(r->klass);
		assert_null(r->results);
		mi_record_free(r);
	}
}

/* Embedded NULs: malformed, and `text` still holds every byte. */
static void test_nul_bytes(void **state)
{
	static const struct {
		const char *line;
		size_t len;
		const char *error;
	} cases[] = {
		{ "^done,a=\"x\0y\"", 13, "NUL byte in c-string at column 11" },
		{ "^do\0ne", 6, "expected ',' or end of line, found NUL byte at column 4" },
		{ "\0", 1, "unexpected NUL byte, not a GDB/MI record at column 1" },
		{ "~\"ab\"\0", 6, "expected end of line, found NUL byte at column 6" },
		{ "^done,a\0=\"1\"", 12, "expected '=' after \"a\", found NUL byte at column 8" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mi_record *r = mi_parse_line(cases[i].line, cases[i].len);

		assert_int_equal(r->kind, MI_MALFORMED);
		assert_string_equal(r->error, cases[i].error);
		assert_memory_equal(r->text, cases[i].line, cases[i].len);
		assert_int_equal(r->text[cases[i].len], '\0');
		mi_record_free(r);
	}
}

static char *nested(const char *head, const char *open, const char *close,
		    const char *tail, size_t depth)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	strbuf_addstr(&sb, head);
	for (i = 0; i < depth; i++)
		strbuf_addstr(&sb, open);
	for (i = 0; i < depth; i++)
		strbuf_addstr(&sb, close);
	strbuf_addstr(&sb, tail);
	return strbuf_detach(&sb);
}

static void test_deep_nesting(void **state)
{
	struct mi_record *r;
	const struct mi_value *v;
	char *s;
	size_t depth;

	/* 256 levels parse: the whole chain is there. */
	s = nested("^done,a=", "[", "]", "", 256);
	r = parse(s);
	assert_int_equal(r->kind, MI_RESULT);
	for (depth = 0, v = r->results; v; v = v->children)
		depth++;
	assert_int_equal(depth, 256);
	mi_record_free(r);
	free(s);

	/* 257 do not. */
	s = nested("^done,a=", "{b=", "}", "", 257);
	r = parse(s);
	assert_int_equal(r->kind, MI_MALFORMED);
	assert_string_equal(r->error, "nesting deeper than 256 at column 777");
	mi_record_free(r);
	free(s);

	/* Hostile: a million brackets, balanced or not, tuples or lists. */
	s = nested("^done,a=", "[", "]", "", 1000000);
	r = parse(s);
	assert_int_equal(r->kind, MI_MALFORMED);
	assert_string_equal(r->error, "nesting deeper than 256 at column 265");
	mi_record_free(r);
	free(s);
	s = nested("^done,a=", "{a=", "", "", 1000000);
	r = parse(s);
	assert_int_equal(r->kind, MI_MALFORMED);
	assert_non_null(strstr(r->error, "nesting deeper than 256"));
	mi_record_free(r);
	free(s);
}

static void test_quote(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "", "\"\"" },
		{ "/tmp/a b.py", "\"/tmp/a b.py\"" },
		{ "say \"hi\"", "\"say \\\"hi\\\"\"" },
		{ "C:\\x", "\"C:\\\\x\"" },
		{ "l1\nl2\tx", "\"l1\\nl2\\tx\"" },
		{ "\r\001\033\177", "\"\\015\\001\\033\\177\"" },
		{ "caf\303\251", "\"caf\303\251\"" },
	};
	char all[256], *q, *line;
	struct mi_record *r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		q = mi_quote(cases[i].in);
		assert_string_equal(q, cases[i].out);
		free(q);
	}
	/* Every byte survives a trip through our own parser. */
	for (i = 1; i < 256; i++)
		all[i - 1] = (char)i;
	all[255] = '\0';
	q = mi_quote(all);
	line = xasprintf("~%s", q);
	r = parse(line);
	assert_int_equal(r->kind, MI_CONSOLE);
	assert_string_equal(r->text, all);
	mi_record_free(r);
	free(line);
	free(q);
}

/* --- streaming --- */

struct collect {
	struct strbuf dump;
	size_t n, malformed;
	struct mi_record *last;	/* kept for inspection; freed by the test */
};

static void collect_fn(void *ctx, struct mi_record *rec)
{
	struct collect *c = ctx;

	render_record(&c->dump, rec);
	strbuf_addch(&c->dump, '\n');
	c->n++;
	if (rec->kind == MI_MALFORMED)
		c->malformed++;
	mi_record_free(c->last);
	c->last = rec;
}

static void collect_release(struct collect *c)
{
	strbuf_release(&c->dump);
	mi_record_free(c->last);
	c->last = NULL;
}

/* Pushes data in chunks of `step` bytes (0: all at once). */
static char *stream(const char *data, size_t len, size_t step, size_t *n)
{
	struct collect c = { STRBUF_INIT, 0, 0, NULL };
	struct mi_parser *p = mi_parser_new(collect_fn, &c);
	size_t off, k;
	char *out;

	if (!step)
		step = len ? len : 1;
	for (off = 0; off < len; off += k) {
		k = len - off < step ? len - off : step;
		mi_parser_push(p, data + off, k);
	}
	mi_parser_free(p);
	*n = c.n;
	out = strbuf_detach(&c.dump);
	collect_release(&c);
	return out;
}

static char *to_crlf(const char *data, size_t len, size_t *outlen)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < len; i++) {
		if (data[i] == '\n')
			strbuf_addch(&sb, '\r');
		strbuf_addch(&sb, data[i]);
	}
	*outlen = sb.len;
	return strbuf_detach(&sb);
}

static void check_chunkings(const char *data, size_t len, size_t want)
{
	static const size_t steps[] = { 1, 2, 3, 7, 64, 1000, 4093 };
	size_t i, n, crlf_len;
	char *whole = stream(data, len, 0, &n), *s, *crlf;

	assert_int_equal(n, want);
	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		s = stream(data, len, steps[i], &n);
		assert_int_equal(n, want);
		assert_string_equal(s, whole);
		free(s);
	}
	crlf = to_crlf(data, len, &crlf_len);
	for (i = 0; i < 2; i++) {
		s = stream(crlf, crlf_len, i ? 1 : 0, &n);
		assert_int_equal(n, want);
		assert_string_equal(s, whole);
		free(s);
	}
	free(crlf);
	free(whole);
}

static void test_stream_transcripts(void **state)
{
	static const char *const names[] = {
		"sample-numba-gdb13.mi", "breakpoint-numba-gdb13.mi", "escapes-errors-gdb13.mi",
	};
	static const size_t lines[] = { 178, 140, 41 };
	size_t i, len;
	char *data;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		data = read_data(names[i], &len);
		check_chunkings(data, len, lines[i]);
		free(data);
	}
}

static void test_stream_synthetic(void **state)
{
	static const char text[] =
		"~\"a\\\\b\\\"c\\n\\303\\251\"\n"
		"\n"
		"12^done,stack=[frame={level=\"0\",args=[]},frame={}]\n"
		"junk\n"
		"(gdb) \n"
		"*stopped,stopped-threads=[\"1\"]\n";
	size_t n;
	char *s;

	check_chunkings(text, sizeof(text) - 1, 6);
	s = stream(text, sizeof(text) - 1, 0, &n);
	assert_string_equal(s,
			    "~\"a\\\\b\\\"c\\n\\303\\251\"\n"
			    "MALFORMED<empty line>\"\"\n"
			    "12^done,stack=[frame={level=\"0\",args=[]},frame={}]\n"
			    "MALFORMED<unexpected 'j', not a GDB/MI record at column 1>\"junk\"\n"
			    "(gdb) \n"
			    "*stopped,stopped-threads=[\"1\"]\n");
	free(s);
}

static void test_stream_partial(void **state)
{
	struct collect c = { STRBUF_INIT, 0, 0, NULL };
	struct mi_parser *p = mi_parser_new(collect_fn, &c);

	mi_parser_push(p, "^do", 3);
	mi_parser_push(p, "", 0);
	assert_int_equal(c.n, 0);
	mi_parser_push(p, "ne\n~\"a\\", 7);	/* ends inside an escape */
	assert_int_equal(c.n, 1);
	assert_string_equal(c.last->klass, "done");
	mi_parser_push(p, "n\"\r", 3);		/* ends between "\r" and "\n" */
	assert_int_equal(c.n, 1);
	mi_parser_push(p, "\n(gdb) \n1^running\n2^done,", 25);
	assert_int_equal(c.n, 4);
	assert_int_equal(c.last->kind, MI_RESULT);
	assert_int_equal(c.last->token, 1);
	mi_parser_push(p, "a=\"1\"\n", 6);
	assert_int_equal(c.n, 5);
	assert_string_equal(mi_find_string(c.last->results, "a"), "1");
	assert_int_equal(c.malformed, 0);
	assert_string_equal(strbuf_str(&c.dump),
			    "^done\n~\"a\\n\"\n(gdb) \n1^running\n2^done,a=\"1\"\n");
	/* An unfinished line is dropped on free (and must not leak). */
	mi_parser_push(p, "^done,a=[", 9);
	mi_parser_free(p);
	assert_int_equal(c.n, 5);
	collect_release(&c);
}

/* A line far longer than any chunk, pushed in small pieces: stays linear. */
static void test_stream_long_line(void **state)
{
	struct collect c = { STRBUF_INIT, 0, 0, NULL };
	struct mi_parser *p = mi_parser_new(collect_fn, &c);
	struct strbuf sb = STRBUF_INIT;
	const struct mi_value *stack;
	size_t i;

	strbuf_addstr(&sb, "5^done,stack=[");
	for (i = 0; i < 4000; i++)
		strbuf_addf(&sb, "%sframe={level=\"%zu\",addr=\"0x%016zx\",func=\"f%zu\","
			    "file=\"kernel.py\",fullname=\"/tmp/kernel.py\",line=\"%zu\","
			    "arch=\"i386:x86-64\"}", i ? "," : "", i, i * 16, i, i % 100);
	strbuf_addstr(&sb, "]\n(gdb) \n");
	for (i = 0; i < sb.len; i += 5)
		mi_parser_push(p, sb.buf + i, sb.len - i < 5 ? sb.len - i : 5);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.malformed, 0);
	assert_int_equal(c.last->kind, MI_PROMPT);
	mi_record_free(c.last);
	c.last = NULL;

	/* Parsed in one piece, the tree has every frame. */
	c.n = 0;
	mi_parser_push(p, sb.buf, sb.len);
	assert_int_equal(c.n, 2);
	mi_parser_free(p);
	collect_release(&c);
	{
		struct mi_record *r = mi_parse_line(sb.buf, (size_t)(strchr(sb.buf, '\n') - sb.buf));

		stack = mi_find_list(r->results, "stack");
		assert_int_equal(count(stack->children), 4000);
		assert_string_equal(mi_find_string(nth(stack->children, 3999)->children, "func"),
				    "f3999");
		assert_string_equal(mi_find_string(nth(stack->children, 3999)->children, "line"),
				    "99");
		mi_record_free(r);
	}
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_kinds),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_prompt),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_lists_of_results),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_quote),
		{ "test_transcript_roundtrip(sample)", test_transcript_roundtrip,
		  setup_sample, teardown_transcript, NULL },
		{ "test_transcript_roundtrip(breakpoint)", test_transcript_roundtrip,
		  setup_breakpoint, teardown_transcript, NULL },
		{ "test_transcript_roundtrip(escapes)", test_transcript_roundtrip,
		  setup_escapes, teardown_transcript, NULL },
		cmocka_unit_test_setup_teardown(test_sample_counts, setup_sample, teardown_transcript),
		cmocka_unit_test_setup_teardown(test_sample_stack, setup_sample, teardown_transcript),
		cmocka_unit_test_setup_teardown(test_sample_stops, setup_sample, teardown_transcript),
		cmocka_unit_test_setup_teardown(test_sample_libraries, setup_sample,
						teardown_transcript),
		cmocka_unit_test_setup_teardown(test_sample_streams, setup_sample,
						teardown_transcript),
		cmocka_unit_test_setup_teardown(test_breakpoint_transcript, setup_breakpoint,
						teardown_transcript),
		cmocka_unit_test_setup_teardown(test_escapes_transcript, setup_escapes,
						teardown_transcript),
		cmocka_unit_test(test_stream_transcripts),
		cmocka_unit_test(test_stream_synthetic),
		cmocka_unit_test(test_stream_partial),
		cmocka_unit_test(test_stream_long_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
