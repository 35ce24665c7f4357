/* manifest: parses the list of gdbs `nprof setup` can install.
 *
 * The format (also described at the top of share/gdb.manifest):
 *
 *	# a comment: a line whose first non-blank character is '#'
 *	nprof-manifest 1
 *
 *	bundle VERSION ARCH
 *		url URL
 *		sha256 HEX
 *		size BYTES
 *	source VERSION any
 *		url URL
 *		sha256 HEX
 *		size BYTES
 *		patch NAME
 *
 * The first line that is not blank or a comment names the format.  An
 * entry starts with an unindented line "KIND VERSION ARCH" and its fields
 * are the indented "KEY VALUE" lines that follow.  url, sha256 and size are
 * required once each; `patch` (source entries only) may repeat and gives the
 * series in order.  ARCH is what `uname -m` prints; a source entry may say
 * "any".  Anything else is an error naming the file and the line: a manifest
 * says what code gets run, so a typo must not pass as a default. */
#include "manifest.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "strbuf.h"
#include "util.h"

#define MANIFEST_FORMAT "1"
#define MANIFEST_MAX_BYTES (1 << 20)
#define MANIFEST_MAX_WORDS 4
#define MANIFEST_MAX_NAME 64

/* The state of one parse, for messages. */
struct manifest_parser {
	const char *name;
	int line;
	int seen_format;
	int entry_line;		/* where the open entry started; 0: none */
	int *lines;		/* header line of each entry, for duplicates */
	size_t alloc, lines_alloc;
	struct manifest *m;
};

static int manifest_fail(struct manifest_parser *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int manifest_split(struct manifest_parser *p, char *s, char **words);
static int manifest_line(struct manifest_parser *p, char *s);
static int manifest_header(struct manifest_parser *p, char **words, int n);
static int manifest_field(struct manifest_parser *p, char **words, int n);
static int manifest_close_entry(struct manifest_parser *p);
static int manifest_is_name(const char *s);
static int manifest_parse_size(const char *s, uint64_t *out);
static int manifest_url_ok(const char *url);
static const char *manifest_kind_name(enum manifest_kind kind);
static void manifest_entry_release(struct manifest_entry *e);
static int manifest_version_cmp(const char *a, const char *b);

static int manifest_fail(struct manifest_parser *p, int line, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	error("%s:%d: %s", p->name, line, msg);
	free(msg);
	return -1;
}

/* Splits on blanks in place; the count, or -1 for a control character. */
static int manifest_split(struct manifest_parser *p, char *s, char **words)
{
	int n = 0;

	for (char *c = s; *c; c++) {
		if (*c == '\r')
			return manifest_fail(p, p->line, "carriage return in line; save the manifest with Unix line endings");
		if (iscntrl((unsigned char)*c) && *c != '\t')
			return manifest_fail(p, p->line, "control character 0x%02x in line", (unsigned char)*c);
	}
	while (*s) {
		while (*s == ' ' || *s == '\t')
			*s++ = '\0';
		if (!*s)
			break;
		if (n == MANIFEST_MAX_WORDS)
			return n + 1;
		words[n++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
	}
	return n;
}

static int manifest_line(struct manifest_parser *p, char *s)
{
	char *words[MANIFEST_MAX_WORDS];
	int indented = *s == ' ' || *s == '\t';
	int n = manifest_split(p, s, words);

	if (n < 0)
		return -1;
	if (n == 0 || words[0][0] == '#')
		return 0;
	if (!p->seen_format) {
		if (indented || n != 2 || strcmp(words[0], "nprof-manifest") != 0)
			return manifest_fail(p, p->line, "expected 'nprof-manifest %s' before anything else",
					     MANIFEST_FORMAT);
		if (strcmp(words[1], MANIFEST_FORMAT) != 0)
			return manifest_fail(p, p->line, "manifest format '%s' is not one this nprof reads (%s); upgrade nprof",
					     words[1], MANIFEST_FORMAT);
		p->seen_format = 1;
		return 0;
	}
	if (indented)
		return manifest_field(p, words, n);
	if (manifest_close_entry(p) < 0)
		return -1;
	return manifest_header(p, words, n);
}

static int manifest_header(struct manifest_parser *p, char **words, int n)
{
	struct manifest *m = p->m;
	struct manifest_entry *e;
	enum manifest_kind kind;

	if (strcmp(words[0], "bundle") == 0)
		kind = MANIFEST_BUNDLE;
	else if (strcmp(words[0], "source") == 0)
		kind = MANIFEST_SOURCE;
	else if (strcmp(words[0], "nprof-manifest") == 0)
		return manifest_fail(p, p->line, "'nprof-manifest' given twice");
	else
		return manifest_fail(p, p->line, "unknown entry kind '%s' (expected bundle or source; indent the fields of an entry)",
				     words[0]);
	if (n != 3)
		return manifest_fail(p, p->line, "expected '%s VERSION ARCH'", words[0]);
	if (!manifest_is_name(words[1]))
		return manifest_fail(p, p->line, "bad version '%s' (letters, digits, '.', '_', '+' and '-' only)",
				     words[1]);
	if (!manifest_is_name(words[2]))
		return manifest_fail(p, p->line, "bad architecture '%s' (expected a name such as x86_64, as `uname -m` prints it)",
				     words[2]);
	if (kind == MANIFEST_BUNDLE && strcmp(words[2], "any") == 0)
		return manifest_fail(p, p->line, "a bundle is built for one architecture; name it (such as x86_64) instead of 'any'");
	for (int i = 0; i < m->nentries; i++) {
		e = &m->entries[i];
		if (e->kind == kind && strcmp(e->version, words[1]) == 0 && strcmp(e->arch, words[2]) == 0)
			return manifest_fail(p, p->line, "duplicate entry '%s %s %s' (first at line %d)",
					     words[0], words[1], words[2], p->lines[i]);
	}
	m->entries = xgrow(m->entries, &p->alloc, (size_t)m->nentries + 1, sizeof(*m->entries));
	p->lines = xgrow(p->lines, &p->lines_alloc, (size_t)m->nentries + 1, sizeof(*p->lines));
	e = &m->entries[m->nentries];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->version = xstrdup(words[1]);
	e->arch = xstrdup(words[2]);
	p->lines[m->nentries++] = p->line;
	p->entry_line = p->line;
	return 0;
}

static int manifest_field(struct manifest_parser *p, char **words, int n)
{
	struct manifest_entry *e;
	const char *key = words[0];

	if (!p->entry_line)
		return manifest_fail(p, p->line, "'%s' outside an entry; start one with 'bundle VERSION ARCH' or 'source VERSION ARCH'",
				     key);
	e = &p->m->entries[p->m->nentries - 1];
	if (strcmp(key, "url") && strcmp(key, "sha256") && strcmp(key, "size") && strcmp(key, "patch"))
		return manifest_fail(p, p->line, "unknown key '%s' (expected url, sha256, size or patch)", key);
	if (n != 2)
		return manifest_fail(p, p->line, "expected '%s VALUE' (one value, no blanks)", key);
	if (strcmp(key, "url") == 0) {
		if (e->url)
			return manifest_fail(p, p->line, "duplicate 'url' in this entry");
		if (!manifest_url_ok(words[1]))
			return manifest_fail(p, p->line, "bad url '%s' (expected https://, http:// or file://)", words[1]);
		e->url = xstrdup(words[1]);
	} else if (strcmp(key, "sha256") == 0) {
		if (e->sha256)
			return manifest_fail(p, p->line, "duplicate 'sha256' in this entry");
		if (!digest_is_valid_hex(words[1]))
			return manifest_fail(p, p->line, "bad sha256 '%s' (expected 64 hex digits)", words[1]);
		e->sha256 = xstrdup(words[1]);
		for (char *c = e->sha256; *c; c++)
			*c = (char)tolower((unsigned char)*c);
	} else if (strcmp(key, "size") == 0) {
		if (e->size)
			return manifest_fail(p, p->line, "duplicate 'size' in this entry");
		if (manifest_parse_size(words[1], &e->size) < 0)
			return manifest_fail(p, p->line, "bad size '%s' (expected the size in bytes, a positive decimal number)",
					     words[1]);
	} else {
		if (e->kind != MANIFEST_SOURCE)
			return manifest_fail(p, p->line, "'patch' belongs in source entries; a bundle is built already");
		if (!manifest_is_name(words[1]))
			return manifest_fail(p, p->line, "bad patch name '%s' (a file name under patches/, no '/')", words[1]);
		e->patches = xrealloc(e->patches, sizeof(*e->patches) * ((size_t)e->npatches + 1));
		e->patches[e->npatches++] = xstrdup(words[1]);
	}
	return 0;
}

/* An entry is checked for completeness when the next one starts or the file ends. */
static int manifest_close_entry(struct manifest_parser *p)
{
	const struct manifest_entry *e;
	const char *missing = NULL;

	if (!p->entry_line)
		return 0;
	e = &p->m->entries[p->m->nentries - 1];
	if (!e->url)
		missing = "url";
	else if (!e->sha256)
		missing = "sha256";
	else if (!e->size)
		missing = "size";
	if (missing)
		return manifest_fail(p, p->entry_line, "entry '%s %s %s' has no %s; add an indented '%s' line",
				     manifest_kind_name(e->kind), e->version, e->arch, missing, missing);
	p->entry_line = 0;
	return 0;
}

/* Versions and names end up as directory and file names: keep them tame. */
static int manifest_is_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > MANIFEST_MAX_NAME || !isalnum((unsigned char)s[0]))
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._+-", *s))
			return 0;
	return 1;
}

static int manifest_parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s || *s == '0')
		return -1;
	for (; *s; s++) {
		uint64_t d = (uint64_t)(*s - '0');

		if (!isdigit((unsigned char)*s) || v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static int manifest_url_ok(const char *url)
{
	static const char *const schemes[] = { "https://", "http://", "file://" };

	for (size_t i = 0; i < ARRAY_SIZE(schemes); i++) {
		size_t n = strlen(schemes[i]);

		if (strncmp(url, schemes[i], n) == 0 && url[n])
			return 1;
	}
	return 0;
}

static const char *manifest_kind_name(enum manifest_kind kind)
{
	return kind == MANIFEST_BUNDLE ? "bundle" : "source";
}

int manifest_parse(const char *text, const char *name, struct manifest *out)
{
	struct manifest_parser p = { .name = name, .m = out };
	const char *s = text;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	while (*s && ret == 0) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		char *line = xstrndup(s, len);

		p.line++;
		ret = manifest_line(&p, line);
		free(line);
		s += len + (nl ? 1 : 0);
	}
	if (ret == 0 && !p.seen_format)
		ret = manifest_fail(&p, p.line ? p.line : 1, "no 'nprof-manifest %s' line: this is not an nprof manifest",
				    MANIFEST_FORMAT);
	if (ret == 0)
		ret = manifest_close_entry(&p);
	free(p.lines);
	if (ret < 0)
		manifest_release(out);
	return ret;
}

int manifest_load(const char *path, struct manifest *out)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[8192];
	size_t n;
	FILE *f = fopen(path, "re");
	int ret;

	memset(out, 0, sizeof(*out));
	if (!f)
		return error("cannot read manifest %s: %s", path, strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (sb.len + n > MANIFEST_MAX_BYTES) {
			fclose(f);
			strbuf_release(&sb);
			return error("%s: larger than %d bytes, not a manifest", path, MANIFEST_MAX_BYTES);
		}
		strbuf_add(&sb, buf, n);
	}
	if (ferror(f)) {
		ret = error("cannot read manifest %s: %s", path, strerror(errno));
		fclose(f);
		strbuf_release(&sb);
		return ret;
	}
	fclose(f);
	if (memchr(strbuf_str(&sb), '\0', sb.len))
		ret = error("%s: contains a NUL byte, not a manifest", path);
	else
		ret = manifest_parse(strbuf_str(&sb), path, out);
	strbuf_release(&sb);
	return ret;
}

static void manifest_entry_release(struct manifest_entry *e)
{
	free(e->version);
	free(e->arch);
	free(e->url);
	free(e->sha256);
	for (int i = 0; i < e->npatches; i++)
		free(e->patches[i]);
	free(e->patches);
}

void manifest_release(struct manifest *m)
{
	for (int i = 0; i < m->nentries; i++)
		manifest_entry_release(&m->entries[i]);
	free(m->entries);
	m->entries = NULL;
	m->nentries = 0;
}

/* Numeric runs compare as numbers, so 13.10 sorts after 13.9. */
static int manifest_version_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			unsigned long long x = strtoull(a, (char **)&a, 10);
			unsigned long long y = strtoull(b, (char **)&b, 10);

			if (x != y)
				return x < y ? -1 : 1;
		} else {
			if (*a != *b)
				return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
			a++;
			b++;
		}
	}
	return (unsigned char)*a - (unsigned char)*b;
}

const struct manifest_entry *manifest_pick(const struct manifest *m, const char *arch)
{
	const struct manifest_entry *bundle = NULL, *source = NULL;

	for (int i = 0; i < m->nentries; i++) {
		const struct manifest_entry *e = &m->entries[i];

		if (e->kind == MANIFEST_BUNDLE && strcmp(e->arch, arch) == 0) {
			if (!bundle || manifest_version_cmp(e->version, bundle->version) > 0)
				bundle = e;
		} else if (e->kind == MANIFEST_SOURCE &&
			   (strcmp(e->arch, arch) == 0 || strcmp(e->arch, "any") == 0)) {
			/* Same version: the entry for this very arch beats "any". */
			if (!source || manifest_version_cmp(e->version, source->version) > 0 ||
			    (manifest_version_cmp(e->version, source->version) == 0 &&
			     strcmp(e->arch, arch) == 0))
				source = e;
		}
	}
	return bundle ? bundle : source;
}
