#include "stack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

/* Kept in step with stacks/ (a test compares them). */
static const char *const supported[] = {"heroku-22", "heroku-24", "heroku-26", NULL};
static const char *const eol[] = {"heroku-20", "heroku-18", "heroku-16", "cedar-14", NULL};

void stack_detect(char *stack, size_t size)
{
	const char *env = getenv("STACK"), *path = getenv("OS_RELEASE");
	char line[256];
	FILE *f;
	stack[0] = '\0';
	if (env && *env) {
		snprintf(stack, size, "%s", env);
		return;
	}
	f = fopen(path && *path ? path : "/etc/os-release", "re");
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		unsigned major, minor;
		if (sscanf(line, "VERSION_ID=\"%u.%u\"", &major, &minor) == 2 && minor == 4)
			snprintf(stack, size, "heroku-%u", major);
	}
	fclose(f);
}

static int in(const char *const *list, const char *s)
{
	for (int i = 0; list[i]; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

int stack_supported(const char *stack, const char **why)
{
	if (in(supported, stack))
		return 1;
	*why = in(eol, stack) ? "is end of life" : "is not a stack this buildpack knows";
	return 0;
}

const char *stack_arch(void)
{
	struct utsname u;
	if (uname(&u) < 0)
		return NULL;
	if (strcmp(u.machine, "x86_64") == 0)
		return "amd64";
	if (strcmp(u.machine, "aarch64") == 0)
		return "arm64";
	return NULL;
}

int stack_has_arch(const char *stack, const char *arch)
{
	return strcmp(arch, "amd64") == 0 || (strcmp(arch, "arm64") == 0 && strcmp(stack, "heroku-22") != 0);
}

int stack_from_target(const char *distro, const char *version, char *stack, size_t size)
{
	unsigned major, minor;
	char end;
	stack[0] = '\0';
	if (!distro || !*distro)
		return 0;
	/* Heroku stacks are the Ubuntu LTS releases, NN.04. */
	if (strcmp(distro, "ubuntu") != 0 || !version || sscanf(version, "%u.%u%c", &major, &minor, &end) != 2 ||
	    minor != 4 || major > 99)
		return -1;
	snprintf(stack, size, "heroku-%u", major);
	return 0;
}
