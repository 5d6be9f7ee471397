/* apt-get and apt-cache as an unprivileged tool: our own sources list,
 * keyring, cache, state and status under one directory; no system sources,
 * no locking, never the stack's full Ubuntu index. */
#ifndef APT_H
#define APT_H

struct apt {
	char dir[4096];     /* CACHE_DIR/jemalloc/apt/<stack>-<arch> */
	char sources[4096]; /* its sources.list */
	const char *arch;
};

/* Prepares the directories and writes the one-line sources list
 * "deb [signed-by=KEYRING arch=ARCH] URL SUITE main". */
int apt_init(struct apt *a, const char *cache_dir, const char *stack, const char *arch,
	     const char *url, const char *keyring);

/* apt-get update; on failure *OUT holds apt's words (caller frees). */
int apt_update(const struct apt *a, char **out);

/* The versions of heroku-jemalloc the suite offers, newest first as apt
 * lists them; N versions in a malloc'd array of malloc'd strings. */
int apt_versions(const struct apt *a, char ***versions, int *n, char **out);

/* apt-get download heroku-jemalloc=VERSION into DIR. */
int apt_download(const struct apt *a, const char *version, const char *dir, char **out);

#endif
