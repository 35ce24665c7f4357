/* report-html: one self-contained page, no network: a summary, the
 * annotated source with self/total heat bars, a sortable function table,
 * an icicle chart of the stacks (click to zoom, search to highlight) and
 * a thread/process selector.  The script and style are nprof's own
 * (share/html/, compiled into the binary as html-assets.c, so a page
 * renders wherever nprof runs, installed or not); the data is the
 * profile's JSON (report-json) in a <script type="application/json">
 * with every '<' written as \u003c, so no text in it can end the block. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "html-assets.h"
#include "util.h"

static void html_text(FILE *out, const char *s);

/* Text for HTML element content. */
static void html_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		default: fputc(*s, out);
		}
	}
}

int report_html(FILE *out, struct profile *p, const struct report_options *opt)
{
	char *json = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&json, &len);
	int failed;

	if (!mem)
		fatal("open_memstream: out of memory");
	failed = report_json(mem, p, opt) < 0;
	failed |= fclose(mem) != 0;
	if (failed) {
		free(json);
		return -1;
	}
	fputs("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<title>nprof: ", out);
	html_text(out, p->command ? p->command : "profile");
	fputs("</title>\n<style>\n", out);
	fputs(html_asset_css, out);
	fputs("</style>\n</head>\n<body>\n"
	      "<header id=\"summary\"></header>\n<main>\n"
	      "<section><h2>Stacks <span class=\"hint\">icicle chart: callers above callees, width is samples</span>"
	      "<span class=\"legend\"><span><i style=\"background:hsl(25,85%,68%)\"></i>your code</span>"
	      "<span><i style=\"background:hsl(210,18%,78%)\"></i>Numba's own</span>"
	      "<span><i style=\"background:hsl(160,38%,70%)\"></i>native</span></span>"
	      "<span class=\"controls\"><select id=\"thread\" aria-label=\"thread\"></select>"
	      "<input id=\"search\" type=\"search\" placeholder=\"search frames\" aria-label=\"search frames\">"
	      "</span></h2>\n<div id=\"flame\"></div><div id=\"flame-info\"></div></section>\n"
	      "<section><h2>Source <span class=\"hint\">self: samples in the line itself; total: with the line "
	      "anywhere on the stack; both of all samples</span><span class=\"controls\"><label>"
	      "<input id=\"internals\" type=\"checkbox\">Numba internals</label></span></h2>\n"
	      "<div id=\"source\"></div></section>\n"
	      "<section><h2>Functions <span class=\"hint\">click a column to sort</span></h2>\n"
	      "<div id=\"funcs\"></div></section>\n"
	      "<section><h2>Threads <span class=\"hint\">shares of all samples; click a thread to "
	      "show it alone</span></h2>\n<div id=\"threads\"></div></section>\n</main>\n"
	      "<script type=\"application/json\" id=\"nprof-data\">\n", out);
	for (size_t i = 0; i < len; i++) {
		if (json[i] == '<')
			fputs("\\u003c", out);
		else
			fputc(json[i], out);
	}
	free(json);
	fputs("</script>\n<script>\n", out);
	fputs(html_asset_js, out);
	fputs("</script>\n</body>\n</html>\n", out);
	if (fflush(out) != 0 || ferror(out))
		return -1;
	return 0;
}
