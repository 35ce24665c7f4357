/* report-collapsed: one line per distinct stack, "root;...;leaf COUNT",
 * all threads together: what flamegraph.pl, inferno and speedscope read.
 * A frame name holds no ';' and no line break (each becomes ' '), and
 * samples with no frame to show count under "[unreadable]" or
 * "[no code nprof could name]", so the counts add up to all samples. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "util.h"

static void collapsed_frame(struct strbuf *sb, const struct profile_frame *f);
static void collapsed_stack(FILE *out, const struct profile *p, uint32_t stack,
			    struct strbuf *sb, uint32_t **path, size_t *alloc);

static void collapsed_frame(struct strbuf *sb, const struct profile_frame *f)
{
	char *label = report_frame_label(f);

	for (char *q = label; *q; q++)
		if (*q == ';' || *q == '\n' || *q == '\r')
			*q = ' ';
	strbuf_addstr(sb, label);
	free(label);
}

static void collapsed_stack(FILE *out, const struct profile *p, uint32_t stack,
			    struct strbuf *sb, uint32_t **path, size_t *alloc)
{
	size_t n = 0;

	for (uint32_t s = stack; s != PROFILE_STACK_EMPTY; s = p->stacks[s].parent) {
		*path = xgrow(*path, alloc, n + 1, sizeof(**path));
		(*path)[n++] = s;
	}
	strbuf_reset(sb);
	while (n-- > 0) {
		collapsed_frame(sb, &p->frames[p->stacks[(*path)[n]].frame]);
		if (n)
			strbuf_addch(sb, ';');
	}
	fprintf(out, "%s %lu\n", strbuf_str(sb), p->stacks[stack].count);
}

int report_collapsed(FILE *out, struct profile *p, const struct report_options *opt)
{
	struct strbuf sb = STRBUF_INIT;
	uint32_t *path = NULL;
	size_t alloc = 0;

	if (p->stacks[PROFILE_STACK_EMPTY].count)
		fprintf(out, "[no code nprof could name] %lu\n", p->stacks[PROFILE_STACK_EMPTY].count);
	if (p->bad)
		fprintf(out, "[unreadable] %lu\n", p->bad);
	for (uint32_t s = 1; s < p->nstacks; s++)
		if (p->stacks[s].count)
			collapsed_stack(out, p, s, &sb, &path, &alloc);
	strbuf_release(&sb);
	free(path);
	if (fflush(out) != 0 || ferror(out))
		return -1;
	return 0;
}
