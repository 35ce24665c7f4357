/* codemap: a process's ELF mappings and JIT objects, by address. */
#include "codemap.h"

#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "util.h"

#define CODEMAP_MAX_JIT_ENTRIES 1000000	/* a list longer than this is corrupt */
#define CODEMAP_MAX_JIT_SIZE (256u << 20)	/* one object: Numba's are kilobytes */
#define CODEMAP_MAPS_INTERVAL_NS 50000000LL	/* 50 ms */
#define CODEMAP_MAX_SECTIONS 4096		/* an object with more is not Numba's */
#define CODEMAP_MAX_NAMES (4u << 20)		/* symbol names hashed: Numba's are kilobytes */

/* A file opened once, however many mappings it has. */
struct codemap_file {
	char *path;
	struct elfcode *code;	/* NULL when not readable ELF */
	int has_descriptor;	/* it defines __jit_debug_descriptor */
	int interpreter;	/* the python executable or libpython */
	int pool;		/* codemap_is_pool_file */
	uint64_t descriptor;	/* that symbol's ELF address */
};

/* A JIT object, known by its list entry, where its image lives, and the
 * image's fingerprint: the allocator hands a freed entry's and image's
 * memory to the next object of the same size, so the addresses alone can
 * name two objects. */
struct codemap_jit {
	uint64_t entry, symfile_addr, symfile_size, print;
	struct elfcode *code;	/* NULL: not a usable object, refused for good */
	int seen;		/* still listed at the last walk */
};

struct codemap {
	pid_t pid;
	struct codemap_file *files;
	size_t nfiles, files_alloc;
	struct codemap_jit *jits;
	size_t njits, jits_alloc;
	struct codemap_entry *entries;	/* file mappings, then JIT ranges */
	size_t nentries, entries_alloc;
	size_t nfile_entries;		/* where the JIT ranges start */
	struct codemap_list *lists;	/* JIT lists: one per library defining one;
					 * kept once seen (llvmlite stays loaded) */
	size_t nlists, lists_alloc;
	long long last_maps_ns;		/* when /proc/PID/maps was last read */
	int denied;			/* errno of a read refused, or 0 */
	size_t images_read;		/* JIT images read and opened, ever */
};

/* GDB's JIT interface, as the process lays it out (x86-64). */
struct jit_descriptor {
	uint32_t version;
	uint32_t action_flag;
	uint64_t relevant_entry;
	uint64_t first_entry;
};

struct jit_code_entry {
	uint64_t next_entry;
	uint64_t prev_entry;
	uint64_t symfile_addr;
	uint64_t symfile_size;
};

/* A JIT list, and its head as last walked: a change of the head means
 * objects came or went (LLVM adds at the front and marks each change in
 * relevant_entry and action_flag).  An object freed and replaced by one
 * whose entry has the same address leaves the head as it was; the new
 * one is at the front, so the first entry's fingerprint is kept too. */
struct codemap_list {
	uint64_t addr;
	struct jit_descriptor seen;
	uint64_t first_print;	/* the fingerprint of seen.first_entry's image */
};

static int codemap_read_maps(struct codemap *m);
static void codemap_add_mapping(struct codemap *m, uint64_t lo, uint64_t hi, uint64_t offset,
				const char *path);
static int codemap_is_interpreter(const struct codemap *m, const char *path);
static void codemap_add_list(struct codemap *m, uint64_t addr);
static struct codemap_file *codemap_file(struct codemap *m, const char *path);
static int codemap_read_jit(struct codemap *m);
static int codemap_list_changed(struct codemap *m, struct codemap_list *list);
static int codemap_walk_jit(struct codemap *m, struct codemap_list *list);
static int codemap_fingerprint(struct codemap *m, const struct jit_code_entry *e, uint64_t *print);
static uint64_t codemap_hash(uint64_t h, const void *data, size_t n);
static int codemap_add_jit(struct codemap *m, uint64_t at, const struct jit_code_entry *e,
			   uint64_t print);
static void codemap_add_jit_ranges(struct codemap *m);
static int codemap_read(struct codemap *m, uint64_t addr, void *buf, size_t n);

struct codemap *codemap_new(pid_t pid)
{
	struct codemap *m = xcalloc(1, sizeof(*m));

	m->pid = pid;
	return m;
}

void codemap_free(struct codemap *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nfiles; i++) {
		free(m->files[i].path);
		elfcode_free(m->files[i].code);
	}
	for (size_t i = 0; i < m->njits; i++)
		elfcode_free(m->jits[i].code);
	free(m->files);
	free(m->jits);
	free(m->entries);
	free(m->lists);
	free(m);
}

int codemap_refresh(struct codemap *m)
{
	if (codemap_read_maps(m) < 0)
		return -1;
	m->nfile_entries = m->nentries;
	codemap_add_jit_ranges(m);
	return codemap_read_jit(m) < 0 ? -1 : 0;
}

int codemap_watch(struct codemap *m)
{
	/* Until the JIT's library is loaded, look for it now and then. */
	if (!m->nlists)
		return now_ns() - m->last_maps_ns > CODEMAP_MAPS_INTERVAL_NS ? codemap_refresh(m) : 0;
	return codemap_read_jit(m);
}

/* Walks the JIT lists again when one changed since the last walk (a look
 * at each head tells).  -1 when the process is gone. */
static int codemap_read_jit(struct codemap *m)
{
	int changed = 0, readable = 0, whole = 1;
	size_t kept = 0;

	for (size_t i = 0; i < m->nlists; i++) {
		int c = codemap_list_changed(m, &m->lists[i]);

		if (c < 0)
			continue;
		readable = 1;
		changed |= c;
	}
	if (!readable)
		return m->nlists ? -1 : 0;
	if (!changed)
		return 0;
	for (size_t i = 0; i < m->njits; i++)
		m->jits[i].seen = 0;
	for (size_t i = 0; i < m->nlists; i++)
		if (codemap_walk_jit(m, &m->lists[i]) < 0)
			whole = 0;
	/* Objects no longer listed were freed by the JIT: their addresses
	 * may hold other code now.  (After a walk cut short, none is known
	 * to be gone.) */
	for (size_t i = 0; i < m->njits; i++) {
		if (m->jits[i].seen || !whole)
			m->jits[kept++] = m->jits[i];
		else
			elfcode_free(m->jits[i].code);
	}
	m->njits = kept;
	m->nentries = m->nfile_entries;
	codemap_add_jit_ranges(m);
	return 0;
}

const struct codemap_entry *codemap_find(const struct codemap *m, uint64_t addr)
{
	/* JIT ranges come last and are the likeliest: search backwards. */
	for (size_t i = m->nentries; i-- > 0;)
		if (addr >= m->entries[i].lo && addr < m->entries[i].hi)
			return &m->entries[i];
	return NULL;
}

/* 1 when the list is not as last walked, 0 when it is, -1 when its head
 * cannot be read. */
static int codemap_list_changed(struct codemap *m, struct codemap_list *list)
{
	struct jit_descriptor d;
	struct jit_code_entry e;
	uint64_t print;

	if (codemap_read(m, list->addr, &d, sizeof(d)) < 0)
		return -1;
	if (memcmp(&d, &list->seen, sizeof(d)) != 0)
		return 1;
	if (!d.first_entry)
		return 0;
	return codemap_read(m, d.first_entry, &e, sizeof(e)) < 0 ||
	       codemap_fingerprint(m, &e, &print) < 0 || print != list->first_print;
}

/* Rebuilds the file entries from /proc/PID/maps: executable mappings of
 * files only (the JIT's code is anonymous memory).  A process that ended
 * meanwhile leaves the map as it was. */
static int codemap_read_maps(struct codemap *m)
{
	char path[64], line[4096 + 256];
	size_t old_entries = m->nentries;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)m->pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	m->last_maps_ns = now_ns();
	/* New entries go after the old ones, then move down. */
	while (fgets(line, sizeof(line), f)) {
		uint64_t lo, hi, offset;
		char perms[8];
		int name_at = 0;

		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %*s %*s %n", &lo, &hi, perms,
			   &offset, &name_at) < 4 || name_at == 0)
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (perms[2] == 'x' && line[name_at] == '/')
			codemap_add_mapping(m, lo, hi, offset, line + name_at);
	}
	fclose(f);
	if (m->nentries == old_entries) /* a live process maps something */
		return -1;
	memmove(m->entries, m->entries + old_entries,
		(m->nentries - old_entries) * sizeof(*m->entries));
	m->nentries -= old_entries;
	return 0;
}

static void codemap_add_mapping(struct codemap *m, uint64_t lo, uint64_t hi, uint64_t offset,
				const char *path)
{
	struct codemap_file *file = codemap_file(m, path);
	struct codemap_entry *e;
	uint64_t bias;

	if (!file->code || elfcode_bias(file->code, lo, offset, &bias) < 0)
		return;
	m->entries = xgrow(m->entries, &m->entries_alloc, m->nentries + 1, sizeof(*m->entries));
	e = &m->entries[m->nentries++];
	*e = (struct codemap_entry){ .lo = lo, .hi = hi, .bias = bias, .code = file->code,
				     .interpreter = file->interpreter, .pool = file->pool };
	if (file->has_descriptor)
		codemap_add_list(m, file->descriptor + bias);
}

int codemap_is_pool_file(const char *path)
{
	static const char *const prefixes[] = {
		"workqueue.", "omppool.", "tbbpool.",	/* numba/np/ufunc */
		"libgomp.", "libgomp-", "libiomp", "libomp.", "libtbb.", "libtbb_",
	};
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++)
		if (strncmp(base, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	return 0;
}

/* The program's executable (python itself) or a libpython. */
static int codemap_is_interpreter(const struct codemap *m, const char *path)
{
	char link[64], exe[4096];
	const char *base = strrchr(path, '/');
	ssize_t n;

	if (strncmp(base ? base + 1 : path, "libpython", 9) == 0)
		return 1;
	snprintf(link, sizeof(link), "/proc/%d/exe", (int)m->pid);
	n = readlink(link, exe, sizeof(exe) - 1);
	if (n <= 0)
		return 0;
	exe[n] = '\0';
	return strcmp(exe, path) == 0;
}

static void codemap_add_list(struct codemap *m, uint64_t addr)
{
	for (size_t i = 0; i < m->nlists; i++)
		if (m->lists[i].addr == addr)
			return;
	m->lists = xgrow(m->lists, &m->lists_alloc, m->nlists + 1, sizeof(*m->lists));
	memset(&m->lists[m->nlists], 0, sizeof(*m->lists));
	m->lists[m->nlists++].addr = addr;
}

/* The file at `path`, opened and searched for the JIT descriptor once. */
static struct codemap_file *codemap_file(struct codemap *m, const char *path)
{
	struct codemap_file *f;

	for (size_t i = 0; i < m->nfiles; i++)
		if (strcmp(m->files[i].path, path) == 0)
			return &m->files[i];
	m->files = xgrow(m->files, &m->files_alloc, m->nfiles + 1, sizeof(*m->files));
	f = &m->files[m->nfiles++];
	memset(f, 0, sizeof(*f));
	f->path = xstrdup(path);
	f->interpreter = codemap_is_interpreter(m, path);
	f->pool = codemap_is_pool_file(path);
	f->code = elfcode_open_file(path);
	if (f->code && elfcode_symbol(f->code, "__jit_debug_descriptor", &f->descriptor) == 0)
		f->has_descriptor = 1;
	return f;
}

/* Walks one JIT list.  The process runs on while this reads: a list
 * changing under the walk gives a short or unreadable walk, never a bad
 * object (each image must parse and relocate).  Returns -1 when the walk
 * was cut short: then nothing may be taken as gone, and the list is
 * walked again at the next look. */
static int codemap_walk_jit(struct codemap *m, struct codemap_list *list)
{
	struct jit_descriptor d;
	struct jit_code_entry e;
	uint64_t at;
	size_t count = 0;

	memset(&list->seen, 0, sizeof(list->seen));
	if (codemap_read(m, list->addr, &d, sizeof(d)) < 0 || d.version != 1)
		return -1;
	for (at = d.first_entry; at && count < CODEMAP_MAX_JIT_ENTRIES; at = e.next_entry, count++) {
		uint64_t print;
		size_t i;

		if (codemap_read(m, at, &e, sizeof(e)) < 0 ||
		    codemap_fingerprint(m, &e, &print) < 0)
			return -1;
		if (at == d.first_entry)
			list->first_print = print;
		for (i = 0; i < m->njits; i++)
			if (m->jits[i].entry == at && m->jits[i].symfile_addr == e.symfile_addr &&
			    m->jits[i].symfile_size == e.symfile_size && m->jits[i].print == print)
				break;
		if (i < m->njits)
			m->jits[i].seen = 1;
		else if (codemap_add_jit(m, at, &e, print) < 0)
			return -1;
	}
	list->seen = d;
	return 0;
}

/* A fingerprint of an image, from a few small reads: its size, its ELF
 * header, its section headers (where the JIT loader wrote each section's
 * run-time address) and its symbol names (Numba's carry a unique id per
 * compiled function).  -1 when the image cannot be read (freed under the
 * walk); an image that is not ELF is fingerprinted by what it has. */
static int codemap_fingerprint(struct codemap *m, const struct jit_code_entry *e, uint64_t *print)
{
	Elf64_Ehdr eh;
	Elf64_Shdr *sh;
	uint64_t size = e->symfile_size, h = codemap_hash(14695981039346656037ull, &size, sizeof(size));
	int ret = -1;

	*print = h;
	if (size < sizeof(eh) || size > CODEMAP_MAX_JIT_SIZE)
		return 0;
	if (codemap_read(m, e->symfile_addr, &eh, sizeof(eh)) < 0)
		return -1;
	*print = h = codemap_hash(h, &eh, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_shentsize != sizeof(*sh) ||
	    eh.e_shnum == 0 || eh.e_shnum > CODEMAP_MAX_SECTIONS || eh.e_shoff > size ||
	    (size - eh.e_shoff) / sizeof(*sh) < eh.e_shnum)
		return 0;
	sh = xmalloc(eh.e_shnum * sizeof(*sh));
	if (codemap_read(m, e->symfile_addr + eh.e_shoff, sh, eh.e_shnum * sizeof(*sh)) < 0)
		goto out;
	h = codemap_hash(h, sh, eh.e_shnum * sizeof(*sh));
	for (size_t i = 0; i < eh.e_shnum; i++) {
		const Elf64_Shdr *names;
		unsigned char *buf;

		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh.e_shnum)
			continue;
		names = &sh[sh[i].sh_link];
		if (names->sh_offset > size || names->sh_size > size - names->sh_offset ||
		    names->sh_size > CODEMAP_MAX_NAMES)
			break;
		buf = xmalloc(names->sh_size ? names->sh_size : 1);
		if (codemap_read(m, e->symfile_addr + names->sh_offset, buf, names->sh_size) < 0) {
			free(buf);
			goto out;
		}
		h = codemap_hash(h, buf, names->sh_size);
		free(buf);
		break;
	}
	*print = h;
	ret = 0;
out:
	free(sh);
	return ret;
}

/* FNV-1a, 64 bits. */
static uint64_t codemap_hash(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

/* Reads and opens a new object.  -1 when its image could not be read
 * (it may have been freed under the walk); an image that is not a usable
 * object is remembered as refused, so it is not read again (0). */
static int codemap_add_jit(struct codemap *m, uint64_t at, const struct jit_code_entry *e,
			   uint64_t print)
{
	struct elfcode *code = NULL;
	struct codemap_jit *j;

	if (e->symfile_size > 0 && e->symfile_size <= CODEMAP_MAX_JIT_SIZE) {
		unsigned char *img = xmalloc(e->symfile_size);

		if (codemap_read(m, e->symfile_addr, img, e->symfile_size) < 0) {
			free(img);
			return -1;
		}
		m->images_read++;
		code = elfcode_open_jit(img, e->symfile_size);
	}
	m->jits = xgrow(m->jits, &m->jits_alloc, m->njits + 1, sizeof(*m->jits));
	j = &m->jits[m->njits++];
	*j = (struct codemap_jit){ .entry = at, .symfile_addr = e->symfile_addr,
				   .symfile_size = e->symfile_size, .print = print,
				   .code = code, .seen = 1 };
	return 0;
}

static void codemap_add_jit_ranges(struct codemap *m)
{
	for (size_t i = 0; i < m->njits; i++) {
		size_t n = 0;
		const struct elfcode_range *r =
			m->jits[i].code ? elfcode_ranges(m->jits[i].code, &n) : NULL;

		for (size_t k = 0; k < n; k++) {
			struct codemap_entry *e;

			m->entries = xgrow(m->entries, &m->entries_alloc, m->nentries + 1,
					   sizeof(*m->entries));
			e = &m->entries[m->nentries++];
			*e = (struct codemap_entry){ .lo = r[k].lo, .hi = r[k].hi,
						     .code = m->jits[i].code, .jit = 1 };
		}
	}
}

/* Reads the process's memory without stopping it. */
static int codemap_read(struct codemap *m, uint64_t addr, void *buf, size_t n)
{
	struct iovec local = { .iov_base = buf, .iov_len = n };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)addr, .iov_len = n };

	if (process_vm_readv(m->pid, &local, 1, &remote, 1, 0) == (ssize_t)n)
		return 0;
	if (errno == EPERM || errno == EACCES)
		m->denied = errno;
	return -1;
}

int codemap_denied(const struct codemap *m)
{
	return m->denied;
}

size_t codemap_images_read(const struct codemap *m)
{
	return m->images_read;
}
