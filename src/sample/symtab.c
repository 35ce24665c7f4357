/* symtab: function symbols sorted by address, looked up by bisection. */
#include "symtab.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

struct symtab_sym {
	uint64_t lo, size;
	uint64_t reach;		/* the highest end of this and every symbol before */
	char *name;
};

struct symtab {
	struct symtab_sym *syms;
	size_t n, alloc;
};

static void symtab_read(struct symtab *t, Elf *elf, Elf_Scn *scn);
static int symtab_cmp(const void *a, const void *b);

static void symtab_read(struct symtab *t, Elf *elf, Elf_Scn *scn)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	GElf_Shdr sh;
	size_t n;

	if (!data || !gelf_getshdr(scn, &sh) || sh.sh_entsize == 0)
		return;
	n = sh.sh_size / sh.sh_entsize;
	for (size_t i = 1; i < n; i++) {
		GElf_Sym sym;
		const char *s;

		if (!gelf_getsym(data, (int)i, &sym) || sym.st_shndx == SHN_UNDEF ||
		    GELF_ST_TYPE(sym.st_info) != STT_FUNC || !sym.st_value)
			continue;
		s = elf_strptr(elf, sh.sh_link, sym.st_name);
		if (!s || !*s)
			continue;
		t->syms = xgrow(t->syms, &t->alloc, t->n + 1, sizeof(*t->syms));
		t->syms[t->n++] = (struct symtab_sym){ .lo = sym.st_value, .size = sym.st_size, .name = xstrdup(s) };
	}
}

static int symtab_cmp(const void *a, const void *b)
{
	const struct symtab_sym *x = a, *y = b;

	return (x->lo > y->lo) - (x->lo < y->lo);
}

struct symtab *symtab_new(Elf *elf)
{
	struct symtab *t = xcalloc(1, sizeof(*t));
	Elf_Scn *scn = NULL, *dynsym = NULL, *symtab = NULL;

	while (elf && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB)
			symtab = scn;
		else if (sh.sh_type == SHT_DYNSYM)
			dynsym = scn;
	}
	if (symtab || dynsym)
		symtab_read(t, elf, symtab ? symtab : dynsym);
	if (t->n)
		qsort(t->syms, t->n, sizeof(*t->syms), symtab_cmp);
	for (size_t i = 0; i < t->n; i++) {
		uint64_t end = t->syms[i].lo + (t->syms[i].size ? t->syms[i].size : 1);

		t->syms[i].reach = i && t->syms[i - 1].reach > end ? t->syms[i - 1].reach : end;
	}
	return t;
}

void symtab_free(struct symtab *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->syms[i].name);
	free(t->syms);
	free(t);
}

/* The last symbol at or below addr, if addr is inside it (a symbol of
 * size 0 holds only its own address). */
const char *symtab_find(const struct symtab *t, uint64_t addr)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->syms[mid].lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Aliases and nested symbols: an earlier, larger one may hold it;
	 * none does once no symbol so far reaches past addr (an address
	 * between the symbols of a stripped file stops at once). */
	while (lo-- > 0 && addr < t->syms[lo].reach) {
		const struct symtab_sym *s = &t->syms[lo];

		if (addr < s->lo + (s->size ? s->size : 1))
			return s->name;
	}
	return NULL;
}
