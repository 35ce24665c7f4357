/* cmd: the table of subcommands and what each entry holds (after tmux).
 * Each subcommand lives in cmd-NAME.c and exports one cmd_NAME_entry. */
#ifndef NPROF_CMD_H
#define NPROF_CMD_H

struct cmd_entry {
	const char *name;
	const char *summary;	/* one line for `nprof --help` */
	const char *usage;	/* full help text, first line "usage: nprof NAME ..." */
	/* argv[0] is the subcommand name; returns the process exit status. */
	int (*exec)(int argc, char **argv);
};

extern const struct cmd_entry cmd_annotate_entry;
extern const struct cmd_entry cmd_report_entry;
extern const struct cmd_entry cmd_setup_entry;
extern const struct cmd_entry cmd_doctor_entry;

/* NULL-terminated table, in the order `nprof --help` lists them. */
extern const struct cmd_entry *const cmd_table[];

const struct cmd_entry *cmd_find(const char *name);

/* Prints the first line of an entry's usage to stderr and returns 2:
 * what every subcommand does after naming a bad option. */
int cmd_usage_error(const struct cmd_entry *entry);

#endif
