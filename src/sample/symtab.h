/* symtab: the function symbols of an ELF file (.symtab, else .dynsym),
 * sorted, to name an address in native code ("sin" in libm.so.6). */
#ifndef NPROF_SYMTAB_H
#define NPROF_SYMTAB_H

#include <gelf.h>
#include <stdint.h>

struct symtab;

/* Reads the symbols now (the Elf may be closed later); never NULL. */
struct symtab *symtab_new(Elf *elf);
void symtab_free(struct symtab *t);
/* The function holding ELF address `addr`, or NULL. */
const char *symtab_find(const struct symtab *t, uint64_t addr);

#endif
