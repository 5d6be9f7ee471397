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

/* Builds that share a cache (CI runners, self-hosted builders) take turns:
 * one flock on CACHE_DIR/jemalloc for the whole build: taken by
 * bin/program on fd CACHE_LOCK_FD before it builds the cached program, and
 * held through the exec to the program's exit; taken by the program
 * itself when bin/program had no need to. A build that finds it held says so and waits, at
 * most CACHE_LOCK_WAIT seconds (JEMALLOC_LOCK_TIMEOUT in the build's
 * environment says otherwise), then fails. 0 with the lock held, or -1
 * after saying why. */
#define CACHE_LOCK_FD 9
#define CACHE_LOCK_WAIT 600
int cache_lock(const char *cache_dir);

#endif
