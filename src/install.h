/* install: not yet written. */
#ifndef NPROF_INSTALL_H
#define NPROF_INSTALL_H
#endif
