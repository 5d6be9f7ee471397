/* The package cache: .debs downloaded from a repository, kept so that a warm
 * build with an exact version needs no network. Trust follows the signature:
 * each package sits in a directory of its repository (URL and key), beside
 * the SHA-256 the signed index gave for it, and is used only while its bytes
 * still have that hash.
 *
 *   CACHE_DIR/jemalloc/debs/<stack>/<arch>/<repository id>/
 *       heroku-jemalloc_<package version>_<arch>.deb
 *       heroku-jemalloc_<package version>_<arch>.deb.sha256   (from the index)
 *       heroku-jemalloc_<package version>_<arch>.deb.tree/    (tree.h)
 */
#ifndef PKGCACHE_H
#define PKGCACHE_H

struct sb;

/* DIR/heroku-jemalloc_<PKGVER>_<ARCH>.deb: the name apt gives a package
 * (and scripts/lib.sh's deb_file, for the build side). */
void pkgcache_path(const char *dir, const char *pkgver, const char *arch, struct sb *deb);

/* The cache directory of one repository (URL and armored key) and target;
 * made when missing. */
int pkgcache_dir(const char *cache_dir, const char *stack, const char *arch, const char *url, const char *key,
		 struct sb *dir);

/* The newest intact cached package of jemalloc VERSION ("5.3.1"): 1 with
 * its path in DEB, 0 when there is none. */
int pkgcache_find(const char *dir, const char *version, const char *arch, struct sb *deb);

/* 1 when DIR holds package PKGVER ("5.3.1-1~heroku24") intact, path in DEB. */
int pkgcache_get(const char *dir, const char *pkgver, const char *arch, struct sb *deb);

/* pkgcache_get for the package the index just read gives SHA256: 1 intact
 * (path in DEB); 0 not there or not intact; 2 when the record beside it
 * holds another hash (the repository re-issued the version with new bytes):
 * the package, its record and its tree are dropped. -1 when they cannot be. */
int pkgcache_get_signed(const char *dir, const char *pkgver, const char *arch, const char *sha256, struct sb *deb);

/* 1 when the cached package DEB's bytes have the hash recorded beside it
 * (hashed now, unless its verified tree's stamp vouches for them). */
int pkgcache_intact(const char *deb);

/* Removes the cached package DEB with its record and tree. */
int pkgcache_drop(const char *deb);

/* Moves the downloaded file FROM into the cache as PKGVER, when its bytes
 * have SHA256 (the index's); its record is written first and the package
 * renamed into place last, so a cut-short download never sits there under
 * its name. 0 with the path in DEB; -1 (EBADMSG: the hash differs). */
int pkgcache_put(const char *dir, const char *from, const char *pkgver, const char *arch, const char *sha256,
		 struct sb *deb);

/* Keeps the staged, checked tree JDIR as the verified tree of the cached
 * package DEB (tree.h); the kept copy's listing into FILES. */
int pkgcache_keep_tree(const char *deb, const char *jdir, struct sb *files);

/* 1 when the verified tree of DEB is current for DEB's bytes as the record
 * beside DEB (the index's hash) and DEB's size and time say. */
int pkgcache_tree_current(const char *deb);

#endif
