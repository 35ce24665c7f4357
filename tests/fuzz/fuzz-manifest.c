/* libFuzzer harness for the manifest parser (src/manifest.c): the input is
 * a manifest `nprof setup` might download.  It must parse or be refused
 * (-1 after one "FILE:LINE:" message), never crash, leak or overflow; a
 * manifest that parses has whole entries, and picking one for an
 * architecture returns one of them.  Built and run by tests/fuzz/run (from
 * .ci/run); seeded with share/gdb.manifest and tests/fuzz/seeds/manifest. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_pick(const struct manifest *m, const char *arch)
{
	const struct manifest_entry *e = manifest_pick(m, arch);

	if (e && (e < m->entries || e >= m->entries + m->nentries))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	struct manifest m;
	int i;

	memset(&m, 0, sizeof(m));
	if (manifest_parse(text, "fuzz.manifest", &m) == 0) {
		for (i = 0; i < m.nentries; i++) {
			const struct manifest_entry *e = &m.entries[i];

			if (!e->version || !e->arch || !e->url || !e->sha256 ||
			    (e->npatches && !e->patches))
				abort();
		}
		check_pick(&m, "x86_64");
		check_pick(&m, "aarch64");
		manifest_release(&m);
	}
	free(text);
	return 0;
}
