#include "install.h"

#include "cache.h"
#include "catalog.h"
#include "fetch.h"
#include "log.h"
#include "pkgcache.h"
#include "sb.h"
#include "settings.h"
#include "sha256.h"
#include "source.h"
#include "stage.h"
#include "tree.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void supported(const char *bp_dir, const char *field, struct sb *list)
{
	if (stack_list(bp_dir, field, list) < 0 || list->len == 0)
		sb_setf(list, "(stacks/ lists none)");
}

/* A stack the build cannot serve at all, with what to do. */
static int refuse_stack(const char *bp_dir, const char *stack, const char *why, int never)
{
	struct sb list = SB_INIT, best = SB_INIT;
	supported(bp_dir, "id", &list);
	stack_recommended(bp_dir, &best);
	log_error("The %s stack %s: jemalloc packages exist for %s.", stack, why, sb_str(&list));
	if (never)
		log_error("Unset JEMALLOC_SOURCE to build jemalloc from its source there, or move the app: heroku stack:set %s", sb_str(&best));
	else
		log_error("Move the app to a supported stack: heroku stack:set %s", sb_str(&best));
	sb_release(&list);
	sb_release(&best);
	return -1;
}

int install_target(const char *bp_dir, const char *stack, const char *arch, const struct settings *s, struct target *t)
{
	memset(t, 0, sizeof *t);
	if (!*stack) {
		log_error("Cannot tell the stack: STACK is not set and /etc/os-release names no Ubuntu release.");
		return -1;
	}
	if (!stack_id_ok(stack)) {
		log_error("STACK is not a stack name (a letter, then letters, digits and dashes): refused.");
		return -1;
	}
	int known = stack_load(bp_dir, stack, &t->info);
	if (known < 0) {
		log_error("Cannot read the buildpack's stacks/%s: %s.", stack, strerror(errno));
		return -1;
	}
	if (known && strcmp(t->info.status, "eol") == 0)
		return refuse_stack(bp_dir, stack, "is end of life", 0);
	if (!known && s->source == SOURCE_NEVER)
		return refuse_stack(bp_dir, stack, "is not a stack this buildpack knows", 1);
	/* CNB_TARGET_ARCH is the platform's word: one that is no plain
	 * architecture name is an unknown architecture, never shown cut. */
	if (arch && (!*arch || strlen(arch) > TARGET_ARCH_MAX || strspn(arch, "abcdefghijklmnopqrstuvwxyz0123456789") != strlen(arch)))
		arch = NULL;
	strcpy(t->stack, stack); /* stack_id_ok: it fits */
	strcpy(t->arch, arch ? arch : "unknown");
	t->known = known;
	t->packaged = known && arch && stack_has_arch(&t->info, arch);
	const char *machine = stack_arch();
	/* A source build makes code for the machine it runs on. */
	if (!t->packaged && (s->source == SOURCE_NEVER || !arch || !machine || strcmp(arch, machine) != 0)) {
		log_error("There is no jemalloc package for %s on this architecture (%s).", stack, t->arch);
		log_error("%s", s->source == SOURCE_NEVER ? "Unset JEMALLOC_SOURCE to build jemalloc from its source here."
							  : "A build from source makes code for the machine it runs on, which is another one.");
		return -1;
	}
	return 0;
}

void install_why(const struct target *t, struct sb *why)
{
	if (!t->known)
		sb_setf(why, "%s is a stack this buildpack has no packages for", t->stack);
	else
		sb_setf(why, "There are no jemalloc packages for %s on %s", t->stack, t->arch);
}

void install_announce(const struct settings *s, const struct target *t)
{
	log_step("Installing jemalloc %s for %s (%s)", *s->version ? s->version : "(newest)", t->stack, t->arch);
	settings_explain(s);
}

/* Adds PATH, relative to CACHE_DIR/jemalloc, to the build's cache entries. */
static void entry_add(const struct install *in, const char *path)
{
	struct sb top = SB_INIT;
	sb_setf(&top, "%s/jemalloc/", in->cache_dir);
	if (in->entries && strncmp(path, sb_str(&top), top.len) == 0)
		sb_addf(in->entries, "%s%s", in->entries->len ? " " : "", path + top.len);
	sb_release(&top);
}

int install_origin(const char *bp_dir, const struct settings *s, char origin[PROGKEY_SIZE])
{
	struct sb all = SB_INIT, path = SB_INIT;
	char recipe[65], catalog[65], hex[65];
	int r = -1;
	sb_setf(&path, "%s/versions.txt", bp_dir);
	if (source_recipe_hash(bp_dir, recipe) == 0 && sha256_file(sb_str(&path), catalog) == 0) {
		sb_setf(&all, "%s\n%s\n%d\n%s\n%s\n%s\n%s\n", s->apt_url ? s->apt_url : "", s->apt_key ? s->apt_key : "",
			(int)s->source, s->source_url, s->checksum ? s->checksum : "", recipe, catalog);
		sha256_str(sb_str(&all), hex);
		memcpy(origin, hex, PROGKEY_LEN);
		origin[PROGKEY_LEN] = '\0';
		r = 0;
	}
	sb_release(&all);
	sb_release(&path);
	return r;
}

void install_keep(const struct install *in)
{
	if (in->entries)
		cache_keep(in->cache_dir, sb_str(in->entries));
}

static int from_source(const struct install *in, const char *why, struct sb *tree)
{
	struct catalog c = {0};
	struct release rel;
	int r = -1;
	if (catalog_load(in->bp_dir, &c) < 0) {
		log_error("Cannot read the buildpack's versions.txt: %s.", strerror(errno));
		return -1;
	}
	if (catalog_release(&c, in->s->version, in->s->checksum, in->t->stack, in->t->arch, &rel) == 0) {
		log_detail("%s: jemalloc %s is built from its official source instead (about a minute, once; later builds reuse it).",
			   why, rel.version);
		r = source_tree(in, &rel, tree);
		if (r == 0) {
			struct sb p = SB_INIT;
			/* The tree's directory, and its tarball. */
			sb_add(&p, sb_str(tree), tree->len - strlen("/.jemalloc"));
			entry_add(in, sb_str(&p));
			sb_setf(&p, "%s/jemalloc/sources/%s", in->cache_dir, rel.file);
			entry_add(in, sb_str(&p));
			sb_release(&p);
		}
	}
	catalog_free(&c);
	return r;
}

/* Stages the package DEB: a copy of its verified tree when that is current,
 * else DEB unpacked; in *TREE_DIR the tree's directory in both cases. */
static int stage_deb(const struct install *in, const char *deb, struct sb *jdir, struct sb *tree_dir, int *fresh)
{
	struct sb tree = SB_INIT;
	int r = -1;
	entry_add(in, deb);
	tree_of_deb(deb, tree_dir);
	sb_setf(&tree, "%s/.jemalloc", sb_str(tree_dir));
	*fresh = !pkgcache_tree_current(deb);
	r = stage_tree(in->stage_dir, *fresh ? deb : NULL, *fresh ? NULL : sb_str(&tree), in->self, jdir);
	sb_release(&tree);
	return r;
}

int install_stage(const struct install *in, struct sb *jdir, char *got, size_t size)
{
	const struct settings *s = in->s;
	struct sb deb = SB_INIT, tree = SB_INIT, why = SB_INIT, verified = SB_INIT;
	int r = -1, fresh = 0;
	if (in->aptfile) {
		log_detail("Using the jemalloc the Aptfile installed (.apt/app/.jemalloc)");
		r = stage_tree(in->stage_dir, NULL, in->aptfile, in->self, jdir);
	} else if (!in->t->packaged || s->source == SOURCE_ALWAYS) {
		if (in->t->packaged)
			sb_setf(&why, "JEMALLOC_SOURCE=always");
		else
			install_why(in->t, &why);
		if (from_source(in, sb_str(&why), &tree) == 0)
			r = stage_tree(in->stage_dir, NULL, sb_str(&tree), in->self, jdir);
	} else if (!s->apt_url && s->source == SOURCE_NEVER) {
		log_error("No jemalloc package repository is configured, and JEMALLOC_SOURCE=never.");
		log_error("This buildpack's repository.conf names none yet; set JEMALLOC_APT_URL (the repository)");
		log_error("and JEMALLOC_APT_KEY (its armored public key) in the app's config, or unset JEMALLOC_SOURCE.");
	} else {
		int f = 1;
		if (s->apt_url)
			f = fetch_package(in, s->source == SOURCE_AUTO, &deb, &why);
		else
			sb_setf(&why, "No jemalloc package repository is configured");
		if (f == 0)
			r = stage_deb(in, sb_str(&deb), jdir, &verified, &fresh);
		else if (f == 1 && from_source(in, sb_str(&why), &tree) == 0)
			r = stage_tree(in->stage_dir, NULL, sb_str(&tree), in->self, jdir);
	}
	/* A cached tree's directory holds its record (tree.h). */
	if (r == 0 && tree.len)
		sb_add(&verified, sb_str(&tree), tree.len - strlen("/.jemalloc"));
	if (r == 0)
		r = stage_check(sb_str(jdir), s->version, s->malloc_conf, verified.len && !fresh ? sb_str(&verified) : NULL,
				got, size);
	/* A package unpacked now is kept as a verified tree for the next build. */
	if (r >= 0 && fresh && pkgcache_keep_tree(sb_str(&deb), sb_str(jdir)) == 0 && r == 0)
		tree_record(sb_str(&verified), got, s->malloc_conf);
	sb_release(&deb);
	sb_release(&tree);
	sb_release(&why);
	sb_release(&verified);
	return r < 0 ? -1 : 0;
}
