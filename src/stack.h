/* stack: not yet written. */
#ifndef NPROF_STACK_H
#define NPROF_STACK_H
#endif
