#include "cache.h"

#include "fsx.h"
#include "log.h"
#include "sb.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEEP_BUILDS 2

/* 1 when REL is one of the space-separated paths of a kept build line. */
static int kept(const struct sb *keep, const char *rel)
{
	size_t n = strlen(rel);
	for (const char *p = sb_str(keep); *p;) {
		size_t w = strcspn(p, " \n");
		if (w == n && strncmp(p, rel, n) == 0)
			return 1;
		p += w;
		p += strspn(p, " \n");
	}
	return 0;
}

/* Removes what is not kept under TOP/DIR, DEPTH levels down (the entries
 * sit at that depth), counting into *N. */
static void purge(const char *top, const char *dir, int depth, const struct sb *keep, int *n)
{
	struct sb path = SB_INIT, rel = SB_INIT;
	if (sb_setf(&path, "%s/%s", top, dir) < 0)
		return;
	DIR *d = opendir(sb_str(&path));
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
			continue;
		if (sb_setf(&rel, "%s/%s", dir, e->d_name) < 0)
			break;
		if (depth > 1) {
			purge(top, sb_str(&rel), depth - 1, keep, n);
			continue;
		}
		/* A package's record goes with it. */
		size_t l = rel.len;
		int record = l > 7 && strcmp(sb_str(&rel) + l - 7, ".sha256") == 0;
		if (record)
			rel.buf[l - 7] = '\0';
		if (kept(keep, sb_str(&rel)))
			continue;
		if (record)
			rel.buf[l - 7] = '.';
		if (sb_setf(&path, "%s/%s", top, sb_str(&rel)) == 0 && fsx_rm_rf(sb_str(&path)) == 0 && !record)
			(*n)++;
	}
	if (d)
		closedir(d);
	sb_release(&path);
	sb_release(&rel);
}

void cache_keep(const char *cache_dir, const char *entries)
{
	struct sb top = SB_INIT, list = SB_INIT, keep = SB_INIT;
	char *old = NULL;
	int builds = 0, n = 0;
	if (sb_setf(&top, "%s/jemalloc", cache_dir) < 0 || sb_setf(&list, "%s/recent", sb_str(&top)) < 0)
		goto out;
	if (fsx_read(sb_str(&list), &old, 65536) < 0)
		old = NULL;
	/* The newest build first, then the earlier ones that differ from it. */
	if (sb_addf(&keep, "%s\n", entries) < 0)
		goto out;
	builds = 1;
	for (char *save = NULL, *l = old ? strtok_r(old, "\n", &save) : NULL; l && builds < KEEP_BUILDS;
	     l = strtok_r(NULL, "\n", &save)) {
		if (strcmp(l, entries) == 0 || strspn(l, " ") == strlen(l))
			continue;
		if (sb_addf(&keep, "%s\n", l) < 0)
			goto out;
		builds++;
	}
	if (fsx_write_atomic(sb_str(&list), sb_str(&keep), keep.len, 0644) < 0) {
		log_error("Warning: cannot write %s (%s): the build cache is not trimmed.", sb_str(&list), strerror(errno));
		goto out;
	}
	purge(sb_str(&top), "debs", 4, &keep, &n);
	purge(sb_str(&top), "trees", 1, &keep, &n);
	purge(sb_str(&top), "sources", 1, &keep, &n);
	if (n > 0)
		log_detail("Removed %d old entr%s from the build cache (it keeps the last %d builds)", n, n == 1 ? "y" : "ies",
			   KEEP_BUILDS);
out:
	free(old);
	sb_release(&top);
	sb_release(&list);
	sb_release(&keep);
}
