/* unpack: not yet written. */
#ifndef NPROF_UNPACK_H
#define NPROF_UNPACK_H
#endif
