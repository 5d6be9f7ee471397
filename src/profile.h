/* What the build leaves for run time: the .profile.d script that preloads
 * jemalloc when JEMALLOC_ENABLED asks for it, and the export file for later
 * buildpacks. Their text is fixed: nothing from the build's environment is
 * written into them, so no config value can ever become shell code. */
#ifndef PROFILE_H
#define PROFILE_H

struct sb;

/* The exact text of .profile.d/jemalloc.sh. */
extern const char profile_script[];

/* Whether JEMALLOC_ENABLED (may be NULL) asks for jemalloc in dyno DYNO
 * (may be NULL; "web.1" is process type "web"), the same rule the script
 * applies. Writes the reason into WHY. */
int profile_wants(const char *enabled, const char *dyno, struct sb *why);

/* The same rule for another setting NAME of the same grammar
 * (JEMALLOC_METRICS), its reason in WHY under that name. */
int profile_wants_setting(const char *name, const char *value, const char *dyno, struct sb *why);

/* Writes BUILD_DIR/.profile.d/jemalloc.sh. */
int profile_write(const char *build_dir);

/* Writes BP_DIR/export, which puts BUILD_DIR/.jemalloc/bin on later
 * buildpacks' PATH. Apart from profile_write, so that a failure names the
 * file that could not be written (BP_DIR may be read-only). */
int profile_export(const char *build_dir, const char *bp_dir);

#endif
