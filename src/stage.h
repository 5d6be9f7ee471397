/* Staging a new .jemalloc and proving it loads, before anything the app or
 * a layer has is touched. The staged tree is STAGE_DIR/app/.jemalloc, as a
 * package unpacks. */
#ifndef STAGE_H
#define STAGE_H

#include <stddef.h>

struct sb;

/* Lays out STAGE_DIR/app/.jemalloc (its path into JDIR) from the package DEB,
 * or, when DEB is NULL, as a copy of the tree TREE, listed into FILES (when
 * not NULL) as it is copied (fsx_copy_tree). The result must be a real
 * directory holding no link that leaves it. SELF becomes its
 * bin/jemalloc-status. */
int stage_tree(const char *stage_dir, const char *deb, const char *tree, const char *self, struct sb *jdir,
	       struct sb *files);

/* What GOT holds: a jemalloc version (5.3.1) and its NUL. */
#define STAGE_VERSION_SIZE 64

/* Starts a process with JDIR's library preloaded and MALLOC_CONF (may be
 * NULL) set, and writes the jemalloc version it reports into GOT, which must
 * start with WANT. Options jemalloc refuses ("Invalid conf pair") become a
 * build warning, and the return value 1 (0: loaded, no warning; -1: did
 * not). QUIET: a failure is only the return value (warnings are said). */
int stage_verify(const char *jdir, const char *want, const char *malloc_conf, char *got, size_t size, int quiet);

/* stage_verify, then JDIR/VERSION; 0, 1 (loaded, with warnings) or -1.
 * VERIFIED (or NULL): the cache directory of the tree JDIR is a copy of
 * (tree.h), and FILES the listing of that copy, which the caller has found
 * to be the record's, or which is new; when the record covers WANT and
 * MALLOC_CONF no process is started (2: the files are those that loaded),
 * and a check that runs writes the record. */
int stage_check(const char *jdir, const char *want, const char *malloc_conf, const char *verified,
		const char *files, char *got, size_t size);

#endif
