/* fetch: not yet written. */
#ifndef NPROF_FETCH_H
#define NPROF_FETCH_H
#endif
