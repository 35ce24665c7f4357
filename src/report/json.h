/* json: a small JSON reader (RFC 8259, whole text into a tree) and the
 * writing helpers the renderers share.  It knows nothing of profiles. */
#ifndef NPROF_JSON_H
#define NPROF_JSON_H

#include <stddef.h>
#include <stdio.h>

enum json_kind {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json_member;

struct json {
	enum json_kind kind;
	union {
		int boolean;
		double number;
		struct {
			char *s;	/* NUL-terminated; may hold NULs (len says) */
			size_t len;
		} string;
		struct {
			struct json *items;
			size_t n;
		} array;
		struct {
			struct json_member *members;
			size_t n;
		} object;
	} u;
};

struct json_member {
	char *key;
	struct json value;
};

/* Parses `len` bytes into *out.  0, or -1 with a message "line N: what"
 * in `err` (size `errsize`). */
int json_parse(const char *text, size_t len, struct json *out, char *err, size_t errsize);
void json_release(struct json *v);

/* The member `key` of an object, or NULL (also when v is not an object). */
const struct json *json_get(const struct json *v, const char *key);
/* Typed access with a default for a missing member or another kind. */
const char *json_get_string(const struct json *v, const char *key, const char *def);
double json_get_number(const struct json *v, const char *key, double def);
int json_get_bool(const struct json *v, const char *key, int def);
/* Is v a number that is an integer in [lo, hi]? */
int json_is_int(const struct json *v, double lo, double hi);

/* Writes s as a JSON string, quoted: control characters, '"' and '\\'
 * escaped, and "</" as "<\/" (safe inside an HTML <script>); bytes that
 * are not UTF-8 become U+FFFD. */
void json_write_string(FILE *out, const char *s);
/* A double as JSON: the shortest "%.17g" that reads back the same;
 * not finite: 0. */
void json_write_number(FILE *out, double d);

#endif
