#include "source.h"

#include "catalog.h"
#include "fsx.h"
#include "log.h"
#include "run.h"
#include "sb.h"
#include "settings.h"
#include "sha256.h"
#include "tree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Official tarballs are 0.5 to 1 MB; an unpacked one about 5 MB. */
#define TARBALL_MAX (64u << 20)
#define UNPACKED_MAX (256ull << 20)
#define BUILD_TIMEOUT 1800

/* Downloads URL into DEST (a new file in our private work directory). */
static int download(const char *url, const char *dest)
{
	const char *argv[] = {"curl", "--fail", "--silent", "--show-error", "--location", "--proto", "=https,http",
			      "--proto-redir", "=https,http", "--connect-timeout", "20", "--max-time", "300",
			      "--retry", "2", "--max-filesize", "67108864", "-o", dest, "--", url, NULL};
	return run_quiet(argv, "Downloading the jemalloc source", 420);
}

/* The tarball of REL in the cache, verified; downloaded when missing. */
static int tarball(const char *cache_dir, const struct release *rel, const char *base_url, const char *work,
		   struct sb *path)
{
	struct sb url = SB_INIT, part = SB_INIT, display = SB_INIT, dir = SB_INIT;
	char got[65] = "(unreadable)";
	int r = -1;
	if (sb_setf(&dir, "%s/jemalloc/sources", cache_dir) < 0 || fsx_mkdirs(sb_str(&dir), 0755) < 0 ||
	    sb_setf(path, "%s/%s", sb_str(&dir), rel->file) < 0) {
		log_error("Cannot make %s: %s.", sb_str(&dir), strerror(errno));
		goto out;
	}
	if (sha256_file(sb_str(path), got) == 0 && strcmp(got, rel->sha256) == 0) {
		r = 0;
		goto out;
	}
	if (sb_setf(&url, "%s/%s/%s", base_url, rel->version, rel->file) < 0 || url_display(sb_str(&url), &display) < 0 ||
	    sb_setf(&part, "%s/%s", work, rel->file) < 0)
		goto out;
	log_detail("Downloading %s", sb_str(&display));
	if (download(sb_str(&url), sb_str(&part)) < 0) {
		log_error("The jemalloc %s source could not be downloaded from %s.", rel->version, sb_str(&display));
		log_error("Check JEMALLOC_SOURCE_URL (a mirror of jemalloc's release downloads), or configure a package repository.");
		goto out;
	}
	if (sha256_file(sb_str(&part), got) < 0 || strcmp(got, rel->sha256) != 0) {
		log_error("%s has SHA-256 %s, not the pinned %s: refused, nothing kept.", rel->file, got, rel->sha256);
		unlink(sb_str(&part));
		goto out;
	}
	log_detail("Verified SHA-256 %s", got);
	if (rename(sb_str(&part), sb_str(path)) < 0) {
		log_error("Cannot keep %s: %s.", sb_str(path), strerror(errno));
		goto out;
	}
	r = 0;
out:
	sb_release(&url);
	sb_release(&part);
	sb_release(&display);
	sb_release(&dir);
	return r;
}

/* What a release tarball holds: directories and regular files below its top
 * directory, no links of either kind (official tarballs have none), and not
 * too much of it. GNU tar refuses ".." and absolute names by itself; this
 * refuses them before it runs, and a listing cut short is no listing. */
static int tarball_listing_ok(const char *path)
{
	char *out = NULL;
	const char *argv[] = {"tar", "-tvf", path, NULL};
	struct run_opts ro = {.argv = (char *const *)argv, .envp = run_env(), .out = &out, .timeout_s = 120};
	unsigned long long total = 0;
	int ok = run(&ro) == 0 && out && strlen(out) < RUN_OUT_MAX;
	for (char *save = NULL, *l = ok ? strtok_r(out, "\n", &save) : NULL; ok && l; l = strtok_r(NULL, "\n", &save)) {
		/* "-rw-r--r-- user/group 1234 2022-05-06 12:00 jemalloc-5.3.0/README" */
		char mode[16], owner[128], date[32], clock[32];
		unsigned long long size = 0;
		int name = 0;
		if (sscanf(l, "%15s %127s %llu %31s %31s %n", mode, owner, &size, date, clock, &name) != 5 || name == 0 ||
		    (mode[0] != '-' && mode[0] != 'd'))
			ok = 0;
		else if (l[name] == '/' || strstr(l + name, ".."))
			ok = 0;
		else
			total += size;
	}
	free(out);
	return ok && total < UNPACKED_MAX;
}

/* Extracts, builds and installs into WORK/dest with debian/recipe. */
static int build(const char *bp_dir, const char *tar, const char *work, const char *version, const char *arch)
{
	struct sb src = SB_INIT, dest = SB_INIT, recipe = SB_INIT;
	char jobs[16];
	int r = -1;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	snprintf(jobs, sizeof jobs, "%ld", n > 0 && n < 64 ? n : 2);
	if (sb_setf(&src, "%s/src", work) < 0 || sb_setf(&dest, "%s/dest", work) < 0 ||
	    sb_setf(&recipe, "%s/debian/recipe", bp_dir) < 0 || fsx_mkdirs(sb_str(&src), 0700) < 0)
		goto out;
	if (!tarball_listing_ok(tar)) {
		log_error("%s holds a member outside its directory, or unpacks to more than 256 MB: refused.", tar);
		goto out;
	}
	const char *x[] = {"tar", "-xf", tar, "-C", sb_str(&src), "--strip-components=1", "--no-same-owner",
			   "--no-same-permissions", NULL};
	if (run_quiet(x, "Unpacking the jemalloc source", 120) < 0)
		goto out;
	log_detail("Building jemalloc %s (configure and make, with the packages' flags)", version);
	time_t start = time(NULL);
	const char *b[] = {"sh", sb_str(&recipe), "build", sb_str(&src), sb_str(&dest), version, arch, jobs, NULL};
	if (run_quiet(b, "Building jemalloc from source", BUILD_TIMEOUT) < 0)
		goto out;
	log_detail("Built in %ld s", (long)(time(NULL) - start));
	r = 0;
out:
	sb_release(&src);
	sb_release(&dest);
	sb_release(&recipe);
	return r;
}

/* source-<stack>-<arch>-<version>-<tarball>-<recipe>: what the tree is made
 * of. The recipe is debian/recipe and the C files it builds. */
static int tree_key(const char *bp_dir, const char *stack, const char *arch, const struct release *rel, struct sb *key)
{
	char hex[65];
	if (source_recipe_hash(bp_dir, hex) < 0) {
		log_error("Cannot read the buildpack's debian/recipe and the C files it builds: %s.", strerror(errno));
		return -1;
	}
	return sb_setf(key, "source-%s-%s-%s-%.12s-%.12s", stack, arch, rel->version, rel->sha256, hex);
}

int source_recipe_hash(const char *bp_dir, char hex[65])
{
	const char *files[] = {"debian/recipe", "debian/jemalloc-exec.c", "debian/jemalloc-metrics.c", NULL};
	struct sb path = SB_INIT, all = SB_INIT;
	char one[65];
	int r = 0;
	for (int i = 0; files[i] && r == 0; i++)
		r = sb_setf(&path, "%s/%s", bp_dir, files[i]) < 0 || sha256_file(sb_str(&path), one) < 0 ||
			    sb_addf(&all, "%s %s\n", one, files[i]) < 0
			? -1
			: 0;
	if (r == 0)
		sha256_str(sb_str(&all), hex);
	sb_release(&path);
	sb_release(&all);
	return r;
}

int source_tree(const char *bp_dir, const char *cache_dir, const char *stack, const char *arch,
		const struct release *rel, const char *base_url, struct sb *tree)
{
	struct sb key = SB_INIT, dir = SB_INIT, work = SB_INIT, tar = SB_INIT, made = SB_INIT;
	int r = -1;
	if (tree_key(bp_dir, stack, arch, rel, &key) < 0 ||
	    sb_setf(&dir, "%s/jemalloc/trees/%s", cache_dir, sb_str(&key)) < 0 ||
	    sb_setf(tree, "%s/.jemalloc", sb_str(&dir)) < 0)
		goto out;
	if (tree_real(sb_str(&dir))) {
		log_detail("Using jemalloc %s built from source for %s (%s) from the cache", rel->version, stack, arch);
		r = 0;
		goto out;
	}
	if (sb_setf(&work, "%s/jemalloc/work-%ld", cache_dir, (long)getpid()) < 0 || fsx_rm_rf(sb_str(&work)) < 0 ||
	    fsx_mkdirs(sb_str(&work), 0700) < 0) {
		log_error("Cannot make a build directory in %s/jemalloc: %s.", cache_dir, strerror(errno));
		goto out;
	}
	if (tarball(cache_dir, rel, base_url, sb_str(&work), &tar) < 0 ||
	    build(bp_dir, sb_str(&tar), sb_str(&work), rel->version, arch) < 0)
		goto out;
	/* The tree goes into the cache whole, under its key, in one rename. */
	if (sb_setf(&made, "%s/dest/app/.jemalloc", sb_str(&work)) < 0 || fsx_is_real_dir(sb_str(&made)) != 1) {
		log_error("debian/recipe made no app/.jemalloc directory.");
		goto out;
	}
	if (fsx_mkdirs(sb_str(&dir), 0755) < 0 ||
	    rename(sb_str(&made), sb_str(tree)) < 0) {
		log_error("Cannot keep the built tree in %s: %s.", sb_str(&dir), strerror(errno));
		fsx_forget(sb_str(&dir));
		goto out;
	}
	r = 0;
out:
	if (work.len)
		fsx_rm_rf(sb_str(&work));
	sb_release(&key);
	sb_release(&dir);
	sb_release(&work);
	sb_release(&tar);
	sb_release(&made);
	return r;
}
