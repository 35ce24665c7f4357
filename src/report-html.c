/* report-html: placeholder. */
#include "report.h"

#include "util.h"

int report_html(FILE *out, struct profile *p, const struct report_options *opt)
{
	fputs("<!doctype html>\n", out);
	return 0;
}
