#ifndef COMPILE_H
#define COMPILE_H

/* bin/compile BUILD_DIR CACHE_DIR ENV_DIR. BP_DIR is the buildpack, SELF
 * this program (installed as .jemalloc/bin/jemalloc-status). Returns an exit
 * code; on any failure BUILD_DIR is left as it was. */
int compile_main(const char *build_dir, const char *cache_dir, const char *env_dir,
		 const char *bp_dir, const char *self);

#endif
