/* The repository fetch: the package for a version, from the package cache
 * when an exact version is there, else resolved against the repository's
 * signed index and downloaded with apt, checked against that index's hash. */
#ifndef FETCH_H
#define FETCH_H

struct install;
struct sb;

/* The package for IN's target (stack, architecture) and settings (version,
 * repository URL and key), kept in IN's cache directory. 0 with the
 * package's path in DEB. 1 when the repository has no package
 * to give (it cannot be reached, or its index has none for this stack,
 * architecture and version): WHY says which, for the source fallback, and
 * apt's words are in the log. -1 after saying why in the log: a signature or
 * hash apt refused, a disk error; and, when FALLBACK is 0 (packages only),
 * every case that would otherwise return 1. */
int fetch_package(const struct install *in, int fallback, struct sb *deb, struct sb *why);

#endif
