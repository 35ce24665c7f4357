/* threads: gdb's thread ids, their LWPs, and which are running. */
#include "threads.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define THREADS_TIMEOUT_MS 10000

struct thread {
	char id[THREADS_ID_MAX];
	pid_t lwp;
};

struct threads {
	pid_t pid;
	struct thread *list;
	size_t n, alloc;
	int stale;
};

struct threads *threads_new(pid_t pid)
{
	struct threads *t = xcalloc(1, sizeof(*t));

	t->pid = pid;
	t->stale = 1;
	return t;
}

void threads_free(struct threads *t)
{
	if (!t)
		return;
	free(t->list);
	free(t);
}

void threads_changed(struct threads *t)
{
	t->stale = 1;
}

/* gdb's target-id reads "Thread 0x7f... (LWP 1234)" on Linux. */
static pid_t lwp_of(const char *target_id)
{
	const char *p = target_id ? strstr(target_id, "LWP ") : NULL;

	return p ? (pid_t)atol(p + 4) : 0;
}

/* Reads the list anew with -thread-info; on failure keeps the old one. */
static void refresh(struct threads *t, struct gdb *g)
{
	struct mi_record *rec;
	const struct mi_value *list;

	if (gdb_command(g, THREADS_TIMEOUT_MS, &rec, NULL, "-thread-info") < 0)
		return;
	list = mi_find_list(rec->results, "threads");
	t->n = 0;
	for (const struct mi_value *v = list ? list->children : NULL; v; v = v->next) {
		const char *id = mi_find_string(v->children, "id");
		pid_t lwp = lwp_of(mi_find_string(v->children, "target-id"));

		if (!id || lwp <= 0 || strlen(id) >= THREADS_ID_MAX)
			continue;
		t->list = xgrow(t->list, &t->alloc, t->n + 1, sizeof(*t->list));
		snprintf(t->list[t->n].id, THREADS_ID_MAX, "%s", id);
		t->list[t->n++].lwp = lwp;
	}
	t->stale = 0;
	mi_record_free(rec);
}

/* Reads /proc/PID/task/LWP/WHAT into buf (NUL-ended); its length, or -1. */
static ssize_t threads_read_task(pid_t pid, pid_t lwp, const char *what, char *buf, size_t size)
{
	char path[96];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/task/%ld/%s", (long)pid, (long)lwp, what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return n;
}

char threads_state(pid_t pid, pid_t lwp)
{
	char buf[512];
	const char *paren;

	if (threads_read_task(pid, lwp, "stat", buf, sizeof(buf)) < 0)
		return 0;
	/* "tid (comm) S ...": comm may hold anything, so the last ')'. */
	paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' ? paren[2] : 0;
}

long long threads_cpu_ns(pid_t pid, pid_t lwp)
{
	char buf[128];
	long long ns;

	if (threads_read_task(pid, lwp, "schedstat", buf, sizeof(buf)) < 0)
		return -1;
	return sscanf(buf, "%lld", &ns) == 1 && ns >= 0 ? ns : -1;
}

pid_t threads_lwp(const struct threads *t, const char *id)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->list[i].id, id) == 0)
			return t->list[i].lwp;
	return 0;
}

size_t threads_running(struct threads *t, struct gdb *g, char ids[][THREADS_ID_MAX], size_t max)
{
	size_t n = 0;

	if (t->stale)
		refresh(t, g);
	for (size_t i = 0; i < t->n && n < max; i++)
		if (threads_state(t->pid, t->list[i].lwp) == 'R')
			snprintf(ids[n++], THREADS_ID_MAX, "%s", t->list[i].id);
	return n;
}
