/* cmd-report: render a saved profile (nprof annotate -o FILE.json) again,
 * in any format: a profile taken on a cluster node, looked at on a laptop. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "load-json.h"
#include "output.h"
#include "profile.h"
#include "report.h"
#include "strbuf.h"
#include "util.h"

static const char report_usage[] =
	"usage: nprof report [OPTIONS] PROFILE.json\n"
	"\n"
	"Renders a profile saved by 'nprof annotate -o FILE.json' again.  As text it\n"
	"is the report of the run that saved it, byte for byte.\n"
	"\n"
	"options:\n"
	"  --format FORMAT    text, json, speedscope, pprof, collapsed or html (default:\n"
	"                     from the -o file name's suffix, else text)\n"
	"  -o, --output FILE  write to FILE instead of standard output\n"
	"  --show-internals   also list samples in Numba's own source files\n"
	"  --sort KEY         order the function table by self, total or name (default self)\n"
	"  -h, --help         show this help\n";

struct report_cmd_options {
	const char *format;
	const char *output;
	struct report_options report;
};

enum { OPT_FORMAT = 256, OPT_SHOW_INTERNALS, OPT_SORT };

static const struct option report_long_options[] = {
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "output", required_argument, NULL, 'o' },
	{ "show-internals", no_argument, NULL, OPT_SHOW_INTERNALS },
	{ "sort", required_argument, NULL, OPT_SORT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int report_parse_options(int argc, char **argv, struct report_cmd_options *o);
static struct profile *report_load(const char *path);
static int cmd_report_exec(int argc, char **argv);

/* The index of the profile argument, -1 after a usage error, 0 after --help. */
static int report_parse_options(int argc, char **argv, struct report_cmd_options *o)
{
	int c;

	o->report.sort = PROFILE_SORT_SELF;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:h", report_long_options, NULL)) != -1) {
		switch (c) {
		case OPT_FORMAT: o->format = optarg; break;
		case 'o': o->output = optarg; break;
		case OPT_SHOW_INTERNALS: o->report.show_internals = 1; break;
		case OPT_SORT:
			if (report_sort_parse(optarg, &o->report.sort) < 0)
				return -1;
			break;
		case 'h': fputs(report_usage, stdout); return 0;
		case ':': return error("option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt)
				return error("unknown option '-%c'", optopt);
			return error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return error("no profile given; try 'nprof report prof.json'");
	if (optind + 1 < argc)
		return error("one profile at a time; '%s' is one too many", argv[optind + 1]);
	return optind;
}

static struct profile *report_load(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	struct profile *p = NULL;
	char buf[65536], why[256];
	size_t n;
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rbe");

	if (!f) {
		error("cannot open profile '%s': %s", path, strerror(errno));
		return NULL;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&sb, buf, n);
	if (ferror(f))
		error("cannot read profile '%s': %s", path, strerror(errno));
	else if (!(p = load_json(strbuf_str(&sb), sb.len, why, sizeof(why))))
		error("'%s' is not a profile nprof can read: %s; give a file 'nprof annotate -o FILE.json' wrote",
		      path, why);
	if (f != stdin)
		fclose(f);
	strbuf_release(&sb);
	return p;
}

static int cmd_report_exec(int argc, char **argv)
{
	struct report_cmd_options o = { 0 };
	const struct report_format *fmt;
	struct output out = OUTPUT_INIT;
	struct profile *p;
	int first = report_parse_options(argc, argv, &o), code = EXIT_USAGE;

	if (first < 0)
		return cmd_usage_error(&cmd_report_entry);
	if (first == 0)
		return 0;
	if (!(fmt = report_format_choose(o.format, o.output)))
		return cmd_usage_error(&cmd_report_entry);
	if (fmt->binary && !o.output && isatty(STDOUT_FILENO)) {
		error("the %s format is binary; pass -o FILE", fmt->name);
		return EXIT_USAGE;
	}
	if (!(p = report_load(argv[first])))
		return EXIT_USAGE;
	if (output_open(&out, o.output) == 0)
		code = output_commit(&out, fmt->render(out.fp, p, &o.report) < 0) < 0 ? 1 : 0;
	else
		code = 1;
	output_abandon(&out);
	profile_free(p);
	return code;
}

const struct cmd_entry cmd_report_entry = {
	.name = "report",
	.summary = "render a saved profile (.json) again, in any format",
	.usage = report_usage,
	.exec = cmd_report_exec,
};
