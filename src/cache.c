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
 * jemalloc/<stack>/, and the work directories of source builds that were
 * killed (work-<pid>; ours, still in use, is gone by now). */
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
		     strncmp(e->d_name, "work-", 5) == 0) &&
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
