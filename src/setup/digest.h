/* digest: SHA-256 of files and buffers (OpenSSL libcrypto's EVP API). */
#ifndef NPROF_DIGEST_H
#define NPROF_DIGEST_H

#include <stddef.h>

#define DIGEST_HEX_LEN 64

/* Incremental hashing, for the download's write callback. */
struct digest;
struct digest *digest_new(void);
void digest_update(struct digest *d, const void *data, size_t len);
/* Writes 64 lowercase hex digits and a NUL into hex; frees d. */
void digest_finish(struct digest *d, char hex[DIGEST_HEX_LEN + 1]);

/* Hashes a whole file; 0, or -1 after printing an error naming it. */
int digest_file(const char *path, char hex[DIGEST_HEX_LEN + 1]);
/* Is s exactly 64 hex digits (either case)? */
int digest_is_valid_hex(const char *s);
/* Case-insensitive comparison of two hex digests; 1 when equal. */
int digest_equal(const char *a, const char *b);

#endif
