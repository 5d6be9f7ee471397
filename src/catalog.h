/* The buildpack's versions.txt, read at run time: every jemalloc release it
 * offers, with the official tarball's file name and pinned SHA-256, which
 * the source fallback builds from. */
#ifndef CATALOG_H
#define CATALOG_H

#include "version.h"

#include <stddef.h>

/* "jemalloc-" VERSION ".tar.bz2", or a longer name versions.txt gives. */
#define RELEASE_FILE_MAX 63

struct release {
	char version[VERSION_REQUEST_MAX + 1]; /* 5.3.0: any exact JEMALLOC_VERSION fits */
	char file[RELEASE_FILE_MAX + 1];       /* jemalloc-5.3.0.tar.bz2 */
	char sha256[65];
};

struct catalog {
	struct release *r; /* oldest first, as versions.txt lists them */
	size_t n;
};

/* Reads the "upstream" rows of BP_DIR/versions.txt. 0, or -1 with errno
 * (EINVAL: a row that is not what the file's header describes). */
int catalog_load(const char *bp_dir, struct catalog *c);
void catalog_free(struct catalog *c);

/* The newest release matching WANT ("" newest, "5", "5.3", "5.3.0"), or NULL. */
const struct release *catalog_pick(const struct catalog *c, const char *want);

/* The release a build from source makes for JEMALLOC_VERSION WANT: the
 * catalog's newest match, or, for a release newer than the catalog, the one
 * JEMALLOC_CHECKSUM (CHECKSUM, may be NULL) vouches for. -1 after saying in
 * the build log what exists (STACK and ARCH name the target there). */
int catalog_release(const struct catalog *c, const char *want, const char *checksum, const char *stack,
		    const char *arch, struct release *rel);

#endif
