#include "fsx.h"

#include "sb.h"
#include "sha256.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

int fsx_write_all(int fd, const char *data, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

int fsx_write_atomic(const char *path, const char *data, size_t len, mode_t mode)
{
	struct sb tmp = SB_INIT;
	int fd = -1, e;
	for (unsigned i = 0; fd < 0 && i < 100; i++) {
		sb_setf(&tmp, "%s.tmp-%ld-%u", path, (long)getpid(), (unsigned)rand() ^ i);
		fd = open(sb_str(&tmp), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd < 0 && errno != EEXIST)
			goto fail;
	}
	if (fd < 0)
		goto fail;
	/* No fsync: the rename is what makes the write whole against a kill at
	 * any moment; a machine that loses power fails the build anyway, and an
	 * fsync per file was the larger part of a warm build's time. */
	if (fsx_write_all(fd, data, len) < 0 || fchmod(fd, mode) < 0)
		goto fail_unlink;
	e = close(fd);
	fd = -1;
	if (e < 0 || rename(sb_str(&tmp), path) < 0)
		goto fail_unlink;
	sb_release(&tmp);
	return 0;
fail_unlink:
	e = errno;
	if (fd >= 0)
		close(fd);
	unlink(sb_str(&tmp));
	errno = e;
fail:
	e = errno;
	sb_release(&tmp);
	errno = e;
	return -1;
}

int fsx_write_text(const char *dir, const char *name, const char *text)
{
	struct sb path = SB_INIT;
	sb_setf(&path, "%s/%s", dir, name);
	int r = fsx_write_atomic(sb_str(&path), text, strlen(text), 0644);
	int e = errno;
	sb_release(&path);
	errno = e;
	return r;
}

int fsx_is_real_dir(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (S_ISLNK(st.st_mode)) {
		errno = ELOOP;
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 1;
}

int fsx_mkdirs(const char *path, mode_t mode)
{
	struct sb tmp = SB_INIT;
	sb_adds(&tmp, path);
	for (char *p = tmp.buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp.buf, mode) < 0 && errno != EEXIST) {
			sb_release(&tmp);
			return -1;
		}
		*p = '/';
	}
	int r = mkdir(tmp.buf, mode) < 0 && errno != EEXIST ? -1 : 0;
	sb_release(&tmp);
	if (r == 0 && fsx_is_real_dir(path) != 1)
		return -1;
	return r;
}

/* Opens NAME in DIRFD to read, only when it is a regular file: O_NONBLOCK
 * so that a FIFO planted there cannot hold the build waiting for a writer,
 * O_NOFOLLOW so that a link is refused, not followed; then back to blocking
 * reads. -1 with EINVAL for anything else. */
static int open_regular_at(int dirfd, const char *name)
{
	struct stat st;
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC), e, flags;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || (flags = fcntl(fd, F_GETFL)) < 0)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	if (fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
		goto fail;
	return fd;
fail:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

int fsx_read_len(const char *path, char **out, size_t max, size_t *len)
{
	int fd = open_regular_at(AT_FDCWD, path), e;
	char *buf = NULL;
	size_t n = 0;
	if (fd < 0)
		return -1;
	buf = xmalloc(max + 2);
	for (;;) {
		ssize_t r = read(fd, buf + n, max + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			errno = EFBIG;
			goto fail;
		}
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
fail:
	e = errno;
	free(buf);
	close(fd);
	errno = e;
	return -1;
}

int fsx_read(const char *path, char **out, size_t max)
{
	size_t len;
	return fsx_read_len(path, out, max, &len);
}

/* Removes NAME in DIRFD; a directory is entered with O_NOFOLLOW, so a link
 * is removed itself, never what it points at. */
static int rm_at(int dirfd, const char *name)
{
	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -1;
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -1;
	}
	struct dirent *e;
	int r = 0;
	while (r == 0 && (e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			r = rm_at(fd, e->d_name);
	closedir(d);
	if (r < 0)
		return -1;
	return unlinkat(dirfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT ? 0 : -1;
}

int fsx_rm_rf(const char *path)
{
	return rm_at(AT_FDCWD, path);
}

int fsx_rm_rf_at(int dirfd, const char *name)
{
	return rm_at(dirfd, name);
}

int fsx_forget_at(int dirfd, const char *name)
{
	char gone[256];
	if (strncmp(name, ".gone-", 6) == 0) /* already out of the way */
		return rm_at(dirfd, name);
	snprintf(gone, sizeof gone, ".gone-%ld-%.200s", (long)getpid(), name);
	int r = renameat(dirfd, name, dirfd, gone);
	/* A killed build of the same pid left that name: it goes first. */
	if (r < 0 && (errno == EEXIST || errno == ENOTEMPTY) && rm_at(dirfd, gone) == 0)
		r = renameat(dirfd, name, dirfd, gone);
	if (r < 0)
		return errno == ENOENT ? 0 : -1;
	return rm_at(dirfd, gone);
}

int fsx_forget(const char *path)
{
	struct sb dir = SB_INIT;
	const char *slash = strrchr(path, '/');
	int r = -1;
	if (!slash || !slash[1]) {
		errno = EINVAL;
		goto out;
	}
	sb_add(&dir, path, (size_t)(slash - path + (slash == path)));
	int fd = open(sb_str(&dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		r = errno == ENOENT ? 0 : -1;
		goto out;
	}
	r = fsx_forget_at(fd, slash + 1);
	int e = errno;
	close(fd);
	errno = e;
out:
	sb_release(&dir);
	return r;
}

int fsx_path_plain(const char *path)
{
	return path[0] == '/' && !strpbrk(path, " '\"\\:\n\r\t");
}

/* The SHA-256 of the whole file FD into HASH, its size into *SIZE: read
 * through a mapping, with no copy. */
static int hash_fd(int fd, struct sha256 *hash, unsigned long long *size)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -1;
	*size = (unsigned long long)st.st_size;
	if (st.st_size == 0)
		return 0;
	void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		return -1;
	sha256_update(hash, m, (size_t)st.st_size);
	return munmap(m, (size_t)st.st_size);
}

/* Copies FROM to TO with MODE; with HASH, the copy (TO, which no one else
 * writes) is hashed once it is made, and its size put into *SIZE: what is
 * checked is what was written, whatever FROM turns into meanwhile. */
static int copy_file_as(int from_dir, const char *from, int to_dir, const char *to, mode_t mode, struct sha256 *hash,
			unsigned long long *size)
{
	char buf[65536];
	int in = open_regular_at(from_dir, from), out = -1, r = -1, e;
	if (in < 0)
		return -1;
	out = openat(to_dir, to, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode & 07777);
	if (out < 0)
		goto done;
	/* In the kernel when it can (one copy, no trip through this buffer);
	 * read and write where it cannot (another file system type, an old
	 * kernel), from where it stopped. */
	for (;;) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, (size_t)1 << 30, 0);
		if (n < 0 && errno == EINTR)
			continue;
		/* 0 is the end, or a file system that copies nothing this way:
		 * the read loop below tells which. */
		if (n == 0)
			break;
		if (n < 0) {
			if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP &&
			    errno != EPERM)
				goto done;
			break;
		}
	}
	for (;;) {
		ssize_t n = read(in, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto done;
		if (n == 0)
			break;
		if (fsx_write_all(out, buf, (size_t)n) < 0)
			goto done;
	}
	r = fchmod(out, mode & 07777);
	if (r == 0 && hash)
		r = hash_fd(out, hash, size);
done:
	e = errno;
	close(in);
	if (out >= 0 && close(out) < 0 && r == 0)
		r = -1, e = errno;
	errno = e;
	return r;
}

/* Adds the line of one entry, REL its path below the tree's top, to FILES. */
static int list_entry(struct sb *files, const struct stat *st, const char *rel, struct sha256 *hash,
		      unsigned long long size, const char *target)
{
	char hex[65];
	for (const char *c = rel; *c; c++)
		if ((unsigned char)*c < 0x20) {
			errno = EINVAL; /* a name no line can hold is no name of a jemalloc tree */
			return -1;
		}
	if (S_ISREG(st->st_mode)) {
		sha256_hex(hash, hex);
		sb_addf(files, "%s\tf %04o %llu %s\n", rel, (unsigned)(st->st_mode & 07777), size, hex);
	} else if (S_ISLNK(st->st_mode)) {
		if (strpbrk(target, "\n"))
			return errno = EINVAL, -1;
		sb_addf(files, "%s\tl %s\n", rel, target);
	} else {
		sb_addf(files, "%s\td %04o\n", rel, (unsigned)(st->st_mode & 07777));
	}
	return 0;
}

/* Copies FROM in FROM_DIR to TO in TO_DIR: directories, regular files with
 * their modes, links as links; with FILES, each entry's line (REL: its path
 * below the top) is added there as it is copied. */
static int copy_at(int from_dir, const char *from, int to_dir, const char *to, struct sb *rel, struct sb *files)
{
	struct stat st;
	size_t keep = rel->len;
	int r = -1;
	if (fstatat(from_dir, from, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	if (files && keep)
		sb_addf(rel, "/%s", from);
	if (files && !keep)
		sb_adds(rel, ".");
	if (S_ISREG(st.st_mode)) {
		struct sha256 h;
		unsigned long long size = 0;
		sha256_init(&h);
		r = copy_file_as(from_dir, from, to_dir, to, st.st_mode, files ? &h : NULL, &size);
		if (r == 0 && files)
			r = list_entry(files, &st, sb_str(rel), &h, size, NULL);
	} else if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlinkat(from_dir, from, target, sizeof target - 1);
		if (n >= 0) {
			target[n] = '\0';
			r = symlinkat(target, to_dir, to);
			if (r == 0 && files)
				r = list_entry(files, &st, sb_str(rel), NULL, 0, target);
		}
	} else if (!S_ISDIR(st.st_mode)) {
		errno = EINVAL; /* no FIFOs or devices in a jemalloc tree */
	} else if (mkdirat(to_dir, to, 0700) == 0) {
		int in = openat(from_dir, from, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int out = openat(to_dir, to, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		DIR *d = in >= 0 ? fdopendir(in) : NULL;
		struct dirent *e;
		r = d && out >= 0 ? 0 : -1;
		while (r == 0 && (e = readdir(d)))
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
				r = copy_at(in, e->d_name, out, e->d_name, rel, files);
		if (r == 0)
			r = fchmod(out, st.st_mode & 07777);
		if (r == 0 && files)
			r = list_entry(files, &st, sb_str(rel), NULL, 0, NULL);
		int err = errno;
		if (d)
			closedir(d);
		else if (in >= 0)
			close(in);
		if (out >= 0)
			close(out);
		errno = err;
	}
	if (files) {
		rel->len = keep;
		rel->buf[keep] = '\0';
	}
	return r;
}

static int by_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* FILES's lines in byte order: a listing that does not depend on the order
 * a directory gives its entries in. */
static int sort_lines(struct sb *files)
{
	size_t n = 0, i = 0;
	for (size_t k = 0; k < files->len; k++)
		n += files->buf[k] == '\n';
	char **lines = xmalloc(sizeof *lines * (n ? n : 1));
	struct sb out = SB_INIT;
	for (char *save = NULL, *l = files->len ? strtok_r(files->buf, "\n", &save) : NULL; l && i < n;
	     l = strtok_r(NULL, "\n", &save))
		lines[i++] = l;
	qsort(lines, i, sizeof *lines, by_line);
	for (size_t k = 0; k < i; k++)
		sb_addf(&out, "%s\n", lines[k]);
	free(lines);
	sb_release(files);
	*files = out;
	return 0;
}

/* Copies the last element of FROM to TO's (which must not exist), from their
 * directories opened once: a file with MODE, or with TREE a whole tree
 * (listed into FILES, when not NULL). */
static int copy_path(const char *from, const char *to, int tree, mode_t mode, struct sb *files)
{
	struct sb a = SB_INIT, b = SB_INIT, rel = SB_INIT;
	const char *fs = strrchr(from, '/'), *ts = strrchr(to, '/');
	int r = -1;
	if (!fs || !ts) {
		errno = EINVAL;
		return -1;
	}
	if (files)
		sb_reset(files);
	sb_add(&a, from, (size_t)(fs - from));
	sb_add(&b, to, (size_t)(ts - to));
	int x = open(a.len ? sb_str(&a) : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int y = open(b.len ? sb_str(&b) : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (x >= 0 && y >= 0)
		r = tree ? copy_at(x, fs + 1, y, ts + 1, &rel, files) : copy_file_as(x, fs + 1, y, ts + 1, mode, NULL, NULL);
	if (r == 0 && files)
		r = sort_lines(files);
	int e = errno;
	if (x >= 0)
		close(x);
	if (y >= 0)
		close(y);
	errno = e;
	sb_release(&a);
	sb_release(&b);
	sb_release(&rel);
	return r;
}

int fsx_copy_file(const char *from, const char *to, mode_t mode)
{
	return copy_path(from, to, 0, mode, NULL);
}

int fsx_copy_tree(const char *from, const char *to, struct sb *files)
{
	return copy_path(from, to, 1, 0, files);
}

static int links_at(int dirfd, struct sb *rel, struct sb *bad)
{
	DIR *d = fdopendir(dirfd);
	struct dirent *e;
	int r = 1;
	if (!d) {
		close(dirfd);
		return -1;
	}
	while (r == 1 && (e = readdir(d))) {
		struct stat st;
		size_t keep = rel->len;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = -1;
			break;
		}
		sb_addf(rel, "/%s", e->d_name);
		if (S_ISLNK(st.st_mode)) {
			char t[4096];
			ssize_t n = readlinkat(dirfd, e->d_name, t, sizeof t - 1);
			if (n < 0) {
				r = -1;
				break;
			}
			t[n] = '\0';
			/* Only a link to a sibling or below: lib/libjemalloc.so -> libjemalloc.so.2. */
			if (t[0] == '/' || strstr(t, "..")) {
				sb_setf(bad, ".%s -> %s", sb_str(rel), t);
				r = 0;
			}
		} else if (S_ISDIR(st.st_mode)) {
			int fd = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			r = fd < 0 ? -1 : links_at(fd, rel, bad);
		}
		rel->len = keep;
		rel->buf[keep] = '\0';
	}
	closedir(d);
	return r;
}

int fsx_links_stay_inside(const char *dir, struct sb *bad)
{
	struct sb rel = SB_INIT;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	sb_adds(&rel, "");
	int r = links_at(fd, &rel, bad);
	sb_release(&rel);
	return r;
}

int fsx_exchange(const char *fresh, const char *live)
{
	struct stat st;
	if (syscall(SYS_renameat2, AT_FDCWD, fresh, AT_FDCWD, live, RENAME_EXCHANGE) == 0)
		return 0;
	if (errno == ENOENT && lstat(live, &st) < 0 && errno == ENOENT)
		return rename(fresh, live);
	/* Refused: a kernel or file system without RENAME_EXCHANGE (ENOSYS,
	 * EINVAL), LIVE in a lower layer of an overlayfs (EXDEV: a Docker
	 * build, Dokku), or any other reason. Two renames first, the narrowest
	 * window there is without it. */
	struct sb old = SB_INIT, lib = SB_INIT;
	int r = -1;
	sb_setf(&old, "%s.exchange", fresh);
	sb_setf(&lib, "%s/lib/libjemalloc.so", live);
	if (rename(live, sb_str(&old)) == 0) {
		if (rename(fresh, live) == 0)
			r = rename(sb_str(&old), fresh) < 0 ? fsx_rm_rf(sb_str(&old)) : 0;
		else
			rename(sb_str(&old), live);
		goto out;
	}
	/* LIVE cannot be moved at all (an overlayfs lower directory, without
	 * redirect_dir): it is removed, then the new tree renamed in. Its
	 * library link goes first, the name .profile.d and jemalloc.sh look
	 * for: a kill before the rename leaves no jemalloc preloaded at all
	 * (processes run on glibc until the next build), never half a tree. */
	if ((unlink(sb_str(&lib)) < 0 && errno != ENOENT) || fsx_rm_rf(live) < 0)
		goto out;
	r = rename(fresh, live);
out:
	sb_release(&old);
	sb_release(&lib);
	return r;
}

int fsx_exe_dir(struct sb *out, int up)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n < 0)
		return -1;
	exe[n] = '\0';
	for (int i = 0; i <= up; i++) {
		char *slash = strrchr(exe, '/');
		if (!slash || slash == exe) {
			errno = ENOENT;
			return -1;
		}
		*slash = '\0';
	}
	sb_setf(out, "%s", exe);
	return 0;
}
