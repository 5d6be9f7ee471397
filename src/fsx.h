/* Files written whole or not at all, directories that are what they claim,
 * and trees removed or copied without following a link anyone planted. */
#ifndef FSX_H
#define FSX_H

/* The most a small text file this program reads may hold (repository.conf,
 * /etc/os-release, a layer's toml, the cache's list of recent builds):
 * larger is refused, never cut. */
#define FSX_TEXT_MAX 65536

#include <stddef.h>
#include <sys/types.h>

/* Writes LEN bytes to PATH through a new temp file beside it (O_EXCL,
 * O_NOFOLLOW: a planted name is never written through), then rename over
 * PATH (a link at PATH is replaced, not followed). 0, or -1 with errno; the
 * old file, if any, is intact. */
int fsx_write_atomic(const char *path, const char *data, size_t len, mode_t mode);

/* fsx_write_atomic of the text TEXT, mode 0644, to DIR/NAME (NAME may hold
 * a '/': "env.build/LD_PRELOAD.delim"). */
int fsx_write_text(const char *dir, const char *name, const char *text);

/* Writes all LEN bytes to FD, through short writes and EINTR. */
int fsx_write_all(int fd, const char *data, size_t len);

/* mkdir -p, then checks PATH is a real directory, not a link to one. */
int fsx_mkdirs(const char *path, mode_t mode);

/* 1 when PATH is a directory and no link (ENOTDIR or ELOOP otherwise: -1),
 * 0 when it does not exist. */
int fsx_is_real_dir(const char *path);

/* Reads a whole regular file of at most MAX bytes into a malloc'd
 * NUL-terminated buffer. A FIFO, device or directory is refused (EINVAL)
 * without blocking; a link is not followed (ELOOP); a longer file is EFBIG. */
int fsx_read_len(const char *path, char **out, size_t max, size_t *len);

/* fsx_read_len for text: the part before any NUL byte. */
int fsx_read(const char *path, char **out, size_t max);

/* rm -rf PATH, without following links, without a child process. 0 when
 * PATH is gone. */
int fsx_rm_rf(const char *path);

/* fsx_rm_rf of NAME in the directory DIRFD. */
int fsx_rm_rf_at(int dirfd, const char *name);

/* Removes NAME in DIRFD (or PATH, which must name something in a directory)
 * so that a kill at any moment leaves it whole or not under its name at all:
 * renamed to .gone-<pid>-NAME first, then removed; -1 when it cannot be
 * renamed away (it is then left whole). For cache entries, whose presence
 * means they are whole (a leftover .gone-* is trimmed with the cache). */
int fsx_forget_at(int dirfd, const char *name);
int fsx_forget(const char *path);

/* 1 when PATH is absolute and holds nothing that a sources.list line, an
 * LD_PRELOAD list, the export file's quoting or the log would read as
 * something else: no spaces, quotes, backslashes, colons or line breaks. */
int fsx_path_plain(const char *path);

/* Copies the regular file FROM to TO (which must not exist), with MODE. */
int fsx_copy_file(const char *from, const char *to, mode_t mode);

/* Copies the tree FROM to TO (which must not exist): directories, regular
 * files with their modes, links as links. With FILES (or NULL), what was
 * copied is listed there, one line an entry, in path order, paths from "."
 * (FROM), a tab, then what it is:
 *   "<path>\td <mode>", "<path>\tl <target>",
 *   "<path>\tf <mode> <size> <sha256>"
 * the size and hash of the bytes as they were read and written by this
 * copy (so a copy is checked by comparing its listing with a record). A
 * name holding a control character (tab, line break) is refused (EINVAL). */
struct sb;
int fsx_copy_tree(const char *from, const char *to, struct sb *files);

/* 1 when every link under DIR points inside DIR (relative, no "..", that
 * would leave it); 0 with the offending link's path in BAD; -1 on error. */
int fsx_links_stay_inside(const char *dir, struct sb *bad);

/* Puts directory FRESH at LIVE in one step: renameat2(RENAME_EXCHANGE) when
 * LIVE exists (a kill at any moment leaves the old tree or the new one, never
 * neither), rename otherwise. The old tree ends up at FRESH, for the caller to
 * remove. Where the exchange is refused (no RENAME_EXCHANGE; EXDEV, LIVE in
 * an overlayfs lower layer), LIVE is renamed aside, FRESH in; where LIVE
 * cannot be renamed either, it is removed (its lib/libjemalloc.so first,
 * the name .profile.d and jemalloc.sh look for) and FRESH renamed in: a kill
 * or a failure in that window leaves no jemalloc preloaded, never part of
 * one. */
int fsx_exchange(const char *fresh, const char *live);

/* The directory UP levels above this program's own file, from
 * /proc/self/exe: links to it are resolved. */
int fsx_exe_dir(struct sb *out, int up);

#endif
