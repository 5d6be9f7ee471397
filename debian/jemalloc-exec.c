/*
 * Usage: jemalloc.sh COMMAND [ARG...]
 * Runs COMMAND with this jemalloc preloaded, whatever JEMALLOC_ENABLED says,
 * and with lib/libjemalloc-metrics.so too when JEMALLOC_METRICS asks for it
 * in this dyno's type (docs/metrics.md).
 * Installed as <prefix>/bin/jemalloc.sh by debian/recipe (the name Procfiles
 * use); it was a sh script, and is C so that a Procfile line pays for no
 * shell: hyperfine -N, fastest of 500 runs of `jemalloc.sh /bin/true` with
 * an empty library, 1.34 to 1.39 ms through the sh script, 1.18 to 1.20 ms
 * through this program linked statically (1.25 to 1.31 ms dynamically),
 * /bin/true alone 0.62 ms: what is left is the execve itself.
 * Finds the library next to itself (../lib), so it works wherever the package
 * was unpacked, and prepends it to LD_PRELOAD instead of replacing it.
 *
 * <prefix>/bin/jemalloc.sh -> <prefix>/lib/libjemalloc.so, beside its own
 * real path (/proc/self/exe, what readlink -f gives): a link to the program
 * or to its bin/ directory never makes it preload a ../lib beside the link.
 * The path it was executed by (AT_EXECFN, what a script sees as $0: the
 * path the shell found on PATH) is the one written into LD_PRELOAD when its
 * ../lib/libjemalloc.so is that same file, so a linked $HOME stays as
 * called, which is what .profile.d writes. No child process either way.
 *
 * The LD_PRELOAD rule is the one .profile.d/jemalloc.sh and the CNB exec.d
 * switch follow (tests/fixtures/preload/cases runs one table against all
 * three): already there between colons or spaces (ld.so takes both as
 * separators), unchanged; unset or empty, the library; else the library, a
 * colon, and what was there.
 *
 * C11 on glibc and Linux (getauxval, /proc), built with the compiler the
 * jemalloc build uses (arm64 cross builds included) and linked statically:
 * no ld.so work before the exec.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#define LIB "/lib/libjemalloc.so"
#define METRICS "/lib/libjemalloc-metrics.so"

/* The path cut at its second-to-last slash (the script's shortest-suffix
 * strip of slash-anything-slash-anything) with LIB added; NULL when out of
 * memory. A path with fewer than two slashes keeps all of itself. */
static char *lib_for(const char *path)
{
	size_t n = strlen(path), slashes = 0;
	for (size_t i = n; i > 0; i--) {
		if (path[i - 1] == '/' && ++slashes == 2) {
			n = i - 1;
			break;
		}
	}
	char *lib = malloc(n + sizeof LIB);
	if (lib != NULL) {
		memcpy(lib, path, n);
		memcpy(lib + n, LIB, sizeof LIB);
	}
	return lib;
}

static int exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* Whether LIB is in the list, between colons or spaces. */
static int listed(const char *list, const char *lib)
{
	size_t n = strlen(lib);
	for (const char *p = list; (p = strstr(p, lib)) != NULL; p++) {
		int before = p == list || p[-1] == ':' || p[-1] == ' ';
		int after = p[n] == '\0' || p[n] == ':' || p[n] == ' ';
		if (before && after)
			return 1;
	}
	return 0;
}

/* JEMALLOC_METRICS's rule, which is JEMALLOC_ENABLED's (tests/enabled.test
 * runs tests/fixtures/enabled/cases against this too): "true"; or a comma
 * list of process types, one of which is DYNO up to its first dot, exactly. */
static int wants(const char *value, const char *dyno)
{
	if (value == NULL || *value == '\0' || strcmp(value, "false") == 0)
		return 0;
	if (strcmp(value, "true") == 0)
		return 1;
	size_t type = dyno != NULL ? strcspn(dyno, ".") : 0;
	for (const char *p = value; type > 0;) {
		size_t n = strcspn(p, ",");
		if (n == type && strncmp(p, dyno, type) == 0)
			return 1;
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	return 0;
}

/* LIB prepended to LD_PRELOAD unless it is there already; -1 out of memory. */
static int preload(const char *lib)
{
	const char *old = getenv("LD_PRELOAD");
	if (old == NULL || old[0] == '\0')
		return setenv("LD_PRELOAD", lib, 1);
	if (listed(old, lib))
		return 0;
	size_t n = strlen(lib), m = strlen(old);
	char *value = malloc(n + 1 + m + 1);
	if (value == NULL)
		return -1;
	memcpy(value, lib, n);
	value[n] = ':';
	memcpy(value + n + 1, old, m + 1);
	int r = setenv("LD_PRELOAD", value, 1);
	free(value);
	return r;
}

static int die(int code, const char *fmt, const char *arg)
{
	fputs("jemalloc.sh: ", stderr);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return code;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs("usage: jemalloc.sh COMMAND [ARG...]\n", stderr);
		return 2;
	}

	char self[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
	if (len < 0)
		return die(127, "cannot find its own path: /proc/self/exe: %s", strerror(errno));
	self[len] = '\0';
	char *lib = lib_for(self);
	if (lib == NULL)
		return die(127, "%s", strerror(errno));
	/* As called, when that names the very same library. */
	const char *called = (const char *)getauxval(AT_EXECFN);
	struct stat real, seen;
	if (called != NULL && called[0] == '/' && strstr(called, "/./") == NULL && strstr(called, "/../") == NULL &&
	    strstr(called, "//") == NULL && stat(lib, &real) == 0) {
		char *as = lib_for(called);
		if (as != NULL && stat(as, &seen) == 0 && seen.st_dev == real.st_dev && seen.st_ino == real.st_ino) {
			free(lib);
			lib = as;
		} else {
			free(as);
		}
	}
	if (!exists(lib))
		return die(127, "%s is missing", lib);
	for (const char *c = lib; *c != '\0'; c++) {
		/* ld.so splits LD_PRELOAD at spaces and colons; isspace in the C locale. */
		if (strchr(" \t\n\v\f\r:", *c) != NULL)
			return die(127, "cannot preload %s: the path has a space or colon", lib);
	}

	/* The metrics library beside jemalloc (the same directory, so the same
	 * check of the path); a tree without it (an older package) runs without. */
	if (wants(getenv("JEMALLOC_METRICS"), getenv("DYNO"))) {
		size_t dir = strlen(lib) - strlen(LIB);
		char *metrics = malloc(dir + sizeof METRICS);
		if (metrics == NULL)
			return die(127, "%s", strerror(errno));
		memcpy(metrics, lib, dir);
		memcpy(metrics + dir, METRICS, sizeof METRICS);
		if (exists(metrics) && preload(metrics) != 0)
			return die(127, "%s", strerror(errno));
		free(metrics);
	}
	if (preload(lib) != 0)
		return die(127, "%s", strerror(errno));

	execvp(argv[1], argv + 1);
	/* As sh's exec: 127 for a command that is not there, 126 otherwise. */
	int code = errno == ENOENT || errno == ENOTDIR ? 127 : 126;
	fprintf(stderr, "jemalloc.sh: %s: %s\n", argv[1], code == 127 ? "not found" : strerror(errno));
	return code;
}
