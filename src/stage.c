#include "stage.h"

#include "fsx.h"
#include "log.h"
#include "run.h"
#include "sb.h"
#include "tree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int stage_copy(const char *stage_dir, const char *tree, const char *jdir, struct sb *files)
{
	struct sb app = SB_INIT;
	sb_setf(&app, "%s/app", stage_dir);
	int r = fsx_mkdirs(sb_str(&app), 0755);
	if (r == 0 && fsx_copy_tree(tree, jdir, files) < 0) {
		log_error("Cannot copy %s: %s.", tree, strerror(errno));
		r = -1;
	}
	sb_release(&app);
	return r;
}

int stage_tree(const char *stage_dir, const char *deb, const char *tree, const char *self, struct sb *jdir,
	       struct sb *files)
{
	struct sb p = SB_INIT, bad = SB_INIT;
	int r = -1;
	if (fsx_rm_rf(stage_dir) < 0 || fsx_mkdirs(stage_dir, 0755) < 0) {
		log_error("Cannot write %s: %s.", stage_dir, strerror(errno));
		goto out;
	}
	sb_setf(jdir, "%s/app/.jemalloc", stage_dir);
	if (deb) {
		const char *argv[] = {"dpkg-deb", "-x", deb, stage_dir, NULL};
		if (run_quiet(argv, "Unpacking the package", RUN_UNPACK_TIMEOUT) < 0)
			goto out;
	} else if (stage_copy(stage_dir, tree, sb_str(jdir), files) < 0) {
		goto out;
	}
	/* What lands in the app is a plain tree: no link out of it, whatever
	 * the package or the tree held. */
	sb_setf(&p, "%s/app", stage_dir);
	if (fsx_is_real_dir(sb_str(&p)) != 1 || fsx_is_real_dir(sb_str(jdir)) != 1) {
		log_error("The new jemalloc tree is not a plain directory (app/.jemalloc is a link or missing): refused.");
		goto out;
	}
	int inside = fsx_links_stay_inside(sb_str(jdir), &bad);
	if (inside != 1) {
		log_error("The new jemalloc tree %s: refused.",
			  inside == 0 ? "holds a link that leaves it" : "cannot be read");
		if (inside == 0)
			log_error("%s", sb_str(&bad));
		goto out;
	}
	sb_setf(&p, "%s/bin", sb_str(jdir));
	if (fsx_mkdirs(sb_str(&p), 0755) < 0) {
		log_error("Cannot write %s/bin: %s.", sb_str(jdir), strerror(errno));
		goto out;
	}
	sb_addf(&p, "/jemalloc-status");
	fsx_rm_rf(sb_str(&p));
	if (fsx_copy_file(self, sb_str(&p), 0755) < 0)
		log_error("Cannot install %s: %s.", sb_str(&p), strerror(errno));
	else
		r = 0;
out:
	sb_release(&p);
	sb_release(&bad);
	return r;
}

/* "<jemalloc>: Invalid conf pair: background_thread:true" lines, as warnings;
 * how many. */
static int conf_warnings(const char *out, const char *version)
{
	const char *prefix = "<jemalloc>: Invalid conf ";
	struct sb one = SB_INIT;
	int n = 0;
	for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		sb_reset(&one);
		sb_add(&one, l, strcspn(l, "\n"));
		char *line = one.buf, *opt;
		if (strncmp(line, prefix, strlen(prefix)) != 0 || !(opt = strstr(line + strlen(prefix), ": ")))
			continue;
		*opt = '\0';
		log_error("Warning: jemalloc %s does not accept MALLOC_CONF's %s (it says \"%s\").", version, opt + 2,
			  line + strlen("<jemalloc>: "));
		log_error("Every process would print that at start: set a MALLOC_CONF this version knows (README: MALLOC_CONF).");
		n++;
	}
	sb_release(&one);
	return n;
}

int stage_verify(const char *jdir, const char *want, const char *malloc_conf, char *got, size_t size, int quiet)
{
	struct sb preload = SB_INIT, conf = SB_INIT;
	char *out = NULL, *v = NULL;
	int rc = -1;
	sb_setf(&preload, "LD_PRELOAD=%s/lib/libjemalloc.so", jdir);
	sb_setf(&conf, "MALLOC_CONF=%s%sstats_print:true", malloc_conf ? malloc_conf : "",
		    malloc_conf && *malloc_conf ? "," : "");
	/* Any program of the stack will do: jemalloc prints its statistics at
	 * exit. /bin/true (coreutils) leaves stderr open until then. */
	char *envp[] = {"PATH=/usr/bin:/bin", conf.buf, preload.buf, NULL};
	char *argv[] = {"/bin/true", NULL};
	struct run_opts ro = {.argv = argv, .envp = envp, .out = &out, .merge_stderr = 1, .timeout_s = RUN_LOAD_CHECK_TIMEOUT};
	rc = run(&ro);
	/* "Version: 5.3.1-0-g..." (or quoted): a version longer than GOT holds is
	 * no jemalloc's, never cut to fit. */
	if (out && (v = strstr(out, "Version: "))) {
		v += strlen("Version: ");
		v += *v == '"';
	}
	if (rc != 0 || !out || !v || strcspn(v, "-\"\n") >= size) {
		if (!quiet && out)
			log_indent(out);
		if (!quiet)
			log_error("A process started with the installed jemalloc did not run on it (%s).", run_how(rc, RUN_LOAD_CHECK_TIMEOUT, errno));
		rc = -1;
		goto out;
	}
	snprintf(got, size, "%.*s", (int)strcspn(v, "-\"\n"), v);
	rc = 0;
	if (*want && strncmp(got, want, strlen(want)) != 0) {
		if (!quiet)
			log_error("The installed library reports jemalloc %s, not the %s asked for.", got, want);
		rc = -1;
	} else if (malloc_conf && *malloc_conf && conf_warnings(out, got) > 0) {
		rc = 1;
	}
out:
	free(out);
	sb_release(&preload);
	sb_release(&conf);
	return rc;
}

int stage_check(const char *jdir, const char *want, const char *malloc_conf, const char *verified,
		const char *files, char *got, size_t size)
{
	struct sb line = SB_INIT;
	int r = -1, v = 2;
	/* A copy of a tree whose files are those that loaded before, under
	 * this MALLOC_CONF, and that has its library (a file, not a dangling
	 * link). */
	struct stat st;
	sb_setf(&line, "%s/lib/libjemalloc.so", jdir);
	if (!verified || !files || stat(sb_str(&line), &st) < 0 || !S_ISREG(st.st_mode) ||
	    !tree_verified(verified, want, malloc_conf, got, size)) {
		if ((v = stage_verify(jdir, want, malloc_conf, got, size, 0)) < 0)
			goto out;
		if (verified && files) /* failing costs the next build a check */
			tree_record(verified, got, malloc_conf, v == 0, files);
	}
	sb_setf(&line, "%s\n", got);
	if (fsx_write_text(jdir, "VERSION", sb_str(&line)) < 0) {
		log_error("Cannot write %s/VERSION: %s.", jdir, strerror(errno));
		goto out;
	}
	r = v;
out:
	sb_release(&line);
	return r;
}
