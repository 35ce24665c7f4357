/* cmd-doctor: not yet written. */
#include "cmd.h"
#include "util.h"

static int cmd_doctor_exec(int argc, char **argv)
{
	return error("'doctor' is not implemented yet");
}

const struct cmd_entry cmd_doctor_entry = {
	.name = "doctor",
	.summary = "not yet written",
	.usage = "usage: nprof doctor\n",
	.exec = cmd_doctor_exec,
};
