/* Files written whole or not at all, and small path helpers. */
#ifndef FSX_H
#define FSX_H

#include <stddef.h>
#include <sys/types.h>

/* Writes LEN bytes to PATH through a temp file in the same directory, fsync,
 * rename. Returns 0, or -1 with errno (the old file, if any, is intact). */
int fsx_write_atomic(const char *path, const char *data, size_t len, mode_t mode);

/* Writes all LEN bytes to FD, through short writes and EINTR. Returns 0, or
 * -1 with errno. */
int fsx_write_all(int fd, const char *data, size_t len);

/* mkdir -p. Returns 0 or -1 with errno. */
int fsx_mkdirs(const char *path, mode_t mode);

/* Reads a whole file of at most MAX bytes into a malloc'd NUL-terminated
 * buffer; *LEN gets its length. -1 with errno EFBIG when it is longer. */
int fsx_read_len(const char *path, char **out, size_t max, size_t *len);

/* fsx_read_len for text: the part before any NUL byte. */
int fsx_read(const char *path, char **out, size_t max);

/* snprintf into BUF, failing (errno ENAMETOOLONG) instead of truncating. */
int fsx_path(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The directory UP levels above this program's own file (0: the directory
 * it is in), from /proc/self/exe: symlinks to it are resolved. */
int fsx_exe_dir(char *out, size_t size, int up);

#endif
