/* The one way jemalloc gets installed, for the classic bin/compile
 * (compile.c) and the Cloud Native Buildpack (cnb.c) alike: check the target,
 * take the package from the repository, or build from the official source
 * when there is none, stage the tree and prove it loads. The callers differ
 * only in where the staged tree goes and what they write after it. Every
 * function that fails has already said why in the build log. */
#ifndef INSTALL_H
#define INSTALL_H

#include "progkey.h"
#include "stack.h"

#include <stddef.h>

struct sb;
struct settings;

/* The longest architecture name (amd64, arm64, riscv64, ...). */
#define TARGET_ARCH_MAX 15

struct target {
	char stack[STACK_ID_MAX + 1];
	char arch[TARGET_ARCH_MAX + 1];
	int known;         /* stacks/ has a file for this stack */
	int packaged;      /* stacks/ has packages for this stack and architecture */
	struct stack info; /* stacks/<stack>, when it exists */
};

struct install {
	const char *bp_dir, *cache_dir;
	const char *self; /* this program: becomes bin/jemalloc-status */
	const struct settings *s;
	const struct target *t;
	const char *stage_dir; /* the tree is staged at STAGE_DIR/app/.jemalloc */
	const char *aptfile;   /* a tree an Aptfile installed, to use as it is; or NULL */
	struct sb *entries;    /* out: the cache entries the build used, for cache_keep */
};

/* Checks STACK and ARCH (ARCH NULL: unknown). 0 with T filled in, or -1. */
int install_target(const char *bp_dir, const char *stack, const char *arch, const struct settings *s, struct target *t);

/* Why T has no package (for the log line of the source build), into WHY. */
void install_why(const struct target *t, struct sb *why);

/* The "-----> Installing jemalloc ..." line. */
void install_announce(const struct settings *s, const struct target *t);

/* Stages a new .jemalloc that loads, with its VERSION; its path into JDIR and
 * the jemalloc version it reports into GOT. INSTALL_LOADED when a process
 * ran on it in this build; INSTALL_CHECKED when it is a copy of a cached
 * tree whose every file was checked, in this build, against the record of
 * the tree that loaded before (tree.h), and no process was started; -1. */
#define INSTALL_LOADED 0
#define INSTALL_CHECKED 1
int install_stage(const struct install *in, struct sb *jdir, char *got, size_t size);

/* The build log's last word on the tree: "jemalloc X loads; it is WHERE"
 * only after HOW was INSTALL_LOADED. */
void install_said(int how, const char *got, const char *where);

/* What an installed tree depends on besides its version: the repository
 * (URL and key), the source settings, the recipe and versions.txt; a whole
 * SHA-256 (64 hex digits). A CNB layer is reused only while this stays the same. */
int install_origin(const char *bp_dir, const struct settings *s, char origin[65]);

/* After a successful build: the cache keeps what this build and the one
 * before it used (cache.h), and this program's own build. */
void install_keep(const struct install *in);

#endif
