/* A bounded build cache: after a successful build it holds the packages,
 * built trees and tarballs of the last two distinct builds (stack,
 * architecture, version, package or source) and no more, so switching back
 * and forth between two stacks or versions stays warm while nothing piles up.
 * CACHE_DIR/jemalloc/recent lists the builds, newest first, one a line: the
 * cache entries each used, relative to CACHE_DIR/jemalloc. */
#ifndef CACHE_H
#define CACHE_H

/* Records ENTRIES (space-separated paths relative to CACHE_DIR/jemalloc:
 * the package, or the tree and tarball, the build used) as the newest build,
 * then removes every package, tree and tarball the last two builds did not
 * use, saying so in the log. (bin/program keeps one build of the program.)
 * A failure to purge is a warning, never a failed build. */
void cache_keep(const char *cache_dir, const char *entries);

#endif
