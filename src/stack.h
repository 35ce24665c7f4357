/* stack: the typed result of -stack-list-frames, as profile frames.
 * The frames point into the MI record's strings: keep the record alive
 * while using them. */
#ifndef NPROF_STACK_H
#define NPROF_STACK_H

#include <stddef.h>

#include "mi.h"
#include "profile.h"

struct stack {
	struct frame *frames;	/* innermost first */
	size_t n, alloc;
};

/* Fills `st` from a ^done record's results (stack=[frame={...},...]).
 * Returns 0, or -1 when the record has no readable stack. */
int stack_from_mi(struct stack *st, const struct mi_value *results);
void stack_release(struct stack *st);

#endif
