/* mi: a streaming parser for GDB/MI output.
 *
 * A record's nodes and strings live in one arena that mi_record_free()
 * releases at once: a 40-frame stack listing makes hundreds of nodes and
 * parsing sits on the sampler's hot path.  Callers copy what they keep.
 *
 * Where the grammar in mi.h is silent or gdb strays from it:
 * - An empty line (or a lone "\r") is MI_MALFORMED "empty line": gdb never
 *   writes one, so it is the target's output or a bug worth seeing.
 * - Tuples may hold bare values, as lists do: gdb 13 writes a breakpoint's
 *   commands as script={"silent","print i"}.
 * - Result and async classes are any word ([A-Za-z0-9_.-]+), not only the
 *   five result classes: a newer gdb may add some.
 * - Escapes are those gdb's printchar() writes (\n \t \r \" \\ \a \b \f \e
 *   and octal \NNN) plus \v; not \x, which gdb never writes.  \000 decodes
 *   to a NUL, which ends that C string early.
 * - A raw NUL byte makes the line MI_MALFORMED; its `text` then reads as
 *   the line up to that byte.
 * - Errors name a 1-based byte column of the line.
 */
#include "mi.h"

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "util.h"

/* Deep enough for any real output, shallow enough for the C stack. */
#define MI_MAX_DEPTH 256

/* Arena chunks; data[] is max_align_t so any node fits aligned. */
struct mi_chunk {
	struct mi_chunk *next;
	size_t used, size;
	max_align_t data[];
};

/* What mi_parse_line() hands out: the record and the arena behind it.  The
 * box itself lives in the arena's first chunk. */
struct mi_box {
	struct mi_record rec;
	struct mi_chunk *chunks;
};

struct mi_scan {
	const char *line, *p, *end;
	struct mi_box *box;
	int depth;
	char error[192];
};

struct mi_parser {
	mi_record_fn fn;
	void *ctx;
	struct strbuf partial;	/* an incomplete line carried between pushes */
};

static struct mi_chunk *mi_chunk_new(size_t size);
static void *mi_alloc(struct mi_box *box, size_t size, size_t align);
static char *mi_strndup(struct mi_box *box, const char *s, size_t n);
static int mi_peek(const struct mi_scan *sc);
static const char *mi_describe(const struct mi_scan *sc, char *buf, size_t n);
static int mi_fail(struct mi_scan *sc, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int mi_is_word_char(int c);
static int mi_parse_word(struct mi_scan *sc, char **out, const char *what);
static int mi_parse_escape(struct mi_scan *sc, const char **pp, const char *end, char **dp);
static int mi_parse_cstring(struct mi_scan *sc, char **out);
static struct mi_value *mi_parse_value(struct mi_scan *sc, char *name);
static struct mi_value *mi_parse_result(struct mi_scan *sc);
static struct mi_value *mi_parse_member(struct mi_scan *sc);
static int mi_parse_members(struct mi_scan *sc, struct mi_value *v, int close);
static int mi_parse_results(struct mi_scan *sc, struct mi_value **out);
static int mi_parse_token(struct mi_scan *sc, long *token);
static int mi_is_prompt(const struct mi_scan *sc);
static int mi_parse_record(struct mi_scan *sc, struct mi_record *rec);
static void mi_make_malformed(struct mi_scan *sc, struct mi_record *rec);
static void mi_parser_emit(struct mi_parser *parser, const char *line, size_t len);

/* --- arena --- */

static struct mi_chunk *mi_chunk_new(size_t size)
{
	struct mi_chunk *c;

	if (size > ((size_t)-1) / 2)
		fatal("mi: line too large");
	c = xmalloc(sizeof(*c) + size);
	c->next = NULL;
	c->used = 0;
	c->size = size;
	return c;
}

static void *mi_alloc(struct mi_box *box, size_t size, size_t align)
{
	struct mi_chunk *c = box->chunks;
	size_t off = (c->used + align - 1) & ~(align - 1);

	if (off > c->size || size > c->size - off) {
		/* Doubling keeps the chunk count logarithmic in the line. */
		c = mi_chunk_new(size > c->size * 2 ? size : c->size * 2);
		c->next = box->chunks;
		box->chunks = c;
		off = 0;
	}
	c->used = off + size;
	return (char *)c->data + off;
}

static char *mi_strndup(struct mi_box *box, const char *s, size_t n)
{
	char *p = mi_alloc(box, n + 1, 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void mi_record_free(struct mi_record *rec)
{
	struct mi_chunk *c, *next;

	if (!rec)
		return;
	/* The box is inside the last chunk: read the list head first. */
	for (c = ((struct mi_box *)rec)->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
}

/* --- scanning and errors --- */

/* The next byte, or -1 at the end of the line: never reads past it. */
static int mi_peek(const struct mi_scan *sc)
{
	return sc->p < sc->end ? (unsigned char)*sc->p : -1;
}

static const char *mi_describe(const struct mi_scan *sc, char *buf, size_t n)
{
	int c = mi_peek(sc);

	if (c < 0)
		return "end of line";
	if (c == 0)
		return "NUL byte";
	if (c >= 0x20 && c < 0x7f)
		snprintf(buf, n, "'%c'", c);
	else
		snprintf(buf, n, "byte 0x%02x", (unsigned)c);
	return buf;
}

/* Records what is wrong at `at` and returns -1 for the caller to pass up. */
static int mi_fail(struct mi_scan *sc, const char *at, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(sc->error, sizeof(sc->error), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(sc->error))
		snprintf(sc->error + n, sizeof(sc->error) - (size_t)n,
			 " at column %zu", (size_t)(at - sc->line) + 1);
	return -1;
}

/* --- grammar --- */

static int mi_is_word_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

/* A variable name or a record class. */
static int mi_parse_word(struct mi_scan *sc, char **out, const char *what)
{
	const char *start = sc->p;
	char buf[16];

	while (mi_is_word_char(mi_peek(sc)))
		sc->p++;
	if (sc->p == start)
		return mi_fail(sc, sc->p, "expected %s, found %s", what,
			       mi_describe(sc, buf, sizeof(buf)));
	*out = mi_strndup(sc->box, start, (size_t)(sc->p - start));
	return 0;
}

/* Decodes the escape at *pp (a backslash known to precede `end`). */
static int mi_parse_escape(struct mi_scan *sc, const char **pp, const char *end, char **dp)
{
	static const char from[] = "ntr\"\\abfve", to[] = "\n\t\r\"\\\a\b\f\v\033";
	const char *p = *pp + 1, *hit;
	unsigned v = 0;
	int i;

	if (*p >= '0' && *p <= '7') {
		for (i = 0; i < 3 && p < end && *p >= '0' && *p <= '7'; i++, p++)
			v = v * 8 + (unsigned)(*p - '0');
		if (v > 0xff)
			return mi_fail(sc, *pp, "octal escape out of range");
		*(*dp)++ = (char)v;
	} else if (*p && (hit = strchr(from, *p))) {
		*(*dp)++ = to[hit - from];
		p++;
	} else if (*p >= 0x20 && *p < 0x7f) {
		return mi_fail(sc, *pp, "bad escape '\\%c'", *p);
	} else {
		return mi_fail(sc, *pp, "bad escape '\\' then byte 0x%02x",
			       (unsigned)(unsigned char)*p);
	}
	*pp = p;
	return 0;
}

static int mi_parse_cstring(struct mi_scan *sc, char **out)
{
	const char *open = sc->p, *q, *p;
	char *s, *d;

	/* Find the closing quote first: the decoded string is no longer. */
	for (q = open + 1; q < sc->end && *q != '"'; q++)
		if (*q == '\\' && q + 1 < sc->end)
			q++;
	if (q >= sc->end)
		return mi_fail(sc, open, "unterminated c-string");
	s = d = mi_alloc(sc->box, (size_t)(q - open), 1);
	for (p = open + 1; p < q;) {
		if (*p == '\0')
			return mi_fail(sc, p, "NUL byte in c-string");
		if (*p != '\\')
			*d++ = *p++;
		else if (mi_parse_escape(sc, &p, q, &d) < 0)
			return -1;
	}
	*d = '\0';
	sc->p = q + 1;
	*out = s;
	return 0;
}

/* value -> c-string | tuple | list; `name` is NULL in a list of values. */
static struct mi_value *mi_parse_value(struct mi_scan *sc, char *name)
{
	struct mi_value *v = mi_alloc(sc->box, sizeof(*v), _Alignof(struct mi_value));
	char buf[16];
	int c = mi_peek(sc), ret;

	memset(v, 0, sizeof(*v));
	v->name = name;
	if (c == '"') {
		v->kind = MI_CSTRING;
		ret = mi_parse_cstring(sc, &v->cstring);
	} else if (c == '{') {
		v->kind = MI_TUPLE;
		ret = mi_parse_members(sc, v, '}');
	} else if (c == '[') {
		v->kind = MI_LIST;
		ret = mi_parse_members(sc, v, ']');
	} else {
		ret = mi_fail(sc, sc->p, "expected a value, found %s",
			      mi_describe(sc, buf, sizeof(buf)));
	}
	return ret < 0 ? NULL : v;
}

/* result -> variable "=" value */
static struct mi_value *mi_parse_result(struct mi_scan *sc)
{
	char *name, buf[16];

	if (mi_parse_word(sc, &name, "a variable name") < 0)
		return NULL;
	if (mi_peek(sc) != '=') {
		mi_fail(sc, sc->p, "expected '=' after \"%.32s\", found %s", name,
			mi_describe(sc, buf, sizeof(buf)));
		return NULL;
	}
	sc->p++;
	return mi_parse_value(sc, name);
}

/* A tuple or list member: a bare value or a result. */
static struct mi_value *mi_parse_member(struct mi_scan *sc)
{
	int c = mi_peek(sc);

	if (c == '"' || c == '{' || c == '[')
		return mi_parse_value(sc, NULL);
	return mi_parse_result(sc);
}

/* tuple or list: sc->p is on the opening bracket. */
static int mi_parse_members(struct mi_scan *sc, struct mi_value *v, int close)
{
	const char *open = sc->p;
	struct mi_value **tail = &v->children, *m;
	char buf[16];
	int c;

	if (++sc->depth > MI_MAX_DEPTH)
		return mi_fail(sc, open, "nesting deeper than %d", MI_MAX_DEPTH);
	sc->p++;
	if (mi_peek(sc) == close) {
		sc->p++;
		sc->depth--;
		return 0;
	}
	for (;;) {
		if (mi_peek(sc) < 0)
			break;
		m = mi_parse_member(sc);
		if (!m)
			return -1;
		*tail = m;
		tail = &m->next;
		c = mi_peek(sc);
		if (c == close) {
			sc->p++;
			sc->depth--;
			return 0;
		}
		if (c != ',')
			break;
		sc->p++;
	}
	if (mi_peek(sc) < 0)
		return mi_fail(sc, open, "unterminated %s",
			       close == '}' ? "tuple" : "list");
	return mi_fail(sc, sc->p, "expected ',' or '%c', found %s", close,
		       mi_describe(sc, buf, sizeof(buf)));
}

/* ( "," result )* up to the end of the line */
static int mi_parse_results(struct mi_scan *sc, struct mi_value **out)
{
	struct mi_value **tail = out, *m;
	char buf[16];

	while (sc->p < sc->end) {
		if (*sc->p != ',')
			return mi_fail(sc, sc->p, "expected ',' or end of line, found %s",
				       mi_describe(sc, buf, sizeof(buf)));
		sc->p++;
		m = mi_parse_result(sc);
		if (!m)
			return -1;
		*tail = m;
		tail = &m->next;
	}
	return 0;
}

static int mi_parse_token(struct mi_scan *sc, long *token)
{
	const char *start = sc->p;
	long t = 0;
	int c;

	while ((c = mi_peek(sc)) >= '0' && c <= '9') {
		if (t > (LONG_MAX - (c - '0')) / 10)
			return mi_fail(sc, start, "token too large");
		t = t * 10 + (c - '0');
		sc->p++;
	}
	*token = sc->p > start ? t : -1;
	return 0;
}

/* "(gdb)", maybe followed by spaces: gdb 13 writes "(gdb) ". */
static int mi_is_prompt(const struct mi_scan *sc)
{
	const char *p = sc->line + 5;

	if (sc->end - sc->line < 5 || memcmp(sc->line, "(gdb)", 5) != 0)
		return 0;
	while (p < sc->end && *p == ' ')
		p++;
	return p == sc->end;
}

static int mi_parse_record(struct mi_scan *sc, struct mi_record *rec)
{
	static const char classes[] = "^*+=", streams[] = "~@&";
	static const enum mi_record_kind class_kinds[] = {
		MI_RESULT, MI_EXEC, MI_STATUS, MI_NOTIFY,
	};
	static const enum mi_record_kind stream_kinds[] = {
		MI_CONSOLE, MI_TARGET, MI_LOG,
	};
	const char *hit;
	char buf[16];
	int c;

	if (mi_is_prompt(sc)) {
		rec->kind = MI_PROMPT;
		return 0;
	}
	if (mi_parse_token(sc, &rec->token) < 0)
		return -1;
	c = mi_peek(sc);
	if (c > 0 && (hit = strchr(classes, c))) {
		rec->kind = class_kinds[hit - classes];
		sc->p++;
		if (mi_parse_word(sc, &rec->klass, c == '^' ?
				  "a result class" : "an async class") < 0)
			return -1;
		return mi_parse_results(sc, &rec->results);
	}
	if (rec->token >= 0)
		return mi_fail(sc, sc->p, "expected '^', '*', '+' or '=' after the token, found %s",
			       mi_describe(sc, buf, sizeof(buf)));
	if (c > 0 && (hit = strchr(streams, c))) {
		rec->kind = stream_kinds[hit - streams];
		sc->p++;
		if (mi_peek(sc) != '"')
			return mi_fail(sc, sc->p, "expected a c-string, found %s",
				       mi_describe(sc, buf, sizeof(buf)));
		if (mi_parse_cstring(sc, &rec->text) < 0)
			return -1;
		if (sc->p < sc->end)
			return mi_fail(sc, sc->p, "expected end of line, found %s",
				       mi_describe(sc, buf, sizeof(buf)));
		return 0;
	}
	return mi_fail(sc, sc->p, "unexpected %s, not a GDB/MI record",
		       mi_describe(sc, buf, sizeof(buf)));
}

/* Drops whatever was parsed (it stays in the arena until freed). */
static void mi_make_malformed(struct mi_scan *sc, struct mi_record *rec)
{
	size_t len = (size_t)(sc->end - sc->line);

	rec->kind = MI_MALFORMED;
	rec->token = -1;
	rec->klass = NULL;
	rec->results = NULL;
	rec->text = mi_strndup(sc->box, sc->line, len);
	rec->error = mi_strndup(sc->box, sc->error, strlen(sc->error));
}

struct mi_record *mi_parse_line(const char *line, size_t len)
{
	struct mi_scan sc;
	struct mi_chunk *c;
	struct mi_record *rec;

	if (len && line[len - 1] == '\r')
		len--;
	/* Twice the line holds the tree of a typical record in one chunk. */
	c = mi_chunk_new(sizeof(struct mi_box) + 2 * len + 256);
	c->used = sizeof(struct mi_box);
	sc.box = (struct mi_box *)c->data;
	sc.box->chunks = c;
	sc.line = sc.p = line;
	sc.end = line + len;
	sc.depth = 0;
	sc.error[0] = '\0';
	rec = &sc.box->rec;
	memset(rec, 0, sizeof(*rec));
	rec->token = -1;
	if (len == 0) {
		snprintf(sc.error, sizeof(sc.error), "empty line");
		mi_make_malformed(&sc, rec);
	} else if (mi_parse_record(&sc, rec) < 0) {
		mi_make_malformed(&sc, rec);
	}
	return rec;
}

/* --- streaming --- */

struct mi_parser *mi_parser_new(mi_record_fn fn, void *ctx)
{
	struct mi_parser *parser = xcalloc(1, sizeof(*parser));

	parser->fn = fn;
	parser->ctx = ctx;
	return parser;
}

static void mi_parser_emit(struct mi_parser *parser, const char *line, size_t len)
{
	parser->fn(parser->ctx, mi_parse_line(line, len));
}

/* Whole lines are parsed where they lie in `data`; only a line split across
 * pushes is copied.  The callback must not push to or free this parser. */
void mi_parser_push(struct mi_parser *parser, const char *data, size_t len)
{
	const char *end = data + len, *nl;

	if (len == 0)
		return;
	if (parser->partial.len) {
		nl = memchr(data, '\n', len);
		if (!nl) {
			strbuf_add(&parser->partial, data, len);
			return;
		}
		strbuf_add(&parser->partial, data, (size_t)(nl - data));
		mi_parser_emit(parser, parser->partial.buf, parser->partial.len);
		strbuf_reset(&parser->partial);
		data = nl + 1;
	}
	while (data < end && (nl = memchr(data, '\n', (size_t)(end - data)))) {
		mi_parser_emit(parser, data, (size_t)(nl - data));
		data = nl + 1;
	}
	if (data < end)
		strbuf_add(&parser->partial, data, (size_t)(end - data));
}

/* An unfinished last line is dropped: gdb ends every line it writes. */
void mi_parser_free(struct mi_parser *parser)
{
	if (!parser)
		return;
	strbuf_release(&parser->partial);
	free(parser);
}

/* --- lookups --- */

const struct mi_value *mi_find(const struct mi_value *list, const char *name)
{
	for (; list; list = list->next)
		if (list->name && strcmp(list->name, name) == 0)
			return list;
	return NULL;
}

const char *mi_find_string(const struct mi_value *list, const char *name)
{
	const struct mi_value *v = mi_find(list, name);

	return v && v->kind == MI_CSTRING ? v->cstring : NULL;
}

const struct mi_value *mi_find_tuple(const struct mi_value *list, const char *name)
{
	const struct mi_value *v = mi_find(list, name);

	return v && v->kind == MI_TUPLE ? v : NULL;
}

const struct mi_value *mi_find_list(const struct mi_value *list, const char *name)
{
	const struct mi_value *v = mi_find(list, name);

	return v && v->kind == MI_LIST ? v : NULL;
}

/* --- quoting --- */

/* gdb's MI command parser undoes these (mi_parse_escape: octal included). */
char *mi_quote(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	const unsigned char *p;

	strbuf_addch(&sb, '"');
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			strbuf_addch(&sb, '\\');
			strbuf_addch(&sb, *p);
		} else if (*p == '\n') {
			strbuf_addstr(&sb, "\\n");
		} else if (*p == '\t') {
			strbuf_addstr(&sb, "\\t");
		} else if (*p < 0x20 || *p == 0x7f) {
			strbuf_addf(&sb, "\\%03o", (unsigned)*p);
		} else {
			strbuf_addch(&sb, *p);
		}
	}
	strbuf_addch(&sb, '"');
	return strbuf_detach(&sb);
}
