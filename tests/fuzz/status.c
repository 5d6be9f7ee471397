/* status.c: jemalloc's version string in a library's bytes (any file a
 * process has mapped as libjemalloc.so). Input: the library's bytes, with no
 * NUL after them. */
#include "fuzz.h"

#include "../../src/status.h"

#include <ctype.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char *buf = malloc(len ? len : 1);
	need(buf != NULL);
	memcpy(buf, data, len);
	for (size_t size = 4; size <= 32; size *= 2) {
		char *out = malloc(size);
		need(out != NULL);
		if (status_scan_version(buf, len, out, size) == 1) {
			/* x.y.z: digits and exactly two dots, and it fit. */
			size_t dots = 0, n = strlen(out);
			need(n > 0 && n < size && strspn(out, "0123456789.") == n);
			for (size_t i = 0; i < n; i++)
				dots += out[i] == '.';
			need(dots == 2 && isdigit((unsigned char)out[0]));
			need(memmem(buf, len, out, n) != NULL);
		}
		free(out);
	}
	free(buf);
	return 0;
}
