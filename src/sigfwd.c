/* sigfwd: pass the user's signals on to the program. */
#include "sigfwd.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* Signals reach the loop through a self-pipe. */
static int signal_pipe[2] = { -1, -1 };
static volatile sig_atomic_t interrupts;
static volatile sig_atomic_t pending_forward;

/* Handled while the program runs; restored to their defaults after. */
static const int handled_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD };

static void on_signal(int sig, siginfo_t *info, void *uctx)
{
	int saved = errno;
	char c = (char)sig;

	(void)uctx;
	if (sig == SIGINT) {
		interrupts++;
		/* A terminal's Ctrl-C reached the program too (same process
		 * group); a kill(1) aimed at nprof alone is passed on. */
		if (info && info->si_code <= 0)
			pending_forward = sig;
	} else if (sig != SIGCHLD) {
		pending_forward = sig;
	}
	if (write(signal_pipe[1], &c, 1) < 0) {
		/* the pipe is full: the loop wakes up anyway */
	}
	errno = saved;
}

void sigfwd_install(void)
{
	struct sigaction sa;

	if (signal_pipe[0] < 0 && pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		fatal("pipe: %s", strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(handled_signals); i++)
		sigaction(handled_signals[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

void sigfwd_restore(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(handled_signals); i++)
		signal(handled_signals[i], SIG_DFL);
	interrupts = 0;
	pending_forward = 0;
}

int sigfwd_fd(void)
{
	return signal_pipe[0];
}

void sigfwd_forward(struct target *t)
{
	char buf[64];

	while (read(signal_pipe[0], buf, sizeof(buf)) > 0)
		;
	if (pending_forward) {
		target_kill(t, pending_forward);
		pending_forward = 0;
	}
	if (interrupts >= 2)
		target_kill(t, SIGKILL);
}

int sigfwd_handle(struct target *t)
{
	sigfwd_forward(t);
	return target_reap(t, 0);
}
