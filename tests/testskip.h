/* Skips that Automake sees: a test that cannot check anything here calls
 * test_skip(why, ...) instead of cmocka's skip(), and main returns
 * test_exit(failed) so that a program with a skipped test and no failure
 * exits 77, which Automake reports as SKIP rather than PASS.  Include after
 * <cmocka.h>. */
#ifndef NPROF_TESTSKIP_H
#define NPROF_TESTSKIP_H

static int test_skipped;

#define test_skip(...)                                \
	do {                                          \
		print_message("skipped: " __VA_ARGS__); \
		test_skipped++;                       \
		skip();                               \
	} while (0)

static inline int test_exit(int failed)
{
	return failed ? 1 : test_skipped ? 77 : 0;
}

#endif
