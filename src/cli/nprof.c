/* nprof: a line-level profiler for Numba code.  main() and dispatch. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "util.h"

static const char usage_line[] = "usage: nprof [--version] [--help] COMMAND [ARGS]";

static void print_help(void)
{
	printf("%s\n\nnprof answers \"which line of my Numba function is hot?\"\n\ncommands:\n",
	       usage_line);
	for (size_t i = 0; cmd_table[i]; i++)
		printf("   %-10s %s\n", cmd_table[i]->name, cmd_table[i]->summary);
	printf("\n'nprof help COMMAND' or 'nprof COMMAND --help' describes one command.\n");
}

static int usage_error(void)
{
	fprintf(stderr, "%s\n", usage_line);
	return EXIT_USAGE;
}

static int help_for(const char *name)
{
	const struct cmd_entry *entry = cmd_find(name);

	if (!entry) {
		error("'%s' is not an nprof command; see 'nprof --help'", name);
		return usage_error();
	}
	fputs(entry->usage, stdout);
	return 0;
}

/* A report written to a full disk or a closed pipe is a failure. */
static int finish_stdout(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		error("cannot write to standard output");
		return status ? status : 1;
	}
	return status;
}

int main(int argc, char **argv)
{
	const struct cmd_entry *entry;

	if (argc < 2) {
		error("no command given; see 'nprof --help'");
		return usage_error();
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		print_help();
		return finish_stdout(0);
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("nprof %s\n", PACKAGE_VERSION);
		return finish_stdout(0);
	}
	if (strcmp(argv[1], "help") == 0) {
		if (argc < 3) {
			print_help();
			return finish_stdout(0);
		}
		return finish_stdout(help_for(argv[2]));
	}
	if (argv[1][0] == '-') {
		error("unknown option '%s'", argv[1]);
		return usage_error();
	}
	entry = cmd_find(argv[1]);
	if (!entry) {
		error("'%s' is not an nprof command; see 'nprof --help'", argv[1]);
		return usage_error();
	}
	return finish_stdout(entry->exec(argc - 1, argv + 1));
}
