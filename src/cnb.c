#include "cnb.h"

#include "envdir.h"
#include "fsx.h"
#include "install.h"
#include "log.h"
#include "stack.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What built the jemalloc layer: its [metadata] table. */
struct layer_meta {
	char stack[80], arch[80], version[80], program[80];
};

int cnb_detect_main(void)
{
	puts("jemalloc: always (added on purpose); JEMALLOC_ENABLED decides at launch");
	return EXIT_OK;
}

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);
	return v && *v ? v : fallback;
}

/* Reads the [metadata] of LAYERS/jemalloc.toml, as written by layer_toml. */
static int meta_read(const char *layers, struct layer_meta *m)
{
	char path[4200], *buf = NULL;
	memset(m, 0, sizeof *m);
	if (fsx_path(path, sizeof path, "%s/jemalloc.toml", layers) < 0 || fsx_read(path, &buf, 65536) < 0)
		return -1;
	for (char *save = NULL, *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char key[16], val[80];
		if (sscanf(l, "%15[a-z] = \"%79[^\"]\"", key, val) != 2)
			continue;
		if (strcmp(key, "stack") == 0)
			snprintf(m->stack, sizeof m->stack, "%s", val);
		else if (strcmp(key, "arch") == 0)
			snprintf(m->arch, sizeof m->arch, "%s", val);
		else if (strcmp(key, "version") == 0)
			snprintf(m->version, sizeof m->version, "%s", val);
		else if (strcmp(key, "program") == 0)
			snprintf(m->program, sizeof m->program, "%s", val);
	}
	free(buf);
	return 0;
}

/* LAYERS/NAME.toml; every value is one we checked (stack, arch, version, a
 * hex key), so none needs TOML escaping. */
static int layer_toml(const char *layers, const char *name, int launch, int build, const struct layer_meta *m)
{
	char path[4200], text[1024];
	int n = snprintf(text, sizeof text, "[types]\nlaunch = %s\nbuild = %s\ncache = true\n", launch ? "true" : "false",
			 build ? "true" : "false");
	if (m)
		n += snprintf(text + n, sizeof text - (size_t)n,
			      "\n[metadata]\nstack = \"%s\"\narch = \"%s\"\nversion = \"%s\"\nprogram = \"%s\"\n", m->stack,
			      m->arch, m->version, m->program);
	if (n < 0 || (size_t)n >= sizeof text || fsx_path(path, sizeof path, "%s/%s.toml", layers, name) < 0)
		return -1;
	return fsx_write_atomic(path, text, (size_t)n, 0644);
}

static int link_in(const char *layer, const char *target, const char *name)
{
	char path[4300];
	if (fsx_path(path, sizeof path, "%s/%s", layer, name) < 0)
		return -1;
	unlink(path);
	return symlink(target, path);
}

/* bin/ links (the layer's bin/ is on PATH at launch; its lib/ would be on
 * LD_LIBRARY_PATH, so the library stays under .jemalloc/lib, out of the way
 * of programs linked against the stack's own libjemalloc), exec.d, and
 * env.build when jemalloc is wanted in later buildpacks too. */
static int layer_links(const char *layer, int build)
{
	char p[4300], jeprof[4300];
	const char *dirs[] = {"bin", "exec.d", "env.build", NULL};
	/* Made afresh; env.build only where jemalloc is wanted in later buildpacks. */
	for (int i = 0; dirs[i]; i++)
		if (fsx_path(p, sizeof p, "%s/%s", layer, dirs[i]) < 0 || rm_rf(p) < 0)
			return -1;
	if (fsx_path(p, sizeof p, "%s/bin", layer) < 0 || fsx_mkdirs(p, 0755) < 0 ||
	    fsx_path(p, sizeof p, "%s/exec.d", layer) < 0 || fsx_mkdirs(p, 0755) < 0 ||
	    (build && (fsx_path(p, sizeof p, "%s/env.build", layer) < 0 || fsx_mkdirs(p, 0755) < 0)))
		return -1;
	if (link_in(layer, "../.jemalloc/bin/jemalloc.sh", "bin/jemalloc.sh") < 0 ||
	    link_in(layer, "../.jemalloc/bin/jemalloc-status", "bin/jemalloc-status") < 0 ||
	    link_in(layer, "../.jemalloc/bin/jemalloc-status", "exec.d/jemalloc-preload") < 0)
		return -1;
	if (fsx_path(jeprof, sizeof jeprof, "%s/.jemalloc/bin/jeprof", layer) == 0 && access(jeprof, F_OK) == 0 &&
	    link_in(layer, "../.jemalloc/bin/jeprof", "bin/jeprof") < 0)
		return -1;
	if (!build)
		return 0;
	char lib[4300];
	if (fsx_path(lib, sizeof lib, "%s/.jemalloc/lib/libjemalloc.so", layer) < 0 ||
	    fsx_path(p, sizeof p, "%s/env.build/LD_PRELOAD.prepend", layer) < 0 ||
	    fsx_write_atomic(p, lib, strlen(lib), 0644) < 0 ||
	    fsx_path(p, sizeof p, "%s/env.build/LD_PRELOAD.delim", layer) < 0 || fsx_write_atomic(p, ":", 1, 0644) < 0)
		return -1;
	return 0;
}

/* Replaces LAYER's .jemalloc with the staged JDIR. */
static int layer_fill(const char *layer, const char *jdir)
{
	char live[4300];
	if (rm_rf(layer) < 0 || fsx_mkdirs(layer, 0755) < 0 || fsx_path(live, sizeof live, "%s/.jemalloc", layer) < 0)
		return -1;
	return rename(jdir, live);
}

static int read_flag(const char *env_dir, const char *name)
{
	char *v = NULL;
	int r = envdir_get(env_dir, name, &v);
	int on = r == 1 && strcmp(v, "true") == 0;
	free(v);
	return on;
}

int cnb_build_main(const char *bp_dir, const char *self)
{
	const char *layers = getenv("CNB_LAYERS_DIR"), *platform = getenv("CNB_PLATFORM_DIR");
	char stack[64], env_dir[4200], cache[4200], layer[4200], stage[4200], jdir[4400], deb[4400], got[64];
	struct settings s = {0};
	struct layer_meta was, now = {0};

	if (!layers || *layers != '/' || !platform || *platform != '/') {
		log_error("bin/build needs CNB_LAYERS_DIR and CNB_PLATFORM_DIR (absolute paths), as the lifecycle sets them.");
		return EXIT_USAGE;
	}
	if (stack_from_target(getenv("CNB_TARGET_DISTRO_NAME"), getenv("CNB_TARGET_DISTRO_VERSION"), stack,
			      sizeof stack) < 0) {
		log_error("The target %s %s is not a Heroku stack: jemalloc packages exist for Ubuntu 22.04, 24.04 and 26.04.",
			  getenv("CNB_TARGET_DISTRO_NAME"), env_or("CNB_TARGET_DISTRO_VERSION", "(no version)"));
		return EXIT_FAIL;
	}
	if (!*stack)
		stack_detect(stack, sizeof stack);
	const char *arch = env_or("CNB_TARGET_ARCH", stack_arch());
	if (install_target(stack, arch) < 0)
		return EXIT_FAIL;
	if (fsx_path(env_dir, sizeof env_dir, "%s/env", platform) < 0 ||
	    fsx_path(cache, sizeof cache, "%s/cache", layers) < 0 ||
	    fsx_path(layer, sizeof layer, "%s/jemalloc", layers) < 0 ||
	    fsx_path(stage, sizeof stage, "%s/jemalloc.new", layers) < 0)
		return EXIT_FAIL;
	settings_read(env_dir, bp_dir, &s);
	int build = read_flag(env_dir, "JEMALLOC_BUILD");
	snprintf(now.stack, sizeof now.stack, "%s", stack);
	snprintf(now.arch, sizeof now.arch, "%s", arch);
	/* bin/program's hex key; anything else (it goes into TOML) is unknown. */
	const char *key = env_or("JEMALLOC_PROGRAM_KEY", "unknown");
	if (strlen(key) > 64 || strspn(key, "0123456789abcdef") != strlen(key))
		key = "unknown";
	snprintf(now.program, sizeof now.program, "%s", key);
	log_step("Installing jemalloc %s for %s (%s)", *s.version ? s.version : "(newest)", stack, arch);

	/* The cache layer is kept whatever happens next. */
	if (fsx_mkdirs(cache, 0755) < 0 || layer_toml(layers, "cache", 0, 0, NULL) < 0) {
		log_error("Cannot write the cache layer %s: %s.", cache, strerror(errno));
		return EXIT_FAIL;
	}
	/* The restored jemalloc.toml has no [types]: the layer is dropped unless
	 * this build says what it is, which it does last. */
	char jl[4400];
	int reuse = meta_read(layers, &was) == 0 && strcmp(was.stack, now.stack) == 0 &&
		    strcmp(was.arch, now.arch) == 0 && strcmp(was.program, now.program) == 0 &&
		    strcmp(was.program, "unknown") != 0 && *s.version && strcmp(was.version, s.version) == 0 &&
		    fsx_path(jl, sizeof jl, "%s/.jemalloc", layer) == 0 && access(jl, R_OK) == 0;
	if (reuse && install_verify(jl, s.version, got, sizeof got, 1) == 0) {
		log_detail("Reusing the jemalloc layer: %s for %s (%s), unchanged", got, stack, arch);
	} else {
		if (reuse)
			log_detail("The cached jemalloc layer does not load: installing it again");
		if (install_fetch(cache, stack, arch, &s, deb, sizeof deb) < 0 ||
		    install_staged(stage, deb, NULL, self, &s, jdir, sizeof jdir, got, sizeof got) < 0 ||
		    layer_fill(layer, jdir) < 0) {
			rm_rf(stage);
			log_error("The jemalloc layer was not made.");
			return EXIT_FAIL;
		}
		rm_rf(stage);
	}
	snprintf(now.version, sizeof now.version, "%s", got);
	if (layer_links(layer, build) < 0 || layer_toml(layers, "jemalloc", 1, build, &now) < 0) {
		log_error("Cannot write the jemalloc layer %s: %s.", layer, strerror(errno));
		return EXIT_FAIL;
	}
	log_detail("jemalloc %s loads; it is in the jemalloc layer%s", got, build ? ", preloaded in later buildpacks" : "");
	log_detail("Turn it on with JEMALLOC_ENABLED=true (or a list of process types) at launch");
	return EXIT_OK;
}
