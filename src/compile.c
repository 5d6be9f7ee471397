/* bin/compile BUILD_DIR CACHE_DIR ENV_DIR: from an app dir to an app with
 * jemalloc in .jemalloc, its .profile.d script, and a proof that it loads. */
#include "compile.h"

#include "fsx.h"
#include "install.h"
#include "log.h"
#include "profile.h"
#include "stack.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Swaps the staged tree in: rename is atomic; the old tree goes after. */
static int swap_in(const char *build_dir, const char *jdir)
{
	char live[4096], old[4096];
	if (fsx_path(live, sizeof live, "%s/.jemalloc", build_dir) < 0 ||
	    fsx_path(old, sizeof old, "%s/.jemalloc.old", build_dir) < 0)
		return -1;
	rm_rf(old);
	if (rename(live, old) < 0 && errno != ENOENT)
		return -1;
	if (rename(jdir, live) < 0) {
		int e = errno;
		rename(old, live);
		errno = e;
		return -1;
	}
	return rm_rf(old);
}

int compile_main(const char *build_dir, const char *cache_dir, const char *env_dir, const char *bp_dir, const char *self)
{
	char stack[64], deb[4200], tree[4200], stage_dir[4200], jdir[4300], got[64];
	const char *arch;
	struct settings s = {0};
	struct stat st;

	stack_detect(stack, sizeof stack);
	arch = stack_arch();
	if (install_target(stack, arch) < 0)
		return EXIT_FAIL;
	settings_read(env_dir, bp_dir, &s);
	log_step("Installing jemalloc %s for %s (%s)", *s.version ? s.version : "(newest)", stack, arch);

	if (fsx_path(tree, sizeof tree, "%s/.apt/app/.jemalloc", build_dir) < 0 ||
	    fsx_path(stage_dir, sizeof stage_dir, "%s/.jemalloc.new", build_dir) < 0)
		return EXIT_FAIL;
	int from_aptfile = stat(tree, &st) == 0 && S_ISDIR(st.st_mode);
	if (from_aptfile) {
		log_detail("Using the jemalloc the Aptfile installed (.apt/app/.jemalloc)");
	} else if (install_fetch(cache_dir, stack, arch, &s, deb, sizeof deb) < 0) {
		return EXIT_FAIL;
	}
	if (install_staged(stage_dir, from_aptfile ? NULL : deb, tree, self, &s, jdir, sizeof jdir, got, sizeof got) < 0) {
		rm_rf(stage_dir);
		log_error("Nothing was changed in the app.");
		return EXIT_FAIL;
	}
	if (swap_in(build_dir, jdir) < 0) {
		log_error("Cannot install %s/.jemalloc: %s.", build_dir, strerror(errno));
		rm_rf(stage_dir);
		return EXIT_FAIL;
	}
	rm_rf(stage_dir);
	if (profile_write(build_dir, bp_dir) < 0) {
		log_error("Cannot write %s/.profile.d/jemalloc.sh: %s.", build_dir, strerror(errno));
		return EXIT_FAIL;
	}
	log_detail("jemalloc %s loads; it is installed in .jemalloc", got);
	log_detail("Turn it on with: heroku config:set JEMALLOC_ENABLED=true");
	return EXIT_OK;
}
