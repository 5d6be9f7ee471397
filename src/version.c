#include "version.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int version_request_ok(const char *want)
{
	int parts = 1, digits = 0;
	if (*want == '\0')
		return 1;
	if (strlen(want) > VERSION_REQUEST_MAX)
		return 0;
	for (const char *p = want; *p; p++) {
		if (isdigit((unsigned char)*p)) {
			digits++;
		} else if (*p == '.' && digits > 0 && parts < 3) {
			parts++;
			digits = 0;
		} else {
			return 0;
		}
	}
	return digits > 0;
}

int version_request_exact(const char *want)
{
	int dots = 0;
	for (const char *p = want; *p; p++)
		dots += *p == '.';
	return version_request_ok(want) && *want && dots == 2;
}

/* Compares runs of digits numerically and everything else bytewise, with '~'
 * before anything (as dpkg does), which is all these versions contain. */
int version_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			unsigned long x = strtoul(a, (char **)&a, 10);
			unsigned long y = strtoul(b, (char **)&b, 10);
			if (x != y)
				return x < y ? -1 : 1;
			continue;
		}
		if (*a == *b) {
			a++, b++;
			continue;
		}
		if (*a == '~')
			return -1;
		if (*b == '~')
			return 1;
		if (!*a)
			return -1;
		if (!*b)
			return 1;
		return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
	}
	return 0;
}

/* "5.3.1-1~heroku24" (a package) or "5.3.1" (a release) matches "5.3" and
 * "5.3.1", not "5.30" or "5.3.10". */
static int matches(const char *version, const char *want)
{
	size_t n = strlen(want);
	if (n == 0)
		return 1;
	if (strncmp(version, want, n) != 0)
		return 0;
	return version[n] == '.' || version[n] == '-' || version[n] == '\0';
}

const char *version_pick(const char *const *versions, size_t n, const char *want)
{
	const char *best = NULL;
	for (size_t i = 0; i < n; i++) {
		if (!matches(versions[i], want))
			continue;
		if (!best || version_cmp(versions[i], best) > 0)
			best = versions[i];
	}
	return best;
}
