/* catalog.c: the buildpack's versions.txt. Input: the whole file. */
#include "fuzz.h"

#include "../../src/catalog.h"
#include "../../src/sha256.h"
#include "../../src/version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct catalog c;
	fuzz_put("versions.txt", data, len);
	if (catalog_load(fuzz_dir(), &c) < 0) {
		need(c.r == NULL && c.n == 0);
		return 0;
	}
	for (size_t i = 0; i < c.n; i++) {
		/* A release is a whole version, a plain file name and a pin: the
		 * source fallback puts the first two in a URL and a path. */
		need(version_request_exact(c.r[i].version));
		need(c.r[i].file[0] && !strchr(c.r[i].file, '/'));
		need(sha256_hex_ok(c.r[i].sha256));
	}
	const char *wants[] = {"", "5", "5.3", "5.3.0", "3.6.0"};
	for (size_t i = 0; i < sizeof wants / sizeof *wants; i++) {
		const struct release *r = catalog_pick(&c, wants[i]);
		need(!r || (r >= c.r && r < c.r + c.n));
	}
	catalog_free(&c);
	return 0;
}
