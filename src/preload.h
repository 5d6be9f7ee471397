/* The Cloud Native Buildpack's launch-time switch: an exec.d program
 * (buildpacks.io buildpack spec, "Exec.d") that the launcher runs before
 * every process. Static env files cannot depend on JEMALLOC_ENABLED or the
 * process type, so this program decides at launch, as .profile.d does on
 * classic dynos. */
#ifndef PRELOAD_H
#define PRELOAD_H

#include <stddef.h>

struct sb;

/* The LD_PRELOAD a process should get: LIB prepended to CURRENT (may be NULL
 * or "") unless CURRENT already names it. 1 with NEXT written, 0 when
 * CURRENT needs no change, -1 on error. */
int preload_value(const char *lib, const char *current, struct sb *next);

/* The process type being launched: the launcher runs as
 * /cnb/process/<type> and keeps CNB_PROCESS_TYPE from processes, so the
 * type is the last element of its argv[0] (PARENT_ARGV0, may be NULL) when
 * that sits in a directory named "process"; else DYNO's type ("web.1" is
 * "web"); else "". */
void preload_process_type(const char *parent_argv0, const char *dyno, struct sb *type);

/* exec.d/jemalloc-preload: writes LD_PRELOAD = "..." to fd 3 (stdout when
 * fd 3 is not open) when JEMALLOC_ENABLED asks for jemalloc in this process
 * type (with lib/libjemalloc-metrics.so too when JEMALLOC_METRICS asks for
 * it), nothing otherwise. Never fails a launch over jemalloc: a missing
 * library is a warning on stderr. Exits 1 only when fd 3 cannot be written. */
int preload_main(void);

#endif
