/* cmd-doctor: says which gdb and python annotate would use, whether the
 * kernel allows perf events, and checks with real profiles that each way
 * of sampling sees Numba's JIT code. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "locate.h"
#include "paths.h"
#include "perf.h"
#include "profile.h"
#include "progenv.h"
#include "sampler.h"
#include "sigfwd.h"
#include "tracer.h"
#include "proc.h"
#include "util.h"

#define PROBE_TIMEOUT_MS 60000	/* importing numba can take seconds on a cold cache */
#define MIN_JIT_SAMPLES 5

static const char doctor_usage[] =
	"usage: nprof doctor [--python PATH] [--gdb PATH]\n"
	"\n"
	"Prints which gdb and python 'nprof annotate' would use and why, their\n"
	"versions, whether the kernel allows perf events, and profiles a small\n"
	"Numba loop with each sampler to check that its samples land on the right\n"
	"source line.  Exits 0 when all is well.\n"
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
	char *line;
	int ret = locate_check_python(python->path, 1, &line);

	printf("python:  %s (from %s)\n         %s\n", python->path, python->why, line ? line : "");
	free(line);
	return ret;
}

/* Does the start-up hook load in this python and keep Numba's code
 * generation as shipped?  It removes NPROF_SHIM as it loads, and says
 * "nprof: ..." on stderr when it cannot do its work. */
static int check_hook(const struct located *python)
{
	char *dir = paths_data_file("shim");
	char *file = xasprintf("%s/sitecustomize.py", dir);
	char *argv[] = { python->path, "-c",
			 "import os, numba\nprint('loaded' if 'NPROF_SHIM' not in os.environ else 'not loaded')",
			 NULL };
	char **env = NULL, *said = NULL;
	struct proc_run run;
	const char *out, *nl;
	int ret = -1;

	if (access(file, R_OK) < 0) {
		printf("hook:    %s: %s\n", file, strerror(errno));
		goto out;
	}
	env = progenv_new(dir);
	if (proc_run_env(argv, env, PROBE_TIMEOUT_MS, &run) < 0)
		goto out;
	out = strbuf_str(&run.out);
	said = strstr(out, "nprof: ");
	if (said)
		said = xstrndup(said, (nl = strchr(said, '\n')) ? (size_t)(nl - said) : strlen(said));
	if (!proc_succeeded(&run) || !strstr(out, "loaded"))
		printf("hook:    %s\n         this python cannot run it\n", file);
	else if (strstr(out, "not loaded"))
		printf("hook:    %s\n         not loaded by this python (its -E, -I or a sitecustomize of its own?)\n", file);
	else if (said)
		printf("hook:    %s\n         loaded, but %s\n", file, said);
	else {
		printf("hook:    %s\n         loaded: Numba's code generation as shipped, with line tables\n", file);
		ret = 0;
	}
	proc_release(&run);
out:
	if (ret < 0)
		printf("verdict: annotate would profile Numba's debug code generation (no inlining, bounds checks), not the code users ship; "
		       "reinstall nprof, or set NPROF_DATADIR to its share directory\n");
	if (env)
		progenv_free(env);
	free(said);
	free(file);
	free(dir);
	return ret;
}

static char *write_probe(char *dir)
{
	char *path = xasprintf("%s/nprof_doctor_probe.py", dir);
	FILE *f = fopen(path, "we");

	if (!f || fputs(probe_program, f) < 0 || fclose(f) != 0) {
		error("cannot write the self-test program %s: %s", path, strerror(errno));
		free(path);
		return NULL;
	}
	return path;
}

/* One way of sampling to check: how to run it and what to say when its
 * samples miss the probe's hot line. */
struct doctor_sampler {
	const char *how;	/* "with perf events", "through gdb" */
	int (*run)(const struct sampler_options *opt, struct profile *profile);
	const char *blind;	/* no samples in jitted code */
	const char *astray;	/* samples on the wrong lines */
};

static const struct doctor_sampler doctor_perf = {
	"with perf events", sampler_perf_run,
	"perf events do not reach Numba's JIT code here; use 'annotate --sampler gdb'",
	"perf events put Numba's samples on the wrong lines; use 'annotate --sampler gdb'",
};

static const struct doctor_sampler doctor_ptrace = {
	"with ptrace", sampler_ptrace_run,
	"nprof's ptrace sampler does not reach Numba's JIT code here; use 'annotate --sampler gdb'",
	"nprof's ptrace sampler puts Numba's samples on the wrong lines; use 'annotate --sampler gdb'",
};

static const struct doctor_sampler doctor_gdb = {
	"through gdb", sampler_gdb_run,
	"this gdb cannot see Numba's JIT code; run 'nprof setup' to install one that can",
	"this gdb puts Numba's samples on the wrong lines; run 'nprof setup' to install one that works",
};

/* Profiles the probe; 0 when the samples landed on its hot line, else -1
 * after printing the verdict. */
static int self_test(const struct doctor_sampler *ds, const struct located *python,
		     const struct located *gdb, const char *script, char **env)
{
	char *argv[] = { python->path, (char *)script, NULL };
	struct sampler_options so = { .gdb = gdb ? gdb->path : NULL, .python = python->path,
				       .rate = 100, .argv = argv, .envp = env };
	struct profile *p = profile_new(profile_is_numba_file, NULL);
	const struct profile_file *f;
	const struct profile_line *hot;
	int code, ret = -1;

	printf("self-test: profiling a small Numba loop %s ...\n", ds->how);
	fflush(stdout);
	code = ds->run(&so, p);
	f = profile_find_file(p, script);
	hot = f ? profile_file_line(f, PROBE_HOT_LINE) : NULL;
	printf("         %lu samples, %lu in jitted code, %lu on the hot line", p->samples, p->numba,
	       hot ? hot->self : 0UL);
	if (p->blind)
		printf(", %lu in JIT code gdb could not read", p->blind);
	putchar('\n');
	if (sigfwd_received()) {
		printf("verdict: interrupted (%s); the self-test did not finish\n",
		       strsignal(sigfwd_received()));
		ret = -128 - sigfwd_received();
	} else if (code < 0)
		printf("verdict: the self-test could not run the program; see the error above\n");
	else if (code != 0)
		printf("verdict: the self-test program failed (exit status %d); check that %s can run Numba code\n",
		       code, python->path);
	/* nprof names the JIT code a blind gdb stops in, but gdb cannot
	 * unwind out of it: a healthy gdb reads all of it. */
	else if (p->numba < MIN_JIT_SAMPLES || p->blind * 10 > p->numba)
		printf("verdict: %s\n", ds->blind);
	else if (!hot || hot->self * 2 < p->numba)
		printf("verdict: %s\n", ds->astray);
	else
		ret = 0;
	profile_free(p);
	return ret;
}

/* Runs the self-test with perf events and with ptrace (where the kernel
 * allows them: annotate's default is the first of the two allowed) and
 * through gdb (when there is one). */
static int self_tests(const struct located *python, const struct located *gdb)
{
	char dir[] = "/tmp/nprof-doctor-XXXXXX";
	char why[256];
	char *script, *shim, **env;
	int perf_ok = perf_probe(why, sizeof(why)) == 0, ptrace_ok, ptrace_state, ret = 0;
	/* gdb attaches with ptrace: where it is refused, gdb cannot sample. */
	const struct located *usable_gdb;

	if (perf_ok)
		printf("perf:    allowed: annotate samples with perf events, the program is not stopped\n");
	else
		printf("perf:    not allowed (%s)\n", why);
	ptrace_state = tracer_probe(why, sizeof(why));
	ptrace_ok = ptrace_state == 0;
	usable_gdb = ptrace_state == TRACER_NO_PTRACE ? NULL : gdb;
	if (ptrace_ok)
		printf("ptrace:  allowed: %s\n", perf_ok ? "'--sampler ptrace' interrupts the program for ~0.05 ms per sample"
			: "annotate samples with ptrace, ~0.05 ms of pause per sample");
	else
		printf("ptrace:  not allowed (%s)%s\n", why,
		       perf_ok || !usable_gdb ? "" : ": annotate samples through gdb, ~1 ms pause per sample");
	if (gdb && !usable_gdb)
		printf("         gdb attaches with ptrace: its self-test is skipped, '--sampler gdb' cannot work here\n");
	if (!perf_ok && !ptrace_ok && !usable_gdb) {
		if (ptrace_state == TRACER_NO_PTRACE)
			printf("verdict: nothing can sample here: perf events and ptrace are refused, and gdb needs ptrace; "
			       "allow one of them (perf_event_paranoid, the seccomp policy, ptrace_scope)\n");
		else
			printf("verdict: no usable gdb, no perf events and no ptrace; run 'nprof setup', or install gdb (apt-get install gdb)\n");
		return -1;
	}
	gdb = usable_gdb;
	if (!mkdtemp(dir))
		return error("cannot create a directory for the self-test: %s", strerror(errno));
	script = write_probe(dir);
	if (!script) {
		rmdir(dir);
		return -1;
	}
	shim = progenv_shim_dir();
	env = progenv_new(shim);
	/* A signal between the two tests, or before the first has started
	 * its program, is seen by the next (or ends the program it starts). */
	sigfwd_install();
	if (perf_ok)
		ret = self_test(&doctor_perf, python, gdb, script, env);
	if (ret == 0 && ptrace_ok)
		ret = self_test(&doctor_ptrace, python, gdb, script, env);
	if (ret == 0 && gdb)
		ret = self_test(&doctor_gdb, python, gdb, script, env);
	sigfwd_restore();
	if (ret == 0 && gdb)
		printf("verdict: ok, nprof can profile Numba code here\n");
	else if (ret == 0 && ptrace_state == TRACER_NO_PTRACE)
		printf("verdict: ok with perf events, annotate's default here\n");
	else if (ret == 0)
		printf("verdict: ok with %s, annotate's default here; '--sampler gdb' needs a gdb: run 'nprof setup'\n",
		       perf_ok ? "perf events" : "ptrace");
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
	int c, ok = 1, gdb_ok, tested = 0;

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
	/* Without a gdb, perf events may still do: that is the self-test's
	 * to say. */
	gdb_ok = locate_gdb(gdb_opt, &gdb) == 0 && check_gdb(&gdb) == 0;
	if (locate_python(python_opt, &python) < 0 || check_python(&python) < 0) {
		printf("verdict: no python with numba; pass --python PATH (or set NPROF_PYTHON) to one that can 'import numba'\n");
		ok = 0;
	}
	if (ok && check_hook(&python) < 0)
		ok = 0;
	if (ok)
		tested = self_tests(&python, gdb_ok ? &gdb : NULL);
	located_release(&python);
	located_release(&gdb);
	/* Interrupted: 128+N, as the shell says of a command a signal ended. */
	return tested < -1 ? -tested : ok && tested == 0 ? 0 : 1;
}

const struct cmd_entry cmd_doctor_entry = {
	.name = "doctor",
	.summary = "check that nprof can see Numba's JIT code here",
	.usage = doctor_usage,
	.exec = cmd_doctor_exec,
};
