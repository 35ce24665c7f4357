/* Tests for strmap: strings to indexes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"

static void test_empty(void **state)
{
	struct strmap m = STRMAP_INIT;
	size_t v = 7;

	(void)state;
	assert_int_equal(strmap_get(&m, "a", &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(strmap_bytes(&m), 0);
	strmap_release(&m);
	strmap_release(&m);
}

static void test_put_get(void **state)
{
	struct strmap m = STRMAP_INIT;
	char key[16];
	size_t v = 0;

	(void)state;
	strmap_put(&m, "", 1);
	strmap_put(&m, "a", 2);
	assert_int_equal(strmap_get(&m, "", &v), 1);
	assert_int_equal(v, 1);
	assert_int_equal(strmap_get(&m, "a", &v), 1);
	assert_int_equal(v, 2);
	assert_int_equal(strmap_get(&m, "b", &v), 0);
	assert_int_equal(strmap_get(&m, "aa", &v), 0);
	/* The key is copied: changing the caller's buffer changes nothing. */
	strcpy(key, "mine");
	strmap_put(&m, key, 3);
	key[0] = 'x';
	assert_int_equal(strmap_get(&m, "mine", &v), 1);
	assert_int_equal(v, 3);
	assert_int_equal(strmap_get(&m, key, &v), 0);
	/* Putting again replaces the value and keeps one key. */
	strmap_put(&m, "a", 20);
	assert_int_equal(m.n, 3);
	assert_int_equal(strmap_get(&m, "a", &v), 1);
	assert_int_equal(v, 20);
	strmap_release(&m);
	assert_int_equal(strmap_get(&m, "a", &v), 0);
	strmap_put(&m, "again", 5);
	assert_int_equal(strmap_get(&m, "again", &v), 1);
	assert_int_equal(v, 5);
	strmap_release(&m);
}

/* Many keys, through several growths: each keeps its value, none is lost
 * or taken for another, and the table stays under half full. */
static void test_many(void **state)
{
	struct strmap m = STRMAP_INIT;
	char key[32];
	size_t v;

	(void)state;
	for (size_t i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "/path/file%zu.py", i);
		strmap_put(&m, key, i * 3);
	}
	assert_int_equal(m.n, 5000);
	assert_true(2 * m.n <= m.nslots);
	for (size_t i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "/path/file%zu.py", i);
		assert_int_equal(strmap_get(&m, key, &v), 1);
		assert_int_equal(v, i * 3);
		snprintf(key, sizeof(key), "/path/file%zu.pyc", i);
		assert_int_equal(strmap_get(&m, key, &v), 0);
	}
	assert_true(strmap_bytes(&m) > m.nslots * sizeof(*m.slots));
	strmap_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_put_get),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
