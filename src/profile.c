#include "profile.h"

#include "fsx.h"
#include "sb.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* src/profile.sh, made a C string at build time (Makefile: profile.inc), so
 * the script is one file that shellcheck and the tests read as it is. It is
 * sourced by the dyno's shell at start (HOME=/app), so JEMALLOC_ENABLED and
 * DYNO are read then, never baked in. */
const char profile_script[] =
#include "profile.inc"
	;

int profile_wants(const char *enabled, const char *dyno, struct sb *why)
{
	return profile_wants_setting("JEMALLOC_ENABLED", enabled, dyno, why);
}

int profile_wants_setting(const char *name, const char *enabled, const char *dyno, struct sb *why)
{
	struct sb type = SB_INIT;
	int on = 0;
	if (!enabled || !*enabled || strcmp(enabled, "false") == 0) {
		sb_setf(why, "%s is %s", name, enabled && *enabled ? "false" : "not set");
		return 0;
	}
	if (strcmp(enabled, "true") == 0) {
		sb_setf(why, "%s=true", name);
		return 1;
	}
	if (!dyno || !*dyno) {
		sb_setf(why, "%s lists process types and DYNO is not set", name);
		return 0;
	}
	sb_add(&type, dyno, strcspn(dyno, "."));
	/* Every comma-separated item, empty ones included, as sh's IFS=, splits. */
	for (const char *p = enabled; !on;) {
		size_t n = strcspn(p, ",");
		on = type.len > 0 && n == type.len && strncmp(p, sb_str(&type), n) == 0;
		if (!p[n])
			break;
		p += n + 1;
	}
	sb_setf(why, "%s %s this dyno's type, %s", name, on ? "lists" : "does not list", sb_str(&type));
	sb_release(&type);
	return on;
}

int profile_write(const char *build_dir)
{
	struct sb dir = SB_INIT;
	int r = -1;
	/* .profile.d must be a real directory of the app: fsx_mkdirs refuses a link. */
	sb_setf(&dir, "%s/.profile.d", build_dir);
	if (fsx_mkdirs(sb_str(&dir), 0755) == 0)
		r = fsx_write_text(sb_str(&dir), "jemalloc.sh", profile_script);
	sb_release(&dir);
	return r;
}

int profile_export(const char *build_dir, const char *bp_dir)
{
	struct sb exp = SB_INIT;
	/* Later buildpacks get the tools on PATH, never LD_PRELOAD: preloading
	 * into compilers and package managers is not what anyone asked for.
	 * compile_main has refused a BUILD_DIR with a quote. */
	sb_setf(&exp, "export PATH='%s/.jemalloc/bin':\"$PATH\"\n", build_dir);
	int r = fsx_write_text(bp_dir, "export", sb_str(&exp));
	sb_release(&exp);
	return r;
}
