/* digest: not yet written. */
#ifndef NPROF_DIGEST_H
#define NPROF_DIGEST_H
#endif
