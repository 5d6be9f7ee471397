#include "catalog.h"

#include "fsx.h"
#include "log.h"
#include "sb.h"
#include "sha256.h"
#include "version.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "5.3.0 2022-05-06 upstream jemalloc-5.3.0.tar.bz2 <sha256> -" */
static int row(const char *line, struct release *r)
{
	char *copy = xstrdup(line), *save = NULL, *f[5];
	int n = 0, ret = -1;
	for (char *w = strtok_r(copy, " \t", &save); w && n < 5; w = strtok_r(NULL, " \t", &save))
		f[n++] = w;
	/* version released origin file sha256: each whole, never cut to fit. */
	if (n < 5)
		goto out;
	ret = 0;
	if (strcmp(f[2], "upstream") != 0)
		goto out;
	ret = -1;
	if (strlen(f[0]) > VERSION_REQUEST_MAX || !version_request_exact(f[0]) || strlen(f[3]) > RELEASE_FILE_MAX ||
	    strchr(f[3], '/') || strlen(f[4]) != 64 || !sha256_hex_ok(f[4]))
		goto out;
	strcpy(r->version, f[0]);
	strcpy(r->file, f[3]);
	strcpy(r->sha256, f[4]);
	ret = 1;
out:
	free(copy);
	return ret;
}

int catalog_load(const char *bp_dir, struct catalog *c)
{
	struct sb path = SB_INIT;
	char *text = NULL;
	c->r = NULL;
	c->n = 0;
	sb_setf(&path, "%s/versions.txt", bp_dir);
	int r = fsx_read(sb_str(&path), &text, 1u << 20);
	sb_release(&path);
	if (r < 0)
		return -1;
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		struct release rel;
		l += strspn(l, " \t");
		if (*l == '#' || *l == '\0')
			continue;
		int k = row(l, &rel);
		if (k < 0) {
			free(text);
			catalog_free(c);
			errno = EINVAL;
			return -1;
		}
		if (k == 0)
			continue;
		c->r = xrealloc(c->r, sizeof *c->r * (c->n + 1));
		c->r[c->n++] = rel;
	}
	free(text);
	return 0;
}

void catalog_free(struct catalog *c)
{
	free(c->r);
	c->r = NULL;
	c->n = 0;
}

const struct release *catalog_pick(const struct catalog *c, const char *want)
{
	const char *v[256] = {0};
	size_t n = c->n < 256 ? c->n : 256;
	for (size_t i = 0; i < n; i++)
		v[i] = c->r[i].version;
	const char *best = version_pick(v, n, want);
	for (size_t i = 0; best && i < n; i++)
		if (v[i] == best)
			return &c->r[i];
	return NULL;
}

int catalog_release(const struct catalog *c, const char *want, const char *checksum, const char *stack,
		    const char *arch, struct release *rel)
{
	const struct release *r = catalog_pick(c, want);
	if (r && checksum && strcmp(r->sha256, checksum) != 0) {
		log_error("JEMALLOC_CHECKSUM is not the SHA-256 this buildpack pins for jemalloc %s (%s).", r->version, r->sha256);
		log_error("Unset JEMALLOC_CHECKSUM: it is only for releases newer than this buildpack.");
		return -1;
	}
	if (r) {
		*rel = *r;
		return 0;
	}
	/* settings.c has checked both: an exact version, 64 hex digits. */
	if (checksum && strlen(want) <= VERSION_REQUEST_MAX && strlen(checksum) == 64) {
		_Static_assert(sizeof "jemalloc-.tar.bz2" - 1 + VERSION_REQUEST_MAX <= RELEASE_FILE_MAX,
			       "every exact version's file name fits");
		memset(rel, 0, sizeof *rel);
		strcpy(rel->version, want);
		sprintf(rel->file, "jemalloc-%s.tar.bz2", want);
		strcpy(rel->sha256, checksum);
		return 0;
	}
	struct sb list = SB_INIT;
	for (size_t i = c->n; i > 0; i--)
		sb_addf(&list, "%s%s", i == c->n ? "" : ", ", c->r[i - 1].version);
	log_error("jemalloc %s is not available for %s on %s: this buildpack's versions.txt has no such release.", want,
		  stack, arch);
	log_error("Available: %s. Set JEMALLOC_VERSION to one of them, or unset it for the newest.", sb_str(&list));
	log_error("For a release newer than this buildpack, also set JEMALLOC_CHECKSUM to its tarball's SHA-256.");
	sb_release(&list);
	return -1;
}
