/* The steps every way of installing shares: the settings, the package from
 * the cache or the repository, the staged tree, and the proof that it loads. */
#include "install.h"

#include "apt.h"
#include "envdir.h"
#include "fsx.h"
#include "log.h"
#include "run.h"
#include "stack.h"
#include "version.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* run_quiet ARGV: runs a helper program; its output only shows on failure. */
static int run_quiet(const char *const *argv, const char *what)
{
	char *out = NULL;
	struct run_opts ro = {.argv = (char *const *)argv, .envp = run_env(), .out = &out, .merge_stderr = 1};
	int rc = run(&ro);
	if (rc == RUN_CANNOT_EXEC)
		log_error("cannot exec %s: %s", argv[0], strerror(errno));
	else if (rc != 0 && out)
		log_indent(out);
	if (rc != 0)
		log_error("%s failed (%s exited %d).", what, argv[0], rc);
	free(out);
	return rc == 0 ? 0 : -1;
}

int rm_rf(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0 && errno == ENOENT) /* nothing to spawn rm for */
		return 0;
	const char *argv[] = {"rm", "-rf", "--", path, NULL};
	return run_quiet(argv, "removing a temporary directory");
}

static char *setting(const char *env_dir, const char *name)
{
	char *v = NULL;
	int r = envdir_get(env_dir, name, &v);
	if (r < 0) {
		log_error("Cannot read %s from the app's config (%s/%s): %s.", name, env_dir, name,
			  errno == EFBIG ? "value too long" : errno == EINVAL ? "value holds a NUL byte" : strerror(errno));
		exit(EXIT_FAIL);
	}
	return v;
}

/* The repository's URL becomes one word of a sources.list line. */
static int url_ok(const char *url)
{
	if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0 && strncmp(url, "file:/", 6) != 0)
		return 0;
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == ']' || *p == '[' || *p == '"' || *p == '\'' || *p == 0x7f)
			return 0;
	return strlen(url) < 1024;
}

/* key=... and url=... from the buildpack's repository.conf: its defaults. */
static void conf_defaults(const char *bp_dir, struct settings *s)
{
	char path[4096], *buf = NULL;
	if (fsx_path(path, sizeof path, "%s/repository.conf", bp_dir) < 0 || fsx_read(path, &buf, 65536) < 0)
		return;
	for (char *save = NULL, *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (!s->url && strncmp(l, "url=", 4) == 0 && l[4])
			s->url = strdup(l + 4);
		if (!s->key && strncmp(l, "key=", 4) == 0 && l[4]) {
			char kp[4096];
			if (fsx_path(kp, sizeof kp, "%s/%s", bp_dir, l + 4) == 0)
				fsx_read(kp, &s->key, ENVDIR_VALUE_MAX);
		}
	}
	free(buf);
}

void settings_read(const char *env_dir, const char *bp_dir, struct settings *s)
{
	s->version = setting(env_dir, "JEMALLOC_VERSION");
	s->url = setting(env_dir, "JEMALLOC_APT_URL");
	s->key = setting(env_dir, "JEMALLOC_APT_KEY");
	conf_defaults(bp_dir, s);
	if (!s->version)
		s->version = strdup("");
	if (!version_request_ok(s->version)) {
		log_error("JEMALLOC_VERSION is not a version: it must look like 5.3.1, 5.3 or 5.");
		log_error("Set it with: heroku config:set JEMALLOC_VERSION=5.3.1 (or unset it for the newest).");
		exit(EXIT_FAIL);
	}
	if (!s->url || !s->key) {
		log_error("No jemalloc package repository is configured.");
		log_error("This buildpack's repository.conf names none yet; set JEMALLOC_APT_URL (the repository)");
		log_error("and JEMALLOC_APT_KEY (its armored public key) in the app's config.");
		exit(EXIT_FAIL);
	}
	if (!url_ok(s->url)) {
		log_error("JEMALLOC_APT_URL is not a usable repository URL: it must start with https:// (or http://)");
		log_error("and hold no spaces, quotes or brackets.");
		exit(EXIT_FAIL);
	}
	if (!strstr(s->key, "-----BEGIN PGP PUBLIC KEY BLOCK-----")) {
		log_error("JEMALLOC_APT_KEY is not an armored OpenPGP public key (-----BEGIN PGP PUBLIC KEY BLOCK-----).");
		exit(EXIT_FAIL);
	}
}

/* Newest cached deb for an exact version; "" when there is none. */
static int cached_deb(const char *debs, const char *version, const char *stack, const char *arch, char *path, size_t size)
{
	char prefix[128], suffix[128];
	DIR *d = opendir(debs);
	struct dirent *e;
	int found = 0;
	snprintf(prefix, sizeof prefix, "heroku-jemalloc_%s-", version);
	snprintf(suffix, sizeof suffix, "~%.*s%s_%s.deb", 6, stack, stack + 7, arch);
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name), m = strlen(suffix);
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0 && n > m && strcmp(e->d_name + n - m, suffix) == 0) {
			found = fsx_path(path, size, "%s/%s", debs, e->d_name) == 0;
			break;
		}
	}
	closedir(d);
	return found;
}

/* The .sha256 beside a cached .deb must still match it: a corrupted cache
 * entry is fetched again, not installed. */
static int deb_intact(const char *deb)
{
	char sum[4200];
	const char *argv[] = {"sha256sum", "--check", "--status", sum, NULL};
	if (fsx_path(sum, sizeof sum, "%s.sha256", deb) < 0 || access(sum, R_OK) < 0)
		return 0;
	char *out = NULL;
	struct run_opts ro = {.argv = (char *const *)argv, .envp = run_env(), .out = &out, .merge_stderr = 1};
	char dir[4096];
	snprintf(dir, sizeof dir, "%.*s", (int)(strrchr(deb, '/') - deb), deb);
	ro.cwd = dir;
	int rc = run(&ro);
	free(out);
	return rc == 0;
}

static int deb_record(const char *deb)
{
	char *out = NULL, sum[4200], line[4400];
	const char *name = strrchr(deb, '/') + 1;
	const char *argv[] = {"sha256sum", "--", deb, NULL};
	struct run_opts ro = {.argv = (char *const *)argv, .envp = run_env(), .out = &out};
	if (run(&ro) != 0 || !out || strlen(out) < 64) {
		free(out);
		return -1;
	}
	snprintf(line, sizeof line, "%.64s  %s\n", out, name);
	free(out);
	return fsx_path(sum, sizeof sum, "%s.sha256", deb) < 0 ? -1 : fsx_write_atomic(sum, line, strlen(line), 0644);
}

int install_fetch(const char *cache_dir, const char *stack, const char *arch, const struct settings *s,
		  char *deb, size_t size)
{
	char debs[4096], keyring[4096], *out = NULL, **versions = NULL;
	const char *pick;
	struct apt a;
	int n = 0, rc;

	if (fsx_path(debs, sizeof debs, "%s/jemalloc/debs/%s/%s", cache_dir, stack, arch) < 0 ||
	    fsx_mkdirs(debs, 0755) < 0) {
		log_error("Cannot make the package cache %s: %s.", debs, strerror(errno));
		return -1;
	}
	/* An exact version already cached and intact needs no network. */
	if (version_request_exact(s->version) && cached_deb(debs, s->version, stack, arch, deb, size) && deb_intact(deb)) {
		log_detail("Using %s from the cache", strrchr(deb, '/') + 1);
		return 0;
	}
	if (fsx_path(keyring, sizeof keyring, "%s/jemalloc/keyring.asc", cache_dir) < 0 ||
	    fsx_write_atomic(keyring, s->key, strlen(s->key), 0644) < 0 ||
	    apt_init(&a, cache_dir, stack, arch, s->url, keyring) < 0) {
		log_error("Cannot prepare apt's files in %s/jemalloc: %s.", cache_dir, strerror(errno));
		return -1;
	}
	log_detail("Reading the %s index of %s", stack, s->url);
	rc = apt_update(&a, &out);
	if (rc != 0) {
		if (out)
			log_indent(out);
		log_error("apt-get could not read the jemalloc repository %s (%s %d).", s->url,
			  rc == RUN_CANNOT_EXEC ? "cannot exec apt-get:" : "exit", rc == RUN_CANNOT_EXEC ? errno : rc);
		log_error("Either it is unreachable, or its signature does not match JEMALLOC_APT_KEY (apt's words above).");
		log_error("Check JEMALLOC_APT_URL and JEMALLOC_APT_KEY, then build again.");
		free(out);
		return -1;
	}
	free(out);
	if (apt_versions(&a, &versions, &n, &out) != 0 || n == 0) {
		log_error("The repository has no heroku-jemalloc package for %s on %s.", stack, arch);
		free(out);
		return -1;
	}
	free(out);
	pick = version_pick((const char *const *)versions, (size_t)n, s->version);
	if (!pick) {
		char list[2048] = "";
		for (int i = 0; i < n; i++) {
			size_t l = strlen(list);
			snprintf(list + l, sizeof list - l, "%s%.*s", i ? ", " : "", (int)strcspn(versions[i], "-"), versions[i]);
		}
		log_error("jemalloc %s is not available for %s on %s.", s->version, stack, arch);
		log_error("Available: %s. Set JEMALLOC_VERSION to one of them, or unset it for the newest.", list);
		return -1;
	}
	log_detail("jemalloc %s%s%s resolves to %s", *s->version ? "" : "(newest)", s->version, *s->version ? "" : "", pick);
	char name[256];
	snprintf(name, sizeof name, "%.*s", (int)strcspn(pick, "-"), pick);
	if (cached_deb(debs, name, stack, arch, deb, size) && strstr(deb, pick) && deb_intact(deb)) {
		log_detail("Using %s from the cache", strrchr(deb, '/') + 1);
		return 0;
	}
	rc = apt_download(&a, pick, debs, &out);
	if (rc != 0) {
		if (out)
			log_indent(out);
		log_error("apt-get could not download heroku-jemalloc %s (exit %d): a hash or signature check failed,", pick, rc);
		log_error("or the repository is unreachable. apt's words are above.");
		free(out);
		return -1;
	}
	free(out);
	if (fsx_path(deb, size, "%s/heroku-jemalloc_%s_%s.deb", debs, pick, arch) < 0 || access(deb, R_OK) < 0 ||
	    deb_record(deb) < 0) {
		log_error("apt-get reported success but %s is not readable.", deb);
		return -1;
	}
	log_detail("Downloaded %s", strrchr(deb, '/') + 1);
	return 0;
}

int install_verify(const char *jemalloc_dir, const char *want, char *got, size_t size, int quiet)
{
	char preload[4200], *out = NULL, *v;
	if (fsx_path(preload, sizeof preload, "LD_PRELOAD=%s/lib/libjemalloc.so", jemalloc_dir) < 0)
		return -1;
	/* Any program of the stack will do: jemalloc prints its statistics at
	 * exit. /bin/true (coreutils) leaves stderr open until then. */
	char *envp[] = {"PATH=/usr/bin:/bin", "MALLOC_CONF=stats_print:true", preload, NULL};
	char *argv[] = {"/bin/true", NULL};
	struct run_opts ro = {.argv = argv, .envp = envp, .out = &out, .merge_stderr = 1};
	int rc = run(&ro);
	if (rc != 0 || !out || !(v = strstr(out, "Version: \""))) {
		if (!quiet && out)
			log_indent(out);
		if (!quiet)
			log_error("A process started with the installed jemalloc did not run on it (exit %d).", rc);
		free(out);
		return -1;
	}
	v += strlen("Version: \"");
	snprintf(got, size, "%.*s", (int)strcspn(v, "-\""), v);
	free(out);
	if (*want && strncmp(got, want, strlen(want)) != 0) {
		if (quiet)
			return -1;
		log_error("The installed library reports jemalloc %s, not the %s asked for.", got, want);
		return -1;
	}
	return 0;
}

int install_stage(const char *stage_dir, const char *deb, const char *tree, const char *self, char *jdir, size_t size)
{
	char dst[4200];
	if (rm_rf(stage_dir) < 0)
		return -1;
	if (fsx_mkdirs(stage_dir, 0755) < 0) {
		log_error("Cannot write %s: %s.", stage_dir, strerror(errno));
		return -1;
	}
	if (fsx_path(jdir, size, "%s/app/.jemalloc", stage_dir) < 0)
		return -1;
	if (deb) {
		const char *argv[] = {"dpkg-deb", "-x", deb, stage_dir, NULL};
		if (run_quiet(argv, "Unpacking the package") < 0)
			return -1;
	} else {
		char parent[4200];
		if (fsx_path(parent, sizeof parent, "%s/app", stage_dir) < 0 || fsx_mkdirs(parent, 0755) < 0)
			return -1;
		const char *argv[] = {"cp", "-a", "--", tree, jdir, NULL};
		if (run_quiet(argv, "Copying the Aptfile's jemalloc") < 0)
			return -1;
	}
	if (fsx_path(dst, sizeof dst, "%s/bin/jemalloc-status", jdir) < 0)
		return -1;
	const char *cp[] = {"cp", "--", self, dst, NULL};
	return run_quiet(cp, "Installing jemalloc-status");
}

int install_target(const char *stack, const char *arch)
{
	const char *why = "";
	if (!*stack) {
		log_error("Cannot tell the stack: STACK is not set and /etc/os-release names no Ubuntu release.");
		return -1;
	}
	if (!stack_supported(stack, &why)) {
		log_error("The %s stack %s: jemalloc packages exist for heroku-22, heroku-24 and heroku-26.", stack, why);
		log_error("Move the app to a supported stack: heroku stack:set heroku-24");
		return -1;
	}
	if (!arch || !stack_has_arch(stack, arch)) {
		log_error("There is no jemalloc package for %s on this architecture (%s).", stack, arch ? arch : "unknown");
		return -1;
	}
	return 0;
}

int install_staged(const char *stage_dir, const char *deb, const char *tree, const char *self,
		   const struct settings *s, char *jdir, size_t size, char *got, size_t gotsize)
{
	char v[4200], line[80];
	if (install_stage(stage_dir, deb, tree, self, jdir, size) < 0 || install_verify(jdir, s->version, got, gotsize, 0) < 0)
		return -1;
	snprintf(line, sizeof line, "%s\n", got);
	if (fsx_path(v, sizeof v, "%s/VERSION", jdir) < 0 || fsx_write_atomic(v, line, strlen(line), 0644) < 0) {
		log_error("Cannot write %s/VERSION: %s.", jdir, strerror(errno));
		return -1;
	}
	return 0;
}
