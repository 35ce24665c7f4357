/* digest: SHA-256 of files and buffers (OpenSSL libcrypto's EVP API). */
#include "digest.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "util.h"

struct digest {
	EVP_MD_CTX *ctx;
};

struct digest *digest_new(void)
{
	struct digest *d = xmalloc(sizeof(*d));

	/* Only fails on out-of-memory or a crippled libcrypto. */
	d->ctx = EVP_MD_CTX_new();
	if (!d->ctx || !EVP_DigestInit_ex(d->ctx, EVP_sha256(), NULL))
		fatal("cannot initialise sha-256");
	return d;
}

void digest_update(struct digest *d, const void *data, size_t len)
{
	if (len && !EVP_DigestUpdate(d->ctx, data, len))
		fatal("sha-256 update failed");
}

void digest_finish(struct digest *d, char hex[DIGEST_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (!EVP_DigestFinal_ex(d->ctx, md, &n) || n * 2 != DIGEST_HEX_LEN)
		fatal("sha-256 finish failed");
	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 0xf];
	}
	hex[DIGEST_HEX_LEN] = '\0';
	EVP_MD_CTX_free(d->ctx);
	free(d);
}

int digest_file(const char *path, char hex[DIGEST_HEX_LEN + 1])
{
	unsigned char buf[32 * 1024];
	struct digest *d;
	FILE *f;
	size_t n;
	int ret = 0;

	f = fopen(path, "rbe");
	if (!f)
		return error("cannot read %s: %s; check that it exists and is readable",
			     path, strerror(errno));
	d = digest_new();
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		digest_update(d, buf, n);
	if (ferror(f))
		ret = error("cannot read %s: %s; check the disk", path, strerror(errno));
	fclose(f);
	digest_finish(d, hex);
	return ret;
}

int digest_is_valid_hex(const char *s)
{
	size_t i;

	if (!s)
		return 0;
	for (i = 0; i < DIGEST_HEX_LEN; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return s[DIGEST_HEX_LEN] == '\0';
}

int digest_equal(const char *a, const char *b)
{
	size_t i;

	/* Fail closed: a malformed digest never matches anything. */
	if (!digest_is_valid_hex(a) || !digest_is_valid_hex(b))
		return 0;
	for (i = 0; i < DIGEST_HEX_LEN; i++)
		if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
			return 0;
	return 1;
}
