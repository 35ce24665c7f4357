/* jitobj: apply a JIT object's pending relocations to its debug sections. */
#include "jitobj.h"

#include <gelf.h>
#include <stdint.h>
#include <string.h>

static int jitobj_apply(Elf *elf, unsigned char *img, size_t n, Elf_Scn *rela);
static int jitobj_symbol_value(Elf *elf, Elf_Data *syms, size_t index, uint64_t *value);
static int jitobj_store(unsigned char *img, size_t n, uint64_t at, unsigned type,
			uint64_t s, int64_t a, uint64_t p);

int jitobj_relocate(unsigned char *img, size_t n)
{
	Elf *elf;
	GElf_Ehdr eh;
	Elf_Scn *scn = NULL;
	int ret = 0;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -1;
	elf = elf_memory((char *)img, n);
	if (!elf)
		return -1;
	/* libelf reads a cut image as one without sections: refuse it. */
	if (!gelf_getehdr(elf, &eh) || eh.e_type != ET_REL || eh.e_machine != EM_X86_64 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh.e_shoff > n || (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr) > n - eh.e_shoff)
		ret = -1;
	while (ret == 0 && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			ret = -1;
		else if (sh.sh_type == SHT_RELA)
			ret = jitobj_apply(elf, img, n, scn);
		else if (sh.sh_type == SHT_REL)
			ret = -1; /* x86-64 uses RELA only */
	}
	elf_end(elf);
	return ret;
}

/* Applies one .rela.X section, unless X is code. */
static int jitobj_apply(Elf *elf, unsigned char *img, size_t n, Elf_Scn *rela)
{
	GElf_Shdr rsh, tsh, ssh;
	Elf_Scn *target, *symtab;
	Elf_Data *rels, *syms;
	size_t count;

	if (!gelf_getshdr(rela, &rsh) || !(target = elf_getscn(elf, rsh.sh_info)) ||
	    !gelf_getshdr(target, &tsh))
		return -1;
	if ((tsh.sh_flags & SHF_EXECINSTR) || tsh.sh_type == SHT_NOBITS)
		return 0;
	if (!(symtab = elf_getscn(elf, rsh.sh_link)) || !gelf_getshdr(symtab, &ssh) ||
	    !(rels = elf_getdata(rela, NULL)) || !(syms = elf_getdata(symtab, NULL)) ||
	    rsh.sh_entsize == 0 || tsh.sh_offset > n || tsh.sh_size > n - tsh.sh_offset)
		return -1;
	count = rsh.sh_size / rsh.sh_entsize;
	for (size_t i = 0; i < count; i++) {
		GElf_Rela r;
		uint64_t s;

		if (!gelf_getrela(rels, (int)i, &r) || r.r_offset >= tsh.sh_size ||
		    jitobj_symbol_value(elf, syms, GELF_R_SYM(r.r_info), &s) < 0 ||
		    jitobj_store(img, tsh.sh_offset + tsh.sh_size, tsh.sh_offset + r.r_offset,
				 (unsigned)GELF_R_TYPE(r.r_info), s, r.r_addend,
				 tsh.sh_addr + r.r_offset) < 0)
			return -1;
	}
	return 0;
}

/* A symbol's address: its section's load address plus its value.  Debug
 * sections are not loaded (sh_addr 0), so references between them stay
 * section offsets, as DWARF wants. */
static int jitobj_symbol_value(Elf *elf, Elf_Data *syms, size_t index, uint64_t *value)
{
	GElf_Sym sym;
	GElf_Shdr sh;

	if (!gelf_getsym(syms, (int)index, &sym))
		return -1;
	*value = sym.st_value;
	/* An undefined symbol (a personality routine, say) names no debug
	 * data nprof reads: 0 keeps the field harmless. */
	if (sym.st_shndx == SHN_UNDEF || sym.st_shndx == SHN_ABS)
		return 0;
	if (sym.st_shndx >= SHN_LORESERVE || !gelf_getshdr(elf_getscn(elf, sym.st_shndx), &sh))
		return -1;
	*value += sh.sh_addr;
	return 0;
}

/* Writes one relocated field at image offset `at`, within [.., end). */
static int jitobj_store(unsigned char *img, size_t end, uint64_t at, unsigned type,
			uint64_t s, int64_t a, uint64_t p)
{
	uint64_t v64;
	uint32_t v32;

	switch (type) {
	case R_X86_64_NONE:
		return 0;
	case R_X86_64_64:
		v64 = s + (uint64_t)a;
		break;
	case R_X86_64_PC64:
		v64 = s + (uint64_t)a - p;
		break;
	case R_X86_64_32:
	case R_X86_64_32S:
		v32 = (uint32_t)(s + (uint64_t)a);
		goto store32;
	case R_X86_64_PC32:
		v32 = (uint32_t)(s + (uint64_t)a - p);
		goto store32;
	default:
		return -1;
	}
	if (at + 8 > end)
		return -1;
	memcpy(img + at, &v64, 8);
	return 0;
store32:
	if (at + 4 > end)
		return -1;
	memcpy(img + at, &v32, 4);
	return 0;
}
