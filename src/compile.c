/* bin/compile BUILD_DIR CACHE_DIR ENV_DIR: from an app dir to an app with
 * jemalloc in .jemalloc, its .profile.d script, and a proof that it loads. */
#include "compile.h"

#include "cache.h"
#include "fsx.h"
#include "install.h"
#include "log.h"
#include "profile.h"
#include "sb.h"
#include "settings.h"
#include "stage.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* A directory the build writes below: absolute, and nothing in it that the
 * export file, LD_PRELOAD, a sources.list line or the log would read as
 * something else; and its jemalloc/ cache (for CACHE_DIR) no link. */
static int dir_ok(const char *what, const char *dir, const char *sub)
{
	struct sb p = SB_INIT;
	if (!fsx_path_plain(dir)) {
		log_error("%s must be an absolute path without spaces, quotes, colons or control characters: %s", what, dir);
		log_error("Nothing was changed in the app.");
		return 0;
	}
	if (sub)
		sb_setf(&p, "%s/%s", dir, sub);
	int ok = !sub || fsx_is_real_dir(sb_str(&p)) >= 0;
	if (!ok)
		log_error("%s is not a directory (%s): remove it from the build cache.", sb_str(&p), strerror(errno));
	sb_release(&p);
	return ok;
}

/* BUILD_DIR/.apt/app/.jemalloc, when Heroku's apt buildpack put one there;
 * every step of that path must be a real directory inside BUILD_DIR. */
static int aptfile_tree(const char *build_dir, struct sb *tree, int *found)
{
	const char *steps[] = {".apt", ".apt/app", ".apt/app/.jemalloc", NULL};
	*found = 0;
	for (int i = 0; steps[i]; i++) {
		sb_setf(tree, "%s/%s", build_dir, steps[i]);
		int d = fsx_is_real_dir(sb_str(tree));
		if (d == 0)
			return 0;
		if (d < 0) {
			log_error("%s is not a directory of the app (%s): refused.", sb_str(tree), strerror(errno));
			return -1;
		}
	}
	*found = 1;
	return 0;
}

/* BUILD_DIR/NAME, where the build writes, is absent or a real directory of
 * the app: never a link that would carry the writes elsewhere. Checked
 * before anything is written. */
static int app_dir_ok(const char *build_dir, const char *name)
{
	struct sb p = SB_INIT;
	sb_setf(&p, "%s/%s", build_dir, name);
	int ok = fsx_is_real_dir(sb_str(&p)) >= 0;
	if (!ok) {
		log_error("%s is not a directory of the app (%s): refused.", sb_str(&p), strerror(errno));
		log_error("Remove it from the app's repository; nothing was changed in the app.");
	}
	sb_release(&p);
	return ok;
}

int compile_main(const char *build_dir, const char *cache_dir, const char *env_dir, const char *bp_dir, const char *self)
{
	struct sb tree = SB_INIT, stage = SB_INIT, live = SB_INIT, jdir = SB_INIT, entries = SB_INIT;
	struct settings s;
	struct target t;
	struct sb stack = SB_INIT;
	char got[STAGE_VERSION_SIZE];
	int aptfile = 0, r = EXIT_FAIL;

	if (!dir_ok("BUILD_DIR", build_dir, NULL) || !dir_ok("CACHE_DIR", cache_dir, "jemalloc") ||
	    cache_lock(cache_dir) < 0)
		return EXIT_FAIL;
	if (settings_read(env_dir, bp_dir, &s) < 0)
		return EXIT_FAIL;
	stack_detect(bp_dir, &stack);
	if (install_target(bp_dir, sb_str(&stack), stack_arch(), &s, &t) < 0)
		goto out;
	install_announce(&s, &t);
	sb_setf(&stage, "%s/.jemalloc.new", build_dir);
	sb_setf(&live, "%s/.jemalloc", build_dir);
	if (aptfile_tree(build_dir, &tree, &aptfile) < 0 || !app_dir_ok(build_dir, ".jemalloc") ||
	    !app_dir_ok(build_dir, ".profile.d"))
		goto out;
	struct install in = {.bp_dir = bp_dir, .cache_dir = cache_dir, .self = self, .s = &s, .t = &t,
			     .stage_dir = sb_str(&stage), .aptfile = aptfile ? sb_str(&tree) : NULL, .entries = &entries};
	int how = install_stage(&in, &jdir, got, sizeof got);
	if (how < 0) {
		fsx_rm_rf(sb_str(&stage));
		log_error("Nothing was changed in the app.");
		goto out;
	}
	/* One step: the app has the old tree or the new one, never neither. */
	if (fsx_exchange(sb_str(&jdir), sb_str(&live)) < 0) {
		log_error("Cannot install %s: %s.", sb_str(&live), strerror(errno));
		fsx_rm_rf(sb_str(&stage));
		goto out;
	}
	fsx_rm_rf(sb_str(&stage));
	if (profile_write(build_dir) < 0) {
		log_error("Cannot write %s/.profile.d/jemalloc.sh: %s.", build_dir, strerror(errno));
		goto out;
	}
	if (profile_export(build_dir, bp_dir) < 0) {
		log_error("Cannot write %s/export: %s.", bp_dir, strerror(errno));
		goto out;
	}
	install_keep(&in);
	install_said(how, got, "installed in .jemalloc");
	log_detail("Turn it on with: heroku config:set JEMALLOC_ENABLED=true");
	r = EXIT_OK;
out:
	settings_free(&s);
	sb_release(&stack);
	sb_release(&tree);
	sb_release(&stage);
	sb_release(&live);
	sb_release(&jdir);
	sb_release(&entries);
	return r;
}
