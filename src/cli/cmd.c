/* cmd: the subcommand table and its lookup. */
#include "cmd.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

const struct cmd_entry *const cmd_table[] = {
	&cmd_annotate_entry,
	&cmd_report_entry,
	&cmd_setup_entry,
	&cmd_doctor_entry,
	NULL,
};

const struct cmd_entry *cmd_find(const char *name)
{
	for (size_t i = 0; cmd_table[i]; i++)
		if (strcmp(cmd_table[i]->name, name) == 0)
			return cmd_table[i];
	return NULL;
}

int cmd_usage_error(const struct cmd_entry *entry)
{
	const char *nl = strchr(entry->usage, '\n');
	int n = nl ? (int)(nl - entry->usage) : (int)strlen(entry->usage);

	fprintf(stderr, "%.*s\n", n, entry->usage);
	return EXIT_USAGE;
}
