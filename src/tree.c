#include "tree.h"

#include "fsx.h"
#include "sb.h"
#include "sha256.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* "<version>\n<sha256 of MALLOC_CONF>\n": the head of the record; "-" for
 * the hash when the check ran with warnings (no MALLOC_CONF proved). */
static void record_head(const char *got, const char *malloc_conf, int clean, struct sb *text)
{
	char hex[65] = "-";
	if (clean)
		sha256_str(malloc_conf ? malloc_conf : "", hex);
	sb_setf(text, "%s\n%s\n", got, hex);
}

/* The most a VERIFIED record holds: a line per file of a jemalloc tree. */
#define TREE_RECORD_MAX (1u << 20)

/* DIR/VERIFIED, whole, or NULL. */
static char *record_read(const char *dir)
{
	struct sb path = SB_INIT;
	char *had = NULL;
	sb_setf(&path, "%s/VERIFIED", dir);
	if (!tree_real(dir) || fsx_read(sb_str(&path), &had, TREE_RECORD_MAX) < 0)
		had = NULL;
	sb_release(&path);
	return had;
}

/* The record's listing: what follows its two head lines. */
static const char *record_files(const char *had)
{
	const char *p = strchr(had, '\n');
	p = p ? strchr(p + 1, '\n') : NULL;
	return p ? p + 1 : "";
}

int tree_real(const char *dir)
{
	struct sb p = SB_INIT;
	sb_setf(&p, "%s/.jemalloc", dir);
	int ok = fsx_is_real_dir(dir) == 1 && fsx_is_real_dir(sb_str(&p)) == 1;
	sb_release(&p);
	return ok;
}

/* The path of the listing line L (fsx.h), "./" off, into WHY. */
static void line_path(const char *l, struct sb *why)
{
	size_t n = strcspn(l, "\t\n");
	if (n >= 2 && l[0] == '.' && l[1] == '/')
		l += 2, n -= 2;
	sb_setf(why, "%.*s", (int)n, l);
}

int tree_files_match(const char *dir, const char *files, struct sb *why)
{
	char *had = record_read(dir);
	if (!had) {
		sb_setf(why, "no record");
		return 0;
	}
	const char *a = record_files(had), *b = files;
	int ok = *a && strcmp(a, b) == 0;
	if (!*a) {
		sb_setf(why, "it lists no files");
	} else if (!ok) {
		/* The first path, in order, that one lists and the other lists
		 * otherwise or not at all. */
		for (;;) {
			size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n"), pa = strcspn(a, "\t\n"),
			       pb = strcspn(b, "\t\n");
			int c = !*a ? 1 : !*b ? -1 : memcmp(a, b, pa < pb ? pa : pb);
			if (c == 0 && pa != pb)
				c = pa < pb ? -1 : 1;
			if (c == 0 && (la != lb || memcmp(a, b, la) != 0))
				c = -1;
			if (c != 0) {
				line_path(c < 0 ? a : b, why);
				break;
			}
			a += la + (a[la] == '\n');
			b += lb + (b[lb] == '\n');
		}
	}
	free(had);
	return ok;
}

int tree_verified(const char *dir, const char *want, const char *malloc_conf, char *got, size_t size)
{
	struct sb text = SB_INIT;
	char *had = record_read(dir);
	int ok = 0;
	if (!had)
		goto out;
	size_t n = strcspn(had, "\n");
	if (n == 0 || n >= size || strspn(had, "0123456789.") != n || strncmp(had, want, strlen(want)) != 0)
		goto out;
	snprintf(got, size, "%.*s", (int)n, had);
	record_head(got, malloc_conf, 1, &text);
	ok = strncmp(had, sb_str(&text), text.len) == 0;
out:
	free(had);
	sb_release(&text);
	return ok;
}

int tree_record(const char *dir, const char *got, const char *malloc_conf, int clean, const char *files)
{
	struct sb text = SB_INIT;
	if (!tree_real(dir)) {
		errno = ELOOP;
		return -1;
	}
	record_head(got, malloc_conf, clean, &text);
	sb_adds(&text, files);
	int r = fsx_write_text(dir, "VERIFIED", sb_str(&text));
	sb_release(&text);
	return r;
}

void tree_of_deb(const char *deb, struct sb *dir)
{
	sb_setf(dir, "%s.tree", deb);
}

/* "<size> <mtime> <sha256>\n" of DEB; -1 when it is not a regular file. The
 * mtime in whole seconds: a cache restored from a tar archive keeps no more. */
static int stamp_text(const char *deb, const char *sha256, struct sb *text)
{
	struct stat st;
	if (lstat(deb, &st) < 0)
		return -1;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		return -1;
	}
	sb_setf(text, "%lld %lld %s\n", (long long)st.st_size, (long long)st.st_mtim.tv_sec, sha256);
	return 0;
}

int tree_deb_current(const char *deb, const char *sha256)
{
	struct sb dir = SB_INIT, path = SB_INIT, now = SB_INIT;
	char *had = NULL;
	int ok = 0;
	tree_of_deb(deb, &dir);
	sb_setf(&path, "%s/STAMP", sb_str(&dir));
	if (!tree_real(sb_str(&dir)) || fsx_read(sb_str(&path), &had, 256) < 0)
		goto out;
	/* The recorded hash is the one the stamp is compared with. */
	const char *hash = strrchr(had, ' ');
	if (!hash || strlen(hash + 1) != 65 || (sha256 && strncmp(hash + 1, sha256, 64) != 0))
		goto out;
	char rec[65];
	snprintf(rec, sizeof rec, "%.64s", hash + 1);
	ok = stamp_text(deb, rec, &now) == 0 && strcmp(had, sb_str(&now)) == 0;
out:
	free(had);
	sb_release(&dir);
	sb_release(&path);
	sb_release(&now);
	return ok;
}

int tree_keep_deb(const char *deb, const char *sha256, const char *jdir, struct sb *files)
{
	struct sb dir = SB_INIT, tmp = SB_INIT, path = SB_INIT, stamp = SB_INIT;
	int r = -1;
	tree_of_deb(deb, &dir);
	sb_setf(&tmp, "%s.tmp-%ld", sb_str(&dir), (long)getpid());
	sb_setf(&path, "%s/.jemalloc", sb_str(&tmp));
	if (fsx_rm_rf(sb_str(&tmp)) < 0 || fsx_mkdirs(sb_str(&tmp), 0755) < 0 ||
	    fsx_copy_tree(jdir, sb_str(&path), files) < 0 ||
	    stamp_text(deb, sha256, &stamp) < 0 || fsx_write_text(sb_str(&tmp), "STAMP", sb_str(&stamp)) < 0)
		goto out;
	/* The old tree goes first (renamed away whole, then removed): rename
	 * does not replace a directory that holds anything. A kill between the
	 * two leaves no tree, which the next build makes again. */
	if (fsx_forget(sb_str(&dir)) < 0 || rename(sb_str(&tmp), sb_str(&dir)) < 0)
		goto out;
	r = 0;
out:
	if (r < 0 && tmp.len)
		fsx_rm_rf(sb_str(&tmp));
	sb_release(&dir);
	sb_release(&tmp);
	sb_release(&path);
	sb_release(&stamp);
	return r;
}
