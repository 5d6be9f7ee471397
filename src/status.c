/* jemalloc-status: the answer to "is jemalloc on in my dyno?": the installed
 * version, whether this shell's settings preload it and why, and for every
 * process of the dyno (or the PIDs given) whether libjemalloc is mapped. */
#include "status.h"

#include "fsx.h"
#include "profile.h"
#include "sb.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Process names and paths are anyone's bytes: printed with control
 * characters, backslashes and non-ASCII bytes as \xHH, so none can move the
 * cursor or rewrite the terminal of whoever runs this. */
static const char *shown(const char *s, struct sb *out)
{
	sb_reset(out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p >= 0x7f || *p == '\\')
			sb_addf(out, "\\x%02x", *p);
		else
			sb_add(out, (const char *)p, 1);
	}
	return sb_str(out);
}

/* The mapped libjemalloc of PID, or "" (and 0) when none is. */
static int mapped(const char *pid, char *lib, size_t size)
{
	char path[64], line[4352];
	FILE *f;
	lib[0] = '\0';
	snprintf(path, sizeof path, "/proc/%s/maps", pid);
	if (!(f = fopen(path, "re")))
		return -1;
	while (fgets(line, sizeof line, f)) {
		char *p = strchr(line, '/');
		if (p && strstr(p, "/libjemalloc.so")) {
			snprintf(lib, size, "%.*s", (int)strcspn(p, "\n"), p);
			break;
		}
	}
	fclose(f);
	return lib[0] != '\0';
}

int status_scan_version(const char *buf, size_t len, char *out, size_t size)
{
	for (size_t i = 0; i + 50 < len; i++) {
		size_t j = i, dots = 0;
		if (!isdigit((unsigned char)buf[i]) || (i > 0 && (isdigit((unsigned char)buf[i - 1]) || buf[i - 1] == '.')))
			continue;
		while (j < len && (isdigit((unsigned char)buf[j]) || buf[j] == '.'))
			dots += buf[j++] == '.';
		if (dots != 2 || j + 4 >= len || buf[j] != '-' || j - i >= size)
			continue;
		size_t k = j + 1;
		while (k < len && isdigit((unsigned char)buf[k]))
			k++;
		if (k == j + 1 || k + 42 >= len || buf[k] != '-' || buf[k + 1] != 'g')
			continue;
		size_t h = 0;
		while (h < 40 && isxdigit((unsigned char)buf[k + 2 + h]))
			h++;
		if (h == 40 && buf[k + 42] == '\0') {
			snprintf(out, size, "%.*s", (int)(j - i), buf + i);
			return 1;
		}
	}
	return 0;
}

/* The version a jemalloc library carries: the JEMALLOC_VERSION string
 * ("5.3.1-0-g<40 hex>") is in every build, ours, Debian's or Ubuntu's. */
static int lib_version(const char *lib, char *out, size_t size)
{
	char *buf = NULL;
	size_t len = 0;
	if (fsx_read_len(lib, &buf, 16u << 20, &len) < 0)
		return 0;
	int found = status_scan_version(buf, len, out, size);
	free(buf);
	return found;
}

static void comm(const char *pid, char *name, size_t size)
{
	char path[64], *buf = NULL;
	snprintf(path, sizeof path, "/proc/%s/comm", pid);
	if (fsx_read(path, &buf, 64) == 0) {
		snprintf(name, size, "%.*s", (int)strcspn(buf, "\n"), buf);
		free(buf);
	} else {
		snprintf(name, size, "?");
	}
}

static void report(const char *pid)
{
	char lib[4096], name[80], version[32];
	struct sb n = SB_INIT, l = SB_INIT, p = SB_INIT;
	if (!*pid || strspn(pid, "0123456789") != strlen(pid) || strlen(pid) > 10) {
		printf("  %-7s not a process ID\n", shown(pid, &p));
		sb_release(&p);
		return;
	}
	int m = mapped(pid, lib, sizeof lib);
	comm(pid, name, sizeof name);
	shown(name, &n);
	if (m < 0)
		printf("  %-7s %-16s cannot read its memory map\n", pid, sb_str(&n));
	else if (m == 0)
		printf("  %-7s %-16s glibc malloc (no jemalloc mapped)\n", pid, sb_str(&n));
	else if (lib_version(lib, version, sizeof version))
		printf("  %-7s %-16s jemalloc %s: %s\n", pid, sb_str(&n), version, shown(lib, &l));
	else
		printf("  %-7s %-16s jemalloc (version unreadable): %s\n", pid, sb_str(&n), shown(lib, &l));
	sb_release(&n);
	sb_release(&l);
	sb_release(&p);
}

/* JEMALLOC_METRICS_INTERVAL as lib/libjemalloc-metrics.so reads it
 * (debian/jemalloc-metrics.c; tests/fixtures/metrics/intervals runs against
 * both): whole seconds, 1 to 3600, ASCII digits, no leading zero. 0 for
 * anything else, which the library takes as its default, 20. */
static unsigned metrics_interval(const char *v)
{
	unsigned n = 0;
	if (!v || *v < '1' || *v > '9')
		return 0;
	for (; *v; v++)
		if (*v < '0' || *v > '9' || (n = n * 10 + (unsigned)(*v - '0')) > 3600)
			return 0;
	return n;
}

/* Whether this shell's processes write JEMALLOC_METRICS lines, and why. */
static void metrics_report(int jemalloc, const char *dir)
{
	struct sb why = SB_INIT, lib = SB_INIT, a = SB_INIT, b = SB_INIT;
	const char *v = getenv("JEMALLOC_METRICS_INTERVAL");
	unsigned every = metrics_interval(v);
	int on = profile_wants_setting("JEMALLOC_METRICS", getenv("JEMALLOC_METRICS"), getenv("DYNO"), &why);
	sb_setf(&lib, "%s/lib/libjemalloc-metrics.so", dir);
	shown(sb_str(&why), &a);
	if (!on)
		printf("metrics lines: off (%s)\n", sb_str(&a));
	else if (!jemalloc)
		printf("metrics lines: off (%s, but this shell does not preload jemalloc)\n", sb_str(&a));
	else if (access(sb_str(&lib), R_OK) < 0)
		printf("metrics lines: off (%s, but %s is missing: rebuild to get it)\n", sb_str(&a), shown(sb_str(&lib), &b));
	else
		printf("metrics lines: on, every %u s (%s)\n", every ? every : 20, sb_str(&a));
	if (v && !every)
		printf("JEMALLOC_METRICS_INTERVAL: '%s' is not a whole number of seconds from 1 to 3600: the default, 20 s\n", shown(v, &b));
	sb_release(&why);
	sb_release(&lib);
	sb_release(&a);
	sb_release(&b);
}

int status_main(int argc, char **argv)
{
	const char *home = getenv("HOME"), *preload = getenv("LD_PRELOAD");
	struct sb dir = SB_INIT, path = SB_INIT, why = SB_INIT, a = SB_INIT, b = SB_INIT;
	char *version = NULL;
	int wants = profile_wants(getenv("JEMALLOC_ENABLED"), getenv("DYNO"), &why);

	/* Installed as <dir>/bin/jemalloc-status: <dir> is the .jemalloc it came
	 * with (in the app, or a CNB layer); run from elsewhere, $HOME/.jemalloc. */
	if (fsx_exe_dir(&dir, 1) < 0 || sb_setf(&path, "%s/VERSION", sb_str(&dir)) < 0 || access(sb_str(&path), R_OK) < 0)
		sb_setf(&dir, "%s/.jemalloc", home ? home : "/app");
	if (sb_setf(&path, "%s/VERSION", sb_str(&dir)) == 0 && fsx_read(sb_str(&path), &version, 64) == 0) {
		version[strcspn(version, "\n")] = '\0';
		printf("installed: jemalloc %s", shown(version, &a));
		printf(" in %s\n", shown(sb_str(&dir), &b));
	} else {
		printf("installed: no (%s missing)\n", shown(sb_str(&path), &a));
	}
	free(version);
	printf("this shell: %s (%s)\n", wants ? "preloads jemalloc" : "does not preload jemalloc", shown(sb_str(&why), &a));
	metrics_report(wants, sb_str(&dir));
	printf("LD_PRELOAD: %s\n", preload && *preload ? shown(preload, &b) : "(empty)");
	/* The settings in force, so that a dyno tells which MALLOC_CONF it runs
	 * with (README: Choosing MALLOC_CONF). */
	const char *conf = getenv("MALLOC_CONF"), *arenas = getenv("MALLOC_ARENA_MAX");
	printf("MALLOC_CONF: %s\n", conf && *conf ? shown(conf, &b) : "(empty: jemalloc's defaults)");
	if (arenas && *arenas)
		printf("MALLOC_ARENA_MAX: %s (glibc's malloc only)\n", shown(arenas, &b));
	sb_release(&dir);
	sb_release(&path);
	sb_release(&why);
	sb_release(&a);
	sb_release(&b);
	printf("processes:\n");
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			report(argv[i]);
		return 0;
	}
	DIR *d = opendir("/proc");
	struct dirent *e;
	if (!d) {
		perror("jemalloc-status: /proc");
		return 1;
	}
	while ((e = readdir(d)))
		if (isdigit((unsigned char)e->d_name[0]))
			report(e->d_name);
	closedir(d);
	return 0;
}
