#include "cache.h"

#include "fsx.h"
#include "log.h"
#include "sb.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEEP_BUILDS 2

/* Removes what is not kept under the directory DIRFD (REL, relative to the
 * cache's top, names it), DEPTH levels down (the entries sit at that depth),
 * counting into *N. Directories are entered by descriptor, never through a
 * link. */
static void purge(int dirfd, const char *rel, int depth, const struct sb *keep, int *n)
{
	struct sb path = SB_INIT;
	DIR *d = fdopendir(dirfd);
	struct dirent *e;
	if (!d) {
		close(dirfd);
		return;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
			continue;
		sb_setf(&path, "%s/%s", rel, e->d_name);
		if (depth > 1) {
			int fd = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd >= 0)
				purge(fd, sb_str(&path), depth - 1, keep, n);
			else
				fsx_rm_rf_at(dirfd, e->d_name); /* a link or a file where a directory belongs */
			continue;
		}
		/* A package's record and verified tree go with it; what a killed
		 * build left (.gone-*, *.tmp-<pid>, .download-<pid>) goes
		 * uncounted. */
		size_t l = path.len;
		int record = (l > 7 && strcmp(sb_str(&path) + l - 7, ".sha256") == 0 && (l -= 7)) ||
			     (l > 5 && strcmp(sb_str(&path) + l - 5, ".tree") == 0 && (l -= 5));
		int leftover = e->d_name[0] == '.' || strstr(e->d_name, ".tmp-") != NULL;
		if (record)
			path.buf[l] = '\0';
		if (!word_in(sb_str(keep), sb_str(&path)) && fsx_forget_at(dirfd, e->d_name) == 0 && !record && !leftover)
			(*n)++;
	}
	closedir(d);
	sb_release(&path);
}

/* purge of TOP/DIR. */
static void purge_dir(const char *top, const char *dir, int depth, const struct sb *keep, int *n)
{
	struct sb path = SB_INIT;
	sb_setf(&path, "%s/%s", top, dir);
	int fd = open(sb_str(&path), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0)
		purge(fd, dir, depth, keep, n);
	sb_release(&path);
}

/* What no build reads: gaffneyc/heroku-buildpack-jemalloc's builds in
 * jemalloc/<stack>/, and what killed builds left: the work directories of
 * source builds (work-<pid>; ours, still in use, is gone by now) and
 * bin/program's (program.tmp-<pid>, program.gone-<pid>). No other build
 * runs meanwhile (cache_lock). */
static void forget_leftovers(const char *top, int *n)
{
	int fd = open(top, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(d)))
		if ((strncmp(e->d_name, "heroku-", 7) == 0 || strncmp(e->d_name, "cedar-", 6) == 0 ||
		     strncmp(e->d_name, "work-", 5) == 0 || strncmp(e->d_name, "program.tmp-", 12) == 0 ||
		     strncmp(e->d_name, "program.gone-", 13) == 0) &&
		    fsx_rm_rf_at(fd, e->d_name) == 0)
			(*n)++;
	closedir(d);
}

void cache_keep(const char *cache_dir, const char *entries)
{
	struct sb top = SB_INIT, list = SB_INIT, keep = SB_INIT;
	char *old = NULL;
	int builds = 0, n = 0;
	sb_setf(&top, "%s/jemalloc", cache_dir);
	sb_setf(&list, "%s/recent", sb_str(&top));
	if (fsx_read(sb_str(&list), &old, FSX_TEXT_MAX) < 0)
		old = NULL;
	/* The newest build first, then the earlier ones that differ from it. */
	sb_addf(&keep, "%s\n", entries);
	builds = 1;
	for (char *save = NULL, *l = old ? strtok_r(old, "\n", &save) : NULL; l && builds < KEEP_BUILDS;
	     l = strtok_r(NULL, "\n", &save)) {
		if (strcmp(l, entries) == 0 || strspn(l, " ") == strlen(l))
			continue;
		sb_addf(&keep, "%s\n", l);
		builds++;
	}
	if (fsx_write_atomic(sb_str(&list), sb_str(&keep), keep.len, 0644) < 0) {
		log_error("Warning: cannot write %s (%s): the build cache is not trimmed.", sb_str(&list), strerror(errno));
		goto out;
	}
	purge_dir(sb_str(&top), "debs", 4, &keep, &n);
	purge_dir(sb_str(&top), "trees", 1, &keep, &n);
	purge_dir(sb_str(&top), "sources", 1, &keep, &n);
	forget_leftovers(sb_str(&top), &n);
	if (n > 0)
		log_detail("Removed %d old entr%s from the build cache (it keeps the last %d builds)", n, n == 1 ? "y" : "ies",
			   KEEP_BUILDS);
out:
	free(old);
	sb_release(&top);
	sb_release(&list);
	sb_release(&keep);
}

/* JEMALLOC_LOCK_TIMEOUT (seconds, 1 to 3600: the build's environment, never
 * the app's config), else CACHE_LOCK_WAIT. */
static unsigned lock_wait(void)
{
	const char *v = getenv("JEMALLOC_LOCK_TIMEOUT");
	if (v && *v && strlen(v) <= 4 && strspn(v, "0123456789") == strlen(v) && atoi(v) >= 1 && atoi(v) <= 3600)
		return (unsigned)atoi(v);
	return CACHE_LOCK_WAIT;
}

int cache_lock(const char *cache_dir)
{
	struct sb dir = SB_INIT;
	struct stat a, b;
	int fd = -1, r = -1;
	sb_setf(&dir, "%s/jemalloc", cache_dir);
	if (fsx_mkdirs(sb_str(&dir), 0755) < 0 ||
	    (fd = open(sb_str(&dir), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		log_error("Cannot open the build cache %s: %s.", sb_str(&dir), strerror(errno));
		goto out;
	}
	/* bin/program took the lock on fd 9, open on this directory: the same
	 * lock, held through the exec (and no child's to keep). */
	if (fstat(fd, &a) == 0 && fstat(CACHE_LOCK_FD, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
		close(fd);
		fd = CACHE_LOCK_FD;
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
		r = 0;
		goto out;
	}
	unsigned wait = lock_wait();
	log_step("Waiting for another build that uses this build cache (at most %u s)", wait);
	for (unsigned t = 0; t < wait && r < 0; t++) {
		sleep(1);
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			r = 0;
	}
	if (r < 0) {
		log_error("Another build has held the build cache %s for %u s: this build stops, nothing changed.",
			  sb_str(&dir), wait);
		log_error("Build again once it is done; builds that share a cache take turns.");
	}
out:
	/* The lock lasts as long as this process: FD stays open. */
	if (r < 0 && fd >= 0)
		close(fd);
	sb_release(&dir);
	return r;
}
