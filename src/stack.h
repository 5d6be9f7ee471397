/* Which Heroku stack and architecture a build is for. The stacks are the
 * files of the buildpack's stacks/ directory, read at run time: no stack
 * name is written into this program. */
#ifndef STACK_H
#define STACK_H

#include <stddef.h>

struct sb;

/* The longest stack name; and the most stacks/ files read (more is an error
 * in stacks/, which tests/catalog.test would see long before). */
#define STACK_ID_MAX 31
#define STACKS_MAX 64

struct stack {
	char id[STACK_ID_MAX + 1]; /* heroku-24 */
	char ubuntu[16];  /* 24.04 */
	char arches[64];  /* "amd64 arm64" */
	char status[16];  /* eol, deprecated, available, recommended */
};

/* 1 when ID is a stack name this program will look up or build for: a
 * lowercase letter, then at most STACK_ID_MAX - 1 of [a-z0-9-]. */
int stack_id_ok(const char *id);

/* Reads BP_DIR/stacks/ID. 1 when the stack is known, 0 when there is no
 * such file (or ID is no stack name), -1 with errno when it cannot be read. */
int stack_load(const char *bp_dir, const char *id, struct stack *st);

/* $STACK, else the stack of /etc/os-release's Ubuntu release (OS_RELEASE
 * overrides the path, for tests). Writes "" when it cannot tell. */
void stack_detect(const char *bp_dir, struct sb *id);

/* The stack of a Cloud Native Buildpacks target: the stacks/ file with that
 * Ubuntu release, else heroku-NN for an Ubuntu NN.04 no file names yet.
 * 0 with ID written; 0 with ID "" when DISTRO is unset (the caller asks
 * stack_detect); -1 for a distribution that is no Heroku stack. */
int stack_from_target(const char *bp_dir, const char *distro, const char *version, struct sb *id);

/* "heroku-22, heroku-24 and heroku-26" (FIELD "id") or "22.04, 24.04 and
 * 26.04" (FIELD "ubuntu"): the stacks packages are built for. */
int stack_list(const char *bp_dir, const char *field, struct sb *out);

/* The stack stacks/ marks recommended (else the newest it builds for), for
 * "heroku stack:set"; "" when there is none. */
void stack_recommended(const char *bp_dir, struct sb *id);

/* The Debian architecture of this machine (amd64, arm64), or NULL. */
const char *stack_arch(void);

/* 1 when ARCH is one of ST's architectures. */
int stack_has_arch(const struct stack *st, const char *arch);

#endif
