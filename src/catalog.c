#include "catalog.h"

#include "fsx.h"
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
	char version[16], released[16], origin[32], file[64], sha[65];
	if (sscanf(line, "%15s %15s %31s %63s %64s", version, released, origin, file, sha) != 5)
		return -1;
	if (strcmp(origin, "upstream") != 0)
		return 0;
	if (!version_request_exact(version) || !sha256_hex_ok(sha) || strchr(file, '/'))
		return -1;
	snprintf(r->version, sizeof r->version, "%s", version);
	snprintf(r->file, sizeof r->file, "%s", file);
	snprintf(r->sha256, sizeof r->sha256, "%s", sha);
	return 1;
}

int catalog_load(const char *bp_dir, struct catalog *c)
{
	struct sb path = SB_INIT;
	char *text = NULL;
	c->r = NULL;
	c->n = 0;
	if (sb_setf(&path, "%s/versions.txt", bp_dir) < 0)
		return -1;
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
		struct release *nr = realloc(c->r, sizeof *nr * (c->n + 1));
		if (!nr) {
			free(text);
			catalog_free(c);
			return -1;
		}
		c->r = nr;
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
