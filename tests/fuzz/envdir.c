/* envdir.c: one config var file, as the platform writes it (or as anyone
 * with a say in the env dir does). Input: the file's bytes. */
#include "fuzz.h"

#include "../../src/envdir.h"

#include <errno.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char *v = (char *)"unset";
	fuzz_put("JEMALLOC_VERSION", data, len);
	int r = envdir_get(fuzz_dir(), "JEMALLOC_VERSION", &v);
	if (len > ENVDIR_VALUE_MAX) {
		need(r == -1 && errno == EFBIG && v == NULL);
	} else if (memchr(data, '\0', len)) {
		need(r == -1 && errno == EILSEQ && v == NULL);
	} else {
		/* The bytes as they are, one trailing newline trimmed. */
		size_t want = len > 0 && data[len - 1] == '\n' ? len - 1 : len;
		need(r == 1 && v != NULL && strlen(v) == want && memcmp(v, data, want) == 0);
	}
	free(v);
	/* A name that is no plain name never opens anything. */
	const char *bad[] = {"", ".", "..", "../JEMALLOC_VERSION", ".JEMALLOC", "A=B", "a/b"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		need(envdir_get(fuzz_dir(), bad[i], &v) == -1 && errno == EINVAL && v == NULL);
	}
	return 0;
}
