/* json: a recursive-descent reader into a tree of contiguous arrays (a
 * number costs one node, no list links), and string/number writers. */
#include "json.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "util.h"

#define JSON_MAX_DEPTH 200	/* nesting past this is not a profile */

struct json_parser {
	const char *s, *end, *start;
	char *err;
	size_t errsize;
	int failed;
};

static void json_fail(struct json_parser *jp, const char *what);
static void json_skip_space(struct json_parser *jp);
static int json_value(struct json_parser *jp, struct json *out, int depth);
static int json_literal(struct json_parser *jp, const char *word);
static int json_number(struct json_parser *jp, struct json *out);
static int json_hex4(struct json_parser *jp, unsigned *cp);
static void json_add_utf8(struct strbuf *sb, unsigned cp);
static int json_string(struct json_parser *jp, char **s, size_t *len);
static int json_array(struct json_parser *jp, struct json *out, int depth);
static int json_object(struct json_parser *jp, struct json *out, int depth);
static size_t json_utf8_len(const unsigned char *s);

static void json_fail(struct json_parser *jp, const char *what)
{
	int line = 1;

	if (jp->failed)
		return;
	jp->failed = 1;
	for (const char *q = jp->start; q < jp->s && q < jp->end; q++)
		line += *q == '\n';
	snprintf(jp->err, jp->errsize, "line %d: %s", line, what);
}

static void json_skip_space(struct json_parser *jp)
{
	while (jp->s < jp->end &&
	       (*jp->s == ' ' || *jp->s == '\t' || *jp->s == '\n' || *jp->s == '\r'))
		jp->s++;
}

static int json_literal(struct json_parser *jp, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(jp->end - jp->s) < n || memcmp(jp->s, word, n) != 0) {
		json_fail(jp, "unexpected character");
		return -1;
	}
	jp->s += n;
	return 0;
}

static int json_number(struct json_parser *jp, struct json *out)
{
	const char *q = jp->s;
	char buf[64], *end;

	if (q < jp->end && *q == '-')
		q++;
	if (q >= jp->end || !(*q >= '0' && *q <= '9')) {
		json_fail(jp, "unexpected character");
		return -1;
	}
	if (*q == '0')
		q++;
	else
		while (q < jp->end && *q >= '0' && *q <= '9')
			q++;
	if (q < jp->end && *q == '.') {
		q++;
		if (q >= jp->end || !(*q >= '0' && *q <= '9')) {
			json_fail(jp, "bad number");
			return -1;
		}
		while (q < jp->end && *q >= '0' && *q <= '9')
			q++;
	}
	if (q < jp->end && (*q == 'e' || *q == 'E')) {
		q++;
		if (q < jp->end && (*q == '+' || *q == '-'))
			q++;
		if (q >= jp->end || !(*q >= '0' && *q <= '9')) {
			json_fail(jp, "bad number");
			return -1;
		}
		while (q < jp->end && *q >= '0' && *q <= '9')
			q++;
	}
	if ((size_t)(q - jp->s) >= sizeof(buf)) {
		json_fail(jp, "number too long");
		return -1;
	}
	memcpy(buf, jp->s, (size_t)(q - jp->s));
	buf[q - jp->s] = '\0';
	out->kind = JSON_NUMBER;
	out->u.number = strtod(buf, &end);
	jp->s = q;
	return 0;
}

static int json_hex4(struct json_parser *jp, unsigned *cp)
{
	*cp = 0;
	if (jp->end - jp->s < 4) {
		json_fail(jp, "bad \\u escape");
		return -1;
	}
	for (int i = 0; i < 4; i++) {
		char c = *jp->s++;
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

		if (d < 0) {
			json_fail(jp, "bad \\u escape");
			return -1;
		}
		*cp = *cp * 16 + (unsigned)d;
	}
	return 0;
}

static void json_add_utf8(struct strbuf *sb, unsigned cp)
{
	if (cp < 0x80) {
		strbuf_addch(sb, (int)cp);
	} else if (cp < 0x800) {
		strbuf_addch(sb, (int)(0xc0 | cp >> 6));
		strbuf_addch(sb, (int)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		strbuf_addch(sb, (int)(0xe0 | cp >> 12));
		strbuf_addch(sb, (int)(0x80 | ((cp >> 6) & 0x3f)));
		strbuf_addch(sb, (int)(0x80 | (cp & 0x3f)));
	} else {
		strbuf_addch(sb, (int)(0xf0 | cp >> 18));
		strbuf_addch(sb, (int)(0x80 | ((cp >> 12) & 0x3f)));
		strbuf_addch(sb, (int)(0x80 | ((cp >> 6) & 0x3f)));
		strbuf_addch(sb, (int)(0x80 | (cp & 0x3f)));
	}
}

static int json_string(struct json_parser *jp, char **s, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	unsigned cp, lo;

	jp->s++;	/* the opening quote */
	for (;;) {
		const char *run = jp->s;

		while (jp->s < jp->end && *jp->s != '"' && *jp->s != '\\' &&
		       (unsigned char)*jp->s >= 0x20)
			jp->s++;
		strbuf_add(&sb, run, (size_t)(jp->s - run));
		if (jp->s >= jp->end || (unsigned char)*jp->s < 0x20) {
			json_fail(jp, jp->s >= jp->end ? "unterminated string"
						       : "control character in a string");
			goto fail;
		}
		if (*jp->s == '"')
			break;
		jp->s++;	/* the backslash */
		if (jp->s >= jp->end) {
			json_fail(jp, "unterminated string");
			goto fail;
		}
		switch (*jp->s++) {
		case '"': strbuf_addch(&sb, '"'); break;
		case '\\': strbuf_addch(&sb, '\\'); break;
		case '/': strbuf_addch(&sb, '/'); break;
		case 'b': strbuf_addch(&sb, '\b'); break;
		case 'f': strbuf_addch(&sb, '\f'); break;
		case 'n': strbuf_addch(&sb, '\n'); break;
		case 'r': strbuf_addch(&sb, '\r'); break;
		case 't': strbuf_addch(&sb, '\t'); break;
		case 'u':
			if (json_hex4(jp, &cp) < 0)
				goto fail;
			if (cp >= 0xd800 && cp < 0xdc00 && jp->end - jp->s >= 6 &&
			    jp->s[0] == '\\' && jp->s[1] == 'u') {
				jp->s += 2;
				if (json_hex4(jp, &lo) < 0)
					goto fail;
				if (lo >= 0xdc00 && lo < 0xe000)
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				else
					cp = 0xfffd;
			} else if (cp >= 0xd800 && cp < 0xe000) {
				cp = 0xfffd;
			}
			json_add_utf8(&sb, cp);
			break;
		default:
			json_fail(jp, "bad escape in a string");
			goto fail;
		}
	}
	jp->s++;	/* the closing quote */
	*len = sb.len;
	*s = strbuf_detach(&sb);
	return 0;
fail:
	strbuf_release(&sb);
	return -1;
}

static int json_array(struct json_parser *jp, struct json *out, int depth)
{
	size_t alloc = 0;

	out->kind = JSON_ARRAY;
	out->u.array.items = NULL;
	out->u.array.n = 0;
	jp->s++;
	json_skip_space(jp);
	if (jp->s < jp->end && *jp->s == ']') {
		jp->s++;
		return 0;
	}
	for (;;) {
		struct json *item;

		out->u.array.items = xgrow(out->u.array.items, &alloc, out->u.array.n + 1,
					   sizeof(*out->u.array.items));
		/* Counted before it is read: a failed item is freed with the rest. */
		item = &out->u.array.items[out->u.array.n++];
		if (json_value(jp, item, depth + 1) < 0)
			return -1;
		json_skip_space(jp);
		if (jp->s < jp->end && *jp->s == ',') {
			jp->s++;
			continue;
		}
		if (jp->s < jp->end && *jp->s == ']') {
			jp->s++;
			return 0;
		}
		json_fail(jp, "expected ',' or ']'");
		return -1;
	}
}

static int json_object(struct json_parser *jp, struct json *out, int depth)
{
	size_t alloc = 0, len;

	out->kind = JSON_OBJECT;
	out->u.object.members = NULL;
	out->u.object.n = 0;
	jp->s++;
	json_skip_space(jp);
	if (jp->s < jp->end && *jp->s == '}') {
		jp->s++;
		return 0;
	}
	for (;;) {
		struct json_member *m;

		json_skip_space(jp);
		if (jp->s >= jp->end || *jp->s != '"') {
			json_fail(jp, "expected a member name");
			return -1;
		}
		out->u.object.members = xgrow(out->u.object.members, &alloc, out->u.object.n + 1,
					      sizeof(*out->u.object.members));
		m = &out->u.object.members[out->u.object.n];
		m->value.kind = JSON_NULL;
		if (json_string(jp, &m->key, &len) < 0)
			return -1;
		out->u.object.n++;
		json_skip_space(jp);
		if (jp->s >= jp->end || *jp->s != ':') {
			json_fail(jp, "expected ':'");
			return -1;
		}
		jp->s++;
		if (json_value(jp, &m->value, depth + 1) < 0)
			return -1;
		json_skip_space(jp);
		if (jp->s < jp->end && *jp->s == ',') {
			jp->s++;
			continue;
		}
		if (jp->s < jp->end && *jp->s == '}') {
			jp->s++;
			return 0;
		}
		json_fail(jp, "expected ',' or '}'");
		return -1;
	}
}

/* On failure *out is still a tree json_release can free. */
static int json_value(struct json_parser *jp, struct json *out, int depth)
{
	out->kind = JSON_NULL;
	if (depth > JSON_MAX_DEPTH) {
		json_fail(jp, "nested too deep");
		return -1;
	}
	json_skip_space(jp);
	if (jp->s >= jp->end) {
		json_fail(jp, "unexpected end");
		return -1;
	}
	switch (*jp->s) {
	case '{': return json_object(jp, out, depth);
	case '[': return json_array(jp, out, depth);
	case '"':
		if (json_string(jp, &out->u.string.s, &out->u.string.len) < 0)
			return -1;
		out->kind = JSON_STRING;
		return 0;
	case 't':
		out->kind = JSON_BOOL;
		out->u.boolean = 1;
		return json_literal(jp, "true");
	case 'f':
		out->kind = JSON_BOOL;
		out->u.boolean = 0;
		return json_literal(jp, "false");
	case 'n': return json_literal(jp, "null");
	default: return json_number(jp, out);
	}
}

int json_parse(const char *text, size_t len, struct json *out, char *err, size_t errsize)
{
	struct json_parser jp = { text, text + len, text, err, errsize, 0 };

	if (json_value(&jp, out, 0) == 0) {
		json_skip_space(&jp);
		if (jp.s == jp.end)
			return 0;
		json_fail(&jp, "text after the end");
	}
	json_release(out);
	return -1;
}

void json_release(struct json *v)
{
	size_t i;

	switch (v->kind) {
	case JSON_STRING:
		free(v->u.string.s);
		break;
	case JSON_ARRAY:
		for (i = 0; i < v->u.array.n; i++)
			json_release(&v->u.array.items[i]);
		free(v->u.array.items);
		break;
	case JSON_OBJECT:
		for (i = 0; i < v->u.object.n; i++) {
			free(v->u.object.members[i].key);
			json_release(&v->u.object.members[i].value);
		}
		free(v->u.object.members);
		break;
	default:
		break;
	}
	v->kind = JSON_NULL;
}

const struct json *json_get(const struct json *v, const char *key)
{
	if (!v || v->kind != JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < v->u.object.n; i++)
		if (strcmp(v->u.object.members[i].key, key) == 0)
			return &v->u.object.members[i].value;
	return NULL;
}

const char *json_get_string(const struct json *v, const char *key, const char *def)
{
	const struct json *m = json_get(v, key);

	return m && m->kind == JSON_STRING ? m->u.string.s : def;
}

double json_get_number(const struct json *v, const char *key, double def)
{
	const struct json *m = json_get(v, key);

	return m && m->kind == JSON_NUMBER ? m->u.number : def;
}

int json_get_bool(const struct json *v, const char *key, int def)
{
	const struct json *m = json_get(v, key);

	return m && m->kind == JSON_BOOL ? m->u.boolean : def;
}

int json_is_int(const struct json *v, double lo, double hi)
{
	return v && v->kind == JSON_NUMBER && v->u.number >= lo && v->u.number <= hi &&
	       floor(v->u.number) == v->u.number;
}

/* The length of the UTF-8 sequence at s (well-formed, no overlongs or
 * surrogates), or 0. */
static size_t json_utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0))
			return 0;
		return 3;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

void json_write_string(FILE *out, const char *s)
{
	const unsigned char *q = (const unsigned char *)s;
	size_t n;

	fputc('"', out);
	while (*q) {
		switch (*q) {
		case '"': fputs("\\\"", out); q++; continue;
		case '\\': fputs("\\\\", out); q++; continue;
		case '\n': fputs("\\n", out); q++; continue;
		case '\t': fputs("\\t", out); q++; continue;
		case '\r': fputs("\\r", out); q++; continue;
		case '/':
			fputs(q > (const unsigned char *)s && q[-1] == '<' ? "\\/" : "/", out);
			q++;
			continue;
		default:
			break;
		}
		if (*q < 0x20) {
			fprintf(out, "\\u%04x", *q);
			q++;
			continue;
		}
		n = json_utf8_len(q);
		if (!n) {
			fputs("\\ufffd", out);
			q++;
			continue;
		}
		fwrite(q, 1, n, out);
		q += n;
	}
	fputc('"', out);
}

void json_write_number(FILE *out, double d)
{
	char buf[32];

	if (!isfinite(d)) {
		fputc('0', out);
		return;
	}
	if (d == floor(d) && fabs(d) < 9007199254740992.0) {
		fprintf(out, "%.0f", d);
		return;
	}
	for (int prec = 6; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	fputs(buf, out);
}
