#include "settings.h"

#include "envdir.h"
#include "fsx.h"
#include "log.h"
#include "sb.h"
#include "sha256.h"
#include "version.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const struct setting_info setting_table[SETTING_COUNT] = {
#define SETTING(name, when, dflt, accepts, help) {#name, SETTING_##when, dflt, accepts, help},
#include "settings-table.h"
#undef SETTING
};

int url_ok(const char *url, int allow_file)
{
	if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0 &&
	    !(allow_file && strncmp(url, "file:/", 6) == 0))
		return 0;
	for (const unsigned char *p = (const unsigned char *)url; *p; p++)
		if (*p <= ' ' || *p >= 0x7f || strchr("[]\"'%\\<>`{}|^", *p))
			return 0;
	return strlen(url) < 1024;
}

void url_display(const char *url, struct sb *out)
{
	const char *scheme = strstr(url, "://");
	const char *host = scheme ? scheme + 3 : url;
	const char *at = NULL;
	/* Up to the last '@' before the path, which apt takes as the end of
	 * user:password: with the first, "https://u:p@ss@host" showed "ss"
	 * (found by tests/fuzz/settings). */
	for (const char *p = host; *p && *p != '/'; p++)
		if (*p == '@')
			at = p;
	sb_reset(out);
	if (at) {
		sb_add(out, url, (size_t)(host - url));
		sb_adds(out, "***@");
		sb_adds(out, at + 1);
	} else {
		sb_adds(out, url);
	}
}

/* NAME from the env dir; 0 with *V NULL when unset. */
static int get(const char *env_dir, const char *name, char **v)
{
	if (envdir_get(env_dir, name, v) >= 0)
		return 0;
	log_error("Cannot read %s from the app's config (%s/%s): %s.", name, env_dir, name,
		  errno == EFBIG	 ? "value too long"
		  : errno == EILSEQ ? "value holds a NUL byte"
		  : errno == EINVAL ? "not a regular file"
				    : strerror(errno));
	return -1;
}

/* url=, key= (a file in the buildpack) and source_url= from repository.conf. */
static void conf_defaults(const char *bp_dir, struct settings *s)
{
	struct sb path = SB_INIT;
	char *buf = NULL;
	sb_setf(&path, "%s/repository.conf", bp_dir);
	if (fsx_read(sb_str(&path), &buf, FSX_TEXT_MAX) < 0) {
		sb_release(&path);
		return;
	}
	/* The repository's URL and key come as a pair: the app's, or these. */
	int repo = !s->apt_url && !s->apt_key;
	for (char *save = NULL, *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (repo && !s->apt_url && strncmp(l, "url=", 4) == 0 && l[4])
			s->apt_url = xstrdup(l + 4);
		if (!s->source_url && strncmp(l, "source_url=", 11) == 0 && l[11])
			s->source_url = xstrdup(l + 11);
		if (repo && !s->apt_key && strncmp(l, "key=", 4) == 0 && l[4] && !strstr(l + 4, "..")) {
			sb_setf(&path, "%s/%s", bp_dir, l + 4);
			fsx_read(sb_str(&path), &s->apt_key, ENVDIR_VALUE_MAX);
		}
	}
	sb_release(&path);
	free(buf);
}

static int source_mode(const char *v, enum source_mode *m)
{
	if (!v || strcmp(v, "auto") == 0)
		*m = SOURCE_AUTO;
	else if (strcmp(v, "always") == 0)
		*m = SOURCE_ALWAYS;
	else if (strcmp(v, "never") == 0)
		*m = SOURCE_NEVER;
	else
		return -1;
	return 0;
}

static int check(const struct settings *s, const char *source)
{
	if (!version_request_ok(s->version)) {
		log_error("JEMALLOC_VERSION is not a version: it must look like 5.3.1, 5.3 or 5.");
		log_error("Set it with: heroku config:set JEMALLOC_VERSION=5.3.1 (or unset it for the newest).");
		return -1;
	}
	if (source_mode(source, &(enum source_mode){0}) < 0) {
		log_error("JEMALLOC_SOURCE must be auto (the default), always or never.");
		return -1;
	}
	if (s->apt_url && !url_ok(s->apt_url, 1)) {
		log_error("JEMALLOC_APT_URL is not a usable repository URL: it must start with https:// (or http://)");
		log_error("and hold no spaces, quotes, brackets, percent-escapes or non-ASCII bytes.");
		return -1;
	}
	if (s->apt_key && !strstr(s->apt_key, "-----BEGIN PGP PUBLIC KEY BLOCK-----")) {
		log_error("JEMALLOC_APT_KEY is not an armored OpenPGP public key (-----BEGIN PGP PUBLIC KEY BLOCK-----).");
		return -1;
	}
	if (!s->apt_url != !s->apt_key) {
		log_error("%s is set but %s is not: a repository needs both its URL and its public key.",
			  s->apt_url ? "JEMALLOC_APT_URL" : "JEMALLOC_APT_KEY", s->apt_url ? "JEMALLOC_APT_KEY" : "JEMALLOC_APT_URL");
		return -1;
	}
	if (!s->source_url || !url_ok(s->source_url, 0)) {
		log_error("JEMALLOC_SOURCE_URL is not a usable URL: it must start with https:// (or http://)");
		log_error("and hold no spaces, quotes, brackets, percent-escapes or non-ASCII bytes.");
		return -1;
	}
	if (s->checksum && (!sha256_hex_ok(s->checksum) || !version_request_exact(s->version))) {
		log_error("JEMALLOC_CHECKSUM must be the 64 hex digits of a release tarball's SHA-256, with an");
		log_error("exact JEMALLOC_VERSION (5.3.1): heroku config:set JEMALLOC_VERSION=X.Y.Z JEMALLOC_CHECKSUM=...");
		return -1;
	}
	return 0;
}

/* Settings an app may carry from gaffneyc/heroku-buildpack-jemalloc (or
 * older advice) that this buildpack reads differently: said in the log,
 * never a failed build (README: Coming from gaffneyc/heroku-buildpack-jemalloc). */
void settings_explain(const struct settings *s)
{
	/* A list of process types is this buildpack's own feature; the original
	 * read anything but true as off, so say what the value does. */
	const char *e = s->enabled;
	if (e && *e && strcmp(e, "true") != 0 && strcmp(e, "false") != 0) {
		int plain = strlen(e) < 200 && strspn(e, "abcdefghijklmnopqrstuvwxyz0123456789_-,") == strlen(e);
		log_detail("JEMALLOC_ENABLED=%s is a list of process types: dynos of those types run on jemalloc",
			   plain ? e : "(unusual characters)");
		log_detail("(gaffneyc/heroku-buildpack-jemalloc read anything but true as off)%s.",
			   strcasecmp(e, "yes") == 0 || strcasecmp(e, "on") == 0 || strcmp(e, "1") == 0 || strcasecmp(e, "true") == 0
				   ? "; for every dyno, set JEMALLOC_ENABLED=true"
				   : "");
	}
	/* A misspelled setting is ignored: say so, or the app never learns why
	 * JEMALLOC_ENABLE=true did nothing. */
	struct sb u = SB_INIT;
	sb_adds(&u, sb_str(&s->unknown));
	for (char *save = NULL, *l = u.len ? strtok_r(u.buf, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save)) {
		char *near = strchr(l, ' ');
		*near++ = '\0';
		log_error("Warning: %s is not a setting of this buildpack, and is ignored. Did you mean %s?", l, near);
	}
	sb_release(&u);
	if (s->ld_preload && *s->ld_preload) {
		log_error("Warning: LD_PRELOAD is set in the app's config: it reaches this build, later buildpacks and every");
		log_error("one-off dyno%s. Unset it (heroku config:unset LD_PRELOAD) and set JEMALLOC_ENABLED=true instead.",
			  strstr(s->ld_preload, "vendor/jemalloc") ? ", and it names vendor/jemalloc, which this buildpack does not install" : "");
	}
}

/* Edit distance of A and B (both at most ENVDIR_NAME_MAX), letters compared
 * without case: "malloc_conf" is one step from nothing. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[ENVDIR_NAME_MAX + 1];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t sub = diag + (toupper((unsigned char)a[i - 1]) != toupper((unsigned char)b[j - 1]));
			row[j] = sub < up + 1 ? sub : up + 1;
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			diag = up;
		}
	}
	return row[lb];
}

/* How far a name may be from a setting and still be taken for a misspelling
 * of it: two edits (JEMALLOC_VERISON is two from JEMALLOC_VERSION). */
#define SETTING_NEAR 2

const char *setting_nearest(const char *name)
{
	const char *best = NULL;
	size_t best_d = SETTING_NEAR + 1;
	if (strlen(name) > ENVDIR_NAME_MAX || strcmp(name, "LD_PRELOAD") == 0)
		return NULL;
	for (size_t i = 0; i < SETTING_COUNT; i++) {
		if (strcmp(name, setting_table[i].name) == 0)
			return NULL;
		size_t d = distance(name, setting_table[i].name);
		if (d < best_d) {
			best = setting_table[i].name;
			best_d = d;
		}
	}
	/* Any other JEMALLOC_ name is meant for this buildpack too. */
	for (size_t i = 0; !best && strncmp(name, "JEMALLOC", 8) == 0 && i < SETTING_COUNT; i++) {
		size_t d = distance(name, setting_table[i].name);
		if (d < best_d || !best) {
			best = setting_table[i].name;
			best_d = d;
		}
	}
	return best;
}

/* The config vars named like a setting that is none, and their nearest. */
static void unknown_names(const char *env_dir, struct sb *unknown)
{
	struct sb names = SB_INIT;
	if (envdir_names(env_dir, &names) == 0)
		for (char *save = NULL, *l = names.len ? strtok_r(names.buf, "\n", &save) : NULL; l;
		     l = strtok_r(NULL, "\n", &save)) {
			const char *near = setting_nearest(l);
			if (near)
				sb_addf(unknown, "%s %s\n", l, near);
		}
	sb_release(&names);
}

int settings_read(const char *env_dir, const char *bp_dir, struct settings *s)
{
	char *v[SETTING_COUNT] = {NULL};
	size_t i;
	memset(s, 0, sizeof *s);
	for (i = 0; i < SETTING_COUNT; i++)
		if (get(env_dir, setting_table[i].name, &v[i]) < 0)
			break;
	s->version = v[SET_JEMALLOC_VERSION];
	s->apt_url = v[SET_JEMALLOC_APT_URL];
	s->apt_key = v[SET_JEMALLOC_APT_KEY];
	s->source_url = v[SET_JEMALLOC_SOURCE_URL];
	s->checksum = v[SET_JEMALLOC_CHECKSUM];
	s->malloc_conf = v[SET_MALLOC_CONF];
	s->enabled = v[SET_JEMALLOC_ENABLED];
	const char *source = v[SET_JEMALLOC_SOURCE], *build = v[SET_JEMALLOC_BUILD];
	if (i < SETTING_COUNT || get(env_dir, "LD_PRELOAD", &s->ld_preload) < 0)
		goto fail;
	unknown_names(env_dir, &s->unknown);
	conf_defaults(bp_dir, s);
	if (!s->version)
		s->version = xstrdup("");
	for (char *p = s->checksum; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	s->build_preload = build && strcmp(build, "true") == 0;
	if (check(s, source) < 0)
		goto fail;
	source_mode(source, &s->source);
	free(v[SET_JEMALLOC_SOURCE]);
	free(v[SET_JEMALLOC_BUILD]);
	return 0;
fail:
	free(v[SET_JEMALLOC_SOURCE]);
	free(v[SET_JEMALLOC_BUILD]);
	settings_free(s);
	return -1;
}

void settings_free(struct settings *s)
{
	free(s->version);
	free(s->apt_url);
	free(s->apt_key);
	free(s->source_url);
	free(s->checksum);
	free(s->malloc_conf);
	free(s->enabled);
	free(s->ld_preload);
	sb_release(&s->unknown);
	memset(s, 0, sizeof *s);
}
