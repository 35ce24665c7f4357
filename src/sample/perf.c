/* perf: the kernel's sampler, through perf_event_open and its ring. */
#include "perf.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

/* 2^6 pages of ring per event: 256 KiB, half of what the kernel lets an
 * unprivileged user lock per CPU (perf_event_mlock_kb, 516 by default),
 * about 30 samples: the sampler reads the rings every 10 ms. */
#define PERF_RING_PAGES 64

/* Why a ring could not be mapped: the locked-memory allowance is per user,
 * shared by every perf user of that user (perf_event_mlock_kb per CPU,
 * then RLIMIT_MEMLOCK). */
#define PERF_MLOCK_WHY "the kernel will not lock a perf ring in memory (%s): this user's " \
	"locked-memory allowance is used up; raise 'ulimit -l' or /proc/sys/kernel/perf_event_mlock_kb, " \
	"or end other perf users"

/* perf's x86-64 register numbers (asm/perf_regs.h) in DWARF's order. */
static const int perf_reg_of_dwarf[UNWIND_NREGS] = {
	0 /* ax */, 3 /* dx */, 2 /* cx */, 1 /* bx */, 4 /* si */, 5 /* di */,
	6 /* bp */, 7 /* sp */, 16, 17, 18, 19, 20, 21, 22, 23 /* r8..r15 */, 8 /* ip */,
};

/* One event and its ring: the kernel refuses a ring to an event that
 * follows new threads (inherit) unless the event is bound to one CPU, so
 * following every thread takes one per CPU. */
struct perf_ring {
	int fd;
	unsigned char *ring;	/* control page, then the data pages */
};

struct perf {
	struct perf_ring *rings;
	size_t nrings;
	size_t next;		/* the ring perf_next reads first */
	size_t page, data_size;
	uint64_t regs_mask;
	int nregs;
	uint64_t lost;
	const char *broken;	/* why sampling ended early, or NULL */
	unsigned char *record;	/* one record, unwrapped */
	size_t record_alloc;
};

static int perf_open_event(struct perf_event_attr *attr, pid_t pid, int cpu, double rate,
			   int inherit);
static int perf_add_ring(struct perf *p, int fd);
static int perf_open_rings(struct perf *p, pid_t pid, double rate, int all_threads,
			   struct perf_event_attr *attr, int *mmap_failed);
static int perf_mlock_refused(int err);

static char perf_error[512];
static int perf_next_in(struct perf *p, struct perf_ring *r, struct perf_sample *s);

static uint64_t perf_mask(void)
{
	uint64_t mask = 0;

	for (int i = 0; i < UNWIND_NREGS; i++)
		mask |= 1ull << perf_reg_of_dwarf[i];
	return mask;
}

static int perf_open_event(struct perf_event_attr *attr, pid_t pid, int cpu, double rate,
			   int inherit)
{
	memset(attr, 0, sizeof(*attr));
	attr->size = sizeof(*attr);
	attr->type = PERF_TYPE_SOFTWARE;
	attr->config = PERF_COUNT_SW_TASK_CLOCK;	/* counts nanoseconds */
	attr->sample_period = (uint64_t)(1e9 / rate);
	attr->sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
			    PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER;
	attr->sample_regs_user = perf_mask();
	attr->sample_stack_user = PERF_STACK_BYTES;
	attr->disabled = 1;
	attr->enable_on_exec = 1;
	attr->inherit = (unsigned)inherit;	/* threads it starts, and children */
	attr->exclude_kernel = 1;	/* what paranoid level 2 allows */
	attr->exclude_hv = 1;
	return (int)syscall(SYS_perf_event_open, attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

int perf_probe(char *why, size_t n)
{
	struct perf_event_attr attr;
	int fd = perf_open_event(&attr, 0, -1, 100, 0);
	int err = errno;
	FILE *f;
	int paranoid = -1;

	if (fd >= 0) {
		/* The smallest ring: where even it cannot be locked, no perf
		 * sampling can run (perf_open tries smaller rings itself). */
		long page = sysconf(_SC_PAGESIZE);
		void *ring = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

		err = errno;
		close(fd);
		if (ring != MAP_FAILED) {
			munmap(ring, (size_t)page * 2);
			return 0;
		}
		if (perf_mlock_refused(err))
			snprintf(why, n, PERF_MLOCK_WHY, strerror(err));
		else
			snprintf(why, n, "cannot map a perf ring: %s", strerror(err));
		return -1;
	}
	f = fopen("/proc/sys/kernel/perf_event_paranoid", "re");
	if (f) {
		if (fscanf(f, "%d", &paranoid) != 1)
			paranoid = -1;
		fclose(f);
	}
	/* Both refuse with EACCES: the level is the likely cause (Debian's
	 * and Ubuntu's kernels refuse users at 3 and 4; a mainline kernel
	 * reads 3 as 2), a seccomp policy the other one. */
	if ((err == EACCES || err == EPERM) && paranoid > 2)
		snprintf(why, n, "perf_event_open is refused (%s): kernel.perf_event_paranoid is %d "
			 "(2 or less lets users sample their own programs), or a seccomp policy forbids it",
			 strerror(err), paranoid);
	else if (err == EACCES || err == EPERM)
		snprintf(why, n, "perf_event_open is refused (%s): a seccomp policy, as in many containers, forbids it",
			 strerror(err));
	else if (err == ENOSYS || err == ENOENT || err == EOPNOTSUPP)
		snprintf(why, n, "this kernel has no perf events");
	else
		snprintf(why, n, "perf_event_open: %s", strerror(err));
	return -1;
}

/* EPERM (or EAGAIN on older kernels) from mmap: over the allowance. */
static int perf_mlock_refused(int err)
{
	return err == EPERM || err == EAGAIN || err == ENOMEM;
}

/* One event (and ring) per CPU when following every thread, else one.
 * 0, or -1 with errno (*mmap_failed: it was a ring that failed). */
static int perf_open_rings(struct perf *p, pid_t pid, double rate, int all_threads,
			   struct perf_event_attr *attr, int *mmap_failed)
{
	long ncpus = all_threads ? sysconf(_SC_NPROCESSORS_CONF) : 1;

	*mmap_failed = 0;
	for (long cpu = 0; cpu < (ncpus > 0 ? ncpus : 1); cpu++) {
		int fd = perf_open_event(attr, pid, all_threads ? (int)cpu : -1, rate, all_threads);

		if (fd < 0 && all_threads && errno == ENODEV)
			continue;	/* an offline CPU */
		if (fd < 0)
			return -1;
		if (perf_add_ring(p, fd) < 0) {
			*mmap_failed = 1;
			return -1;
		}
	}
	return 0;
}

struct perf *perf_open(pid_t pid, double rate, int all_threads)
{
	struct perf_event_attr attr;
	struct perf *p = xcalloc(1, sizeof(*p));
	long ncpus = all_threads ? sysconf(_SC_NPROCESSORS_CONF) : 1;
	int err = 0, mmap_failed = 0;

	perf_error[0] = '\0';
	p->page = (size_t)sysconf(_SC_PAGESIZE);
	p->rings = xcalloc((size_t)(ncpus > 0 ? ncpus : 1), sizeof(*p->rings));
	/* Smaller rings where the locked-memory allowance is short: they
	 * hold fewer samples between reads, which perf_lost counts. */
	for (size_t pages = PERF_RING_PAGES; pages >= 1; pages /= 2) {
		p->data_size = p->page * pages;
		err = perf_open_rings(p, pid, rate, all_threads, &attr, &mmap_failed) < 0 ? errno : 0;
		if (!err || !mmap_failed || !perf_mlock_refused(err))
			break;
		for (size_t i = 0; i < p->nrings; i++) {
			munmap(p->rings[i].ring, p->page + p->data_size);
			close(p->rings[i].fd);
		}
		p->nrings = 0;
	}
	if (err && mmap_failed && perf_mlock_refused(err))
		snprintf(perf_error, sizeof(perf_error), PERF_MLOCK_WHY, strerror(err));
	else if (err)
		snprintf(perf_error, sizeof(perf_error), "%s", strerror(err));
	p->regs_mask = attr.sample_regs_user;
	p->nregs = __builtin_popcountll(p->regs_mask);
	if (err || !p->nrings) {
		perf_close(p);
		if (!err)
			snprintf(perf_error, sizeof(perf_error), "%s", strerror(ENODEV));
		errno = err ? err : ENODEV;
		return NULL;
	}
	return p;
}

const char *perf_broken(const struct perf *p)
{
	return p->broken;
}

const char *perf_open_error(void)
{
	return perf_error;
}

static int perf_add_ring(struct perf *p, int fd)
{
	void *ring = mmap(NULL, p->page + p->data_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (ring == MAP_FAILED) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	p->rings[p->nrings].fd = fd;
	p->rings[p->nrings].ring = ring;
	p->nrings++;
	return 0;
}

void perf_close(struct perf *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nrings; i++) {
		munmap(p->rings[i].ring, p->page + p->data_size);
		close(p->rings[i].fd);
	}
	free(p->rings);
	free(p->record);
	free(p);
}

uint64_t perf_lost(const struct perf *p)
{
	return p->lost;
}

/* `n` bytes at `off` of an unwrapped record, or NULL past its end. */
static const unsigned char *perf_take(const unsigned char *rec, size_t size, size_t *off, size_t n)
{
	const unsigned char *at = rec + *off;

	if (*off + n > size)
		return NULL;
	*off += n;
	return at;
}

static int perf_parse_sample(struct perf *p, const unsigned char *rec, size_t size,
			     struct perf_sample *s)
{
	size_t off = sizeof(struct perf_event_header);
	const unsigned char *at;
	uint64_t ip, abi, regs[64], stack_size, dyn_size;

	memset(s, 0, sizeof(*s));
	if (!(at = perf_take(rec, size, &off, 8)))
		return -1;
	memcpy(&ip, at, 8);
	if (!(at = perf_take(rec, size, &off, 8)))
		return -1;
	memcpy(&s->pid, at, 4);
	memcpy(&s->tid, at + 4, 4);
	if (!(at = perf_take(rec, size, &off, 8)))
		return -1;
	memcpy(&s->time_ns, at, 8);
	if (!(at = perf_take(rec, size, &off, 8)))
		return -1;
	memcpy(&abi, at, 8);
	if (abi != PERF_SAMPLE_REGS_ABI_NONE) {
		if (!(at = perf_take(rec, size, &off, 8 * (size_t)p->nregs)))
			return -1;
		memcpy(regs, at, 8 * (size_t)p->nregs);
		/* Values come in the order of the mask's bits. */
		for (int d = 0; d < UNWIND_NREGS; d++) {
			int bit = perf_reg_of_dwarf[d];
			int index = __builtin_popcountll(p->regs_mask & ((1ull << bit) - 1));

			s->regs.r[d] = regs[index];
			s->regs.valid |= 1u << d;
		}
	} else {
		s->regs.r[UNWIND_IP] = ip;
		s->regs.valid = 1u << UNWIND_IP;
	}
	if (!(at = perf_take(rec, size, &off, 8)))
		return -1;
	memcpy(&stack_size, at, 8);
	if (stack_size) {
		if (!(at = perf_take(rec, size, &off, stack_size)) ||
		    !perf_take(rec, size, &off, 8))
			return -1;
		memcpy(&dyn_size, rec + off - 8, 8);
		s->stack.data = at;
		s->stack.size = dyn_size < stack_size ? dyn_size : stack_size;
		s->stack.base = s->regs.r[UNWIND_SP];
	}
	return 0;
}

int perf_next(struct perf *p, struct perf_sample *s)
{
	if (p->broken)
		return 0;
	/* Ring by ring; samples of different CPUs need no order here. */
	for (; p->next < p->nrings; p->next++)
		if (perf_next_in(p, &p->rings[p->next], s))
			return 1;
	p->next = 0;
	return 0;
}

static int perf_next_in(struct perf *p, struct perf_ring *r, struct perf_sample *s)
{
	struct perf_event_mmap_page *meta = (void *)r->ring;
	const unsigned char *data = r->ring + p->page;

	for (;;) {
		uint64_t head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
		uint64_t tail = meta->data_tail;
		struct perf_event_header h;
		size_t start, first;
		int ok = -1;

		if (tail == head)
			return 0;
		start = (size_t)(tail % p->data_size);
		/* Records may wrap around the end of the ring: unwrap each. */
		first = p->data_size - start < sizeof(h) ? p->data_size - start : sizeof(h);
		memcpy(&h, data + start, first);
		memcpy((unsigned char *)&h + first, data, sizeof(h) - first);
		if (h.size < sizeof(h) || h.size > head - tail) {
			/* Nothing after it can be trusted: sampling ends, the
			 * profile keeps what came before. */
			p->broken = "a perf ring holds a corrupt record";
			return 0;
		}
		p->record = xgrow(p->record, &p->record_alloc, h.size, 1);
		first = p->data_size - start < h.size ? p->data_size - start : h.size;
		memcpy(p->record, data + start, first);
		memcpy(p->record + first, data, h.size - first);
		if (h.type == PERF_RECORD_SAMPLE)
			ok = perf_parse_sample(p, p->record, h.size, s);
		else if (h.type == PERF_RECORD_LOST && h.size >= sizeof(h) + 16) {
			uint64_t lost;

			memcpy(&lost, p->record + sizeof(h) + 8, 8);
			p->lost += lost;
		}
		__atomic_store_n(&meta->data_tail, tail + h.size, __ATOMIC_RELEASE);
		if (ok == 0)
			return 1;
	}
}
