#include "install.h"

#include "cache.h"
#include "catalog.h"
#include "fetch.h"
#include "fsx.h"
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

int install_origin(const char *bp_dir, const struct settings *s, char origin[65])
{
	struct sb all = SB_INIT, path = SB_INIT;
	char recipe[65], catalog[65], hex[65];
	int r = -1;
	sb_setf(&path, "%s/versions.txt", bp_dir);
	if (source_recipe_hash(bp_dir, recipe) == 0 && sha256_file(sb_str(&path), catalog) == 0) {
		sb_setf(&all, "%s\n%s\n%d\n%s\n%s\n%s\n%s\n", s->apt_url ? s->apt_url : "", s->apt_key ? s->apt_key : "",
			(int)s->source, s->source_url, s->checksum ? s->checksum : "", recipe, catalog);
		sha256_str(sb_str(&all), hex);
		memcpy(origin, hex, 65);
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

/* Stages a copy of the cached tree DIR/.jemalloc, listed into FILES as it
 * is copied. 1: staged, and (unless BUILT: made in this build, with no
 * record yet) its files are those DIR's record lists; 0: they are not, and
 * DIR is dropped, with one line saying so and AGAIN (what happens instead);
 * -1 on failure, said. */
static int stage_cached(const struct install *in, const char *dir, int built, const char *again, struct sb *jdir,
			struct sb *files)
{
	struct sb tree = SB_INIT, why = SB_INIT;
	int r = -1;
	sb_setf(&tree, "%s/.jemalloc", dir);
	if (stage_tree(in->stage_dir, NULL, sb_str(&tree), in->self, jdir, files) == 0)
		r = built || tree_files_match(dir, sb_str(files), &why);
	if (r == 1 && !built)
		log_detail("Verified the cached tree: each file's size and SHA-256 as recorded when it loaded");
	if (r == 0) {
		log_detail("The cached jemalloc tree does not match its record (%s): %s", sb_str(&why), again);
		fsx_forget(dir);
	}
	sb_release(&tree);
	sb_release(&why);
	return r;
}

/* Stages the source build: its cached tree, or one built now; DIR its
 * directory. */
static int from_source(const struct install *in, const char *why, struct sb *jdir, struct sb *dir, struct sb *files,
		       int *built)
{
	struct catalog c = {0};
	struct release rel;
	struct sb tree = SB_INIT, p = SB_INIT;
	int r = -1;
	if (catalog_load(in->bp_dir, &c) < 0) {
		log_error("Cannot read the buildpack's versions.txt: %s.", strerror(errno));
		return -1;
	}
	if (catalog_release(&c, in->s->version, in->s->checksum, in->t->stack, in->t->arch, &rel) == 0) {
		log_detail("%s: jemalloc %s is built from its official source instead (about a minute, once; later builds reuse it).",
			   why, rel.version);
		/* A cached tree that is not what its record says is built again. */
		for (int i = 0; i < 2 && r < 0; i++) {
			if (source_tree(in, &rel, &tree, built) < 0)
				break;
			sb_add(dir, sb_str(&tree), tree.len - strlen("/.jemalloc"));
			int c = stage_cached(in, sb_str(dir), *built, "it is built again", jdir, files);
			if (c < 0)
				break;
			if (c == 1)
				r = 0;
			else
				sb_reset(dir);
		}
		if (r == 0) {
			/* The tree's directory, and its tarball. */
			entry_add(in, sb_str(dir));
			sb_setf(&p, "%s/jemalloc/sources/%s", in->cache_dir, rel.file);
			entry_add(in, sb_str(&p));
		}
	}
	catalog_free(&c);
	sb_release(&tree);
	sb_release(&p);
	return r;
}

/* Stages the package DEB: a copy of its verified tree when that is current
 * and its files are those of its record, else DEB unpacked (*FRESH); in DIR
 * the tree's directory in both cases. 2 when the tree was not what its
 * record says and DEB's bytes are not those the index gave either: DEB is
 * dropped, to be downloaded again. */
static int stage_deb(const struct install *in, const char *deb, struct sb *jdir, struct sb *dir, struct sb *files,
		     int *fresh)
{
	entry_add(in, deb);
	tree_of_deb(deb, dir);
	*fresh = !pkgcache_tree_current(deb);
	if (!*fresh) {
		int c = stage_cached(in, sb_str(dir), 0, "it is unpacked again from the package", jdir, files);
		if (c != 0)
			return c < 0 ? -1 : 0;
		*fresh = 1;
		/* Its bytes, hashed now: the dropped tree vouched for them. */
		if (!pkgcache_intact(deb)) {
			log_detail("The cached %s does not have the SHA-256 of the signed index either: it is downloaded again",
				   strrchr(deb, '/') + 1);
			return pkgcache_drop(deb) == 0 ? 2 : -1;
		}
	}
	return stage_tree(in->stage_dir, deb, NULL, in->self, jdir, NULL);
}

int install_stage(const struct install *in, struct sb *jdir, char *got, size_t size)
{
	const struct settings *s = in->s;
	struct sb deb = SB_INIT, why = SB_INIT, dir = SB_INIT, files = SB_INIT;
	int r = -1, fresh = 0, built = 0;
	if (in->aptfile) {
		log_detail("Using the jemalloc the Aptfile installed (.apt/app/.jemalloc)");
		r = stage_tree(in->stage_dir, NULL, in->aptfile, in->self, jdir, NULL);
	} else if (!in->t->packaged || s->source == SOURCE_ALWAYS) {
		if (in->t->packaged)
			sb_setf(&why, "JEMALLOC_SOURCE=always");
		else
			install_why(in->t, &why);
		r = from_source(in, sb_str(&why), jdir, &dir, &files, &built);
	} else if (!s->apt_url && s->source == SOURCE_NEVER) {
		log_error("No jemalloc package repository is configured, and JEMALLOC_SOURCE=never.");
		log_error("This buildpack's repository.conf names none yet; set JEMALLOC_APT_URL (the repository)");
		log_error("and JEMALLOC_APT_KEY (its armored public key) in the app's config, or unset JEMALLOC_SOURCE.");
	} else {
		int f = 2;
		/* Twice at most: a package found bad behind its tree is fetched again. */
		for (int i = 0; i < 2 && f == 2; i++) {
			if (s->apt_url) {
				f = fetch_package(in, s->source == SOURCE_AUTO, &deb, &why);
			} else {
				sb_setf(&why, "No jemalloc package repository is configured");
				f = 1;
			}
			if (f == 0 && (f = stage_deb(in, sb_str(&deb), jdir, &dir, &files, &fresh)) == 0)
				r = 0;
		}
		if (f == 1)
			r = from_source(in, sb_str(&why), jdir, &dir, &files, &built);
	}
	/* The record of a cached tree, or none: a package unpacked now has
	 * no tree yet, an Aptfile's none of ours. */
	if (r == 0)
		r = stage_check(sb_str(jdir), s->version, s->malloc_conf, dir.len && !fresh ? sb_str(&dir) : NULL,
				dir.len && !fresh ? sb_str(&files) : NULL, got, size);
	/* A package unpacked now is kept as a verified tree for the next build. */
	if ((r == 0 || r == 1) && fresh && pkgcache_keep_tree(sb_str(&deb), sb_str(jdir), &files) == 0)
		tree_record(sb_str(&dir), got, s->malloc_conf, r == 0, sb_str(&files));
	sb_release(&deb);
	sb_release(&why);
	sb_release(&dir);
	sb_release(&files);
	return r < 0 ? -1 : r == 2 ? INSTALL_CHECKED : INSTALL_LOADED;
}

void install_said(int how, const char *got, const char *where)
{
	if (how == INSTALL_LOADED)
		log_detail("jemalloc %s loads; it is %s", got, where);
	else
		log_detail("jemalloc %s is %s", got, where);
}
