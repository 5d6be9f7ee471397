#include "preload.h"

#include "fsx.h"
#include "profile.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int toml_quote(const char *in, char *out, size_t size)
{
	size_t n = 0;
	if (size < 3)
		return -1;
	out[n++] = '"';
	for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
		char esc[8];
		size_t len;
		if (*p == '"' || *p == '\\')
			len = (size_t)snprintf(esc, sizeof esc, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			len = (size_t)snprintf(esc, sizeof esc, "\\u%04X", *p);
		else
			esc[0] = (char)*p, esc[1] = '\0', len = 1;
		if (n + len + 2 > size)
			return -1;
		memcpy(out + n, esc, len);
		n += len;
	}
	out[n++] = '"';
	out[n] = '\0';
	return 0;
}

int preload_value(const char *lib, const char *current, char *next, size_t size)
{
	size_t l = strlen(lib);
	/* ld.so takes colons and spaces alike as separators. */
	for (const char *p = current ? current : ""; *p;) {
		size_t w = strcspn(p, ": ");
		if (w == l && strncmp(p, lib, l) == 0)
			return 0;
		p += w;
		p += strspn(p, ": ");
	}
	int n = current && *current ? snprintf(next, size, "%s:%s", lib, current) : snprintf(next, size, "%s", lib);
	return n < 0 || (size_t)n >= size ? -1 : 1;
}

void preload_process_type(const char *parent_argv0, const char *dyno, char *type, size_t size)
{
	const char *slash = parent_argv0 ? strrchr(parent_argv0, '/') : NULL;
	type[0] = '\0';
	if (slash && slash[1] && slash - parent_argv0 >= 8 && strncmp(slash - 8, "/process", 8) == 0) {
		snprintf(type, size, "%s", slash + 1);
		return;
	}
	if (dyno && *dyno)
		snprintf(type, size, "%.*s", (int)strcspn(dyno, "."), dyno);
}

/* argv[0] of our parent, the launcher. */
static char *parent_argv0(void)
{
	char path[64], *buf = NULL;
	snprintf(path, sizeof path, "/proc/%ld/cmdline", (long)getppid());
	if (fsx_read(path, &buf, 4096) < 0) /* stops at the first NUL: argv[0] */
		return NULL;
	return buf;
}

int preload_main(void)
{
	char dir[4096], lib[4200], type[256], why[256], next[8192], quoted[16384];
	char *argv0 = parent_argv0();
	const char *enabled = getenv("JEMALLOC_ENABLED");

	preload_process_type(argv0, getenv("DYNO"), type, sizeof type);
	free(argv0);
	if (!profile_wants(enabled, *type ? type : NULL, why, sizeof why))
		return 0;
	/* This program is <layer>/.jemalloc/bin/jemalloc-status, reached through
	 * the <layer>/exec.d/jemalloc-preload link. */
	if (fsx_exe_dir(dir, sizeof dir, 1) < 0 || fsx_path(lib, sizeof lib, "%s/lib/libjemalloc.so", dir) < 0 ||
	    access(lib, R_OK) < 0) {
		fprintf(stderr, "jemalloc: %s, but the library is missing (%s): not preloaded\n", why, lib);
		return 0;
	}
	if (strpbrk(lib, ": \t\n")) {
		fprintf(stderr, "jemalloc: cannot preload %s: the path has a colon or space\n", lib);
		return 0;
	}
	int r = preload_value(lib, getenv("LD_PRELOAD"), next, sizeof next);
	if (r == 0)
		return 0;
	if (r < 0 || toml_quote(next, quoted, sizeof quoted) < 0) {
		fprintf(stderr, "jemalloc: LD_PRELOAD is too long to add %s: not preloaded\n", lib);
		return 0;
	}
	int fd = fcntl(3, F_GETFD) >= 0 ? 3 : 1;
	char line[16400];
	int n = snprintf(line, sizeof line, "LD_PRELOAD = %s\n", quoted);
	if (fsx_write_all(fd, line, (size_t)n) < 0) {
		perror("jemalloc: exec.d output (fd 3)");
		return 1;
	}
	return 0;
}
