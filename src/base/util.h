/* util: error reporting and allocation wrappers shared by every module.
 *
 * User errors are expected: error() prints one line "nprof: ..." and returns
 * -1 so callers can write `ret = error(...); goto out;`.  Broken invariants
 * and out-of-memory are not: fatal() prints and exits, and the x*alloc()
 * wrappers use it so callers never check an allocation. */
#ifndef NPROF_UTIL_H
#define NPROF_UTIL_H

#include <stdarg.h>
#include <stddef.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Exit statuses of nprof's own making (the target's status passes through). */
#define EXIT_USAGE 2   /* bad arguments, missing python/gdb/script */
#define EXIT_FATAL 3   /* internal error */

int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Grows *ptr to hold at least `want` items of `size` bytes, doubling. */
void *xgrow(void *ptr, size_t *alloc, size_t want, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* Monotonic clock in nanoseconds. */
long long now_ns(void);

/* Ends with `suffix`? */
int has_suffix(const char *s, const char *suffix);

#endif
