/* target: not yet written. */
#ifndef NPROF_TARGET_H
#define NPROF_TARGET_H
#endif
