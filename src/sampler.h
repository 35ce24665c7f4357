/* sampler: not yet written. */
#ifndef NPROF_SAMPLER_H
#define NPROF_SAMPLER_H
#endif
