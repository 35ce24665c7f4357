/* cmd-annotate: not yet written. */
#include "cmd.h"
#include "util.h"

static int cmd_annotate_exec(int argc, char **argv)
{
	return error("'annotate' is not implemented yet");
}

const struct cmd_entry cmd_annotate_entry = {
	.name = "annotate",
	.summary = "not yet written",
	.usage = "usage: nprof annotate\n",
	.exec = cmd_annotate_exec,
};
