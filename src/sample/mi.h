/* mi: a streaming parser for GDB's machine interface (GDB/MI, mi3) output.
 *
 * It knows nothing of what the commands mean: push the bytes gdb writes,
 * get one callback per complete line with its parse tree.  Malformed lines
 * are reported as MI_MALFORMED records, never crashed on.
 *
 * Grammar (GDB manual, "GDB/MI Output Syntax"):
 *   output        -> ( out-of-band-record )* [ result-record ] "(gdb)" nl
 *   result-record -> [ token ] "^" result-class ( "," result )* nl
 *   async-record  -> [ token ] ( "*" | "+" | "=" ) async-class ( "," result )* nl
 *   stream-record -> ( "~" | "@" | "&" ) c-string nl
 *   result        -> variable "=" value
 *   value         -> c-string | tuple | list
 *   tuple         -> "{}" | "{" result ( "," result )* "}"
 *   list          -> "[]" | "[" value ( "," value )* "]" | "[" result ( "," result )* "]"
 */
#ifndef NPROF_MI_H
#define NPROF_MI_H

#include <stddef.h>

enum mi_record_kind {
	MI_RESULT,	/* ^done, ^running, ^connected, ^error, ^exit */
	MI_EXEC,	/* *stopped, *running */
	MI_STATUS,	/* +download ... */
	MI_NOTIFY,	/* =thread-created, =library-loaded, ... */
	MI_CONSOLE,	/* ~"..." */
	MI_TARGET,	/* @"..." */
	MI_LOG,		/* &"..." */
	MI_PROMPT,	/* (gdb) */
	MI_MALFORMED,	/* a line that does not parse: see text and error */
};

enum mi_kind {
	MI_CSTRING,
	MI_TUPLE,
	MI_LIST,
};

/* One node serves as both a "result" (name=value) and a bare "value" (an
 * element of a list of values, name NULL).  Tuples and lists hold their
 * members in `children`, a singly linked list through `next`. */
struct mi_value {
	char *name;		/* NULL for elements of a value list */
	enum mi_kind kind;
	char *cstring;		/* MI_CSTRING: unescaped, NUL-terminated */
	struct mi_value *children; /* MI_TUPLE, MI_LIST: first member or NULL */
	struct mi_value *next;	/* next sibling */
};

struct mi_record {
	enum mi_record_kind kind;
	long token;		/* numeric token before the record, or -1 */
	char *klass;		/* result or async class ("done", "stopped"); NULL otherwise */
	struct mi_value *results; /* the ",name=value" list after the class, or NULL */
	char *text;		/* streams: unescaped text; MI_MALFORMED: the raw line */
	char *error;		/* MI_MALFORMED: what is wrong and at which column */
};

/* Parses one line (without its newline; a trailing '\r' is ignored).
 * Never returns NULL: a bad line yields an MI_MALFORMED record. */
struct mi_record *mi_parse_line(const char *line, size_t len);
void mi_record_free(struct mi_record *rec);

/* Streaming: push arbitrary chunks, get a callback per complete line.
 * The callback owns the record and must mi_record_free() it. */
typedef void (*mi_record_fn)(void *ctx, struct mi_record *rec);
struct mi_parser *mi_parser_new(mi_record_fn fn, void *ctx);
void mi_parser_push(struct mi_parser *parser, const char *data, size_t len);
void mi_parser_free(struct mi_parser *parser);

/* Lookups on a list of results (a record's results, a tuple's children).
 * They return NULL when the name is absent or has another kind. */
const struct mi_value *mi_find(const struct mi_value *list, const char *name);
const char *mi_find_string(const struct mi_value *list, const char *name);
const struct mi_value *mi_find_tuple(const struct mi_value *list, const char *name);
const struct mi_value *mi_find_list(const struct mi_value *list, const char *name);

/* Writes `s` as an MI c-string (with quotes and escapes) into a new string:
 * what commands that take file names or arguments need. */
char *mi_quote(const char *s);

#endif
