/* heroku-buildpack-jemalloc: one program for the classic bin/detect,
 * bin/compile and bin/release, the Cloud Native Buildpack's bin/detect and
 * bin/build, and, installed as jemalloc-status, the status command and (its
 * link exec.d/jemalloc-preload) the CNB launch-time switch. */
#include "cnb.h"
#include "compile.h"
#include "log.h"
#include "preload.h"
#include "status.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
	fputs("usage: heroku-jemalloc detect BUILD_DIR\n"
	      "       heroku-jemalloc compile BUILD_DIR CACHE_DIR [ENV_DIR] (BUILDPACK_DIR in $BP_DIR)\n"
	      "       heroku-jemalloc release\n"
	      "       heroku-jemalloc cnb-detect | cnb-build   (CNB_* variables as the lifecycle sets them)\n"
	      "       jemalloc-status [PID...]\n",
	      stderr);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	char self[4096];
	const char *name = basename(argv[0]);

	if (strcmp(name, "jemalloc-status") == 0)
		return status_main(argc, argv);
	if (strcmp(name, "jemalloc-preload") == 0)
		return preload_main();
	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "cnb-detect") == 0 && argc == 2)
		return cnb_detect_main();
	if (strcmp(argv[1], "cnb-build") == 0 && argc == 2) {
		const char *bp = getenv("BP_DIR");
		if (!bp || !*bp || !realpath(argv[0], self)) {
			fputs("cnb-build: run it through bin/build (BP_DIR unset, or argv[0] not a path)\n", stderr);
			return EXIT_USAGE;
		}
		return cnb_build_main(bp, self);
	}
	if (strcmp(argv[1], "detect") == 0 && argc == 3) {
		puts("jemalloc");
		return 0;
	}
	if (strcmp(argv[1], "release") == 0 && argc == 2) {
		puts("--- {}");
		return 0;
	}
	if (strcmp(argv[1], "compile") == 0 && (argc == 4 || argc == 5)) {
		const char *bp = getenv("BP_DIR");
		/* bin/compile execs this program by its absolute path. */
		if (!bp || !*bp || !realpath(argv[0], self)) {
			fputs("compile: run it through bin/compile (BP_DIR unset, or argv[0] not a path)\n", stderr);
			return EXIT_USAGE;
		}
		return compile_main(argv[2], argv[3], argc == 5 ? argv[4] : "/nonexistent", bp, self);
	}
	return usage();
}
