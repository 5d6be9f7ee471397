/* apt-get and apt-cache as an unprivileged tool: our own sources list,
 * keyring, cache, state and status under one directory; no system sources,
 * no locking, never the stack's full Ubuntu index. Each call is bounded in
 * time, by apt's own timeouts and by a deadline on the child. */
#ifndef APT_H
#define APT_H

#include "sb.h"

struct apt {
	struct sb dir;     /* CACHE_DIR/jemalloc/apt/<stack>-<arch> */
	struct sb sources; /* its sources.list */
	const char *arch;
};

/* Prepares the directories and writes the one-line sources list
 * "deb [signed-by=KEYRING arch=ARCH] URL SUITE main", with URL's user and
 * password, if any, in DIR/auth.conf (mode 0600) instead. */
int apt_init(struct apt *a, const char *cache_dir, const char *stack, const char *arch, const char *url,
	     const char *keyring);
void apt_release(struct apt *a);

/* URL without its user and password into PLAIN; those, when URL has them
 * ("scheme://user:password@host/path"), as the apt_auth.conf(5) entry for
 * PLAIN into AUTH (empty otherwise). */
void apt_split_url(const char *url, struct sb *plain, struct sb *auth);

/* apt-get update; on failure *OUT holds apt's words (caller frees). */
int apt_update(const struct apt *a, char **out);

/* The versions of heroku-jemalloc the suite offers; N versions in a malloc'd
 * array of malloc'd strings. */
int apt_versions(const struct apt *a, char ***versions, int *n, char **out);
void apt_versions_free(char **versions, int n);

/* apt-cache madison's output TEXT (changed in place) to its heroku-jemalloc
 * versions, as apt_versions gives them; a line that is not one is skipped. */
int apt_parse_versions(char *text, char ***versions, int *n);

/* The SHA-256 the signed index gives for heroku-jemalloc=VERSION. */
int apt_index_sha256(const struct apt *a, const char *version, char hex[65]);

/* apt-get download heroku-jemalloc=VERSION into DIR. */
int apt_download(const struct apt *a, const char *version, const char *dir, char **out);

/* 1 when apt's words say a signature or hash check failed (as opposed to
 * the repository not answering). */
int apt_refused(const char *out);

#endif
