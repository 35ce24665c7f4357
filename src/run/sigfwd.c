/* sigfwd: pass the user's signals on to the program. */
#include "sigfwd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* Signals reach the loop through a self-pipe. */
static int signal_pipe[2] = { -1, -1 };
static volatile sig_atomic_t interrupts;
static volatile sig_atomic_t pending_forward;
static volatile sig_atomic_t received;	/* the last signal sent to nprof */

/* Handled while the program runs (SIGPIPE ignored); what they were
 * before is put back after, and is what the program starts with. */
static const int handled_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGPIPE };
static struct sigaction saved_actions[ARRAY_SIZE(handled_signals)];
static sigset_t saved_mask;
static int installed;

static void on_signal(int sig, siginfo_t *info, void *uctx)
{
	int saved = errno;
	char c = (char)sig;

	(void)uctx;
	if (sig != SIGCHLD)
		received = sig;
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
	struct sigaction sa, ign;

	if (installed++)
		return;		/* nested (doctor around its self-tests) */
	if (signal_pipe[0] < 0 && pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		fatal("pipe: %s", strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigprocmask(SIG_SETMASK, NULL, &saved_mask);
	received = 0;
	for (size_t i = 0; i < ARRAY_SIZE(handled_signals); i++) {
		int sig = handled_signals[i];

		sigaction(sig, NULL, &saved_actions[i]);
		/* A signal the caller ignores (nohup) stays ignored, for nprof
		 * and the program alike, as in setup.  SIGCHLD is caught
		 * whatever: ignored, it would take the program's exit status. */
		if (sig == SIGPIPE)
			sigaction(sig, &ign, NULL);
		else if (saved_actions[i].sa_handler != SIG_IGN || sig == SIGCHLD)
			sigaction(sig, &sa, NULL);
	}
}

void sigfwd_restore(void)
{
	/* SIGPIPE stays ignored: a report written to a closed pipe is an
	 * error nprof reports, not a silent death. */
	if (!installed || --installed)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(handled_signals); i++)
		if (handled_signals[i] != SIGPIPE)
			sigaction(handled_signals[i], &saved_actions[i], NULL);
	interrupts = 0;
	pending_forward = 0;
}

void sigfwd_child_reset(void)
{
	struct sigaction sa;
	sigset_t none;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(handled_signals); i++) {
		sa.sa_handler = installed && saved_actions[i].sa_handler == SIG_IGN ? SIG_IGN : SIG_DFL;
		sigaction(handled_signals[i], &sa, NULL);
	}
	/* Every other signal is as nprof got it: exec resets handlers and
	 * keeps what is ignored, as a shell's child gets it. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, installed ? &saved_mask : &none, NULL);
}

int sigfwd_received(void)
{
	return received;
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

void sigfwd_wait(struct target *t)
{
	/* The program's end comes as a SIGCHLD, which the handler turns
	 * into a byte on the pipe like any other signal. */
	while (!sigfwd_handle(t)) {
		struct pollfd pfd = { .fd = signal_pipe[0], .events = POLLIN };

		if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
			target_reap(t, 1);	/* cannot happen: wait plainly */
			return;
		}
	}
}
