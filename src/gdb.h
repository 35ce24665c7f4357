/* gdb: not yet written. */
#ifndef NPROF_GDB_H
#define NPROF_GDB_H
#endif
