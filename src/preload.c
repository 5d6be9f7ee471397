#include "preload.h"

#include "fsx.h"
#include "profile.h"
#include "sb.h"
#include "toml.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int preload_value(const char *lib, const char *current, struct sb *next)
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
	int r = current && *current ? sb_setf(next, "%s:%s", lib, current) : sb_setf(next, "%s", lib);
	return r < 0 ? -1 : 1;
}

void preload_process_type(const char *parent_argv0, const char *dyno, struct sb *type)
{
	const char *slash = parent_argv0 ? strrchr(parent_argv0, '/') : NULL;
	sb_reset(type);
	if (slash && slash[1] && slash - parent_argv0 >= 8 && strncmp(slash - 8, "/process", 8) == 0)
		sb_adds(type, slash + 1);
	else if (dyno && *dyno)
		sb_add(type, dyno, strcspn(dyno, "."));
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
	struct sb dir = SB_INIT, lib = SB_INIT, type = SB_INIT, why = SB_INIT, next = SB_INIT, line = SB_INIT;
	struct sb metrics = SB_INIT, with = SB_INIT;
	const char *current = getenv("LD_PRELOAD");
	char *argv0 = parent_argv0();
	int rc = 0;

	preload_process_type(argv0, getenv("DYNO"), &type);
	free(argv0);
	if (!profile_wants(getenv("JEMALLOC_ENABLED"), type.len ? sb_str(&type) : NULL, &why))
		goto out;
	/* This program is <layer>/.jemalloc/bin/jemalloc-status, reached through
	 * the <layer>/exec.d/jemalloc-preload link. */
	if (fsx_exe_dir(&dir, 1) < 0 || sb_setf(&lib, "%s/lib/libjemalloc.so", sb_str(&dir)) < 0 ||
	    access(sb_str(&lib), R_OK) < 0) {
		fprintf(stderr, "jemalloc: %s, but the library is missing (%s): not preloaded\n", sb_str(&why), sb_str(&lib));
		goto out;
	}
	if (strpbrk(sb_str(&lib), ": \t\n")) {
		fprintf(stderr, "jemalloc: cannot preload %s: the path has a colon or space\n", sb_str(&lib));
		goto out;
	}
	/* JEMALLOC_METRICS (docs/metrics.md): the library beside jemalloc's,
	 * preloaded with it, by the same rule; a tree without it runs without. */
	int m = 0;
	if (profile_wants_setting("JEMALLOC_METRICS", getenv("JEMALLOC_METRICS"), type.len ? sb_str(&type) : NULL, &why) &&
	    sb_setf(&metrics, "%s/lib/libjemalloc-metrics.so", sb_str(&dir)) == 0 && access(sb_str(&metrics), R_OK) == 0 &&
	    (m = preload_value(sb_str(&metrics), current, &with)) > 0)
		current = sb_str(&with);
	int r = m < 0 ? -1 : preload_value(sb_str(&lib), current, &next);
	if (r == 0 && m > 0)
		r = sb_setf(&next, "%s", current) < 0 ? -1 : 1;
	if (r == 0)
		goto out;
	if (r < 0 || sb_adds(&line, "LD_PRELOAD = ") < 0 || toml_quote(sb_str(&next), &line) < 0 || sb_adds(&line, "\n") < 0) {
		fprintf(stderr, "jemalloc: LD_PRELOAD cannot be written as TOML (not UTF-8, or too long): not preloaded\n");
		goto out;
	}
	int fd = fcntl(3, F_GETFD) >= 0 ? 3 : 1;
	if (fsx_write_all(fd, sb_str(&line), line.len) < 0) {
		perror("jemalloc: exec.d output (fd 3)");
		rc = 1;
	}
out:
	sb_release(&dir);
	sb_release(&lib);
	sb_release(&type);
	sb_release(&why);
	sb_release(&next);
	sb_release(&line);
	sb_release(&metrics);
	sb_release(&with);
	return rc;
}
