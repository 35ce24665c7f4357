/* cmd-doctor: says which gdb and python annotate would use, and checks
 * with a real profile that this gdb sees Numba's JIT code. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "locate.h"
#include "profile.h"
#include "progenv.h"
#include "sampler.h"
#include "proc.h"
#include "util.h"

#define PROBE_TIMEOUT_MS 60000	/* importing numba can take seconds on a cold cache */
#define MIN_JIT_SAMPLES 5

static const char doctor_usage[] =
	"usage: nprof doctor [--python PATH] [--gdb PATH]\n"
	"\n"
	"Prints which gdb and python 'nprof annotate' would use and why, their\n"
	"versions, and profiles a small Numba loop to check that gdb resolves\n"
	"Numba's JIT frames to the right source line.  Exits 0 when all is well.\n"
	"\n"
	"options:\n"
	"  --python PATH   the interpreter to check (default: as annotate chooses)\n"
	"  --gdb PATH      the debugger to check (default: as annotate chooses)\n"
	"  -h, --help      show this help\n";

/* The self-test program: all its time is on the marked line. */
static const char probe_program[] =
	"import numpy as np\n"
	"from numba import njit\n"
	"\n"
	"\n"
	"@njit\n"
	"def spin(n):\n"
	"    s = 0.0\n"
	"    for i in range(n):\n"
	"        s += np.sqrt(i + 1.0) * np.sin(i)  # the hot line\n"
	"    return s\n"
	"\n"
	"\n"
	"spin(10)\n"
	"for _ in range(30):\n"
	"    spin(3_000_000)\n";
#define PROBE_HOT_LINE 9

/* One line to show for a probe: its first line when it worked, its last
 * when it failed (a python traceback ends with what failed). */
static char *probe_line(const struct proc_run *run, int ok)
{
	const char *out = strbuf_str(&run->out);
	const char *start, *end;

	if (run->exec_errno)
		return xstrdup(strerror(run->exec_errno));
	if (run->timed_out)
		return xstrdup("no answer within a minute");
	if (ok)
		return xstrndup(out, strcspn(out, "\n"));
	end = out + strlen(out);
	while (end > out && end[-1] == '\n')
		end--;
	for (start = end; start > out && start[-1] != '\n'; start--)
		;
	return xstrndup(start, (size_t)(end - start));
}

static int probe(char *const argv[], char **line)
{
	struct proc_run run;
	int ok;

	*line = NULL;
	if (proc_run(argv, PROBE_TIMEOUT_MS, &run) < 0)
		return -1;
	ok = proc_succeeded(&run);
	*line = probe_line(&run, ok);
	proc_release(&run);
	return ok ? 0 : -1;
}

static int check_gdb(const struct located *gdb)
{
	char *argv[] = { gdb->path, "--version", NULL };
	char *line;
	int ret = probe(argv, &line);

	if (ret == 0 && !strstr(line, "gdb")) {
		free(line);
		line = xstrdup("this is not gdb: its --version does not say gdb");
		ret = -1;
	}

	printf("gdb:     %s (from %s)\n         %s\n", gdb->path, gdb->why, line ? line : "");
	free(line);
	return ret;
}

static int check_python(const struct located *python)
{
	char *argv[] = { python->path, "-c",
			 "import sys, numba; print('Python', sys.version.split()[0] + ', numba', numba.__version__)",
			 NULL };
	char *line;
	int ret = probe(argv, &line);

	printf("python:  %s (from %s)\n         %s\n", python->path, python->why, line ? line : "");
	free(line);
	return ret;
}

static char *write_probe(char *dir)
{
	char *path = xasprintf("%s/nprof_doctor_probe.py", dir);
	FILE *f = fopen(path, "w");

	if (!f || fputs(probe_program, f) < 0 || fclose(f) != 0) {
		error("cannot write the self-test program %s: %s", path, strerror(errno));
		free(path);
		return NULL;
	}
	return path;
}

/* Profiles the probe; 0 when gdb put its samples on the hot line. */
static int self_test(const struct located *python, const struct located *gdb)
{
	char dir[] = "/tmp/nprof-doctor-XXXXXX";
	char *script, *shim, **env;
	char *argv[3];
	struct sampler_options so = { .gdb = gdb->path, .python = python->path, .rate = 100 };
	struct profile *p;
	const struct profile_file *f;
	const struct profile_line *hot;
	int code, ret = -1;

	if (!mkdtemp(dir))
		return error("cannot create a directory for the self-test: %s", strerror(errno));
	script = write_probe(dir);
	if (!script) {
		rmdir(dir);
		return -1;
	}
	argv[0] = python->path;
	argv[1] = script;
	argv[2] = NULL;
	shim = progenv_shim_dir();
	env = progenv_new(shim);
	so.argv = argv;
	so.envp = env;
	p = profile_new(profile_is_numba_file, NULL);
	printf("self-test: profiling a small Numba loop ...\n");
	fflush(stdout);
	code = sampler_gdb_run(&so, p);
	f = profile_find_file(p, script);
	hot = f ? profile_file_line(f, PROBE_HOT_LINE) : NULL;
	printf("         %lu samples, %lu in jitted code, %lu on the hot line\n",
	       p->samples, p->numba, hot ? hot->self : 0UL);
	if (code < 0)
		printf("verdict: gdb could not run the program; see the error above\n");
	else if (code != 0)
		printf("verdict: the self-test program failed (exit status %d); check that %s can run Numba code\n",
		       code, python->path);
	else if (p->numba < MIN_JIT_SAMPLES)
		printf("verdict: this gdb cannot see Numba's JIT code; run 'nprof setup' to install one that can\n");
	else if (!hot || hot->self * 2 < p->numba)
		printf("verdict: this gdb puts Numba's samples on the wrong lines; run 'nprof setup' to install one that works\n");
	else {
		printf("verdict: ok, nprof can profile Numba code here\n");
		ret = 0;
	}
	profile_free(p);
	progenv_free(env);
	free(shim);
	unlink(script);
	free(script);
	rmdir(dir);
	return ret;
}

static int cmd_doctor_exec(int argc, char **argv)
{
	static const struct option long_options[] = {
		{ "python", required_argument, NULL, 'p' },
		{ "gdb", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *python_opt = NULL, *gdb_opt = NULL;
	struct located python = { 0 }, gdb = { 0 };
	int c, ok = 1;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		switch (c) {
		case 'p': python_opt = optarg; break;
		case 'g': gdb_opt = optarg; break;
		case 'h': fputs(doctor_usage, stdout); return 0;
		case ':':
			error("option '%s' needs a value", argv[optind - 1]);
			return cmd_usage_error(&cmd_doctor_entry);
		default:
			error("unknown option '%s'", argv[optind - 1]);
			return cmd_usage_error(&cmd_doctor_entry);
		}
	}
	if (optind < argc) {
		error("unexpected argument '%s'", argv[optind]);
		return cmd_usage_error(&cmd_doctor_entry);
	}
	if (locate_gdb(gdb_opt, &gdb) < 0 || check_gdb(&gdb) < 0) {
		printf("verdict: no usable gdb; run 'nprof setup', or install gdb (apt-get install gdb)\n");
		ok = 0;
	}
	if (ok && (locate_python(python_opt, &python) < 0 || check_python(&python) < 0)) {
		printf("verdict: no python with numba; pass --python PATH (or set NPROF_PYTHON) to one that can 'import numba'\n");
		ok = 0;
	}
	if (ok && self_test(&python, &gdb) < 0)
		ok = 0;
	located_release(&python);
	located_release(&gdb);
	return ok ? 0 : 1;
}

const struct cmd_entry cmd_doctor_entry = {
	.name = "doctor",
	.summary = "check that gdb can see Numba's JIT code here",
	.usage = doctor_usage,
	.exec = cmd_doctor_exec,
};
