/* report: the table of output formats, and what renderers share. */
#include "report.h"

#include <string.h>

#include "strbuf.h"
#include "util.h"

static const char *report_basename(const char *path);

static const char *const text_suffixes[] = { ".txt", NULL };
static const char *const json_suffixes[] = { ".json", NULL };
static const char *const speedscope_suffixes[] = { ".speedscope.json", NULL };
static const char *const pprof_suffixes[] = { ".pb.gz", ".pprof", NULL };
static const char *const collapsed_suffixes[] = { ".collapsed", ".folded", NULL };
static const char *const html_suffixes[] = { ".html", ".htm", NULL };

static const struct report_format text_format = { "text", text_suffixes, report_text, 0 };
static const struct report_format json_format = { "json", json_suffixes, report_json, 0 };
static const struct report_format speedscope_format = {
	"speedscope", speedscope_suffixes, report_speedscope, 0
};
static const struct report_format pprof_format = { "pprof", pprof_suffixes, report_pprof, 1 };
static const struct report_format collapsed_format = {
	"collapsed", collapsed_suffixes, report_collapsed, 0
};
static const struct report_format html_format = { "html", html_suffixes, report_html, 0 };

const struct report_format *const report_formats[] = {
	&text_format,
	&json_format,
	&speedscope_format,
	&pprof_format,
	&collapsed_format,
	&html_format,
	NULL,
};

const struct report_format *report_format_find(const char *name)
{
	for (size_t i = 0; report_formats[i]; i++)
		if (strcmp(report_formats[i]->name, name) == 0)
			return report_formats[i];
	return NULL;
}

const struct report_format *report_format_for_path(const char *path)
{
	const struct report_format *best = NULL;
	size_t best_len = 0;

	for (size_t i = 0; report_formats[i]; i++) {
		for (const char *const *s = report_formats[i]->suffixes; *s; s++) {
			size_t n = strlen(*s);

			if (n > best_len && has_suffix(path, *s)) {
				best = report_formats[i];
				best_len = n;
			}
		}
	}
	return best;
}

const struct report_format *report_format_choose(const char *name, const char *path)
{
	const struct report_format *f;

	if (name) {
		f = report_format_find(name);
		if (!f)
			error("unknown --format '%s'; use %s", name, report_format_names());
		return f;
	}
	f = path ? report_format_for_path(path) : NULL;
	return f ? f : &text_format;
}

const char *report_format_names(void)
{
	return "text, json, speedscope, pprof, collapsed or html";
}

static const char *report_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

char *report_frame_label(const struct profile_frame *f)
{
	if (f->kind != PROFILE_FRAME_NATIVE)
		return xasprintf("%s (%s:%d)", f->name, report_basename(f->file), f->line);
	if (f->lib)
		return xasprintf("%s (%s)", f->name, f->lib);
	return xstrdup(f->name);
}

static double report_share(unsigned long n, unsigned long of)
{
	return of ? 100.0 * (double)n / (double)of : 0;
}

char *report_thread_summary(const struct profile *p, size_t t,
			    const struct profile_thread_top *top)
{
	const struct profile_thread *th = &p->threads[t];
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%.1f%% of samples", report_share(th->samples, p->samples));
	if (th->pool_wait)
		strbuf_addf(&sb, ", %.1f%% waiting in Numba's thread pool",
			    report_share(th->pool_wait, p->samples));
	if (top->file)
		strbuf_addf(&sb, ", top line %s:%d (%.1f%%)", report_basename(top->file), top->line,
			    report_share(top->self, p->samples));
	else
		strbuf_addf(&sb, ", no sample in your code");
	return strbuf_detach(&sb);
}

int report_sort_parse(const char *s, enum profile_sort *sort)
{
	if (strcmp(s, "self") == 0)
		*sort = PROFILE_SORT_SELF;
	else if (strcmp(s, "total") == 0)
		*sort = PROFILE_SORT_TOTAL;
	else if (strcmp(s, "name") == 0)
		*sort = PROFILE_SORT_NAME;
	else
		return error("invalid --sort '%s'; use self, total or name", s);
	return 0;
}
