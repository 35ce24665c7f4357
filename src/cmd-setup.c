/* cmd-setup: not yet written. */
#include "cmd.h"
#include "util.h"

static int cmd_setup_exec(int argc, char **argv)
{
	return error("'setup' is not implemented yet");
}

const struct cmd_entry cmd_setup_entry = {
	.name = "setup",
	.summary = "not yet written",
	.usage = "usage: nprof setup\n",
	.exec = cmd_setup_exec,
};
