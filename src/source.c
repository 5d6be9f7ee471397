#include "source.h"

#include "catalog.h"
#include "fsx.h"
#include "install.h"
#include "log.h"
#include "run.h"
#include "sb.h"
#include "settings.h"
#include "sha256.h"
#include "tree.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Official tarballs are 0.5 to 1 MB; an unpacked one about 5 MB. */
#define TARBALL_MAX_BYTES 67108864 /* 64 MiB, written out for curl's --max-filesize */
#define UNPACKED_MAX (256ull << 20)
#define FILE_MAX (64ull << 20)
#define MEMBERS_MAX 20000
#define BUILD_TIMEOUT 1800
/* curl's own bounds on one try (as its arguments: strings), and ours on all
 * of its tries together (three tries of at most five minutes would be more:
 * the last is cut short). */
#define STR(x) #x
#define XSTR(x) STR(x)
#define CURL_CONNECT_S 20
#define CURL_TRY_S 300
#define CURL_RETRIES 2
#define DOWNLOAD_TIMEOUT 420

/* Downloads URL into DEST (a new file in our private work directory). The
 * URL, which may hold a user and password, reaches curl through a config
 * on its stdin, never its argv (which every user of the machine can read). */
static int download(const char *url, const char *dest)
{
	struct sb config = SB_INIT;
	char *out = NULL;
	const char *argv[] = {"curl", "--config", "-", "--fail", "--silent", "--show-error", "--location", "--proto",
			      "=https,http", "--proto-redir", "=https,http", "--connect-timeout", XSTR(CURL_CONNECT_S),
			      "--max-time", XSTR(CURL_TRY_S), "--retry", XSTR(CURL_RETRIES),
			      "--max-filesize", XSTR(TARBALL_MAX_BYTES), "-o", dest, NULL};
	/* url_ok (settings.h) has refused quotes, backslashes and line breaks. */
	sb_setf(&config, "url = \"%s\"\n", url);
	struct run_opts ro = {.argv = (char *const *)argv, .envp = run_env(), .out = &out, .merge_stderr = 1,
			      .timeout_s = DOWNLOAD_TIMEOUT, .in = sb_str(&config)};
	int rc = run(&ro), err = errno;
	if (rc != 0 && out)
		log_indent(out);
	if (rc == RUN_CANNOT_EXEC)
		log_error("cannot exec curl: %s", strerror(err));
	else if (rc != 0)
		log_error("Downloading the jemalloc source failed (curl %s).", run_how(rc, DOWNLOAD_TIMEOUT, err));
	free(out);
	sb_release(&config);
	return rc == 0 ? 0 : -1;
}

/* The tarball of REL in the cache, verified; downloaded when missing. */
static int tarball(const char *cache_dir, const struct release *rel, const char *base_url, const char *work,
		   struct sb *path)
{
	struct sb url = SB_INIT, part = SB_INIT, display = SB_INIT, dir = SB_INIT;
	char got[65] = "(unreadable)";
	int r = -1;
	sb_setf(&dir, "%s/jemalloc/sources", cache_dir);
	sb_setf(path, "%s/%s", sb_str(&dir), rel->file);
	if (fsx_mkdirs(sb_str(&dir), 0755) < 0) {
		log_error("Cannot make %s: %s.", sb_str(&dir), strerror(errno));
		goto out;
	}
	if (sha256_file(sb_str(path), got) == 0 && strcmp(got, rel->sha256) == 0) {
		r = 0;
		goto out;
	}
	sb_setf(&url, "%s/%s/%s", base_url, rel->version, rel->file);
	url_display(sb_str(&url), &display);
	sb_setf(&part, "%s/%s", work, rel->file);
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
 * refuses them before it runs, and a listing cut short is no listing. The
 * owner is listed as numbers (uid/gid), so that every field before the name
 * is one word and a name with spaces shifts nothing; the size is read from
 * those fixed fields, never from the name's end. */
static int tarball_listing_ok(const char *path)
{
	char *out = NULL;
	const char *argv[] = {"tar", "--numeric-owner", "-tvf", path, NULL};
	struct run_opts ro = {.argv = (char *const *)argv, .envp = run_env(), .out = &out, .timeout_s = RUN_UNPACK_TIMEOUT};
	unsigned long long total = 0, members = 0;
	int ok = run(&ro) == 0 && out && strlen(out) < RUN_OUT_MAX;
	for (char *save = NULL, *l = ok ? strtok_r(out, "\n", &save) : NULL; ok && l; l = strtok_r(NULL, "\n", &save)) {
		/* "-rw-r--r-- 1000/1000 1234 2022-05-06 12:00 jemalloc-5.3.0/README" */
		char mode[16], owner[64], date[32], clock[32];
		unsigned long long size = 0;
		int name = 0, at = 0;
		if (sscanf(l, "%15s %63s %n%llu %31s %31s %n", mode, owner, &at, &size, date, clock, &name) != 5 ||
		    name == 0 || !isdigit((unsigned char)l[at]) || (mode[0] != '-' && mode[0] != 'd') ||
		    strspn(owner, "0123456789/") != strlen(owner) || !strchr(owner, '/'))
			ok = 0;
		else if (l[name] == '/' || strstr(l + name, ".."))
			ok = 0;
		else
			total += size, members++;
	}
	free(out);
	return ok && total < UNPACKED_MAX && members < MEMBERS_MAX;
}

/* Runs ARGV (tar extracting) with RLIMIT_FSIZE at FILE_MAX: the kernel stops
 * any file it writes at that size (SIGXFSZ ends it), whatever the archive's
 * headers said; with the listing's total and count of members, a cap on
 * what extraction writes. The limit is set in this process, inherited by
 * the child through posix_spawn, and put back as soon as it ends (this
 * process writes nothing but the log meanwhile). */
static int run_capped(const char *const *argv, const char *what)
{
	struct rlimit was, cap;
	if (getrlimit(RLIMIT_FSIZE, &was) < 0)
		return -1;
	cap = was;
	if (cap.rlim_max == RLIM_INFINITY || cap.rlim_max > FILE_MAX)
		cap.rlim_cur = FILE_MAX;
	if (setrlimit(RLIMIT_FSIZE, &cap) < 0)
		return -1;
	int r = run_quiet(argv, what, RUN_UNPACK_TIMEOUT);
	int e = errno;
	setrlimit(RLIMIT_FSIZE, &was);
	errno = e;
	return r;
}

/* Extracts, builds and installs into WORK/dest with debian/recipe. */
static int build(const char *bp_dir, const char *tar, const char *work, const char *version, const char *arch)
{
	struct sb src = SB_INIT, dest = SB_INIT, recipe = SB_INIT;
	char jobs[16];
	int r = -1;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	snprintf(jobs, sizeof jobs, "%ld", n > 0 && n < 64 ? n : 2);
	sb_setf(&src, "%s/src", work);
	sb_setf(&dest, "%s/dest", work);
	sb_setf(&recipe, "%s/debian/recipe", bp_dir);
	if (fsx_mkdirs(sb_str(&src), 0700) < 0)
		goto out;
	if (!tarball_listing_ok(tar)) {
		log_error("%s holds a member outside its directory, or unpacks to more than 256 MB: refused.", tar);
		goto out;
	}
	const char *x[] = {"tar", "-xf", tar, "-C", sb_str(&src), "--strip-components=1", "--no-same-owner",
			   "--no-same-permissions", NULL};
	if (run_capped(x, "Unpacking the jemalloc source") < 0)
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

/* source-<stack>-<arch>-<version>-<tarball>-<recipe>, whole SHA-256s: what
 * the tree is made of. The recipe is debian/recipe and the C files it builds. */
static int tree_key(const char *bp_dir, const char *stack, const char *arch, const struct release *rel, struct sb *key)
{
	char hex[65];
	if (source_recipe_hash(bp_dir, hex) < 0) {
		log_error("Cannot read the buildpack's debian/recipe and the C files it builds: %s.", strerror(errno));
		return -1;
	}
	sb_setf(key, "source-%s-%s-%s-%s-%s", stack, arch, rel->version, rel->sha256, hex);
	return 0;
}

int source_recipe_hash(const char *bp_dir, char hex[65])
{
	const char *files[] = {"debian/recipe", "debian/jemalloc-exec.c", "debian/jemalloc-metrics.c", NULL};
	struct sb path = SB_INIT, all = SB_INIT;
	char one[65];
	int r = 0;
	for (int i = 0; files[i] && r == 0; i++) {
		sb_setf(&path, "%s/%s", bp_dir, files[i]);
		r = sha256_file(sb_str(&path), one);
		sb_addf(&all, "%s %s\n", one, files[i]);
	}
	if (r == 0)
		sha256_str(sb_str(&all), hex);
	sb_release(&path);
	sb_release(&all);
	return r;
}

int source_tree(const struct install *in, const struct release *rel, struct sb *tree, int *built)
{
	const char *bp_dir = in->bp_dir, *cache_dir = in->cache_dir, *stack = in->t->stack, *arch = in->t->arch;
	const char *base_url = in->s->source_url;
	struct sb key = SB_INIT, dir = SB_INIT, work = SB_INIT, tar = SB_INIT, made = SB_INIT;
	int r = -1;
	*built = 0;
	if (tree_key(bp_dir, stack, arch, rel, &key) < 0)
		goto out;
	sb_setf(&dir, "%s/jemalloc/trees/%s", cache_dir, sb_str(&key));
	sb_setf(tree, "%s/.jemalloc", sb_str(&dir));
	if (tree_real(sb_str(&dir))) {
		log_detail("Using jemalloc %s built from source for %s (%s) from the cache", rel->version, stack, arch);
		r = 0;
		goto out;
	}
	sb_setf(&work, "%s/jemalloc/work-%ld", cache_dir, (long)getpid());
	if (fsx_rm_rf(sb_str(&work)) < 0 || fsx_mkdirs(sb_str(&work), 0700) < 0) {
		log_error("Cannot make a build directory in %s/jemalloc: %s.", cache_dir, strerror(errno));
		goto out;
	}
	if (tarball(cache_dir, rel, base_url, sb_str(&work), &tar) < 0 ||
	    build(bp_dir, sb_str(&tar), sb_str(&work), rel->version, arch) < 0)
		goto out;
	/* The tree goes into the cache whole, under its key, in one rename. */
	sb_setf(&made, "%s/dest/app/.jemalloc", sb_str(&work));
	if (fsx_is_real_dir(sb_str(&made)) != 1) {
		log_error("debian/recipe made no app/.jemalloc directory.");
		goto out;
	}
	if (fsx_mkdirs(sb_str(&dir), 0755) < 0 ||
	    rename(sb_str(&made), sb_str(tree)) < 0) {
		log_error("Cannot keep the built tree in %s: %s.", sb_str(&dir), strerror(errno));
		fsx_forget(sb_str(&dir));
		goto out;
	}
	*built = 1;
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
