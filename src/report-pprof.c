/* report-pprof: placeholder. */
#include "report.h"

#include "util.h"

int report_pprof(FILE *out, struct profile *p, const struct report_options *opt)
{
	return error("the pprof format is not written yet");
}
