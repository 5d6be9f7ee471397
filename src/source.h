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

struct sb;
struct release;

/* The built tree of release REL for STACK and ARCH in TREE: from the cache,
 * or downloaded from BASE_URL/<version>/<file>, verified, extracted in a
 * private directory and built with BP_DIR/debian/recipe. 0, or -1 after
 * saying why in the log (nothing is kept of a tarball that fails its check). */
int source_tree(const char *bp_dir, const char *cache_dir, const char *stack, const char *arch,
		const struct release *rel, const char *base_url, struct sb *tree);

/* The hash of what a source build is made with beside the tarball:
 * BP_DIR/debian/recipe and the C files it builds. */
int source_recipe_hash(const char *bp_dir, char hex[65]);

#endif
