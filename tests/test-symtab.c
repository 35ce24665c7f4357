/* Tests for symtab: function symbols of a real ELF file (this test's
 * own), looked up by address. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <gelf.h>
#include <link.h>
#include <string.h>
#include <unistd.h>

#include "symtab.h"

__attribute__((noinline, used)) int symtab_probe_function(int x);
__attribute__((noinline, used)) int symtab_probe_function(int x)
{
	return x * 3 + 1;
}

static int first_object(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	*(uint64_t *)data = info->dlpi_addr;
	return 1;	/* the program comes first */
}

struct fixture {
	int fd;
	Elf *elf;
	struct symtab *syms;
	uint64_t bias;
};

static int setup(void **state)
{
	static struct fixture f;

	elf_version(EV_CURRENT);
	f.fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	assert_true(f.fd >= 0);
	f.elf = elf_begin(f.fd, ELF_C_READ, NULL);
	assert_non_null(f.elf);
	f.syms = symtab_new(f.elf);
	dl_iterate_phdr(first_object, &f.bias);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	symtab_free(f->syms);
	elf_end(f->elf);
	close(f->fd);
	return 0;
}

static void test_an_address_inside_a_function_names_it(void **state)
{
	struct fixture *f = *state;
	uint64_t at = (uint64_t)(uintptr_t)&symtab_probe_function - f->bias;
	const char *name;

	assert_int_equal(symtab_probe_function(1), 4);
	name = symtab_find(f->syms, at);
	assert_non_null(name);
	assert_string_equal(name, "symtab_probe_function");
	name = symtab_find(f->syms, at + 1);
	assert_non_null(name);
	assert_string_equal(name, "symtab_probe_function");
	name = symtab_find(f->syms, (uint64_t)(uintptr_t)&setup - f->bias);
	assert_non_null(name);
	assert_string_equal(name, "setup");
}

static void test_addresses_outside_every_symbol_have_no_name(void **state)
{
	struct fixture *f = *state;

	assert_null(symtab_find(f->syms, 0));
	assert_null(symtab_find(f->syms, UINT64_MAX - 16));
}

static void test_an_empty_table_finds_nothing(void **state)
{
	struct symtab *t = symtab_new(NULL);

	(void)state;
	assert_null(symtab_find(t, 0x1000));
	symtab_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_an_address_inside_a_function_names_it),
		cmocka_unit_test(test_addresses_outside_every_symbol_have_no_name),
		cmocka_unit_test(test_an_empty_table_finds_nothing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
