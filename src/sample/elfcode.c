/* elfcode: unwind rules and source lines of one ELF, through libdw. */
#include "elfcode.h"

#include <dwarf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jitobj.h"
#include "util.h"

#define ELFCODE_MAX_SCOPES 64	/* nesting of inlined calls followed */

struct elfcode {
	int fd;			/* the file's, or -1 */
	unsigned char *img;	/* the JIT object's bytes, or NULL */
	Elf *elf;
	Dwarf *dwarf;		/* NULL without debug info */
	Dwarf_CFI *eh_cfi, *debug_cfi;
	struct elfcode_range *ranges;
	size_t nranges;
	struct elfcode_rows *rows;	/* line-0 lookups' index, per unit */
	size_t nrows, rows_alloc;
};

/* A unit's line table for "the last row with a nonzero line at or below
 * an address in its sequence" (elfcode_row_before) without a scan of the
 * whole table each time: the rows that decide it (nonzero line, or an end
 * of sequence) sorted by address, each with the latest row in table order
 * among it and those before it.  Built on the first line-0 lookup. */
struct elfcode_rows {
	Dwarf_Off cu;
	struct elfcode_row *e;
	size_t n;
};

struct elfcode_row {
	uint64_t addr;
	size_t row;		/* its index in the table */
	size_t latest;		/* the latest row (in table order) of this
				 * one and those before it */
};

static struct elfcode *elfcode_new(Elf *elf, int fd, unsigned char *img);
static void elfcode_find_ranges(struct elfcode *c);
static int elfcode_find_cu(struct elfcode *c, uint64_t addr, Dwarf_Die *cu);
static int elfcode_scopes(Dwarf_Die *parent, uint64_t addr, Dwarf_Die *out, int n);
static const char *elfcode_die_name(Dwarf_Die *die);
static int elfcode_line_zero(struct elfcode *c, Dwarf_Die *cu, uint64_t addr, Dwarf_Die *scopes,
			     int nscopes, const char **file, int *line);
static Dwarf_Line *elfcode_row_before(struct elfcode *c, Dwarf_Die *cu, uint64_t addr);
static const struct elfcode_rows *elfcode_rows_of(struct elfcode *c, Dwarf_Die *cu,
						  Dwarf_Lines *lines, size_t n);
static int elfcode_row_cmp(const void *a, const void *b);
static int elfcode_same_die(Dwarf_Die *a, Dwarf_Die *b);
static const char *elfcode_call_file(Dwarf_Die *cu, Dwarf_Die *inlined);
static int elfcode_sym_lookup(Elf *elf, Elf_Scn *scn, const char *name, uint64_t *value);

struct elfcode *elfcode_open_file(const char *path)
{
	int fd;
	Elf *elf;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		elf_end(elf);
		close(fd);
		return NULL;
	}
	return elfcode_new(elf, fd, NULL);
}

struct elfcode *elfcode_open_jit(unsigned char *img, size_t n)
{
	Elf *elf;
	struct elfcode *c;

	if (elf_version(EV_CURRENT) == EV_NONE || jitobj_relocate(img, n) < 0 ||
	    !(elf = elf_memory((char *)img, n))) {
		free(img);
		return NULL;
	}
	c = elfcode_new(elf, -1, img);
	elfcode_find_ranges(c);
	return c;
}

static struct elfcode *elfcode_new(Elf *elf, int fd, unsigned char *img)
{
	struct elfcode *c = xcalloc(1, sizeof(*c));

	c->fd = fd;
	c->img = img;
	c->elf = elf;
	c->dwarf = dwarf_begin_elf(elf, DWARF_C_READ, NULL);
	c->eh_cfi = dwarf_getcfi_elf(elf);
	if (c->dwarf)
		c->debug_cfi = dwarf_getcfi(c->dwarf);
	return c;
}

void elfcode_free(struct elfcode *c)
{
	if (!c)
		return;
	if (c->eh_cfi)
		dwarf_cfi_end(c->eh_cfi);
	if (c->dwarf)
		dwarf_end(c->dwarf);	/* also ends debug_cfi */
	elf_end(c->elf);
	if (c->fd >= 0)
		close(c->fd);
	free(c->img);
	free(c->ranges);
	for (size_t i = 0; i < c->nrows; i++)
		free(c->rows[i].e);
	free(c->rows);
	free(c);
}

/* A JIT object's code: its executable sections that the JIT placed. */
static void elfcode_find_ranges(struct elfcode *c)
{
	Elf_Scn *scn = NULL;
	size_t alloc = 0;

	while ((scn = elf_nextscn(c->elf, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_EXECINSTR) ||
		    sh.sh_addr == 0 || sh.sh_size == 0)
			continue;
		c->ranges = xgrow(c->ranges, &alloc, c->nranges + 1, sizeof(*c->ranges));
		c->ranges[c->nranges].lo = sh.sh_addr;
		c->ranges[c->nranges].hi = sh.sh_addr + sh.sh_size;
		c->nranges++;
	}
}

const struct elfcode_range *elfcode_ranges(const struct elfcode *c, size_t *n)
{
	*n = c->nranges;
	return c->ranges;
}

int elfcode_cfi_frame(struct elfcode *c, uint64_t addr, Dwarf_Frame **frame)
{
	/* Numba's objects carry .eh_frame or .debug_frame, files .eh_frame. */
	if (c->eh_cfi && dwarf_cfi_addrframe(c->eh_cfi, addr, frame) == 0)
		return 0;
	if (c->debug_cfi && dwarf_cfi_addrframe(c->debug_cfi, addr, frame) == 0)
		return 0;
	return -1;
}

size_t elfcode_lines(struct elfcode *c, uint64_t addr, struct frame *out, size_t max)
{
	Dwarf_Die cu, scopes[ELFCODE_MAX_SCOPES];
	Dwarf_Line *line;
	const char *file;
	size_t n = 0;
	int nscopes, k, lineno = 0;

	if (!c->dwarf || max == 0 || elfcode_find_cu(c, addr, &cu) < 0 ||
	    !(line = dwarf_getsrc_die(&cu, addr)))
		return 0;
	dwarf_lineno(line, &lineno);
	file = dwarf_linesrc(line, NULL, NULL);
	nscopes = elfcode_scopes(&cu, addr, scopes, 0);
	k = nscopes - 1;
	if (lineno == 0 && nscopes > 0 &&
	    elfcode_line_zero(c, &cu, addr, scopes, nscopes, &file, &lineno) < 0 && k == 0)
		return 0;
	if (lineno != 0) {
		out[n].file = file;
		out[n].line = lineno;
		out[n].func = nscopes ? elfcode_die_name(&scopes[k]) : NULL;
		n++;
	}
	/* (Line 0 in an inlined callee that nothing places: the call line
	 * is what is known.)  Each inlined call is a frame of its own: the
	 * line it was called from, in the function around it. */
	for (; k > 0 && n < max; k--) {
		Dwarf_Attribute attr;
		Dwarf_Word call_line = 0;

		if (dwarf_tag(&scopes[k]) != DW_TAG_inlined_subroutine)
			break;
		if (dwarf_attr(&scopes[k], DW_AT_call_line, &attr))
			dwarf_formudata(&attr, &call_line);
		out[n].file = elfcode_call_file(&cu, &scopes[k]);
		out[n].line = (int)call_line;
		out[n].func = elfcode_die_name(&scopes[k - 1]);
		n++;
	}
	return n;
}

/* LLVM gives line 0 to code of no one statement: spills, loop control it
 * moved, the call of a library function (np.log1p's) and what moves its
 * result.  The scopes at `addr` (outermost first) still say whose code it
 * is; its line is that of the statement before it in the same scope, as a
 * reader of the disassembly would say: the last row with a nonzero line
 * at or below `addr` in its sequence.  When that row is the scope's own,
 * its line; when it lies in a callee inlined into the scope (Numba's
 * `x ** 2` right before), the line that called it.  -1 (and nothing set)
 * when that row is not the scope's (the caller's code before an inlined
 * call, another function's). */
static int elfcode_line_zero(struct elfcode *c, Dwarf_Die *cu, uint64_t addr, Dwarf_Die *scopes,
			     int nscopes, const char **file, int *line)
{
	Dwarf_Die rows[ELFCODE_MAX_SCOPES];
	Dwarf_Line *before = elfcode_row_before(c, cu, addr);
	Dwarf_Addr at;
	Dwarf_Attribute attr;
	Dwarf_Word call_line = 0;
	int nrows;

	if (!before || dwarf_lineaddr(before, &at) != 0)
		return -1;
	nrows = elfcode_scopes(cu, at, rows, 0);
	if (nrows < nscopes || !elfcode_same_die(&rows[nscopes - 1], &scopes[nscopes - 1]))
		return -1;
	if (nrows == nscopes) {
		*file = dwarf_linesrc(before, NULL, NULL);
		return dwarf_lineno(before, line) == 0 && *line > 0 ? 0 : -1;
	}
	if (!dwarf_attr(&rows[nscopes], DW_AT_call_line, &attr) ||
	    dwarf_formudata(&attr, &call_line) != 0 || call_line == 0)
		return -1;
	*file = elfcode_call_file(cu, &rows[nscopes]);
	*line = (int)call_line;
	return 0;
}

/* The last row with a nonzero line at or below `addr` in its sequence:
 * in table order, the latest row at or below `addr` that has a nonzero
 * line or ends a sequence, unless it ends one. */
static Dwarf_Line *elfcode_row_before(struct elfcode *c, Dwarf_Die *cu, uint64_t addr)
{
	const struct elfcode_rows *r;
	Dwarf_Lines *lines;
	Dwarf_Line *l;
	size_t n, lo = 0, hi;
	bool end = false;

	if (dwarf_getsrclines(cu, &lines, &n) != 0)
		return NULL;
	r = elfcode_rows_of(c, cu, lines, n);
	/* lo: the number of rows at or below addr. */
	for (hi = r->n; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->e[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || !(l = dwarf_onesrcline(lines, r->e[lo - 1].latest)))
		return NULL;
	dwarf_lineendsequence(l, &end);
	return end ? NULL : l;
}

static const struct elfcode_rows *elfcode_rows_of(struct elfcode *c, Dwarf_Die *cu,
						  Dwarf_Lines *lines, size_t n)
{
	Dwarf_Off off = dwarf_dieoffset(cu);
	struct elfcode_rows *r;
	size_t alloc = 0;

	for (size_t i = 0; i < c->nrows; i++)
		if (c->rows[i].cu == off)
			return &c->rows[i];
	c->rows = xgrow(c->rows, &c->rows_alloc, c->nrows + 1, sizeof(*c->rows));
	r = &c->rows[c->nrows++];
	*r = (struct elfcode_rows){ .cu = off };
	for (size_t i = 0; i < n; i++) {
		Dwarf_Line *l = dwarf_onesrcline(lines, i);
		Dwarf_Addr a;
		bool end = false;
		int lineno = 0;

		if (!l || dwarf_lineaddr(l, &a) != 0)
			continue;
		dwarf_lineendsequence(l, &end);
		dwarf_lineno(l, &lineno);
		if (!end && !lineno)
			continue;
		r->e = xgrow(r->e, &alloc, r->n + 1, sizeof(*r->e));
		r->e[r->n++] = (struct elfcode_row){ .addr = a, .row = i };
	}
	if (r->n)
		qsort(r->e, r->n, sizeof(*r->e), elfcode_row_cmp);
	for (size_t i = 0; i < r->n; i++)
		r->e[i].latest = i && r->e[i - 1].latest > r->e[i].row ? r->e[i - 1].latest : r->e[i].row;
	return r;
}

static int elfcode_row_cmp(const void *a, const void *b)
{
	const struct elfcode_row *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->row < y->row ? -1 : x->row > y->row;
}

static int elfcode_same_die(Dwarf_Die *a, Dwarf_Die *b)
{
	return dwarf_dieoffset(a) == dwarf_dieoffset(b);
}

/* The compile unit holding `addr`: through .debug_aranges when there is
 * one, else by asking each unit (a JIT object has one or two). */
static int elfcode_find_cu(struct elfcode *c, uint64_t addr, Dwarf_Die *cu)
{
	Dwarf_Off off = 0, next;
	size_t hsize;

	if (dwarf_addrdie(c->dwarf, addr, cu))
		return 0;
	while (dwarf_nextcu(c->dwarf, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		if (dwarf_offdie(c->dwarf, off + hsize, cu) && dwarf_haspc(cu, addr) > 0)
			return 0;
		off = next;
	}
	return -1;
}

/* Appends to `out` (outermost first) the functions and inlined calls
 * around `addr` below `parent`; returns the new count.  (libdw's
 * dwarf_getscopes gives up on Numba's objects with "no address value".) */
static int elfcode_scopes(Dwarf_Die *parent, uint64_t addr, Dwarf_Die *out, int n)
{
	Dwarf_Die child;

	if (dwarf_child(parent, &child) != 0)
		return n;
	do {
		int tag = dwarf_tag(&child);

		if (tag != DW_TAG_subprogram && tag != DW_TAG_inlined_subroutine &&
		    tag != DW_TAG_lexical_block && tag != DW_TAG_namespace)
			continue;
		if (tag != DW_TAG_namespace && dwarf_haspc(&child, addr) <= 0)
			continue;
		if ((tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine) &&
		    n < ELFCODE_MAX_SCOPES)
			out[n++] = child;
		return elfcode_scopes(&child, addr, out, n);
	} while (dwarf_siblingof(&child, &child) == 0);
	return n;
}

/* The linkage (mangled) name when there is one: it says which module and
 * which function, where DW_AT_name is the bare name. */
static const char *elfcode_die_name(Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	const char *name;

	name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &attr));
	if (!name)
		name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr));
	if (!name)
		name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &attr));
	return name;
}

static const char *elfcode_call_file(Dwarf_Die *cu, Dwarf_Die *inlined)
{
	Dwarf_Attribute attr;
	Dwarf_Word index;
	Dwarf_Files *files;
	size_t nfiles;

	if (!dwarf_attr(inlined, DW_AT_call_file, &attr) || dwarf_formudata(&attr, &index) != 0 ||
	    dwarf_getsrcfiles(cu, &files, &nfiles) != 0 || index >= nfiles)
		return NULL;
	return dwarf_filesrc(files, index, NULL, NULL);
}

int elfcode_bias(struct elfcode *c, uint64_t start, uint64_t offset, uint64_t *bias)
{
	size_t nphdr;

	if (elf_getphdrnum(c->elf, &nphdr) != 0)
		return -1;
	for (size_t i = 0; i < nphdr; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(c->elf, (int)i, &ph) || ph.p_type != PT_LOAD ||
		    offset < (ph.p_offset & ~(ph.p_align - 1)) || offset >= ph.p_offset + ph.p_filesz)
			continue;
		*bias = start - (ph.p_vaddr - (ph.p_offset - offset));
		return 0;
	}
	return -1;
}

int elfcode_symbol(struct elfcode *c, const char *name, uint64_t *value)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(c->elf, scn))) {
		GElf_Shdr sh;

		if (gelf_getshdr(scn, &sh) && (sh.sh_type == SHT_DYNSYM || sh.sh_type == SHT_SYMTAB) &&
		    elfcode_sym_lookup(c->elf, scn, name, value) == 0)
			return 0;
	}
	return -1;
}

static int elfcode_sym_lookup(Elf *elf, Elf_Scn *scn, const char *name, uint64_t *value)
{
	GElf_Shdr sh;
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t n;

	if (!data || !gelf_getshdr(scn, &sh) || sh.sh_entsize == 0)
		return -1;
	n = sh.sh_size / sh.sh_entsize;
	for (size_t i = 1; i < n; i++) {
		GElf_Sym sym;
		const char *s;

		if (!gelf_getsym(data, (int)i, &sym) || sym.st_shndx == SHN_UNDEF)
			continue;
		s = elf_strptr(elf, sh.sh_link, sym.st_name);
		if (s && strcmp(s, name) == 0) {
			*value = sym.st_value;
			return 0;
		}
	}
	return -1;
}

Elf *elfcode_elf(const struct elfcode *c)
{
	return c->elf;
}
