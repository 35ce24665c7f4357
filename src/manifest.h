/* manifest: not yet written. */
#ifndef NPROF_MANIFEST_H
#define NPROF_MANIFEST_H
#endif
