/* load-json: a profile back from nprof's JSON (report-json writes it), for
 * `nprof report`.  Every index is checked: a file edited by hand or cut
 * short is refused with the reason, never read past. */
#ifndef NPROF_LOAD_JSON_H
#define NPROF_LOAD_JSON_H

#include <stddef.h>

#include "profile.h"

/* The profile in `len` bytes of `text`; NULL with the reason in `err`. */
struct profile *load_json(const char *text, size_t len, char *err, size_t errsize);

#endif
