/* Which jemalloc a JEMALLOC_VERSION asks for, among a suite's packages. */
#ifndef VERSION_H
#define VERSION_H

#include <stddef.h>

/* A JEMALLOC_VERSION value is "" (newest), or 1 to 3 dot-separated numbers:
 * "5", "5.3", "5.3.1". Returns 1 when WANT is one of those. */
int version_request_ok(const char *want);
/* The longest JEMALLOC_VERSION version_request_ok takes. */
#define VERSION_REQUEST_MAX 32

/* 1 when WANT is a whole x.y.z version (a warm build may skip the index). */
int version_request_exact(const char *want);

/* Compares two package versions "5.3.1-1~heroku24" number by number
 * (upstream, then revision); <0, 0, >0 like strcmp. */
int version_cmp(const char *a, const char *b);

/* The newest of N versions (packages' "5.3.1-1~heroku24" or releases'
 * "5.3.1") whose jemalloc version matches WANT
 * ("5.3" matches 5.3.0 and 5.3.1, not 5.30.0); NULL when none does. */
const char *version_pick(const char *const *versions, size_t n, const char *want);

#endif
