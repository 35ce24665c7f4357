/* source: the lines of a source file, for renderers. */
#ifndef NPROF_SOURCE_H
#define NPROF_SOURCE_H

struct source;

/* NULL when the file cannot be read. */
struct source *source_load(const char *path);
/* A source of the given lines (copied), as a saved profile holds them. */
struct source *source_from_lines(const char *const *lines, int n);
void source_free(struct source *src);
int source_nlines(const struct source *src);
/* Line n (1-based) without its newline, or NULL past the end. */
const char *source_line(const struct source *src, int n);
/* The line of the `def NAME(` that encloses `line`: the nearest such line at
 * or before it, or 0 when none. */
int source_find_def(const struct source *src, const char *name, int line);

#endif
