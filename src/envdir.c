#include "envdir.h"

#include "fsx.h"
#include "sb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
	struct sb path = SB_INIT;
	char *buf;
	size_t len;
	int r;

	*value = NULL;
	if (!name_ok(name)) {
		errno = EINVAL;
		return -1;
	}
	if (sb_setf(&path, "%s/%s", dir, name) < 0)
		return -1;
	/* A FIFO or device is refused at once (fsx_read_len): no hang. */
	r = fsx_read_len(sb_str(&path), &buf, ENVDIR_VALUE_MAX, &len);
	sb_release(&path);
	if (r < 0)
		return errno == ENOENT ? 0 : -1;
	if (strlen(buf) != len) {
		free(buf);
		errno = EILSEQ;
		return -1;
	}
	if (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	*value = buf;
	return 1;
}
