#include "profile.h"

#include "fsx.h"
#include "sb.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Sourced by the dyno's shell at start (HOME=/app), so JEMALLOC_ENABLED and
 * DYNO are read then, never baked in. POSIX sh: the stacks' /bin/sh is dash. */
const char profile_script[] =
	"# Written by heroku-buildpack-jemalloc. Read at every dyno start:\n"
	"# JEMALLOC_ENABLED=true preloads jemalloc into every process; a comma list\n"
	"# of process types (web,worker) preloads it in those dynos only.\n"
	"# JEMALLOC_METRICS, by the same rule, adds jemalloc's figures to the log.\n"
	"export PATH=\"$HOME/.jemalloc/bin:$PATH\"\n"
	"jemalloc_want() {\n"
	"\tcase \"$1\" in\n"
	"\ttrue) return 0 ;;\n"
	"\t\"\" | false) return 1 ;;\n"
	"\tesac\n"
	"\t(\n"
	"\t\tset -f\n"
	"\t\tIFS=,\n"
	"\t\tfor t in $1; do\n"
	"\t\t\t[ -n \"$t\" ] && [ -n \"${DYNO:-}\" ] && [ \"$t\" = \"${DYNO%%.*}\" ] && exit 0\n"
	"\t\tdone\n"
	"\t\texit 1\n"
	"\t)\n"
	"}\n"
	"jemalloc_preload() {\n"
	"\tcase \":${LD_PRELOAD:-}:\" in\n"
	"\t*[:\\ ]\"$1\"[:\\ ]*) ;;\n"
	"\t::) export LD_PRELOAD=\"$1\" ;;\n"
	"\t*) export LD_PRELOAD=\"$1:$LD_PRELOAD\" ;;\n"
	"\tesac\n"
	"}\n"
	"if jemalloc_want \"${JEMALLOC_ENABLED:-}\" && [ -e \"$HOME/.jemalloc/lib/libjemalloc.so\" ]; then\n"
	"\tif jemalloc_want \"${JEMALLOC_METRICS:-}\" && [ -e \"$HOME/.jemalloc/lib/libjemalloc-metrics.so\" ]; then\n"
	"\t\tjemalloc_preload \"$HOME/.jemalloc/lib/libjemalloc-metrics.so\"\n"
	"\tfi\n"
	"\tjemalloc_preload \"$HOME/.jemalloc/lib/libjemalloc.so\"\n"
	"fi\n"
	"unset -f jemalloc_want jemalloc_preload\n";

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

int profile_write(const char *build_dir, const char *bp_dir)
{
	struct sb dir = SB_INIT, exp = SB_INIT;
	int r = -1;
	/* .profile.d must be a real directory of the app: fsx_mkdirs refuses a link. */
	if (sb_setf(&dir, "%s/.profile.d", build_dir) < 0 || fsx_mkdirs(sb_str(&dir), 0755) < 0 ||
	    fsx_write_text(sb_str(&dir), "jemalloc.sh", profile_script) < 0)
		goto out;
	/* Later buildpacks get the tools on PATH, never LD_PRELOAD: preloading
	 * into compilers and package managers is not what anyone asked for.
	 * compile_main has refused a BUILD_DIR with a quote. */
	if (sb_setf(&exp, "export PATH='%s/.jemalloc/bin':\"$PATH\"\n", build_dir) < 0)
		goto out;
	r = fsx_write_text(bp_dir, "export", sb_str(&exp));
out:
	sb_release(&dir);
	sb_release(&exp);
	return r;
}
