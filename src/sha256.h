/* SHA-256 (FIPS 180-4), for the checks that must not depend on a file name
 * or another program: a cached package against the hash its signed index
 * gave, a source tarball against versions.txt, and cache keys. */
#ifndef SHA256_H
#define SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t len;
	unsigned char block[64];
	size_t used;
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t len);
/* Writes 64 lowercase hex digits and a NUL into HEX. */
void sha256_hex(struct sha256 *c, char hex[65]);

/* The hex SHA-256 of a whole regular file (not followed through a symlink);
 * 0, or -1 with errno. */
int sha256_file(const char *path, char hex[65]);

/* The hex SHA-256 of a string. */
void sha256_str(const char *s, char hex[65]);

/* 1 when S is exactly 64 hex digits. */
int sha256_hex_ok(const char *s);

#endif
