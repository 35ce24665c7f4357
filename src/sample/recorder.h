/* recorder: a copied stack (registers and the top bytes of a thread's
 * stack, taken at a sample) -> its frames -> the profile.  Shared by the
 * samplers that copy stacks and unwind them themselves: sampler-perf (the
 * kernel copies) and sampler-ptrace (nprof copies while the thread is
 * stopped).  The process is not consulted but to read its map again. */
#ifndef NPROF_RECORDER_H
#define NPROF_RECORDER_H

#include "codemap.h"
#include "profile.h"
#include "unwind.h"

#define RECORDER_MAX_CALLS 128	/* frames followed per sample */
#define RECORDER_MAX_FRAMES 512	/* source frames, inlined calls included */

struct recorder_symtab;

struct recorder {
	struct profile *profile;
	struct codemap *map;
	int refreshed;		/* the map was read in this round */
	struct recorder_symtab *symtabs;	/* of the native files met, read once each */
	size_t nsymtabs, symtabs_alloc;
	struct unwind_frame calls[RECORDER_MAX_CALLS];
	struct frame frames[RECORDER_MAX_FRAMES];
};

/* Frees what the recorder read (not the profile or the map). */
void recorder_free(struct recorder *r);

/* A new round of samples (a drain of the ring, a tick): the map may be
 * read again once in it, when a stack leads into code it does not know. */
void recorder_round(struct recorder *r);

/* One sample of thread `o` into the profile: the source frames of each
 * JIT address, inlined calls included, and the native frames among and
 * inside them, named from their files' symbols (sin called from a line). */
void recorder_add(struct recorder *r, const struct profile_origin *o,
		  const struct unwind_regs *regs, const struct unwind_stack *stack);

#endif
