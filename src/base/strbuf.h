/* strbuf: a growable, always NUL-terminated byte buffer (after git's). */
#ifndef NPROF_STRBUF_H
#define NPROF_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	char *buf;	/* NULL until something is added; then NUL-terminated */
	size_t len;
	size_t alloc;
};

#define STRBUF_INIT { NULL, 0, 0 }

void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/* Drops the first n bytes. */
void strbuf_remove_front(struct strbuf *sb, size_t n);
void strbuf_reset(struct strbuf *sb);
/* Returns the string (never NULL) and leaves sb empty. */
char *strbuf_detach(struct strbuf *sb);
void strbuf_release(struct strbuf *sb);
/* The contents as a C string, "" when empty. */
const char *strbuf_str(const struct strbuf *sb);

#endif
