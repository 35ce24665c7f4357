/* cmd-annotate: run a Python program under the sampler and print its Numba
 * source annotated with where the time went. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cmd.h"
#include "locate.h"
#include "output.h"
#include "perf.h"
#include "profile.h"
#include "progenv.h"
#include "report.h"
#include "sampler.h"
#include "strbuf.h"
#include "tracer.h"
#include "util.h"

#define MAX_RATE 10000.0	/* perf and ptrace: a perf ring holds ~30 samples,
				 * read every 10 sample periods; a ptrace
				 * sample pauses the thread for tens of microseconds */
#define MAX_RATE_GDB 1000.0	/* a gdb sample takes ~1-2 ms */

#define MAX_OUTPUTS 8	/* -o files of one run */

enum sampler_kind { SAMPLER_AUTO, SAMPLER_PERF, SAMPLER_PTRACE, SAMPLER_GDB };

static const char annotate_usage[] =
	"usage: nprof annotate [OPTIONS] [--] PYTHON-ARGS...\n"
	"\n"
	"Runs PYTHON PYTHON-ARGS (as 'python script.py args', 'python -m pkg',\n"
	"'python -c code'), samples it, and prints its Numba source with the share of\n"
	"samples per line.  The program keeps its stdin, stdout, stderr and exit status.\n"
	"\n"
	"options:\n"
	"  --python PATH      the interpreter (default: $NPROF_PYTHON, else python3 on PATH)\n"
	"  --sampler WHICH    perf: the kernel samples the program's CPU time without\n"
	"                     stopping it; ptrace: nprof interrupts it (wall time,\n"
	"                     ~0.05 ms pause per sample); gdb: gdb interrupts it\n"
	"                     (wall time, ~1 ms pause per sample); auto (default):\n"
	"                     perf where the kernel allows it, else ptrace, else gdb\n"
	"  --gdb PATH         the debugger for --sampler gdb (default: $NPROF_GDB, else\n"
	"                     the gdb 'nprof setup' installed, else gdb on PATH)\n"
	"  -r, --rate HZ      samples per second, of CPU time with perf (default 100,\n"
	"                     at most 10000, 1000 with gdb)\n"
		"  -o, --output FILE  write the report to FILE instead of standard output; give\n"
	"                     it again for more files of the one run (up to 8)\n"
	"  --format FORMAT    text, json, speedscope, pprof, collapsed or html (default:\n"
	"                     each -o file name's suffix: .txt, .json,\n"
	"                     .speedscope.json, .pb.gz or .pprof, .collapsed or\n"
	"                     .folded, .html; else text).  'nprof report' renders a\n"
	"                     saved .json again in any of them\n"
	"  --numba-debug      keep Numba's debug code generation (no inlining, bounds\n"
	"                     checks) instead of profiling the code users ship\n"
	"  --threads WHICH    main: sample the main thread; all: every thread, each in\n"
	"                     its CPU time (parallel=True workers, nogil threads);\n"
	"                     default: all, but main with gdb\n"
	"  --show-internals   also list samples in Numba's own source files\n"
	"  --sort KEY         order the function table by self, total or name (default self)\n"
	"  -h, --help         show this help\n";

struct annotate_options {
	const char *python;
	const char *gdb;
	const char *outputs[MAX_OUTPUTS];
	size_t noutputs;
	const char *format;
	double rate;
	int numba_debug;
	int all_threads;
	enum sampler_kind sampler;
	struct report_options report;
};

enum { OPT_PYTHON = 256, OPT_GDB, OPT_NUMBA_DEBUG, OPT_SHOW_INTERNALS, OPT_SORT, OPT_THREADS, OPT_SAMPLER, OPT_FORMAT };

static const struct option long_options[] = {
	{ "python", required_argument, NULL, OPT_PYTHON },
	{ "gdb", required_argument, NULL, OPT_GDB },
	{ "rate", required_argument, NULL, 'r' },
	{ "output", required_argument, NULL, 'o' },
	{ "numba-debug", no_argument, NULL, OPT_NUMBA_DEBUG },
	{ "show-internals", no_argument, NULL, OPT_SHOW_INTERNALS },
	{ "sort", required_argument, NULL, OPT_SORT },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "sampler", required_argument, NULL, OPT_SAMPLER },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int parse_rate(const char *s, double *rate)
{
	char *end;

	errno = 0;
	*rate = strtod(s, &end);
	if (errno || end == s || *end || !(*rate > 0) || *rate > MAX_RATE)
		return error("invalid --rate '%s'; give samples per second, more than 0 and at most %g",
			     s, MAX_RATE);
	return 0;
}

static int parse_threads(const char *s, int *all)
{
	if (strcmp(s, "main") == 0)
		*all = 0;
	else if (strcmp(s, "all") == 0)
		*all = 1;
	else
		return error("invalid --threads '%s'; use main or all", s);
	return 0;
}

static int parse_sampler(const char *s, enum sampler_kind *kind)
{
	if (strcmp(s, "auto") == 0)
		*kind = SAMPLER_AUTO;
	else if (strcmp(s, "perf") == 0)
		*kind = SAMPLER_PERF;
	else if (strcmp(s, "ptrace") == 0)
		*kind = SAMPLER_PTRACE;
	else if (strcmp(s, "gdb") == 0)
		*kind = SAMPLER_GDB;
	else
		return error("invalid --sampler '%s'; use auto, perf, ptrace or gdb", s);
	return 0;
}

/* Returns the index of the first program argument, -1 after printing a
 * usage error, or 0 when --help was handled. */
static int parse_options(int argc, char **argv, struct annotate_options *o)
{
	int c;

	o->rate = 100;
	o->all_threads = -1;	/* by sampler: perf and ptrace all, gdb main */
	o->report.sort = PROFILE_SORT_SELF;
	opterr = 0;
	optind = 1;
	/* '+': stop at the first program argument, which belongs to python. */
	while ((c = getopt_long(argc, argv, "+:r:o:h", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_PYTHON: o->python = optarg; break;
		case OPT_GDB: o->gdb = optarg; break;
		case 'r': if (parse_rate(optarg, &o->rate) < 0) return -1; break;
		case 'o':
			if (!*optarg)
				return error("option '-o' needs a file name");
			if (o->noutputs == MAX_OUTPUTS)
				return error("at most %d -o files", MAX_OUTPUTS);
			o->outputs[o->noutputs++] = optarg;
			break;
		case OPT_NUMBA_DEBUG: o->numba_debug = 1; break;
		case OPT_SHOW_INTERNALS: o->report.show_internals = 1; break;
		case OPT_SORT: if (report_sort_parse(optarg, &o->report.sort) < 0) return -1; break;
		case OPT_THREADS: if (parse_threads(optarg, &o->all_threads) < 0) return -1; break;
		case OPT_SAMPLER: if (parse_sampler(optarg, &o->sampler) < 0) return -1; break;
		case OPT_FORMAT: o->format = optarg; break;
		case 'h': fputs(annotate_usage, stdout); return 0;
		case ':':
			return error("option '%s' needs a value", argv[optind - 1]);
		default:
			/* optopt names a bad short option; a bad long one is the word itself. */
			if (optopt)
				return error("unknown option '-%c'", optopt);
			return error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return error("no program given; try 'nprof annotate -- script.py'");
	for (size_t i = 0; i < (o->noutputs ? o->noutputs : 1); i++)
		if (!report_format_choose(o->format, o->noutputs ? o->outputs[i] : NULL))
			return -1;
	return optind;
}

/* What python will run, read off its own command line.  Python options
 * taking a value (-W, -X, --check-hash-based-pycs) skip it; -c, -m and a
 * lone '-' leave no script to check.  Sets *isolated when -E, -I or -S
 * keep the start-up hook out. */
static const char *python_script(char **args, int *isolated)
{
	for (int i = 0; args[i]; i++) {
		const char *a = args[i];

		if (strcmp(a, "--") == 0)
			return args[i + 1];
		if (a[0] != '-')
			return a;
		if (strcmp(a, "-") == 0 || a[1] == '-') {
			if (strcmp(a, "--check-hash-based-pycs") == 0 && args[i + 1])
				i++;
			else if (strcmp(a, "-") == 0 || strcmp(a, "--help") == 0 ||
				 strcmp(a, "--version") == 0)
				return NULL;
			continue;
		}
		for (const char *f = a + 1; *f; f++) {
			if (*f == 'E' || *f == 'I' || *f == 'S')
				*isolated = 1;
			if (*f == 'c' || *f == 'm')
				return NULL;
			if (*f == 'W' || *f == 'X') {
				if (!f[1] && args[i + 1])
					i++;
				break;
			}
		}
	}
	return NULL;
}

/* The versions in locate_check_python's "Python 3.11.2, numba 0.56.4",
 * for the saved profile. */
static void annotate_versions(const char *line, struct profile *p)
{
	const char *numba;

	if (!line || strncmp(line, "Python ", 7) != 0 || !(numba = strstr(line + 7, ", numba ")))
		return;
	p->python_version = xstrndup(line + 7, (size_t)(numba - line - 7));
	p->numba_version = xstrdup(numba + 8);
}

/* The command line, for the saved profile: words joined by spaces. */
static char *annotate_command(char **argv)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; argv[i]; i++) {
		if (i)
			strbuf_addch(&sb, ' ');
		strbuf_addstr(&sb, argv[i]);
	}
	return strbuf_detach(&sb);
}

static long long rusage_us(int who)
{
	struct rusage ru;

	if (getrusage(who, &ru) < 0)
		return 0;
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000LL + ru.ru_utime.tv_usec +
	       ru.ru_stime.tv_usec;
}

/* For bench/samplers, with $NPROF_RUSAGE_LOG set: the CPU time (user and
 * system, microseconds) nprof itself used to run and sample the program,
 * and that of its children (the program, and gdb's with --sampler gdb). */
static void annotate_rusage_log(void)
{
	const char *path = getenv("NPROF_RUSAGE_LOG");
	FILE *f = path && *path ? fopen(path, "we") : NULL;

	if (!f)
		return;
	fprintf(f, "self_us %lld children_us %lld\n", rusage_us(RUSAGE_SELF), rusage_us(RUSAGE_CHILDREN));
	fclose(f);
}

static int run(struct annotate_options *o, char **args)
{
	struct located python = { 0 }, gdb = { 0 };
	struct sampler_options so = { .rate = o->rate, .all_threads = o->all_threads };
	struct output outs[MAX_OUTPUTS];
	const struct report_format *fmts[MAX_OUTPUTS];
	size_t nouts = o->noutputs ? o->noutputs : 1;
	struct profile *profile = NULL;
	const char *script;
	int isolated = 0, code = EXIT_USAGE, nargs = 0;
	char **argv = NULL, **env = NULL, *shim = NULL, *line = NULL, *fate = NULL, why[256];

	for (size_t i = 0; i < nouts; i++)
		outs[i] = (struct output)OUTPUT_INIT;
	if (o->sampler == SAMPLER_AUTO)
		o->sampler = perf_probe(why, sizeof(why)) == 0 ? SAMPLER_PERF
			   : tracer_probe(why, sizeof(why)) == 0 ? SAMPLER_PTRACE : SAMPLER_GDB;
	else if (o->sampler == SAMPLER_PERF && perf_probe(why, sizeof(why)) < 0) {
		error("cannot use perf events: %s; use --sampler ptrace or gdb", why);
		goto out;
	} else if (o->sampler == SAMPLER_PTRACE && tracer_probe(why, sizeof(why)) < 0) {
		error("cannot trace the program: %s; use --sampler gdb", why);
		goto out;
	}
	if (o->sampler == SAMPLER_GDB && o->rate > MAX_RATE_GDB) {
		error("--rate %g is too fast for the gdb sampler; give at most %g", o->rate, MAX_RATE_GDB);
		goto out;
	}
	/* Sampling every thread is cheap where samples are of CPU time
	 * (sleeping threads cost nothing; bench/threads: no cost measured
	 * on a single-threaded program, perf or ptrace); through gdb each
	 * sample stops one more thread for a millisecond. */
	if (o->all_threads < 0)
		o->all_threads = o->sampler != SAMPLER_GDB;
	so.all_threads = o->all_threads;
	if (locate_python(o->python, &python) < 0 ||
	    (o->sampler == SAMPLER_GDB && locate_gdb(o->gdb, &gdb) < 0))
		goto out;
	if (locate_check_python(python.path, 0, &line) < 0) {
		error("'%s' (from %s) is %s; pass --python PATH (or set NPROF_PYTHON) to one that can 'import numba'",
		      python.path, python.why, line ? line : "not a python with numba");
		goto out;
	}
	script = python_script(args, &isolated);
	if (script && access(script, R_OK) < 0) {
		error("cannot open script '%s': %s", script, strerror(errno));
		goto out;
	}
	if (isolated && !o->numba_debug)
		warning("python's -E, -I or -S keep nprof's start-up hook out: the profile runs in Numba's debug code generation");
	for (size_t i = 0; i < nouts; i++) {
		const char *path = o->noutputs ? o->outputs[i] : NULL;

		fmts[i] = report_format_choose(o->format, path);
		if (fmts[i]->binary && !path && isatty(STDOUT_FILENO)) {
			error("the %s format is binary; pass -o FILE", fmts[i]->name);
			goto out;
		}
		if (output_open(&outs[i], path) < 0)
			goto out;
	}

	while (args[nargs])
		nargs++;
	argv = xcalloc((size_t)nargs + 2, sizeof(*argv));
	argv[0] = o->python ? (char *)o->python : python.path;
	memcpy(argv + 1, args, (size_t)nargs * sizeof(*argv));
	shim = isolated ? NULL : progenv_shim_dir();
	env = o->numba_debug ? progenv_new_numba_debug(shim) : progenv_new(shim);
	so.gdb = gdb.path;
	so.python = python.path;
	so.argv = argv;
	so.envp = env;
	profile = profile_new(profile_is_numba_file, NULL);
	profile->codegen = xstrdup(o->numba_debug
		? "numba code generation: debug, as --numba-debug asks (no inlining, bounds checks on)"
		: !shim ? "numba code generation: debug, nprof's start-up hook was not loaded (no inlining, bounds checks on)"
		: "numba code generation: as shipped (line tables added, nothing else changed)");
	profile->command = annotate_command(argv);
	annotate_versions(line, profile);
	code = o->sampler == SAMPLER_PERF ? sampler_perf_run(&so, profile)
	       : o->sampler == SAMPLER_PTRACE ? sampler_ptrace_run(&so, profile)
					     : sampler_gdb_run(&so, profile);
	annotate_rusage_log();
	if (code < 0) {
		code = EXIT_USAGE;	/* the report, never begun, is abandoned below */
		goto out;
	}
	if (!profile->numba && code != 0) {
		fate = code > 128 ? xasprintf("the program was killed by signal %d (%s) before any was sampled",
					     code - 128, strsignal(code - 128))
				  : xasprintf("the program failed (exit status %d) before any was sampled; see its errors above",
					      code);
		o->report.no_samples = fate;
	}
	for (size_t i = 0; i < nouts; i++)
		if (output_commit(&outs[i], fmts[i]->render(outs[i].fp, profile, &o->report) < 0) < 0 &&
		    code == 0)
			code = 1;
out:
	for (size_t i = 0; i < nouts; i++)
		output_abandon(&outs[i]);
	profile_free(profile);
	if (env)
		progenv_free(env);
	free(argv);
	free(shim);
	free(line);
	free(fate);
	located_release(&python);
	located_release(&gdb);
	return code;
}

static int cmd_annotate_exec(int argc, char **argv)
{
	struct annotate_options o = { 0 };
	int first = parse_options(argc, argv, &o);

	if (first < 0)
		return cmd_usage_error(&cmd_annotate_entry);
	if (first == 0)
		return 0;
	return run(&o, argv + first);
}

const struct cmd_entry cmd_annotate_entry = {
	.name = "annotate",
	.summary = "run a Python program and show its hot Numba lines",
	.usage = annotate_usage,
	.exec = cmd_annotate_exec,
};
