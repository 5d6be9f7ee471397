/* The Cloud Native Buildpack contract (buildpacks.io Buildpack API 0.10):
 * the same install as bin/compile, into layers instead of the app dir. */
#ifndef CNB_H
#define CNB_H

/* bin/build, reading CNB_LAYERS_DIR, CNB_PLATFORM_DIR and CNB_TARGET_*.
 * Makes two layers:
 *   jemalloc  launch (and build when JEMALLOC_BUILD=true), cached: .jemalloc/
 *             as on classic dynos, bin/ links to its programs, and
 *             exec.d/jemalloc-preload, which decides LD_PRELOAD at launch;
 *   cache     cache only: packages, apt's state, the built program.
 * The jemalloc layer is reused when stack, architecture, an exact
 * JEMALLOC_VERSION and this program are what built it. BP_DIR is the
 * buildpack, SELF this program. */
int cnb_build_main(const char *bp_dir, const char *self);

#endif
