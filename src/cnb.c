#include "cnb.h"

#include "cache.h"
#include "fsx.h"
#include "install.h"
#include "log.h"
#include "progkey.h"
#include "sb.h"
#include "settings.h"
#include "stack.h"
#include "stage.h"
#include "toml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What built the jemalloc layer: its [metadata] table. */
struct layer_meta {
	char stack[32], arch[16], version[64], program[80], origin[80];
};

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);
	return v && *v ? v : fallback;
}

static int meta_read(const char *layers, struct layer_meta *m)
{
	struct sb path = SB_INIT;
	char *text = NULL;
	memset(m, 0, sizeof *m);
	int r = sb_setf(&path, "%s/jemalloc.toml", layers) < 0 || fsx_read(sb_str(&path), &text, 65536) < 0 ? -1 : 0;
	if (r == 0) {
		toml_get(text, "metadata", "stack", m->stack, sizeof m->stack);
		toml_get(text, "metadata", "arch", m->arch, sizeof m->arch);
		toml_get(text, "metadata", "version", m->version, sizeof m->version);
		toml_get(text, "metadata", "program", m->program, sizeof m->program);
		toml_get(text, "metadata", "origin", m->origin, sizeof m->origin);
	}
	free(text);
	sb_release(&path);
	return r;
}

/* LAYERS/NAME.toml, every value quoted. */
static int layer_toml(const char *layers, const char *name, int launch, int build, const struct layer_meta *m)
{
	struct sb text = SB_INIT, path = SB_INIT;
	int r = sb_addf(&text, "[types]\nlaunch = %s\nbuild = %s\ncache = true\n", launch ? "true" : "false",
			build ? "true" : "false");
	if (r == 0 && m)
		r = sb_adds(&text, "\n[metadata]\n") < 0 || toml_kv(&text, "stack", m->stack) < 0 ||
			    toml_kv(&text, "arch", m->arch) < 0 || toml_kv(&text, "version", m->version) < 0 ||
			    toml_kv(&text, "program", m->program) < 0 || toml_kv(&text, "origin", m->origin) < 0
			? -1
			: 0;
	if (r == 0)
		r = sb_setf(&path, "%s.toml", name) < 0 ? -1 : fsx_write_text(layers, sb_str(&path), sb_str(&text));
	sb_release(&text);
	sb_release(&path);
	return r;
}

static int link_in(const char *layer, const char *target, const char *name)
{
	struct sb path = SB_INIT;
	int r = sb_setf(&path, "%s/%s", layer, name) < 0 ? -1 : 0;
	if (r == 0) {
		unlink(sb_str(&path));
		r = symlink(target, sb_str(&path));
	}
	sb_release(&path);
	return r;
}

/* bin/ links (the layer's bin/ is on PATH at launch; its lib/ would be on
 * LD_LIBRARY_PATH, so the library stays under .jemalloc/lib, out of the way
 * of programs linked against the stack's own libjemalloc), exec.d, and
 * env.build when jemalloc is wanted in later buildpacks too. */
static int layer_links(const char *layer, int build)
{
	struct sb p = SB_INIT, lib = SB_INIT;
	const char *dirs[] = {"bin", "exec.d", "env.build", NULL};
	int r = -1;
	for (int i = 0; dirs[i]; i++)
		if (sb_setf(&p, "%s/%s", layer, dirs[i]) < 0 || fsx_rm_rf(sb_str(&p)) < 0 ||
		    ((i < 2 || build) && fsx_mkdirs(sb_str(&p), 0755) < 0))
			goto out;
	if (link_in(layer, "../.jemalloc/bin/jemalloc.sh", "bin/jemalloc.sh") < 0 ||
	    link_in(layer, "../.jemalloc/bin/jemalloc-status", "bin/jemalloc-status") < 0 ||
	    link_in(layer, "../.jemalloc/bin/jemalloc-status", "exec.d/jemalloc-preload") < 0)
		goto out;
	if (sb_setf(&p, "%s/.jemalloc/bin/jeprof", layer) < 0 ||
	    (access(sb_str(&p), F_OK) == 0 && link_in(layer, "../.jemalloc/bin/jeprof", "bin/jeprof") < 0))
		goto out;
	if (build && (sb_setf(&lib, "%s/.jemalloc/lib/libjemalloc.so", layer) < 0 ||
		      fsx_write_text(layer, "env.build/LD_PRELOAD.prepend", sb_str(&lib)) < 0 ||
		      fsx_write_text(layer, "env.build/LD_PRELOAD.delim", ":") < 0))
		goto out;
	r = 0;
out:
	sb_release(&p);
	sb_release(&lib);
	return r;
}

/* Replaces LAYER's .jemalloc with the staged JDIR. */
static int layer_fill(const char *layer, const char *jdir)
{
	struct sb live = SB_INIT;
	int r = fsx_rm_rf(layer) < 0 || fsx_mkdirs(layer, 0755) < 0 || sb_setf(&live, "%s/.jemalloc", layer) < 0
			? -1
			: rename(jdir, sb_str(&live));
	sb_release(&live);
	return r;
}

/* The layer a rebuild may keep: same target, program and exact version, and
 * it still loads, under the MALLOC_CONF of this build (an option the
 * version refuses is a warning, as in any build). */
static int layer_reusable(const char *layers, const char *layer, const struct layer_meta *now,
			  const struct settings *s, char *got, size_t size)
{
	struct layer_meta was;
	struct sb jl = SB_INIT;
	int same = meta_read(layers, &was) == 0 && strcmp(was.stack, now->stack) == 0 &&
		   strcmp(was.arch, now->arch) == 0 && strcmp(was.program, now->program) == 0 &&
		   strcmp(was.program, "unknown") != 0 && strcmp(was.origin, now->origin) == 0 && *now->origin &&
		   *s->version && strcmp(was.version, s->version) == 0 &&
		   sb_setf(&jl, "%s/.jemalloc", layer) == 0 && fsx_is_real_dir(sb_str(&jl)) == 1;
	int r = !same ? 0 : stage_verify(sb_str(&jl), s->version, s->malloc_conf, got, size, 1) >= 0 ? 1 : -1;
	sb_release(&jl);
	return r;
}

int cnb_build_main(const char *bp_dir, const char *self)
{
	const char *layers = getenv("CNB_LAYERS_DIR"), *platform = getenv("CNB_PLATFORM_DIR");
	struct sb env_dir = SB_INIT, cache = SB_INIT, layer = SB_INIT, stage = SB_INIT, jdir = SB_INIT, list = SB_INIT,
		  entries = SB_INIT;
	struct settings s = {0};
	struct layer_meta now = {0};
	struct target t;
	char stack[64], got[64];
	int r = EXIT_FAIL;

	if (!layers || !fsx_path_plain(layers) || !platform || *platform != '/') {
		log_error("bin/build needs CNB_LAYERS_DIR and CNB_PLATFORM_DIR (absolute paths), as the lifecycle sets them.");
		return EXIT_FAIL;
	}
	if (stack_from_target(bp_dir, getenv("CNB_TARGET_DISTRO_NAME"), getenv("CNB_TARGET_DISTRO_VERSION"), stack,
			      sizeof stack) < 0) {
		stack_list(bp_dir, "ubuntu", &list);
		log_error("The target %s %s is not a Heroku stack: jemalloc packages exist for Ubuntu %s.",
			  getenv("CNB_TARGET_DISTRO_NAME"), env_or("CNB_TARGET_DISTRO_VERSION", "(no version)"), sb_str(&list));
		goto out;
	}
	if (!*stack)
		stack_detect(bp_dir, stack, sizeof stack);
	if (sb_setf(&env_dir, "%s/env", platform) < 0 || sb_setf(&cache, "%s/cache", layers) < 0 ||
	    sb_setf(&layer, "%s/jemalloc", layers) < 0 || sb_setf(&stage, "%s/jemalloc.new", layers) < 0)
		goto out;
	if (sb_setf(&list, "%s/jemalloc", sb_str(&cache)) < 0 || fsx_is_real_dir(sb_str(&list)) < 0) {
		log_error("%s is not a directory (%s): refused.", sb_str(&list), strerror(errno));
		goto out;
	}
	if (cache_lock(sb_str(&cache)) < 0)
		goto out;
	if (settings_read(sb_str(&env_dir), bp_dir, &s) < 0 ||
	    install_target(bp_dir, stack, env_or("CNB_TARGET_ARCH", stack_arch()), &s, &t) < 0)
		goto out;
	snprintf(now.stack, sizeof now.stack, "%s", t.stack);
	snprintf(now.arch, sizeof now.arch, "%s", t.arch);
	/* What this program was built from (progkey.h): a change to the
	 * buildpack's program makes a new layer. */
	char key[17];
	snprintf(now.program, sizeof now.program, "%s", progkey_compute(bp_dir, key) == 0 ? key : "unknown");
	if (install_origin(bp_dir, &s, now.origin) < 0)
		now.origin[0] = '\0';
	install_announce(&s, &t);

	/* The cache layer is kept whatever happens next. */
	if (fsx_mkdirs(sb_str(&cache), 0755) < 0 || layer_toml(layers, "cache", 0, 0, NULL) < 0) {
		log_error("Cannot write the cache layer %s: %s.", sb_str(&cache), strerror(errno));
		goto out;
	}
	/* The restored jemalloc.toml has no [types]: the layer is dropped unless
	 * this build says what it is, which it does last. */
	int how = INSTALL_LOADED, reuse = layer_reusable(layers, sb_str(&layer), &now, &s, got, sizeof got);
	if (reuse == 1) {
		log_detail("Reusing the jemalloc layer: %s for %s (%s), unchanged", got, t.stack, t.arch);
	} else {
		if (reuse < 0)
			log_detail("The cached jemalloc layer does not load: installing it again");
		struct install in = {.bp_dir = bp_dir, .cache_dir = sb_str(&cache), .self = self, .s = &s, .t = &t,
				     .stage_dir = sb_str(&stage), .entries = &entries};
		if ((how = install_stage(&in, &jdir, got, sizeof got)) < 0 || layer_fill(sb_str(&layer), sb_str(&jdir)) < 0) {
			fsx_rm_rf(sb_str(&stage));
			log_error("The jemalloc layer was not made.");
			goto out;
		}
		fsx_rm_rf(sb_str(&stage));
		install_keep(&in);
	}
	snprintf(now.version, sizeof now.version, "%s", got);
	if (layer_links(sb_str(&layer), s.build_preload) < 0 || layer_toml(layers, "jemalloc", 1, s.build_preload, &now) < 0) {
		log_error("Cannot write the jemalloc layer %s: %s.", sb_str(&layer), strerror(errno));
		goto out;
	}
	install_said(how, got, s.build_preload ? "in the jemalloc layer, preloaded in later buildpacks" : "in the jemalloc layer");
	log_detail("Turn it on with JEMALLOC_ENABLED=true (or a list of process types) at launch");
	r = EXIT_OK;
out:
	settings_free(&s);
	sb_release(&env_dir);
	sb_release(&cache);
	sb_release(&layer);
	sb_release(&stage);
	sb_release(&jdir);
	sb_release(&list);
	sb_release(&entries);
	return r;
}
