#include "profile.h"

#include "fsx.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Sourced by the dyno's shell at start (HOME=/app), so JEMALLOC_ENABLED and
 * DYNO are read then, never baked in. POSIX sh: the stacks' /bin/sh is dash. */
const char profile_script[] =
	"# Written by heroku-buildpack-jemalloc. Read at every dyno start:\n"
	"# JEMALLOC_ENABLED=true preloads jemalloc into every process; a comma list\n"
	"# of process types (web,worker) preloads it in those dynos only.\n"
	"export PATH=\"$HOME/.jemalloc/bin:$PATH\"\n"
	"jemalloc_want() {\n"
	"\tcase \"${JEMALLOC_ENABLED:-}\" in\n"
	"\ttrue) return 0 ;;\n"
	"\t\"\" | false) return 1 ;;\n"
	"\tesac\n"
	"\t(\n"
	"\t\tset -f\n"
	"\t\tIFS=,\n"
	"\t\tfor t in $JEMALLOC_ENABLED; do\n"
	"\t\t\t[ -n \"${DYNO:-}\" ] && [ \"$t\" = \"${DYNO%%.*}\" ] && exit 0\n"
	"\t\tdone\n"
	"\t\texit 1\n"
	"\t)\n"
	"}\n"
	"if jemalloc_want && [ -e \"$HOME/.jemalloc/lib/libjemalloc.so\" ]; then\n"
	"\tcase \":${LD_PRELOAD:-}:\" in\n"
	"\t*\":$HOME/.jemalloc/lib/libjemalloc.so:\"*) ;;\n"
	"\t::) export LD_PRELOAD=\"$HOME/.jemalloc/lib/libjemalloc.so\" ;;\n"
	"\t*) export LD_PRELOAD=\"$HOME/.jemalloc/lib/libjemalloc.so:$LD_PRELOAD\" ;;\n"
	"\tesac\n"
	"fi\n"
	"unset -f jemalloc_want\n";

int profile_wants(const char *enabled, const char *dyno, char *why, unsigned whylen)
{
	char list[1024], type[256];
	if (!enabled || !*enabled || strcmp(enabled, "false") == 0) {
		snprintf(why, whylen, "JEMALLOC_ENABLED is %s", enabled && *enabled ? "false" : "not set");
		return 0;
	}
	if (strcmp(enabled, "true") == 0) {
		snprintf(why, whylen, "JEMALLOC_ENABLED=true");
		return 1;
	}
	if (!dyno || !*dyno) {
		snprintf(why, whylen, "JEMALLOC_ENABLED lists process types and DYNO is not set");
		return 0;
	}
	snprintf(type, sizeof type, "%.*s", (int)strcspn(dyno, "."), dyno);
	snprintf(list, sizeof list, "%s", enabled);
	for (char *save = NULL, *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (strcmp(t, type) == 0) {
			snprintf(why, whylen, "JEMALLOC_ENABLED lists this dyno's type, %s", type);
			return 1;
		}
	}
	snprintf(why, whylen, "JEMALLOC_ENABLED does not list this dyno's type, %s", type);
	return 0;
}

int profile_write(const char *build_dir, const char *bp_dir)
{
	char path[4096], dir[4096], exp[8192];
	if (fsx_path(dir, sizeof dir, "%s/.profile.d", build_dir) < 0 || fsx_mkdirs(dir, 0755) < 0)
		return -1;
	if (fsx_path(path, sizeof path, "%s/jemalloc.sh", dir) < 0 ||
	    fsx_write_atomic(path, profile_script, strlen(profile_script), 0644) < 0)
		return -1;
	/* Later buildpacks get the tools on PATH, never LD_PRELOAD: preloading
	 * into compilers and package managers is not what anyone asked for. */
	if (strchr(build_dir, '\'')) {
		errno = EINVAL;
		return -1;
	}
	if (fsx_path(exp, sizeof exp, "export PATH='%s/.jemalloc/bin':\"$PATH\"\n", build_dir) < 0 ||
	    fsx_path(path, sizeof path, "%s/export", bp_dir) < 0)
		return -1;
	return fsx_write_atomic(path, exp, strlen(exp), 0644);
}
