/* settings.c: the buildpack's repository.conf and the URL rules. Input: the
 * whole repository.conf; also checked by itself as a URL. The env dir holds
 * a valid JEMALLOC_APT_KEY and JEMALLOC_VERSION, so the checks after the
 * defaults run too. */
#include "fuzz.h"

#include "../../src/sb.h"
#include "../../src/settings.h"
#include "../../src/version.h"

#include <sys/stat.h>

static const char key[] = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZ\n-----END PGP PUBLIC KEY BLOCK-----\n";

static const char *dirs(char *env, char *bp, size_t size)
{
	static int made;
	snprintf(env, size, "%s/env", fuzz_dir());
	snprintf(bp, size, "%s/bp", fuzz_dir());
	if (!made) {
		need(mkdir(env, 0700) == 0 && mkdir(bp, 0700) == 0);
		fuzz_put("bp/k.asc", (const uint8_t *)key, sizeof key - 1);
		fuzz_put("env/JEMALLOC_VERSION", (const uint8_t *)"5.3\n", 4);
		made = 1;
	}
	return env;
}

/* Only the bytes url_ok promises: printable ASCII, none of apt's specials. */
static void url_promise(const char *url)
{
	for (const unsigned char *p = (const unsigned char *)url; *p; p++)
		need(*p > ' ' && *p < 0x7f && !strchr("%\"'[]\\", *p));
	need(strlen(url) < 1024);
	need(!strncmp(url, "https://", 8) || !strncmp(url, "http://", 7) || !strncmp(url, "file:/", 6));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char env[600], bp[600];
	struct settings s;
	struct sb shown = SB_INIT;
	dirs(env, bp, sizeof env);
	fuzz_put("bp/repository.conf", data, len);
	if (settings_read(env, bp, &s) == 0) {
		need(s.version && version_request_ok(s.version));
		need(!s.apt_url == !s.apt_key);
		if (s.apt_url)
			url_promise(s.apt_url);
		need(s.source_url != NULL);
		url_promise(s.source_url);
		settings_free(&s);
	}
	char *text = fuzz_str(data, len);
	if (url_ok(text, 1))
		url_promise(text);
	/* Credentials never reach the log: everything before the last '@' of
	 * the authority (apt takes the last one as the end of user:password). */
	url_display(text, &shown);
	const char *scheme = strstr(text, "://"), *host = scheme ? scheme + 3 : text, *at = NULL;
	for (const char *p = host; *p && *p != '/'; p++)
		if (*p == '@')
			at = p;
	if (at) {
		size_t head = (size_t)(host - text);
		need(shown.len == head + 4 + strlen(at + 1) && memcmp(sb_str(&shown), text, head) == 0 &&
		     memcmp(sb_str(&shown) + head, "***@", 4) == 0 && strcmp(sb_str(&shown) + head + 4, at + 1) == 0);
	} else {
		need(strcmp(sb_str(&shown), text) == 0);
	}
	sb_release(&shown);
	free(text);
	return 0;
}
