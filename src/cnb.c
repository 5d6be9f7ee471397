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

/* What built the jemalloc layer: its [metadata] table. Each field holds
 * what the build puts there whole (a longer value read back is no match). */
struct layer_meta {
	char stack[STACK_ID_MAX + 1], arch[TARGET_ARCH_MAX + 1], version[STAGE_VERSION_SIZE];
	char program[PROGKEY_SIZE], origin[65];
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
	sb_setf(&path, "%s/jemalloc.toml", layers);
	int r = fsx_read(sb_str(&path), &text, FSX_TEXT_MAX);
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
	int r = 0;
	sb_addf(&text, "[types]\nlaunch = %s\nbuild = %s\ncache = true\n", launch ? "true" : "false",
		build ? "true" : "false");
	if (m) {
		sb_adds(&text, "\n[metadata]\n");
		r = toml_kv(&text, "stack", m->stack) < 0 || toml_kv(&text, "arch", m->arch) < 0 ||
			    toml_kv(&text, "version", m->version) < 0 || toml_kv(&text, "program", m->program) < 0 ||
			    toml_kv(&text, "origin", m->origin) < 0
			? -1
			: 0;
	}
	sb_setf(&path, "%s.toml", name);
	if (r == 0)
		r = fsx_write_text(layers, sb_str(&path), sb_str(&text));
	sb_release(&text);
	sb_release(&path);
	return r;
}

static int link_in(const char *layer, const char *target, const char *name)
{
	struct sb path = SB_INIT;
	sb_setf(&path, "%s/%s", layer, name);
	unlink(sb_str(&path));
	int r = symlink(target, sb_str(&path));
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
	for (int i = 0; dirs[i]; i++) {
		sb_setf(&p, "%s/%s", layer, dirs[i]);
		if (fsx_rm_rf(sb_str(&p)) < 0 || ((i < 2 || build) && fsx_mkdirs(sb_str(&p), 0755) < 0))
			goto out;
	}
	if (link_in(layer, "../.jemalloc/bin/jemalloc.sh", "bin/jemalloc.sh") < 0 ||
	    link_in(layer, "../.jemalloc/bin/jemalloc-status", "bin/jemalloc-status") < 0 ||
	    link_in(layer, "../.jemalloc/bin/jemalloc-status", "exec.d/jemalloc-preload") < 0)
		goto out;
	sb_setf(&p, "%s/.jemalloc/bin/jeprof", layer);
	if (access(sb_str(&p), F_OK) == 0 && link_in(layer, "../.jemalloc/bin/jeprof", "bin/jeprof") < 0)
		goto out;
	sb_setf(&lib, "%s/.jemalloc/lib/libjemalloc.so", layer);
	if (build && (fsx_write_text(layer, "env.build/LD_PRELOAD.prepend", sb_str(&lib)) < 0 ||
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
	sb_setf(&live, "%s/.jemalloc", layer);
	int r = fsx_rm_rf(layer) < 0 || fsx_mkdirs(layer, 0755) < 0 ? -1 : rename(jdir, sb_str(&live));
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
	sb_setf(&jl, "%s/.jemalloc", layer);
	int same = meta_read(layers, &was) == 0 && strcmp(was.stack, now->stack) == 0 &&
		   strcmp(was.arch, now->arch) == 0 && strcmp(was.program, now->program) == 0 &&
		   strcmp(was.program, "unknown") != 0 && strcmp(was.origin, now->origin) == 0 && *now->origin &&
		   *s->version && strcmp(was.version, s->version) == 0 && fsx_is_real_dir(sb_str(&jl)) == 1;
	int r = !same ? 0 : stage_verify(sb_str(&jl), s->version, s->malloc_conf, got, size, 1) >= 0 ? 1 : -1;
	sb_release(&jl);
	return r;
}

/* The stack of the CNB target (CNB_TARGET_DISTRO_*), else of this machine,
 * into STACK; -1 after saying why. */
static int target_stack(const char *bp_dir, struct sb *stack)
{
	struct sb list = SB_INIT;
	if (stack_from_target(bp_dir, getenv("CNB_TARGET_DISTRO_NAME"), getenv("CNB_TARGET_DISTRO_VERSION"), stack) < 0) {
		stack_list(bp_dir, "ubuntu", &list);
		log_error("The target %s %s is not a Heroku stack: jemalloc packages exist for Ubuntu %s.",
			  getenv("CNB_TARGET_DISTRO_NAME"), env_or("CNB_TARGET_DISTRO_VERSION", "(no version)"), sb_str(&list));
		sb_release(&list);
		return -1;
	}
	if (!stack->len)
		stack_detect(bp_dir, stack);
	return 0;
}

/* What this build is (layer_meta but its version): a change to the target,
 * to the buildpack's program (progkey.h) or to where jemalloc comes from
 * makes a new layer. */
static void meta_now(const char *bp_dir, const struct settings *s, const struct target *t, struct layer_meta *now)
{
	char key[PROGKEY_SIZE];
	memset(now, 0, sizeof *now);
	/* install_target checked that each fits. */
	memcpy(now->stack, t->stack, sizeof now->stack);
	memcpy(now->arch, t->arch, sizeof now->arch);
	strcpy(now->program, progkey_compute(bp_dir, key) == 0 ? key : "unknown");
	if (install_origin(bp_dir, s, now->origin) < 0)
		now->origin[0] = '\0';
}

/* The jemalloc layer's links and its toml, last: the layer exists from here. */
static int layer_finish(const char *layers, const char *layer, const struct settings *s, const struct layer_meta *now)
{
	if (layer_links(layer, s->build_preload) < 0 || layer_toml(layers, "jemalloc", 1, s->build_preload, now) < 0) {
		log_error("Cannot write the jemalloc layer %s: %s.", layer, strerror(errno));
		return -1;
	}
	return 0;
}

/* Where a CNB build reads and writes, from the lifecycle's variables. */
struct cnb_dirs {
	const char *layers;
	struct sb env_dir; /* CNB_PLATFORM_DIR/env */
	struct sb cache;   /* LAYERS/cache: the cache layer, the build cache */
	struct sb layer;   /* LAYERS/jemalloc */
	struct sb stage;   /* LAYERS/jemalloc.new */
};

/* Fills D from CNB_LAYERS_DIR and CNB_PLATFORM_DIR; -1 after saying why. */
static int dirs_open(struct cnb_dirs *d)
{
	const char *platform = getenv("CNB_PLATFORM_DIR");
	struct sb jemalloc = SB_INIT;
	d->layers = getenv("CNB_LAYERS_DIR");
	if (!d->layers || !fsx_path_plain(d->layers) || !platform || *platform != '/') {
		log_error("bin/build needs CNB_LAYERS_DIR and CNB_PLATFORM_DIR (absolute paths), as the lifecycle sets them.");
		return -1;
	}
	sb_setf(&d->env_dir, "%s/env", platform);
	sb_setf(&d->cache, "%s/cache", d->layers);
	sb_setf(&d->layer, "%s/jemalloc", d->layers);
	sb_setf(&d->stage, "%s/jemalloc.new", d->layers);
	sb_setf(&jemalloc, "%s/jemalloc", sb_str(&d->cache));
	int r = fsx_is_real_dir(sb_str(&jemalloc));
	if (r < 0)
		log_error("%s is not a directory (%s): refused.", sb_str(&jemalloc), strerror(errno));
	sb_release(&jemalloc);
	return r < 0 ? -1 : 0;
}

static void dirs_close(struct cnb_dirs *d)
{
	sb_release(&d->env_dir);
	sb_release(&d->cache);
	sb_release(&d->layer);
	sb_release(&d->stage);
}

int cnb_build_main(const char *bp_dir, const char *self)
{
	struct cnb_dirs d = {NULL, SB_INIT, SB_INIT, SB_INIT, SB_INIT};
	struct sb jdir = SB_INIT, entries = SB_INIT, stack = SB_INIT;
	struct settings s = {0};
	struct layer_meta now = {0};
	struct target t;
	char got[STAGE_VERSION_SIZE];
	int r = EXIT_FAIL;

	if (dirs_open(&d) < 0 || target_stack(bp_dir, &stack) < 0 || cache_lock(sb_str(&d.cache)) < 0)
		goto out;
	const char *layers = d.layers;
	if (settings_read(sb_str(&d.env_dir), bp_dir, &s) < 0 ||
	    install_target(bp_dir, sb_str(&stack), env_or("CNB_TARGET_ARCH", stack_arch()), &s, &t) < 0)
		goto out;
	meta_now(bp_dir, &s, &t, &now);
	install_announce(&s, &t);

	/* The cache layer is kept whatever happens next. */
	if (fsx_mkdirs(sb_str(&d.cache), 0755) < 0 || layer_toml(layers, "cache", 0, 0, NULL) < 0) {
		log_error("Cannot write the cache layer %s: %s.", sb_str(&d.cache), strerror(errno));
		goto out;
	}
	/* The restored jemalloc.toml has no [types]: the layer is dropped unless
	 * this build says what it is, which it does last. */
	int how = INSTALL_LOADED, reuse = layer_reusable(layers, sb_str(&d.layer), &now, &s, got, sizeof got);
	if (reuse == 1) {
		log_detail("Reusing the jemalloc layer: %s for %s (%s), unchanged", got, t.stack, t.arch);
	} else {
		if (reuse < 0)
			log_detail("The cached jemalloc layer does not load: installing it again");
		struct install in = {.bp_dir = bp_dir, .cache_dir = sb_str(&d.cache), .self = self, .s = &s, .t = &t,
				     .stage_dir = sb_str(&d.stage), .entries = &entries};
		if ((how = install_stage(&in, &jdir, got, sizeof got)) < 0 || layer_fill(sb_str(&d.layer), sb_str(&jdir)) < 0) {
			fsx_rm_rf(sb_str(&d.stage));
			log_error("The jemalloc layer was not made.");
			goto out;
		}
		fsx_rm_rf(sb_str(&d.stage));
		install_keep(&in);
	}
	memcpy(now.version, got, sizeof now.version);
	if (layer_finish(layers, sb_str(&d.layer), &s, &now) < 0)
		goto out;
	install_said(how, got, s.build_preload ? "in the jemalloc layer, preloaded in later buildpacks" : "in the jemalloc layer");
	log_detail("Turn it on with JEMALLOC_ENABLED=true (or a list of process types) at launch");
	r = EXIT_OK;
out:
	settings_free(&s);
	dirs_close(&d);
	sb_release(&jdir);
	sb_release(&entries);
	sb_release(&stack);
	return r;
}
