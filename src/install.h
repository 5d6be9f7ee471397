/* Installing one jemalloc package, the part the classic buildpack
 * (compile.c) and the Cloud Native Buildpack (cnb.c) share. Every function
 * that fails has already said why in the build log (" !     " lines). */
#ifndef INSTALL_H
#define INSTALL_H

#include <stddef.h>

struct settings {
	char *version; /* JEMALLOC_VERSION, "" for the newest */
	char *url;     /* repository */
	char *key;     /* armored public key text */
};

/* JEMALLOC_VERSION, JEMALLOC_APT_URL and JEMALLOC_APT_KEY from ENV_DIR, with
 * the defaults of BP_DIR/repository.conf. Exits (EXIT_FAIL) on a bad value. */
void settings_read(const char *env_dir, const char *bp_dir, struct settings *s);

/* 0 when STACK and ARCH have packages; else says why and returns -1. */
int install_target(const char *stack, const char *arch);

/* The package for S->version: an intact cached one (exact versions skip the
 * network), else the newest match downloaded with apt into
 * CACHE_DIR/jemalloc/debs/STACK/ARCH. Writes its path into DEB. */
int install_fetch(const char *cache_dir, const char *stack, const char *arch, const struct settings *s,
		  char *deb, size_t size);

/* Lays out a new .jemalloc at STAGE_DIR/app/.jemalloc (written into JDIR) from
 * DEB, or, when DEB is NULL, from the unpacked TREE; SELF becomes its
 * bin/jemalloc-status. */
int install_stage(const char *stage_dir, const char *deb, const char *tree, const char *self, char *jdir, size_t size);

/* Starts a process with JEMALLOC_DIR's library preloaded; writes the jemalloc
 * version it reports into GOT, which must start with WANT. QUIET: a failure
 * is only the return value (for checking a cached tree before reuse). */
int install_verify(const char *jemalloc_dir, const char *want, char *got, size_t size, int quiet);

/* install_stage, install_verify, then JDIR/VERSION. */
int install_staged(const char *stage_dir, const char *deb, const char *tree, const char *self,
		   const struct settings *s, char *jdir, size_t size, char *got, size_t gotsize);

/* rm -rf PATH. */
int rm_rf(const char *path);

#endif
