/* The source fallback: jemalloc built on the stack itself from its official
 * release tarball, checked against the SHA-256 versions.txt pins (or
 * JEMALLOC_CHECKSUM gives), with exactly the configure flags the packages use
 * (debian/recipe, read by debian/rules too), into the same tree a package
 * has. The tree is cached by stack, architecture, version, tarball and
 * recipe: a warm build never compiles again.
 *
 *   CACHE_DIR/jemalloc/sources/<file>            verified tarballs
 *   CACHE_DIR/jemalloc/trees/source-<key>/.jemalloc   built trees
 */
#ifndef SOURCE_H
#define SOURCE_H

struct install;
struct release;
struct sb;

/* The built tree of release REL for IN's target (stack and architecture) in
 * TREE: from IN's cache (*BUILT 0: its record is for the caller to check,
 * tree.h), or downloaded from JEMALLOC_SOURCE_URL/<version>/<file>, verified,
 * extracted in a private directory and built with the buildpack's
 * debian/recipe (*BUILT 1). 0, or -1 after saying why in the log (nothing is
 * kept of a tarball that fails its check). */
int source_tree(const struct install *in, const struct release *rel, struct sb *tree, int *built);

/* The hash of what a source build is made with beside the tarball:
 * BP_DIR/debian/recipe and the C files it builds. */
int source_recipe_hash(const char *bp_dir, char hex[65]);

#endif
