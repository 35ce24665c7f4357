/* elfcode: one piece of machine code in the target, an ELF file mapped from
 * disk or a JIT object, and the two questions nprof asks of an address in
 * it: how to unwind from there (CFI), and which source lines it belongs
 * to, inlined calls included (DWARF, through libdw).
 *
 * Addresses here are the ELF's own: for a file, the run-time address less
 * the load bias (the codemap knows it); for a JIT object, which LLVM
 * placed and described at its run-time addresses, the run-time address. */
#ifndef NPROF_ELFCODE_H
#define NPROF_ELFCODE_H

#include <elfutils/libdw.h>
#include <stddef.h>
#include <stdint.h>

#include "profile.h"

struct elfcode;

/* A code range of a JIT object: where the JIT put one code section. */
struct elfcode_range {
	uint64_t lo, hi;
};

/* An ELF file for unwinding (its .eh_frame) and symbol lookup.  NULL when
 * it cannot be read as ELF (the caller treats its addresses as unknown). */
struct elfcode *elfcode_open_file(const char *path);
/* A JIT object: takes ownership of `img` (malloc'd, `n` bytes) and
 * relocates it.  NULL (and `img` freed) when it is not a usable object. */
struct elfcode *elfcode_open_jit(unsigned char *img, size_t n);
void elfcode_free(struct elfcode *c);

/* The JIT object's code sections (none for a file). */
const struct elfcode_range *elfcode_ranges(const struct elfcode *c, size_t *n);

/* The CFI row for `addr`: 0 and a frame to free(), or -1 when the code
 * has no unwind information there. */
int elfcode_cfi_frame(struct elfcode *c, uint64_t addr, Dwarf_Frame **frame);

/* The source frames at `addr`, innermost first: the line executing, then
 * for each inlined call around it the line of the call, ending with the
 * function the machine code belongs to.  Strings stay valid as long as
 * `c`.  Returns the number of frames written (at most `max`); 0 when the
 * code has no line information there. */
size_t elfcode_lines(struct elfcode *c, uint64_t addr, struct frame *out, size_t max);

/* The load bias of a file mapped at `start` from file offset `offset`:
 * run-time address minus ELF address.  0, or -1 when no loadable segment
 * holds that offset. */
int elfcode_bias(struct elfcode *c, uint64_t start, uint64_t offset, uint64_t *bias);

/* The ELF handle, for reading its symbols (symtab). */
Elf *elfcode_elf(const struct elfcode *c);

/* The value of a defined symbol, from .dynsym or .symtab: 0, or -1. */
int elfcode_symbol(struct elfcode *c, const char *name, uint64_t *value);

#endif
