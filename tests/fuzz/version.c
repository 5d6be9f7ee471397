/* version.c: JEMALLOC_VERSION requests and picking among a suite's versions.
 * Input: the request on the first line, candidate versions on the rest. */
#include "fuzz.h"

#include "../../src/version.h"

#include <ctype.h>

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

/* Does VERSION carry jemalloc version WANT, by the rule version.h states? */
static int matches(const char *version, const char *want)
{
	size_t n = strlen(want);
	return n == 0 || (strncmp(version, want, n) == 0 && strchr(".-", version[n]) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char *text = fuzz_str(data, len), *v[64];
	size_t n = 0;
	char *want = text, *nl = strchr(text, '\n');
	if (nl) {
		*nl = '\0';
		for (char *p = nl + 1; p && n < 64;) {
			v[n++] = p;
			if ((p = strchr(p, '\n')))
				*p++ = '\0';
		}
	}
	int ok = version_request_ok(want);
	if (ok && *want) {
		/* Digits and at most two dots, no leading, trailing or double dot. */
		need(isdigit((unsigned char)want[0]) && isdigit((unsigned char)want[strlen(want) - 1]));
		need(strspn(want, "0123456789.") == strlen(want) && !strstr(want, ".."));
	}
	need(!version_request_exact(want) || ok);
	for (size_t i = 0; i < n; i++) {
		need(version_cmp(v[i], v[i]) == 0);
		for (size_t j = 0; j < n && j < 8; j++)
			need(sign(version_cmp(v[i], v[j])) == -sign(version_cmp(v[j], v[i])));
	}
	const char *best = version_pick((const char *const *)v, n, want);
	size_t hits = 0;
	for (size_t i = 0; i < n; i++) {
		if (!matches(v[i], want))
			continue;
		hits++;
		need(best != NULL && version_cmp(v[i], best) <= 0);
		if (v[i] == best)
			hits += 1000;
	}
	need(best ? hits >= 1000 : hits == 0); /* one of the candidates, and one that matches */
	free(text);
	return 0;
}
