/* jemalloc-status: the answer to "is jemalloc on in my dyno?". */
#ifndef STATUS_H
#define STATUS_H

#include <stddef.h>

/* jemalloc-status [PID...]: the installed version, whether this shell's
 * settings preload it and why, and for every process of the dyno (or the
 * PIDs given) whether a libjemalloc is mapped and which version it is. */
int status_main(int argc, char **argv);

/* Finds jemalloc's version string ("5.3.1-0-g" and 40 hex digits, then a
 * NUL) in the LEN bytes of a library: 1 with "5.3.1" in OUT, 0 when none. */
int status_scan_version(const char *buf, size_t len, char *out, size_t size);

#endif
