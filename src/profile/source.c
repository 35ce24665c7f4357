/* source: the lines of a source file, read whole for the renderers. */
#include "source.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "util.h"

struct source {
	char *text;	/* the file, each line's end overwritten by a NUL */
	char **lines;	/* lines[0] is line 1 */
	int nlines;
};

static int source_read(const char *path, struct strbuf *sb);
static void source_split(struct source *src, size_t len);
static int source_is_def(const char *s, const char *name);

static int source_read(const char *path, struct strbuf *sb)
{
	char buf[65536];
	FILE *f = fopen(path, "rbe");
	size_t n;
	int ret = 0;

	if (!f)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(sb, buf, n);
	/* A directory opens but does not read: EISDIR shows up here. */
	if (ferror(f))
		ret = -1;
	fclose(f);
	return ret;
}

/* Splits in place; a final line without a newline still counts, and the
 * '\r' of a CRLF ending is dropped. */
static void source_split(struct source *src, size_t len)
{
	size_t alloc = 0, n = 0;
	char *p = src->text, *end = src->text + len, *nl;

	while (p < end) {
		if (n == INT_MAX)
			break;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		*nl = '\0';
		if (nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
		src->lines = xgrow(src->lines, &alloc, n + 1, sizeof(*src->lines));
		src->lines[n++] = p;
		p = nl + 1;
	}
	src->nlines = (int)n;
}

struct source *source_load(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	struct source *src;
	size_t len;

	if (source_read(path, &sb) < 0) {
		strbuf_release(&sb);
		return NULL;
	}
	len = sb.len;
	src = xcalloc(1, sizeof(*src));
	src->text = strbuf_detach(&sb);
	source_split(src, len);
	return src;
}

struct source *source_from_lines(const char *const *lines, int n)
{
	struct source *src = xcalloc(1, sizeof(*src));
	struct strbuf sb = STRBUF_INIT;
	size_t *offs = xcalloc((size_t)n + 1, sizeof(*offs));

	for (int i = 0; i < n; i++) {
		offs[i] = sb.len;
		strbuf_addstr(&sb, lines[i]);
		strbuf_addch(&sb, '\0');
	}
	src->text = strbuf_detach(&sb);
	src->lines = xcalloc((size_t)n + 1, sizeof(*src->lines));
	for (int i = 0; i < n; i++)
		src->lines[i] = src->text + offs[i];
	src->nlines = n;
	free(offs);
	return src;
}

void source_free(struct source *src)
{
	if (!src)
		return;
	free(src->text);
	free(src->lines);
	free(src);
}

int source_nlines(const struct source *src)
{
	return src->nlines;
}

const char *source_line(const struct source *src, int n)
{
	if (n < 1 || n > src->nlines)
		return NULL;
	return src->lines[n - 1];
}

/* "def NAME(" after indentation; spaces before '(' are legal Python. */
static int source_is_def(const char *s, const char *name)
{
	size_t len = strlen(name);

	s += strspn(s, " \t");
	if (strncmp(s, "def", 3) != 0 || (s[3] != ' ' && s[3] != '\t'))
		return 0;
	s += 3;
	s += strspn(s, " \t");
	if (strncmp(s, name, len) != 0)
		return 0;
	s += len;
	s += strspn(s, " \t");
	return *s == '(';
}

int source_find_def(const struct source *src, const char *name, int line)
{
	int n;

	if (!*name)
		return 0;
	if (line > src->nlines)
		line = src->nlines;
	for (n = line; n >= 1; n--)
		if (source_is_def(src->lines[n - 1], name))
			return n;
	return 0;
}
