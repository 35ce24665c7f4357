/* Tests for manifest: good manifests parse, bad ones fail naming the line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "manifest.h"
#include "util.h"

#define SHA_A "115ad5c18d69a6be2ab15882d365dda2a2211c14f480b3502c6eba576e2e95a0"
#define SHA_B "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

#define HEAD "nprof-manifest 1\n"
#define BUNDLE(ver, arch) \
	"bundle " ver " " arch "\n" \
	"\turl https://example.org/nprof-gdb-" ver "-" arch ".tar.xz\n" \
	"\tsha256 " SHA_B "\n" \
	"\tsize 1000\n"
#define SOURCE(ver, arch) \
	"source " ver " " arch "\n" \
	"\turl https://ftp.gnu.org/gnu/gdb/gdb-" ver ".tar.xz\n" \
	"\tsha256 " SHA_A "\n" \
	"\tsize 23665472\n"

/* Parses `text` with stderr captured; returns what was printed (caller frees). */
static char *parse_capture(const char *text, struct manifest *m, int *ret)
{
	FILE *tmp = tmpfile();
	int saved = dup(2);
	long n;
	char *out;

	assert_non_null(tmp);
	fflush(stderr);
	dup2(fileno(tmp), 2);
	*ret = manifest_parse(text, "test.manifest", m);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = ftell(tmp);
	out = xcalloc(1, (size_t)n + 1);
	rewind(tmp);
	assert_int_equal(fread(out, 1, (size_t)n, tmp), (size_t)n);
	fclose(tmp);
	return out;
}

static void expect_ok(const char *text, struct manifest *m)
{
	int ret;
	char *err = parse_capture(text, m, &ret);

	assert_string_equal(err, "");
	assert_int_equal(ret, 0);
	free(err);
}

/* The message must be one line that names the file and the line. */
static void expect_error(const char *text, const char *want)
{
	struct manifest m;
	int ret;
	char *err = parse_capture(text, &m, &ret);

	assert_int_equal(ret, -1);
	if (!strstr(err, want))
		fail_msg("expected \"%s\" in \"%s\"", want, err);
	assert_ptr_equal(strchr(err, '\n'), err + strlen(err) - 1);
	assert_int_equal(m.nentries, 0);
	assert_null(m.entries);
	free(err);
}

static void test_bundle(void **state)
{
	struct manifest m;
	const struct manifest_entry *e;

	(void)state;
	expect_ok(HEAD BUNDLE("13.1", "x86_64"), &m);
	assert_int_equal(m.nentries, 1);
	e = &m.entries[0];
	assert_int_equal(e->kind, MANIFEST_BUNDLE);
	assert_string_equal(e->version, "13.1");
	assert_string_equal(e->arch, "x86_64");
	assert_string_equal(e->url, "https://example.org/nprof-gdb-13.1-x86_64.tar.xz");
	assert_string_equal(e->sha256, SHA_B);
	assert_int_equal(e->size, 1000);
	assert_int_equal(e->npatches, 0);
	manifest_release(&m);
	assert_int_equal(m.nentries, 0);
}

static void test_source_with_patches(void **state)
{
	struct manifest m;
	const struct manifest_entry *e;

	(void)state;
	expect_ok(HEAD SOURCE("13.1", "any")
		  "\tpatch 0001-jit-fix.patch\n"
		  "\tpatch 0002-other_fix+1.patch\n", &m);
	assert_int_equal(m.nentries, 1);
	e = &m.entries[0];
	assert_int_equal(e->kind, MANIFEST_SOURCE);
	assert_string_equal(e->arch, "any");
	assert_int_equal(e->size, 23665472);
	assert_int_equal(e->npatches, 2);
	assert_string_equal(e->patches[0], "0001-jit-fix.patch");
	assert_string_equal(e->patches[1], "0002-other_fix+1.patch");
	manifest_release(&m);
}

static void test_comments_blanks_case(void **state)
{
	struct manifest m;

	(void)state;
	expect_ok("# leading comment\n"
		  "\n"
		  "   \t\n"
		  "nprof-manifest   1  \n"
		  "  # an indented comment\n"
		  "bundle 13.1 aarch64\n"
		  "  url   http://127.0.0.1:8080/b.tar.xz  \n"
		  "\n"
		  "  # fields may follow a comment or a blank line\n"
		  "  size 42\n"
		  "  sha256 " "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF" "\n"
		  "source 12.1 x86_64\n"
		  "\turl file:///srv/gdb-12.1.tar.xz\n"
		  "\tsha256 " SHA_A "\n"
		  "\tsize 18446744073709551615", &m);
	assert_int_equal(m.nentries, 2);
	assert_string_equal(m.entries[0].url, "http://127.0.0.1:8080/b.tar.xz");
	/* Digests are stored in lower case, ready to compare. */
	assert_string_equal(m.entries[0].sha256, SHA_B);
	assert_int_equal(m.entries[0].size, 42);
	assert_true(m.entries[1].size == UINT64_MAX);
	manifest_release(&m);
}

static void test_empty_list(void **state)
{
	struct manifest m;

	(void)state;
	expect_ok("# nothing published yet\n" HEAD, &m);
	assert_int_equal(m.nentries, 0);
	assert_null(manifest_pick(&m, "x86_64"));
	manifest_release(&m);
}

static void test_errors_format(void **state)
{
	(void)state;
	expect_error("", "test.manifest:1: no 'nprof-manifest 1' line");
	expect_error("# only a comment\n\n", "test.manifest:2: no 'nprof-manifest 1' line");
	expect_error("\n" BUNDLE("13.1", "x86_64"), "test.manifest:2: expected 'nprof-manifest 1' before anything else");
	expect_error("  nprof-manifest 1\n", "test.manifest:1: expected 'nprof-manifest 1'");
	expect_error("nprof-manifest 2\n", "test.manifest:1: manifest format '2' is not one this nprof reads");
	expect_error(HEAD HEAD, "test.manifest:2: 'nprof-manifest' given twice");
	expect_error(HEAD "bundle 13.1 x86_64\r\n", "test.manifest:2: carriage return");
	expect_error(HEAD "bundle 13.1\x01 x86_64\n", "test.manifest:2: control character 0x01");
}

static void test_errors_entry(void **state)
{
	(void)state;
	expect_error(HEAD "\nbinary 13.1 x86_64\n", "test.manifest:3: unknown entry kind 'binary'");
	expect_error(HEAD "url https://x/y\n", "test.manifest:2: unknown entry kind 'url'");
	expect_error(HEAD "bundle 13.1\n", "test.manifest:2: expected 'bundle VERSION ARCH'");
	expect_error(HEAD "source 13.1 any extra\n", "test.manifest:2: expected 'source VERSION ARCH'");
	expect_error(HEAD "bundle ../13.1 x86_64\n", "test.manifest:2: bad version '../13.1'");
	expect_error(HEAD "bundle 13/1 x86_64\n", "test.manifest:2: bad version '13/1'");
	expect_error(HEAD "bundle 13.1 x86/64\n", "test.manifest:2: bad architecture 'x86/64'");
	expect_error(HEAD "bundle 13.1 any\n", "test.manifest:2: a bundle is built for one architecture");
	expect_error(HEAD BUNDLE("13.1", "x86_64") "\n" SOURCE("13.1", "any") BUNDLE("13.1", "x86_64"),
		     "test.manifest:11: duplicate entry 'bundle 13.1 x86_64' (first at line 2)");
}

static void test_errors_fields(void **state)
{
	(void)state;
	expect_error(HEAD "\turl https://x/y\n", "test.manifest:2: 'url' outside an entry");
	expect_error(HEAD "bundle 13.1 x86_64\n\turl https://x/y\n\tsha1 abc\n",
		     "test.manifest:4: unknown key 'sha1'");
	expect_error(HEAD "bundle 13.1 x86_64\n\turl https://x/y z\n",
		     "test.manifest:3: expected 'url VALUE'");
	expect_error(HEAD "bundle 13.1 x86_64\n\turl\n", "test.manifest:3: expected 'url VALUE'");
	expect_error(HEAD "bundle 13.1 x86_64\n\turl ftp://x/y\n", "test.manifest:3: bad url 'ftp://x/y'");
	expect_error(HEAD "bundle 13.1 x86_64\n\turl https://\n", "test.manifest:3: bad url");
	expect_error(HEAD "bundle 13.1 x86_64\n\turl https://a\n\turl https://b\n",
		     "test.manifest:4: duplicate 'url' in this entry");
	expect_error(HEAD "bundle 13.1 x86_64\n\tsha256 " SHA_A "\n\tsha256 " SHA_A "\n",
		     "test.manifest:4: duplicate 'sha256'");
	expect_error(HEAD "bundle 13.1 x86_64\n\tsize 1\n\tsize 1\n", "test.manifest:4: duplicate 'size'");
	expect_error(HEAD "bundle 13.1 x86_64\n\tpatch a.patch\n",
		     "test.manifest:3: 'patch' belongs in source entries");
	expect_error(HEAD "source 13.1 any\n\tpatch ../a.patch\n", "test.manifest:3: bad patch name '../a.patch'");
	expect_error(HEAD "source 13.1 any\n\tpatch .hidden\n", "test.manifest:3: bad patch name '.hidden'");
}

static void test_errors_values(void **state)
{
	(void)state;
	expect_error(HEAD "bundle 13.1 x86_64\n\tsha256 abc\n", "test.manifest:3: bad sha256 'abc'");
	/* 64 characters, one not hex. */
	expect_error(HEAD "bundle 13.1 x86_64\n\tsha256 g15ad5c18d69a6be2ab15882d365dda2a2211c14f480b3502c6eba576e2e95a0\n",
		     "test.manifest:3: bad sha256");
	expect_error(HEAD "bundle 13.1 x86_64\n\tsha256 " SHA_A "0\n", "test.manifest:3: bad sha256");
	expect_error(HEAD "bundle 13.1 x86_64\n\tsize 12k\n", "test.manifest:3: bad size '12k'");
	expect_error(HEAD "bundle 13.1 x86_64\n\tsize 0\n", "test.manifest:3: bad size '0'");
	expect_error(HEAD "bundle 13.1 x86_64\n\tsize -1\n", "test.manifest:3: bad size '-1'");
	expect_error(HEAD "bundle 13.1 x86_64\n\tsize +1\n", "test.manifest:3: bad size '+1'");
	expect_error(HEAD "bundle 13.1 x86_64\n\tsize 0x10\n", "test.manifest:3: bad size");
	expect_error(HEAD "bundle 13.1 x86_64\n\tsize 18446744073709551616\n", "test.manifest:3: bad size");
}

/* A missing field is reported at the line that starts its entry. */
static void test_errors_missing(void **state)
{
	(void)state;
	expect_error(HEAD "\nbundle 13.1 x86_64\n\turl https://x/y\n\tsize 1\n" SOURCE("13.1", "any"),
		     "test.manifest:3: entry 'bundle 13.1 x86_64' has no sha256");
	expect_error(HEAD SOURCE("13.1", "any") "source 14.1 any\n\tsha256 " SHA_A "\n\tsize 1\n",
		     "test.manifest:6: entry 'source 14.1 any' has no url");
	expect_error(HEAD "bundle 13.1 x86_64\n\turl https://x/y\n\tsha256 " SHA_A "\n",
		     "test.manifest:2: entry 'bundle 13.1 x86_64' has no size");
	expect_error(HEAD "bundle 13.1 x86_64\n", "test.manifest:2: entry 'bundle 13.1 x86_64' has no url");
}

static void test_pick(void **state)
{
	struct manifest m;
	const struct manifest_entry *e;

	(void)state;
	expect_ok(HEAD SOURCE("13.1", "any") BUNDLE("13.1", "aarch64") BUNDLE("13.2", "x86_64")
		  BUNDLE("13.10", "x86_64") BUNDLE("13.9", "x86_64") SOURCE("14.1", "any")
		  SOURCE("14.1", "ppc64le"), &m);
	/* A bundle for the arch wins over any source, the highest version first. */
	e = manifest_pick(&m, "x86_64");
	assert_non_null(e);
	assert_int_equal(e->kind, MANIFEST_BUNDLE);
	assert_string_equal(e->version, "13.10");
	e = manifest_pick(&m, "aarch64");
	assert_int_equal(e->kind, MANIFEST_BUNDLE);
	assert_string_equal(e->version, "13.1");
	/* No bundle: the newest source, the arch's own entry over "any". */
	e = manifest_pick(&m, "riscv64");
	assert_int_equal(e->kind, MANIFEST_SOURCE);
	assert_string_equal(e->version, "14.1");
	assert_string_equal(e->arch, "any");
	e = manifest_pick(&m, "ppc64le");
	assert_string_equal(e->arch, "ppc64le");
	manifest_release(&m);

	expect_ok(HEAD BUNDLE("13.1", "aarch64") SOURCE("13.1", "s390x"), &m);
	assert_null(manifest_pick(&m, "x86_64"));
	manifest_release(&m);
}

/* The manifest nprof ships must parse and offer the pinned gdb 13.1 source. */
static void test_shipped(void **state)
{
	const char *srcdir = getenv("srcdir");
	char *path = xasprintf("%s/../share/gdb.manifest", srcdir ? srcdir : "tests");
	struct manifest m;
	const struct manifest_entry *e;

	(void)state;
	assert_int_equal(manifest_load(path, &m), 0);
	e = manifest_pick(&m, "no-such-arch");
	assert_non_null(e);
	assert_int_equal(e->kind, MANIFEST_SOURCE);
	assert_string_equal(e->version, "13.1");
	assert_string_equal(e->url, "https://ftp.gnu.org/gnu/gdb/gdb-13.1.tar.xz");
	assert_string_equal(e->sha256, SHA_A);
	assert_int_equal(e->size, 23665472);
	manifest_release(&m);
	free(path);
}

static void test_load_errors(void **state)
{
	char dir[] = "/tmp/test-manifest-XXXXXX";
	char *path;
	struct manifest m;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/nul.manifest", dir);
	assert_int_equal(manifest_load(path, &m), -1);
	f = fopen(path, "w");
	assert_non_null(f);
	fwrite(HEAD "\0bundle", 1, sizeof(HEAD "\0bundle") - 1, f);
	fclose(f);
	assert_int_equal(manifest_load(path, &m), -1);
	f = fopen(path, "w");
	fputs(HEAD "\n" BUNDLE("13.1", "x86_64"), f);
	fclose(f);
	assert_int_equal(manifest_load(path, &m), 0);
	assert_int_equal(m.nentries, 1);
	manifest_release(&m);
	unlink(path);
	rmdir(dir);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bundle),
		cmocka_unit_test(test_source_with_patches),
		cmocka_unit_test(test_comments_blanks_case),
		cmocka_unit_test(test_empty_list),
		cmocka_unit_test(test_errors_format),
		cmocka_unit_test(test_errors_entry),
		cmocka_unit_test(test_errors_fields),
		cmocka_unit_test(test_errors_values),
		cmocka_unit_test(test_errors_missing),
		cmocka_unit_test(test_pick),
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_load_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
