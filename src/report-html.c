/* report-html: placeholder. */
#include "report.h"

#include "util.h"

int report_html(FILE *out, struct profile *p, const struct report_options *opt)
{
	return error("the html format is not written yet");
}
