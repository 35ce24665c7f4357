/* test-digest: SHA-256 against published vectors, files, hex checks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "digest.h"

#define SHA_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/* FIPS 180-2's two-block message. */
#define MSG_448 "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
#define SHA_448 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
/* One million 'a's. */
#define SHA_MILLION_A "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"

static void hash_buf(const char *s, size_t len, char hex[DIGEST_HEX_LEN + 1])
{
	struct digest *d = digest_new();

	digest_update(d, s, len);
	digest_finish(d, hex);
}

static void test_vectors(void **state)
{
	char hex[DIGEST_HEX_LEN + 1];

	hash_buf("", 0, hex);
	assert_string_equal(hex, SHA_EMPTY);
	hash_buf("abc", 3, hex);
	assert_string_equal(hex, SHA_ABC);
	hash_buf(MSG_448, strlen(MSG_448), hex);
	assert_string_equal(hex, SHA_448);
}

static void test_incremental(void **state)
{
	char hex[DIGEST_HEX_LEN + 1], chunk[1001];
	struct digest *d = digest_new();
	int i;

	/* Uneven pieces must hash like one buffer. */
	memset(chunk, 'a', sizeof(chunk));
	for (i = 0; i < 1000; i++)
		digest_update(d, chunk, i % 2 ? 999 : 1001);
	digest_update(d, NULL, 0);
	digest_finish(d, hex);
	assert_string_equal(hex, SHA_MILLION_A);
}

static void test_file(void **state)
{
	char path[] = "/tmp/test-digest-XXXXXX";
	char hex[DIGEST_HEX_LEN + 1];
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(digest_file(path, hex), 0);
	assert_string_equal(hex, SHA_EMPTY);
	assert_int_equal(write(fd, "abc", 3), 3);
	close(fd);
	assert_int_equal(digest_file(path, hex), 0);
	assert_string_equal(hex, SHA_ABC);
	unlink(path);
}

static void test_file_missing(void **state)
{
	char hex[DIGEST_HEX_LEN + 1];

	assert_int_equal(digest_file("/nonexistent/test-digest", hex), -1);
}

static void test_valid_hex(void **state)
{
	assert_true(digest_is_valid_hex(SHA_ABC));
	assert_true(digest_is_valid_hex("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"));
	assert_true(digest_is_valid_hex("Ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015aD"));
	assert_false(digest_is_valid_hex(NULL));
	assert_false(digest_is_valid_hex(""));
	/* 63 and 65 digits */
	assert_false(digest_is_valid_hex("a7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	assert_false(digest_is_valid_hex(SHA_ABC "0"));
	assert_false(digest_is_valid_hex("ga7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	assert_false(digest_is_valid_hex(" a7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	assert_false(digest_is_valid_hex("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f2"));
}

static void test_equal(void **state)
{
	assert_true(digest_equal(SHA_ABC, SHA_ABC));
	assert_true(digest_equal(SHA_ABC,
				 "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"));
	assert_false(digest_equal(SHA_ABC, SHA_EMPTY));
	assert_false(digest_equal(SHA_ABC,
				  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ae"));
	/* Malformed digests never match, not even themselves. */
	assert_false(digest_equal("abc", "abc"));
	assert_false(digest_equal(SHA_ABC "0", SHA_ABC "0"));
	assert_false(digest_equal(NULL, SHA_ABC));
	assert_false(digest_equal(SHA_ABC, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_incremental),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_file_missing),
		cmocka_unit_test(test_valid_hex),
		cmocka_unit_test(test_equal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
