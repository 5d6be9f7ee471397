/* Verified trees: a .jemalloc that has been staged and proved to load, kept
 * in the build cache so that a warm build copies it and does no more (no
 * unpacking, no hashing, no process started). Each such tree DIR/.jemalloc
 * has a record DIR/VERIFIED of what was proved: the version the library
 * reported and the MALLOC_CONF it ran with (a hash), written only when
 * jemalloc took that MALLOC_CONF without a warning. A tree made from a
 * package sits beside it, DEB.tree/, with DEB.tree/STAMP saying which bytes
 * it came from (size and mtime, which a cache restored from an archive keeps, and the
 * SHA-256 the signed index gave); it is used only while the package is
 * still those bytes by that stamp.
 *
 *   CACHE_DIR/jemalloc/debs/<stack>/<arch>/<repository id>/
 *       heroku-jemalloc_<package version>_<arch>.deb.tree/{.jemalloc/,STAMP,VERIFIED}
 *   CACHE_DIR/jemalloc/trees/<source key>/{.jemalloc/,VERIFIED}
 *
 * Whoever can write the build cache can also replace the program the build
 * runs (bin/program), so the cache is the app's own: the record guards
 * against a cut-short or stale entry, not against its owner. */
#ifndef TREE_H
#define TREE_H

#include <stddef.h>

struct sb;

/* 1 when DIR and DIR/.jemalloc are real directories, no links: a cached
 * tree is used, and its record read and written, only where the cache made
 * it. */
int tree_real(const char *dir);

/* 1 when DIR/VERIFIED says the tree loaded, reporting a version that starts
 * with WANT, under MALLOC_CONF (NULL: none) with no warning; the version into
 * GOT. 0 otherwise. */
int tree_verified(const char *dir, const char *want, const char *malloc_conf, char *got, size_t size);

/* Writes DIR/VERIFIED for version GOT under MALLOC_CONF. */
int tree_record(const char *dir, const char *got, const char *malloc_conf);

/* DEB.tree: the tree directory of a cached package. */
void tree_of_deb(const char *deb, struct sb *dir);

/* 1 when DEB.tree/.jemalloc exists and DEB.tree/STAMP matches DEB as it is
 * now (a regular file, not a link, of the recorded size and mtime), with
 * the recorded SHA-256 equal to SHA256 when that is not NULL. */
int tree_deb_current(const char *deb, const char *sha256);

/* Keeps a copy of the staged tree JDIR as DEB.tree, stamped with DEB (whose
 * bytes have SHA256), in one rename; what was there goes. -1 on failure
 * (errno), which costs the next build an unpacking, nothing more. */
int tree_keep_deb(const char *deb, const char *sha256, const char *jdir);

#endif
