/* Tests for strbuf: the growable, always NUL-terminated buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

static void test_empty(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	assert_null(sb.buf);
	assert_string_equal(strbuf_str(&sb), "");
	strbuf_reset(&sb);
	strbuf_remove_front(&sb, 3);
	assert_int_equal(sb.len, 0);
	assert_null(sb.buf);
	strbuf_release(&sb);
}

static void test_add(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_add(&sb, "ab\0cd", 5);
	assert_int_equal(sb.len, 5);
	assert_memory_equal(sb.buf, "ab\0cd", 6);	/* and the NUL after */
	strbuf_addstr(&sb, "ef");
	strbuf_addch(&sb, 'g');
	strbuf_addch(&sb, '\0');
	assert_int_equal(sb.len, 9);
	assert_memory_equal(sb.buf, "ab\0cdefg\0", 10);
	assert_true(sb.alloc > sb.len);
	strbuf_add(&sb, "x", 0);
	assert_int_equal(sb.len, 9);
	strbuf_release(&sb);
	assert_null(sb.buf);
	assert_int_equal(sb.len, 0);
	assert_int_equal(sb.alloc, 0);
}

static void test_addf_growth(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char want[16];
	size_t i, off = 0;

	for (i = 0; i < 5000; i++)
		strbuf_addf(&sb, "%zu,", i);
	assert_true(sb.alloc > sb.len);
	assert_int_equal(strlen(sb.buf), sb.len);
	/* Every piece is where it belongs after many reallocations. */
	for (i = 0; i < 5000; i++) {
		size_t n = (size_t)snprintf(want, sizeof(want), "%zu,", i);

		assert_memory_equal(sb.buf + off, want, n);
		off += n;
	}
	assert_int_equal(off, sb.len);
	strbuf_reset(&sb);

	/* One format bigger than the whole buffer at once. */
	strbuf_addf(&sb, "<%*s>", 100000, "x");
	assert_int_equal(sb.len, 100002);
	assert_int_equal(sb.buf[0], '<');
	assert_int_equal(sb.buf[100000], 'x');
	assert_int_equal(sb.buf[100001], '>');
	assert_int_equal(sb.buf[100002], '\0');
	strbuf_release(&sb);
}

static void test_remove_front(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, "hello world");
	strbuf_remove_front(&sb, 0);
	assert_string_equal(sb.buf, "hello world");
	strbuf_remove_front(&sb, 6);
	assert_string_equal(sb.buf, "world");
	assert_int_equal(sb.len, 5);
	strbuf_remove_front(&sb, 5);
	assert_int_equal(sb.len, 0);
	assert_string_equal(strbuf_str(&sb), "");
	strbuf_addstr(&sb, "abc");
	strbuf_remove_front(&sb, 99);
	assert_int_equal(sb.len, 0);
	assert_string_equal(strbuf_str(&sb), "");
	strbuf_release(&sb);
}

static void test_detach(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char *s;

	strbuf_addstr(&sb, "kept");
	s = strbuf_detach(&sb);
	assert_string_equal(s, "kept");
	assert_null(sb.buf);
	assert_int_equal(sb.len, 0);
	assert_int_equal(sb.alloc, 0);
	/* The buffer is reusable and independent of what was detached. */
	strbuf_addstr(&sb, "new");
	assert_string_equal(s, "kept");
	assert_string_equal(sb.buf, "new");
	free(s);
	strbuf_release(&sb);

	/* Detaching nothing still gives a string to free. */
	s = strbuf_detach(&sb);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
}

static void test_reset(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	size_t alloc;

	strbuf_addstr(&sb, "some text");
	alloc = sb.alloc;
	strbuf_reset(&sb);
	assert_int_equal(sb.len, 0);
	assert_non_null(sb.buf);
	assert_string_equal(sb.buf, "");
	assert_int_equal(sb.alloc, alloc);	/* keeps its memory */
	strbuf_addstr(&sb, "again");
	assert_string_equal(strbuf_str(&sb), "again");
	strbuf_release(&sb);
}

static void test_grow(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char *before;

	strbuf_grow(&sb, 1000);
	assert_true(sb.alloc >= 1001);
	assert_int_equal(sb.len, 0);
	assert_string_equal(sb.buf, "");
	before = sb.buf;
	strbuf_add(&sb, "0123456789", 10);
	assert_ptr_equal(sb.buf, before);	/* no reallocation needed */
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_addf_growth),
		cmocka_unit_test(test_remove_front),
		cmocka_unit_test(test_detach),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_grow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
