/* apt.c: apt-cache madison's output, as a repository's index makes it.
 * Input: the whole output. */
#include "fuzz.h"

#include "../../src/apt.h"
#include "../../src/version.h"

#include <ctype.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char *text = fuzz_str(data, len), **v;
	int n;
	need(apt_parse_versions(text, &v, &n) == 0);
	need(n >= 0 && (n == 0 || v != NULL));
	for (int i = 0; i < n; i++) {
		/* Only a version apt could have: it reaches apt's argv and file names. */
		need(isdigit((unsigned char)v[i][0]) && strlen(v[i]) < 64);
		need(strspn(v[i], "0123456789.-~+abcdefghijklmnopqrstuvwxyz") == strlen(v[i]));
	}
	const char *best = version_pick((const char *const *)v, (size_t)n, "");
	need(n == 0 || best != NULL);
	apt_versions_free(v, n);
	free(text);
	return 0;
}
