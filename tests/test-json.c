/* Tests of json.c: the reader against RFC 8259's corners, the writers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

static int parse(const char *text, struct json *v)
{
	char err[128];

	return json_parse(text, strlen(text), v, err, sizeof(err));
}

static void test_values(void **state)
{
	struct json v;
	const struct json *a;

	assert_int_equal(parse(" {\"a\": [1, -2.5e1, true, false, null, \"x\"], \"b\": {}} ", &v), 0);
	a = json_get(&v, "a");
	assert_non_null(a);
	assert_int_equal(a->kind, JSON_ARRAY);
	assert_int_equal(a->u.array.n, 6);
	assert_true(json_is_int(&a->u.array.items[0], 0, 10));
	assert_true(a->u.array.items[1].u.number == -25.0);
	assert_false(json_is_int(&a->u.array.items[1], 0, 10));
	assert_int_equal(a->u.array.items[2].u.boolean, 1);
	assert_int_equal(a->u.array.items[4].kind, JSON_NULL);
	assert_string_equal(a->u.array.items[5].u.string.s, "x");
	assert_int_equal(json_get(&v, "b")->kind, JSON_OBJECT);
	assert_null(json_get(&v, "c"));
	assert_string_equal(json_get_string(&v, "c", "def"), "def");
	json_release(&v);
}

static void test_strings(void **state)
{
	struct json v;

	assert_int_equal(parse("\"a\\\"\\\\\\/\\n\\u00e9\\ud83d\\ude00\\u0000z\"", &v), 0);
	assert_int_equal(v.u.string.len, 1 + 1 + 1 + 1 + 1 + 2 + 4 + 1 + 1);
	assert_memory_equal(v.u.string.s, "a\"\\/\n\xc3\xa9\xf0\x9f\x98\x80\0z", v.u.string.len);
	json_release(&v);
	/* A lone surrogate is not a character: U+FFFD. */
	assert_int_equal(parse("\"\\ud800x\"", &v), 0);
	assert_string_equal(v.u.string.s, "\xef\xbf\xbdx");
	json_release(&v);
}

static void test_errors(void **state)
{
	static const char *const bad[] = {
		"", "{", "[1,]", "{\"a\" 1}", "01", "1.", "-", "tru", "\"\\x\"", "\"a\nb\"",
		"[1] 2", "{\"a\": [}", "\"unterminated", "nul",
	};
	char err[128];
	struct json v;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(json_parse(bad[i], strlen(bad[i]), &v, err, sizeof(err)), -1);
		assert_true(strncmp(err, "line ", 5) == 0);
	}
	assert_int_equal(json_parse("[\n\n!", 4, &v, err, sizeof(err)), -1);
	assert_string_equal(err, "line 3: unexpected character");
}

static void test_deep_nesting_is_refused(void **state)
{
	char text[1001];
	struct json v;

	memset(text, '[', 1000);
	text[1000] = '\0';
	assert_int_equal(parse(text, &v), -1);
}

static void test_write_string(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	json_write_string(f, "a\"\\\n\x01</script>\xff\xc3\xa9");
	fputc(' ', f);
	json_write_number(f, 3.0);
	fputc(' ', f);
	json_write_number(f, 0.1);
	fclose(f);
	assert_string_equal(buf, "\"a\\\"\\\\\\n\\u0001<\\/script>\\ufffd\xc3\xa9\" 3 0.1");
	free(buf);
}

static void test_write_reads_back(void **state)
{
	const char *s = "x\t\"y\"\\ \xe2\x82\xac </ \x7f";
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json v;

	json_write_string(f, s);
	fclose(f);
	assert_int_equal(parse(buf, &v), 0);
	assert_string_equal(v.u.string.s, s);
	json_release(&v);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_deep_nesting_is_refused),
		cmocka_unit_test(test_write_string),
		cmocka_unit_test(test_write_reads_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
