/* jitobj: a JIT object as GDB's JIT interface hands it over, made readable.
 *
 * LLVM registers each object Numba compiles as an ELF relocatable whose
 * loaded sections (.text, .eh_frame, ...) carry their run-time addresses
 * in sh_addr, but whose unwind and debug sections still hold unapplied
 * relocations: the CU's low_pc reads 0, a .debug_str offset reads 0.  gdb
 * applies them when it reads the object; so does this, once, in place, so
 * that libdw sees absolute addresses.  Code sections are left alone: their
 * relocations were applied in memory by the JIT, not in this copy. */
#ifndef NPROF_JITOBJ_H
#define NPROF_JITOBJ_H

#include <stddef.h>

/* Applies the relocations of every non-code section of the x86-64 ELF
 * relocatable `img` (size `n`, writable).  Returns 0, or -1 when the image
 * is not such an object or a relocation cannot be applied (the image may
 * then be partly relocated and must not be used). */
int jitobj_relocate(unsigned char *img, size_t n);

#endif
