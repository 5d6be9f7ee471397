/* Which Heroku stack and architecture this build is for. */
#ifndef STACK_H
#define STACK_H

#include <stddef.h>

/* $STACK, else derived from /etc/os-release (OS_RELEASE overrides the path,
 * for tests): Ubuntu 24.04 is heroku-24. Writes "" when unknown. */
void stack_detect(char *stack, size_t size);

/* The stack of a Cloud Native Buildpacks target (CNB_TARGET_DISTRO_NAME and
 * _VERSION): ubuntu 24.04 is heroku-24. Returns 0 with STACK written, 0 with
 * STACK "" when DISTRO is unset (the caller falls back to stack_detect), or
 * -1 for a distribution that is no Heroku stack. */
int stack_from_target(const char *distro, const char *version, char *stack, size_t size);

/* 1 for a stack packages are built for; 0 otherwise, with the reason. */
int stack_supported(const char *stack, const char **why);

/* The Debian architecture of this machine (amd64, arm64), or NULL. */
const char *stack_arch(void);

/* 1 when STACK has packages for ARCH (heroku-22 has no arm64). */
int stack_has_arch(const char *stack, const char *arch);

#endif
