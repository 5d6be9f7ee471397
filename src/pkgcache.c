#include "pkgcache.h"

#include "fsx.h"
#include "sb.h"
#include "sha256.h"
#include "tree.h"
#include "version.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pkgcache_path(const char *dir, const char *pkgver, const char *arch, struct sb *deb)
{
	sb_setf(deb, "%s/heroku-jemalloc_%s_%s.deb", dir, pkgver, arch);
}

int pkgcache_dir(const char *cache_dir, const char *stack, const char *arch, const char *url, const char *key,
		 struct sb *dir)
{
	struct sb id = SB_INIT;
	char hex[65];
	sb_setf(&id, "%s\n%s", url, key);
	sha256_str(sb_str(&id), hex);
	sb_release(&id);
	sb_setf(dir, "%s/jemalloc/debs/%s/%s/%s", cache_dir, stack, arch, hex);
	return fsx_mkdirs(sb_str(dir), 0755);
}

/* The SHA-256 the signed index gave for DEB, from the record beside it. */
static int recorded(const char *deb, char hex[65])
{
	struct sb rec = SB_INIT;
	char *want = NULL;
	sb_setf(&rec, "%s.sha256", deb);
	int ok = fsx_read(sb_str(&rec), &want, 128) == 0 &&
		 strspn(want, "0123456789abcdef") == 64;
	if (ok)
		snprintf(hex, 65, "%.64s", want);
	free(want);
	sb_release(&rec);
	return ok;
}

/* DEB's bytes still have the hash recorded beside it: hashed again, unless
 * its verified tree's stamp says they are the bytes it was made from. */
static int intact(const char *deb)
{
	char want[65], got[65];
	return recorded(deb, want) &&
	       (tree_deb_current(deb, want) || (sha256_file(deb, got) == 0 && strcmp(want, got) == 0));
}

int pkgcache_keep_tree(const char *deb, const char *jdir, struct sb *files)
{
	char want[65];
	return recorded(deb, want) ? tree_keep_deb(deb, want, jdir, files) : -1;
}

int pkgcache_intact(const char *deb)
{
	return intact(deb);
}

int pkgcache_drop(const char *deb)
{
	struct sb p = SB_INIT;
	/* The package first: without it, its record and tree are never used. */
	int r = fsx_forget(deb);
	if (r == 0) {
		sb_setf(&p, "%s.tree", deb);
		r = fsx_forget(sb_str(&p));
	}
	if (r == 0) {
		sb_setf(&p, "%s.sha256", deb);
		r = fsx_forget(sb_str(&p));
	}
	sb_release(&p);
	return r;
}

int pkgcache_tree_current(const char *deb)
{
	char want[65];
	return recorded(deb, want) && tree_deb_current(deb, want);
}

int pkgcache_get(const char *dir, const char *pkgver, const char *arch, struct sb *deb)
{
	pkgcache_path(dir, pkgver, arch, deb);
	return intact(sb_str(deb));
}

int pkgcache_get_signed(const char *dir, const char *pkgver, const char *arch, const char *sha256, struct sb *deb)
{
	char want[65];
	pkgcache_path(dir, pkgver, arch, deb);
	if (!recorded(sb_str(deb), want))
		return 0;
	if (strcmp(want, sha256) != 0)
		return pkgcache_drop(sb_str(deb)) == 0 ? 2 : -1;
	return intact(sb_str(deb));
}

int pkgcache_find(const char *dir, const char *version, const char *arch, struct sb *deb)
{
	struct sb prefix = SB_INIT, suffix = SB_INIT, best = SB_INIT;
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;
	if (!d)
		goto out;
	sb_setf(&prefix, "heroku-jemalloc_%s-", version);
	sb_setf(&suffix, "_%s.deb", arch);
	/* Among several cached revisions of the version, the newest wins. */
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (strncmp(e->d_name, sb_str(&prefix), prefix.len) != 0 || n <= prefix.len + suffix.len ||
		    strcmp(e->d_name + n - suffix.len, sb_str(&suffix)) != 0)
			continue;
		char pkgver[128];
		size_t vlen = n - suffix.len - strlen("heroku-jemalloc_");
		if (vlen >= sizeof pkgver) /* no package version is that long: not ours */
			continue;
		snprintf(pkgver, sizeof pkgver, "%.*s", (int)vlen, e->d_name + strlen("heroku-jemalloc_"));
		if (found && version_cmp(pkgver, sb_str(&best)) <= 0)
			continue;
		struct sb path = SB_INIT;
		if (pkgcache_get(dir, pkgver, arch, &path)) {
			sb_setf(&best, "%s", pkgver);
			sb_setf(deb, "%s", sb_str(&path));
			found = 1;
		}
		sb_release(&path);
	}
out:
	if (d)
		closedir(d);
	sb_release(&prefix);
	sb_release(&suffix);
	sb_release(&best);
	return found;
}

int pkgcache_put(const char *dir, const char *from, const char *pkgver, const char *arch, const char *sha256,
		 struct sb *deb)
{
	struct sb rec = SB_INIT, line = SB_INIT;
	char got[65];
	int r = -1;
	if (sha256_file(from, got) < 0)
		return -1;
	if (strcmp(got, sha256) != 0) {
		errno = EBADMSG;
		return -1;
	}
	/* A tree made from other bytes under this name goes before them. */
	pkgcache_path(dir, pkgver, arch, deb);
	sb_setf(&rec, "%s.tree", sb_str(deb));
	if (fsx_forget(sb_str(&rec)) == 0) {
		sb_setf(&rec, "%s.sha256", sb_str(deb));
		sb_setf(&line, "%s\n", sha256);
		if (fsx_write_atomic(sb_str(&rec), sb_str(&line), line.len, 0644) == 0)
			r = rename(from, sb_str(deb));
	}
	sb_release(&rec);
	sb_release(&line);
	return r;
}
