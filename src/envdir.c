#include "envdir.h"

#include "fsx.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Names as the platform allows them: no path, no dotfiles, no '='. */
static int name_ok(const char *name)
{
	if (!*name || name[0] == '.')
		return 0;
	for (const char *p = name; *p; p++)
		if (*p == '/' || *p == '=')
			return 0;
	return 1;
}

int envdir_get(const char *dir, const char *name, char **value)
{
	char path[4096], *buf;
	size_t len;

	*value = NULL;
	if (!name_ok(name)) {
		errno = EINVAL;
		return -1;
	}
	if (fsx_path(path, sizeof path, "%s/%s", dir, name) < 0)
		return -1;
	if (fsx_read_len(path, &buf, ENVDIR_VALUE_MAX, &len) < 0)
		return errno == ENOENT ? 0 : -1;
	if (strlen(buf) != len) {
		free(buf);
		errno = EINVAL;
		return -1;
	}
	if (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	*value = buf;
	return 1;
}
