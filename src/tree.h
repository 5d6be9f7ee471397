/* Verified trees: a .jemalloc that has been staged and proved to load, kept
 * in the build cache so that a warm build copies it instead of unpacking or
 * building it again. Each such tree DIR/.jemalloc has a record
 * DIR/VERIFIED of what was proved: the version the library reported, the
 * MALLOC_CONF it ran with (a hash; "-" when jemalloc warned about it), and
 * the listing of the tree's files (fsx_copy_tree: each file's mode, size and
 * SHA-256, each link's target) as they were when it loaded. A warm build
 * lists its copy of the tree as it makes it and installs it only when that
 * listing is the record's: a file truncated, replaced or added in the cache
 * is seen in that build, and the tree is made again. A tree made from a
 * package sits beside it, DEB.tree/, with DEB.tree/STAMP saying which bytes
 * it came from (size and mtime, which a cache restored from an archive
 * keeps, and the SHA-256 the signed index gave); it is used only while the
 * package is still those bytes by that stamp.
 *
 *   CACHE_DIR/jemalloc/debs/<stack>/<arch>/<repository id>/
 *       heroku-jemalloc_<package version>_<arch>.deb.tree/{.jemalloc/,STAMP,VERIFIED}
 *   CACHE_DIR/jemalloc/trees/<source key>/{.jemalloc/,VERIFIED}
 *
 * The record is kept in the same cache as the tree: it catches a cut-short
 * write, a power loss, a file changed by mistake or by another hand that
 * did not also rewrite the record. Who can write both can change what is
 * installed (docs/security.md: who may write the build cache). */
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
 * GOT. 0 otherwise. (It says nothing of the files: tree_files_match.) */
int tree_verified(const char *dir, const char *want, const char *malloc_conf, char *got, size_t size);

/* 1 when DIR/VERIFIED lists exactly FILES, the listing of a copy of
 * DIR/.jemalloc made in this build; 0 with why not in WHY: the path of the
 * first entry that differs, or "no record". */
int tree_files_match(const char *dir, const char *files, struct sb *why);

/* Writes DIR/VERIFIED: version GOT loaded under MALLOC_CONF, CLEAN (without
 * a warning) or not, with the tree's listing FILES. */
int tree_record(const char *dir, const char *got, const char *malloc_conf, int clean, const char *files);

/* DEB.tree: the tree directory of a cached package. */
void tree_of_deb(const char *deb, struct sb *dir);

/* 1 when DEB.tree/.jemalloc exists and DEB.tree/STAMP matches DEB as it is
 * now (a regular file, not a link, of the recorded size and mtime), with
 * the recorded SHA-256 equal to SHA256 when that is not NULL. */
int tree_deb_current(const char *deb, const char *sha256);

/* Keeps a copy of the staged tree JDIR as DEB.tree, stamped with DEB (whose
 * bytes have SHA256), in one rename; what was there goes. The copy's listing
 * into FILES, for its record. -1 on failure (errno), which costs the next
 * build an unpacking, nothing more. */
int tree_keep_deb(const char *deb, const char *sha256, const char *jdir, struct sb *files);

#endif
