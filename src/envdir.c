#include "envdir.h"

#include "fsx.h"
#include "sb.h"

#include <dirent.h>
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
	sb_setf(&path, "%s/%s", dir, name);
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

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int envdir_names(const char *dir, struct sb *names)
{
	struct sb all = SB_INIT;
	DIR *d = opendir(dir);
	struct dirent *e;
	sb_reset(names);
	if (!d)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n > 0 && n <= ENVDIR_NAME_MAX && e->d_name[0] != '.' &&
		    strspn(e->d_name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") == n)
			sb_addf(&all, "%s\n", e->d_name);
	}
	closedir(d);
	/* Sorted, so the log says the same in every build. */
	size_t count = 0;
	for (size_t i = 0; i < all.len; i++)
		count += all.buf[i] == '\n';
	char **line = xmalloc(sizeof *line * (count ? count : 1)), *save = NULL;
	size_t k = 0;
	for (char *l = all.len ? strtok_r(all.buf, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save))
		line[k++] = l;
	qsort(line, k, sizeof *line, by_name);
	for (size_t i = 0; i < k; i++)
		sb_addf(names, "%s\n", line[i]);
	free(line);
	sb_release(&all);
	return 0;
}
