/* heroku-buildpack-jemalloc: the program behind the classic bin/compile and
 * the Cloud Native Buildpack's bin/build, and, installed as jemalloc-status,
 * the status command and (its link exec.d/jemalloc-preload) the CNB
 * launch-time switch. bin/detect and bin/release are plain sh. */
#include "cnb.h"
#include "compile.h"
#include "log.h"
#include "preload.h"
#include "progkey.h"
#include "status.h"

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int usage(void)
{
	fputs("usage: heroku-jemalloc compile BUILD_DIR CACHE_DIR [ENV_DIR] (BUILDPACK_DIR in $BP_DIR)\n"
	      "       heroku-jemalloc cnb-build   (CNB_* variables as the lifecycle sets them)\n"
	      "       heroku-jemalloc current | key | source-key | prebuilt   (for bin/program and\n"
	      "                       scripts/package; BP_DIR set)\n"
	      "       jemalloc-status [PID...]\n",
	      stderr);
	return EXIT_USAGE;
}

/* BP_DIR and this program's own path: the shims exec it by absolute path. */
static int whereabouts(const char *cmd, const char *argv0, const char **bp, char *self)
{
	*bp = getenv("BP_DIR");
	if (!*bp || **bp != '/' || !realpath(argv0, self)) {
		fprintf(stderr, "%s: run it through bin/%s (BP_DIR unset or relative, or argv[0] not a path)\n", cmd,
			strcmp(cmd, "compile") == 0 ? "compile" : "build");
		return -1;
	}
	return 0;
}

static int dispatch(int argc, char **argv)
{
	char self[PATH_MAX];
	const char *name = basename(argv[0]), *bp;

	if (strcmp(name, "jemalloc-status") == 0)
		return status_main(argc, argv);
	if (strcmp(name, "jemalloc-preload") == 0)
		return preload_main();
	/* bin/program: is this cached build current, the key of a new one, and
	 * is this prebuilt program made from BP_DIR/src; scripts/package: the
	 * hash of the sources a prebuilt program is compiled with. */
	if (argc == 2 && (strcmp(argv[1], "current") == 0 || strcmp(argv[1], "key") == 0 ||
			  strcmp(argv[1], "source-key") == 0 || strcmp(argv[1], "prebuilt") == 0)) {
		char key[PROGKEY_SIZE];
		/* bin/program runs these with no other time bound: a stalled
		 * read of src/ ends here (SIGALRM): after `current` or
		 * `prebuilt`, bin/program compiles; after `key`, it fails. */
		alarm(PROGKEY_ALARM_S);
		bp = getenv("BP_DIR");
		if (!bp || *bp != '/')
			return EXIT_USAGE;
		if (strcmp(argv[1], "current") == 0)
			return progkey_current(bp) ? EXIT_OK : EXIT_FAIL;
		if (strcmp(argv[1], "prebuilt") == 0)
			return progkey_prebuilt(bp) ? EXIT_OK : EXIT_FAIL;
		if ((strcmp(argv[1], "key") == 0 ? progkey_compute(bp, key) : progkey_source(bp, key)) < 0)
			return EXIT_FAIL;
		puts(key);
		return EXIT_OK;
	}
	if (argc == 2 && strcmp(argv[1], "cnb-build") == 0)
		return whereabouts("cnb-build", argv[0], &bp, self) < 0 ? EXIT_USAGE : cnb_build_main(bp, self);
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "compile") == 0)
		return whereabouts("compile", argv[0], &bp, self) < 0
			       ? EXIT_USAGE
			       : compile_main(argv[2], argv[3], argc == 5 ? argv[4] : "/nonexistent", bp, self);
	return usage();
}

int main(int argc, char **argv)
{
	/* Every other function returns; the exit code is decided here alone. */
	exit(dispatch(argc, argv));
}
