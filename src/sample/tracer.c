/* tracer: ptrace of the program's threads, every event passed on. */
#include "tracer.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

/* Clone events for new threads, exec events for a new image; fork and
 * vfork events are not asked for, so the program's children are never
 * traced.  EXITKILL: the program does not outlive nprof. */
#define TRACER_OPTIONS (PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL)

struct tracer_thread {
	pid_t tid;
	int group_stopped;	/* in a group stop, listening */
};

struct tracer {
	struct target *target;
	struct tracer_thread *threads;
	size_t nthreads, threads_alloc;
	unsigned execs;
	int ended;
};

static struct tracer_thread *tracer_find(struct tracer *tr, pid_t tid);
static struct tracer_thread *tracer_add(struct tracer *tr, pid_t tid);
static void tracer_remove(struct tracer *tr, pid_t tid);
static void tracer_handle(struct tracer *tr, pid_t tid, int status);
static int tracer_is_thread(const struct tracer *tr, pid_t tid);

/* user_regs_struct's fields in DWARF's register order (see unwind.h). */
static void tracer_regs(const struct user_regs_struct *u, struct unwind_regs *regs)
{
	const unsigned long long r[UNWIND_NREGS] = {
		u->rax, u->rdx, u->rcx, u->rbx, u->rsi, u->rdi, u->rbp, u->rsp,
		u->r8, u->r9, u->r10, u->r11, u->r12, u->r13, u->r14, u->r15, u->rip,
	};

	for (int i = 0; i < UNWIND_NREGS; i++)
		regs->r[i] = r[i];
	regs->valid = (1u << UNWIND_NREGS) - 1;
}

static int tracer_getregs(pid_t tid, struct user_regs_struct *u)
{
	struct iovec iov = { .iov_base = u, .iov_len = sizeof(*u) };

	return ptrace(PTRACE_GETREGSET, tid, (void *)(uintptr_t)NT_PRSTATUS, &iov) < 0 ? -1 : 0;
}

/* Bytes from `addr` of thread `tid`'s memory: as many as are mapped. */
static size_t tracer_read(pid_t tid, uint64_t addr, unsigned char *buf, size_t size)
{
	struct iovec local = { .iov_base = buf, .iov_len = size };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)addr, .iov_len = size };
	ssize_t n = process_vm_readv(tid, &local, 1, &remote, 1, 0);

	return n > 0 ? (size_t)n : 0;
}

static void tracer_probe_reason(char *why, size_t n, const char *what, int err)
{
	FILE *f = fopen("/proc/sys/kernel/yama/ptrace_scope", "re");
	int scope = -1;

	if (f) {
		if (fscanf(f, "%d", &scope) != 1)
			scope = -1;
		fclose(f);
	}
	if (scope >= 2 && (err == EPERM || err == EACCES))
		snprintf(why, n, "kernel.yama.ptrace_scope is %d (1 or less lets users trace their own programs)",
			 scope);
	else if (err == EPERM || err == EACCES)
		snprintf(why, n, "%s is refused (%s): a seccomp policy, as in some containers, forbids it",
			 what, strerror(err));
	else
		snprintf(why, n, "%s: %s", what, strerror(err));
}

int tracer_probe(char *why, size_t n)
{
	int gate[2], status, ret = -1;
	struct user_regs_struct u;
	unsigned char word[8];
	pid_t child;

	if (pipe2(gate, O_CLOEXEC) < 0) {
		snprintf(why, n, "cannot create a pipe: %s", strerror(errno));
		return -1;
	}
	child = fork();
	if (child < 0) {
		snprintf(why, n, "cannot fork: %s", strerror(errno));
		close(gate[0]);
		close(gate[1]);
		return -1;
	}
	if (child == 0) {
		char c;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(gate[1]);
		if (read(gate[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(gate[0]);
	if (ptrace(PTRACE_SEIZE, child, NULL, (void *)(uintptr_t)PTRACE_O_EXITKILL) < 0) {
		tracer_probe_reason(why, n, "ptrace", errno);
		ret = TRACER_NO_PTRACE;
	} else if (ptrace(PTRACE_INTERRUPT, child, NULL, NULL) < 0 ||
		   waitpid(child, &status, __WALL) != child || !WIFSTOPPED(status) ||
		   tracer_getregs(child, &u) < 0) {
		tracer_probe_reason(why, n, "ptrace", errno ? errno : EINVAL);
		ret = TRACER_NO_PTRACE;
	} else if (errno = 0, tracer_read(child, u.rsp, word, sizeof(word)) != sizeof(word)) {
		tracer_probe_reason(why, n, "process_vm_readv", errno ? errno : EFAULT);
		ret = TRACER_NO_READ;
	} else {
		ret = 0;
	}
	kill(child, SIGKILL);
	close(gate[1]);
	while (waitpid(child, &status, __WALL) < 0 && errno == EINTR)
		;
	return ret;
}

struct tracer *tracer_seize(struct target *t)
{
	struct tracer *tr;

	if (ptrace(PTRACE_SEIZE, t->pid, NULL, (void *)(uintptr_t)TRACER_OPTIONS) < 0)
		return NULL;
	tr = xcalloc(1, sizeof(*tr));
	tr->target = t;
	tracer_add(tr, t->pid);
	return tr;
}

void tracer_free(struct tracer *tr)
{
	if (!tr)
		return;
	free(tr->threads);
	free(tr);
}

unsigned tracer_execs(const struct tracer *tr)
{
	return tr->execs;
}

size_t tracer_threads(const struct tracer *tr, pid_t *tids, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < tr->nthreads && n < max; i++)
		if (!tr->threads[i].group_stopped)
			tids[n++] = tr->threads[i].tid;
	return n;
}

int tracer_running(const struct tracer *tr, pid_t tid)
{
	for (size_t i = 0; i < tr->nthreads; i++)
		if (tr->threads[i].tid == tid)
			return !tr->threads[i].group_stopped;
	return 0;
}

static struct tracer_thread *tracer_find(struct tracer *tr, pid_t tid)
{
	for (size_t i = 0; i < tr->nthreads; i++)
		if (tr->threads[i].tid == tid)
			return &tr->threads[i];
	return NULL;
}

static struct tracer_thread *tracer_add(struct tracer *tr, pid_t tid)
{
	struct tracer_thread *th = tracer_find(tr, tid);

	if (th)
		return th;
	tr->threads = xgrow(tr->threads, &tr->threads_alloc, tr->nthreads + 1, sizeof(*tr->threads));
	th = &tr->threads[tr->nthreads++];
	th->tid = tid;
	th->group_stopped = 0;
	return th;
}

static void tracer_remove(struct tracer *tr, pid_t tid)
{
	struct tracer_thread *th = tracer_find(tr, tid);

	if (th)
		*th = tr->threads[--tr->nthreads];
}

/* Is `tid` a thread of the program (and not a process it cloned)? */
static int tracer_is_thread(const struct tracer *tr, pid_t tid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%ld/task/%ld", (long)tr->target->pid, (long)tid);
	return access(path, F_OK) == 0;
}

static int tracer_is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* Passes one event on: whatever stopped the thread, it goes on as it
 * would untraced.  Failures are of threads that died meanwhile (ESRCH):
 * their exit is reported next. */
static void tracer_handle(struct tracer *tr, pid_t tid, int status)
{
	struct tracer_thread *th = tracer_find(tr, tid);
	int event = status >> 16, sig;

	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		if (tid == tr->target->pid) {
			tr->target->status = status;
			tr->target->reaped = 1;
			tr->ended = 1;
		}
		tracer_remove(tr, tid);
		return;
	}
	if (!WIFSTOPPED(status))
		return;
	sig = WSTOPSIG(status);
	if (!th) {
		/* A new thread's first stop can come before its creator's
		 * clone event.  A process cloned without CLONE_THREAD (not
		 * fork, which is not traced) is let go. */
		if (!tracer_is_thread(tr, tid)) {
			ptrace(PTRACE_DETACH, tid, NULL, NULL);
			return;
		}
		th = tracer_add(tr, tid);
	}
	if (event == PTRACE_EVENT_STOP && tracer_is_stop_signal(sig)) {
		/* A group stop: the thread stays stopped until SIGCONT, then
		 * reports a PTRACE_EVENT_STOP with SIGTRAP. */
		th->group_stopped = 1;
		if (ptrace(PTRACE_LISTEN, tid, NULL, NULL) == 0)
			return;
		/* not a group stop after all (the kernel decides) */
	}
	th->group_stopped = 0;
	if (event == PTRACE_EVENT_CLONE) {
		unsigned long msg;

		if (ptrace(PTRACE_GETEVENTMSG, tid, NULL, &msg) == 0 &&
		    tracer_is_thread(tr, (pid_t)msg))
			tracer_add(tr, (pid_t)msg);
	} else if (event == PTRACE_EVENT_EXEC) {
		/* Every other thread is gone; the one that execed is the
		 * main thread now, known by the process's id. */
		tr->nthreads = 0;
		tracer_add(tr, tr->target->pid);
		tr->execs++;
	}
	/* A signal-delivery stop (no event) gets its signal back. */
	ptrace(PTRACE_CONT, tid, NULL, (void *)(uintptr_t)(event == 0 ? sig : 0));
}

int tracer_events(struct tracer *tr)
{
	int status;
	pid_t tid;

	while (!tr->ended) {
		tid = waitpid(-1, &status, WNOHANG | __WALL);
		if (tid < 0 && errno == EINTR)
			continue;
		if (tid < 0 && errno == ECHILD) {
			/* cannot be: the program is our child until reaped */
			tr->ended = 1;
			tr->target->reaped = 1;
			break;
		}
		if (tid < 0)
			fatal("waitpid: %s", strerror(errno));
		if (tid == 0)
			break;
		tracer_handle(tr, tid, status);
	}
	return tr->ended;
}

int tracer_sample(struct tracer *tr, pid_t tid, struct unwind_regs *regs,
		  struct unwind_stack *stack, unsigned char *buf, size_t size,
		  struct tracer_pause *pause)
{
	struct user_regs_struct u;
	unsigned execs = tr->execs;
	size_t copied;
	int status;

	memset(pause, 0, sizeof(*pause));
	pause->start = now_ns();
	if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) < 0)
		return -1;
	pause->interrupted = now_ns();
	/* Sleeps until the stop is reported (a spin would hold a CPU the
	 * thread, or another program, may need to get there).  Any thread's
	 * report, not just this one's: an exec or an exit waits for the
	 * threads it ends, which stay zombies until their tracer reaps them. */
	for (;;) {
		pid_t got = waitpid(-1, &status, __WALL);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -1;
		if (got == tid && WIFSTOPPED(status) && status >> 16 == PTRACE_EVENT_STOP &&
		    WSTOPSIG(status) == SIGTRAP)
			break;
		/* The program's own event came first: pass it on.  The
		 * interrupt is still due after a signal or a clone, or any
		 * event of another thread; after a group stop, an exit or an
		 * exec there is nothing to sample (a late interrupt stop is
		 * resumed like any other). */
		tracer_handle(tr, got, status);
		if (tr->ended || tr->execs != execs || !tracer_find(tr, tid) ||
		    tracer_find(tr, tid)->group_stopped)
			return -1;
	}
	pause->stopped = now_ns();
	/* Between the stop and the resume, only the two copies: everything
	 * else waits until the thread runs on. */
	if (tracer_getregs(tid, &u) < 0) {
		ptrace(PTRACE_CONT, tid, NULL, NULL);
		return -1;
	}
	pause->regs = now_ns();
	copied = tracer_read(tid, u.rsp, buf, size);
	pause->copied = now_ns();
	ptrace(PTRACE_CONT, tid, NULL, NULL);
	pause->resumed = now_ns();
	tracer_regs(&u, regs);
	/* orig_rax is the call a thread stopped in a system call was making
	 * (-1 in user space). */
	pause->in_syscall = (long long)u.orig_rax >= 0;
	memset(stack, 0, sizeof(*stack));
	stack->base = u.rsp;
	stack->data = buf;
	stack->size = copied;
	return 0;
}
