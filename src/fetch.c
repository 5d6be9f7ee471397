#include "fetch.h"

#include "apt.h"
#include "fsx.h"
#include "install.h"
#include "log.h"
#include "pkgcache.h"
#include "run.h"
#include "sb.h"
#include "settings.h"
#include "version.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fetch {
	const char *cache_dir, *stack, *arch;
	const struct settings *s;
	struct apt apt;
	struct sb dir;     /* the package cache of this repository */
	struct sb display; /* the URL as the log shows it */
	char **versions;
	int n;
};

static int index_read(struct fetch *f, int fallback, struct sb *why)
{
	struct sb keyring = SB_INIT;
	char *out = NULL;
	int r = -1;
	sb_setf(&keyring, "%s/jemalloc/keyring.asc", f->cache_dir);
	if (fsx_write_atomic(sb_str(&keyring), f->s->apt_key, strlen(f->s->apt_key), 0644) < 0 || apt_init(&f->apt, f->cache_dir, f->stack, f->arch, f->s->apt_url, sb_str(&keyring)) < 0) {
		log_error("Cannot prepare apt's files in %s/jemalloc: %s.", f->cache_dir, strerror(errno));
		goto out;
	}
	log_detail("Reading the %s index of %s", f->stack, sb_str(&f->display));
	int rc = apt_update(&f->apt, &out), err = errno;
	if (rc != 0) {
		if (out)
			log_indent(out);
		if (fallback && !apt_refused(out)) {
			sb_setf(why, "The jemalloc repository cannot be reached (apt's words above)");
			r = 1;
			goto out;
		}
		if (rc >= 0 && rc < 256)
			log_error("apt-get could not read the jemalloc repository %s (exit %d).", sb_str(&f->display), rc);
		else
			log_error("apt-get could not read the jemalloc repository %s (%s).", sb_str(&f->display),
				  run_how(rc, 0, err));
		log_error("Either it is unreachable, or its signature does not match JEMALLOC_APT_KEY (apt's words above).");
		log_error("Check JEMALLOC_APT_URL and JEMALLOC_APT_KEY, then build again.");
		goto out;
	}
	free(out);
	out = NULL;
	if (apt_versions(&f->apt, &f->versions, &f->n, &out) != 0 || f->n == 0) {
		if (fallback) {
			sb_setf(why, "The repository has no heroku-jemalloc package for %s on %s", f->stack, f->arch);
			r = 1;
		} else {
			log_error("The repository has no heroku-jemalloc package for %s on %s.", f->stack, f->arch);
		}
		goto out;
	}
	r = 0;
out:
	free(out);
	sb_release(&keyring);
	return r;
}

static int no_version(const struct fetch *f, int fallback, struct sb *why)
{
	struct sb list = SB_INIT;
	if (fallback) {
		sb_setf(why, "The repository has no jemalloc %s for %s on %s", f->s->version, f->stack, f->arch);
		return 1;
	}
	for (int i = 0; i < f->n; i++)
		sb_addf(&list, "%s%.*s", i ? ", " : "", (int)strcspn(f->versions[i], "-"), f->versions[i]);
	log_error("jemalloc %s is not available for %s on %s.", f->s->version, f->stack, f->arch);
	log_error("Available: %s. Set JEMALLOC_VERSION to one of them, or unset it for the newest.", sb_str(&list));
	sb_release(&list);
	return -1;
}

/* Downloads PICK, whose bytes the index gives SHA, into a private
 * directory, then into the cache. */
static int download(struct fetch *f, const char *pick, const char *sha, struct sb *deb)
{
	struct sb tmp = SB_INIT, file = SB_INIT;
	char *out = NULL;
	int r = -1;
	sb_setf(&tmp, "%s/.download-%ld", sb_str(&f->dir), (long)getpid());
	if (fsx_rm_rf(sb_str(&tmp)) < 0 || fsx_mkdirs(sb_str(&tmp), 0755) < 0) {
		log_error("Cannot write the package cache %s: %s.", sb_str(&f->dir), strerror(errno));
		goto out;
	}
	int rc = apt_download(&f->apt, pick, sb_str(&tmp), &out);
	if (rc != 0) {
		if (out)
			log_indent(out);
		log_error("apt-get could not download heroku-jemalloc %s (exit %d): a hash or signature check failed,", pick, rc);
		log_error("or the repository is unreachable. apt's words are above.");
		goto out;
	}
	pkgcache_path(sb_str(&tmp), pick, f->arch, &file);
	if (pkgcache_put(sb_str(&f->dir), sb_str(&file), pick, f->arch, sha, deb) < 0) {
		log_error("The downloaded heroku-jemalloc %s %s.", pick,
			  errno == EBADMSG ? "does not have the SHA-256 of the signed index: refused"
					   : "cannot be kept in the package cache");
		goto out;
	}
	log_detail("Downloaded %s", strrchr(sb_str(deb), '/') + 1);
	r = 0;
out:
	if (tmp.len)
		fsx_rm_rf(sb_str(&tmp));
	free(out);
	sb_release(&tmp);
	sb_release(&file);
	return r;
}

int fetch_package(const struct install *in, int fallback, struct sb *deb, struct sb *why)
{
	const char *cache_dir = in->cache_dir, *stack = in->t->stack, *arch = in->t->arch;
	const struct settings *s = in->s;
	struct fetch f = {.cache_dir = cache_dir, .stack = stack, .arch = arch, .s = s,
			  .apt = {SB_INIT, SB_INIT, NULL}, .dir = SB_INIT, .display = SB_INIT};
	int r = -1;
	url_display(s->apt_url, &f.display);
	if (pkgcache_dir(cache_dir, stack, arch, s->apt_url, s->apt_key, &f.dir) < 0) {
		log_error("Cannot make the package cache in %s/jemalloc: %s.", cache_dir, strerror(errno));
		goto out;
	}
	/* An exact version already cached and intact needs no network. */
	if (version_request_exact(s->version) && pkgcache_find(sb_str(&f.dir), s->version, arch, deb)) {
		log_detail("Using %s from the cache", strrchr(sb_str(deb), '/') + 1);
		r = 0;
		goto out;
	}
	if ((r = index_read(&f, fallback, why)) != 0)
		goto out;
	const char *pick = version_pick((const char *const *)f.versions, (size_t)f.n, s->version);
	if (!pick) {
		r = no_version(&f, fallback, why);
		goto out;
	}
	log_detail("jemalloc %s resolves to %s", *s->version ? s->version : "(newest)", pick);
	char sha[65];
	if (apt_index_sha256(&f.apt, pick, sha) < 0) {
		log_error("The repository's index gives no SHA-256 for heroku-jemalloc %s.", pick);
		r = -1;
		goto out;
	}
	/* The index just read is the word on what the package is: a cached
	 * copy of other bytes is one the repository has since re-issued. */
	int got = pkgcache_get_signed(sb_str(&f.dir), pick, arch, sha, deb);
	if (got == 1) {
		log_detail("Using %s from the cache", strrchr(sb_str(deb), '/') + 1);
		r = 0;
		goto out;
	}
	if (got == 2)
		log_detail("The repository re-issued heroku-jemalloc %s (new SHA-256 %.12s...): the cached copy and its tree are dropped",
			   pick, sha);
	if (got < 0) {
		log_error("The repository re-issued heroku-jemalloc %s, and the cached copy cannot be removed: %s.", pick,
			  strerror(errno));
		r = -1;
		goto out;
	}
	r = download(&f, pick, sha, deb);
out:
	apt_versions_free(f.versions, f.n);
	apt_release(&f.apt);
	sb_release(&f.dir);
	sb_release(&f.display);
	return r;
}
