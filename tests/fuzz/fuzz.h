/* What every harness shares: a private scratch directory made once per
 * process, whole-file writes into it, and need(), which turns a broken
 * promise of a header into a crash libFuzzer reports and keeps. */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define need(cond)                                                                              \
	do {                                                                                    \
		if (!(cond)) {                                                                  \
			fprintf(stderr, "%s:%d: promise broken: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                                \
		}                                                                               \
	} while (0)

/* The scratch directory (removed at exit). */
const char *fuzz_dir(void);

/* DIR/NAME holds exactly the LEN bytes of DATA. */
void fuzz_put(const char *name, const uint8_t *data, size_t len);

/* DATA as a malloc'd string of exactly LEN+1 bytes (NUL-terminated, so a
 * read past the end is a read past the allocation, which ASan reports). */
char *fuzz_str(const uint8_t *data, size_t len);

/* 1 when S (LEN bytes) is well-formed UTF-8 (RFC 3629: no overlong forms,
 * no surrogates, nothing past U+10FFFF): written here apart from toml.c. */
int fuzz_utf8_ok(const unsigned char *s, size_t len);

#endif
