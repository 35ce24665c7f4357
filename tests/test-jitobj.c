/* Tests for jitobj: a JIT object's debug relocations, applied in place. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <elfutils/libdw.h>
#include <gelf.h>

#include "jitfixture.h"
#include "jitobj.h"

/* The load address of the fixture's .text, from its section header. */
static uint64_t text_addr(unsigned char *img, size_t n)
{
	Elf *elf = elf_memory((char *)img, n);
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	uint64_t addr = 0;

	assert_non_null(elf);
	assert_int_equal(elf_getshdrstrndx(elf, &shstrndx), 0);
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		gelf_getshdr(scn, &sh);
		if (strcmp(elf_strptr(elf, shstrndx, sh.sh_name), ".text") == 0)
			addr = sh.sh_addr;
	}
	elf_end(elf);
	return addr;
}

/* The low_pc of the object's first compile unit, as libdw reads it. */
static int cu_low_pc(unsigned char *img, size_t n, Dwarf_Addr *low)
{
	Elf *elf = elf_memory((char *)img, n);
	Dwarf *dw = dwarf_begin_elf(elf, DWARF_C_READ, NULL);
	Dwarf_Die cu;
	int ret = -1;

	if (dw && dwarf_offdie(dw, 11, &cu) && dwarf_lowpc(&cu, low) == 0)
		ret = 0;
	dwarf_end(dw);
	elf_end(elf);
	return ret;
}

static void test_debug_info_gets_load_addresses(void **state)
{
	size_t n;
	unsigned char *img = jitfixture_load(&n);
	uint64_t text;
	Dwarf_Addr low;

	(void)state;
	elf_version(EV_CURRENT);
	text = text_addr(img, n);
	assert_true(text != 0);
	/* Before: the CU starts at 0, its relocation not applied. */
	assert_int_equal(cu_low_pc(img, n, &low), 0);
	assert_int_equal(low, 0);
	assert_int_equal(jitobj_relocate(img, n), 0);
	assert_int_equal(cu_low_pc(img, n, &low), 0);
	assert_int_equal(low, text);
	free(img);
}

static void test_code_is_left_alone(void **state)
{
	size_t n;
	unsigned char *img = jitfixture_load(&n), *before = xmalloc(n);
	Elf *elf;
	Elf_Scn *scn = NULL;

	(void)state;
	memcpy(before, img, n);
	assert_int_equal(jitobj_relocate(img, n), 0);
	elf = elf_memory((char *)before, n);
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		gelf_getshdr(scn, &sh);
		if (sh.sh_flags & SHF_EXECINSTR)
			assert_memory_equal(img + sh.sh_offset, before + sh.sh_offset, sh.sh_size);
	}
	elf_end(elf);
	free(before);
	free(img);
}

static void test_not_an_object_is_refused(void **state)
{
	unsigned char junk[64] = "not an ELF object at all";
	size_t n;
	unsigned char *img = jitfixture_load(&n);

	(void)state;
	assert_int_equal(jitobj_relocate(junk, sizeof(junk)), -1);
	/* An ELF of another type (here: made executable) is not a JIT object. */
	img[16] = ET_EXEC;
	assert_int_equal(jitobj_relocate(img, n), -1);
	/* Cut short: its section headers are gone. */
	img[16] = ET_REL;
	assert_int_equal(jitobj_relocate(img, n / 2), -1);
	free(img);
}

/* A relocation pointing past its section must not write out of it. */
static void test_relocation_outside_its_section_is_refused(void **state)
{
	size_t n;
	unsigned char *img = jitfixture_load(&n);
	Elf *elf = elf_memory((char *)img, n);
	Elf_Scn *scn = NULL;
	int corrupted = 0;

	(void)state;
	while ((scn = elf_nextscn(elf, scn)) && !corrupted) {
		GElf_Shdr sh;
		GElf_Shdr target;

		gelf_getshdr(scn, &sh);
		gelf_getshdr(elf_getscn(elf, sh.sh_info), &target);
		if (sh.sh_type == SHT_RELA && !(target.sh_flags & SHF_EXECINSTR)) {
			uint64_t far = target.sh_size + 1000;

			memcpy(img + sh.sh_offset, &far, sizeof(far)); /* r_offset of the first */
			corrupted = 1;
		}
	}
	elf_end(elf);
	assert_true(corrupted);
	assert_int_equal(jitobj_relocate(img, n), -1);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debug_info_gets_load_addresses),
		cmocka_unit_test(test_code_is_left_alone),
		cmocka_unit_test(test_not_an_object_is_refused),
		cmocka_unit_test(test_relocation_outside_its_section_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
