/* jemalloc-status: the answer to "is jemalloc on in my dyno?": the installed
 * version, whether this shell's settings preload it and why, and for every
 * process of the dyno (or the PIDs given) whether libjemalloc is mapped. */
#include "status.h"

#include "fsx.h"
#include "profile.h"
#include "sb.h"
#include "settings.h"
#include "stage.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The most of a library read to find its version string (libjemalloc is
 * well under 4 MiB), and of a /proc/PID/comm. */
#define STATUS_LIB_MAX (16u << 20)
#define STATUS_COMM_MAX 64

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

/* The mapped libjemalloc of PID into LIB, or "" (and 0) when none is. */
static int mapped(const char *pid, struct sb *lib)
{
	struct sb path = SB_INIT;
	char *line = NULL;
	size_t cap = 0;
	FILE *f;
	sb_reset(lib);
	sb_setf(&path, "/proc/%s/maps", pid);
	f = fopen(sb_str(&path), "re");
	sb_release(&path);
	if (!f)
		return -1;
	/* Whole lines, however long the path: never a cut one. */
	while (getline(&line, &cap, f) > 0) {
		char *p = strchr(line, '/');
		if (p && strstr(p, "/libjemalloc.so")) {
			sb_add(lib, p, strcspn(p, "\n"));
			break;
		}
	}
	free(line);
	fclose(f);
	return lib->len > 0;
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
	if (fsx_read_len(lib, &buf, STATUS_LIB_MAX, &len) < 0)
		return 0;
	int found = status_scan_version(buf, len, out, size);
	free(buf);
	return found;
}

/* PID's command name (the kernel keeps 15 bytes of it), or "?". */
static void comm(const char *pid, struct sb *name)
{
	struct sb path = SB_INIT;
	char *buf = NULL;
	sb_setf(&path, "/proc/%s/comm", pid);
	if (fsx_read(sb_str(&path), &buf, STATUS_COMM_MAX) == 0) {
		sb_reset(name);
		sb_add(name, buf, strcspn(buf, "\n"));
		free(buf);
	} else {
		sb_setf(name, "?");
	}
	sb_release(&path);
}

static void report(const char *pid)
{
	char version[STAGE_VERSION_SIZE];
	struct sb n = SB_INIT, l = SB_INIT, p = SB_INIT, lib = SB_INIT, name = SB_INIT;
	if (!*pid || strspn(pid, "0123456789") != strlen(pid) || strlen(pid) > 10) {
		printf("  %-7s not a process ID\n", shown(pid, &p));
		sb_release(&p);
		return;
	}
	int m = mapped(pid, &lib);
	comm(pid, &name);
	shown(sb_str(&name), &n);
	if (m < 0)
		printf("  %-7s %-16s cannot read its memory map\n", pid, sb_str(&n));
	else if (m == 0)
		printf("  %-7s %-16s glibc malloc (no jemalloc mapped)\n", pid, sb_str(&n));
	else if (lib_version(sb_str(&lib), version, sizeof version))
		printf("  %-7s %-16s jemalloc %s: %s\n", pid, sb_str(&n), version, shown(sb_str(&lib), &l));
	else
		printf("  %-7s %-16s jemalloc (version unreadable): %s\n", pid, sb_str(&n), shown(sb_str(&lib), &l));
	sb_release(&lib);
	sb_release(&name);
	sb_release(&n);
	sb_release(&l);
	sb_release(&p);
}

/* Installed as <dir>/bin/jemalloc-status: <dir> is the .jemalloc it came
 * with (in the app, or a CNB layer); run from elsewhere, $HOME/.jemalloc. */
static void installed_dir(struct sb *dir)
{
	const char *home = getenv("HOME");
	struct sb path = SB_INIT;
	int here = fsx_exe_dir(dir, 1) == 0;
	if (here) {
		sb_setf(&path, "%s/VERSION", sb_str(dir));
		here = access(sb_str(&path), R_OK) == 0;
	}
	if (!here)
		sb_setf(dir, "%s/.jemalloc", home ? home : "/app");
	sb_release(&path);
}

/* The settings read at dyno start (settings-table.h), as this shell has
 * them, so that a dyno tells which MALLOC_CONF it runs with (README:
 * Choosing MALLOC_CONF). */
static void start_settings(struct sb *tmp)
{
	for (size_t i = 0; i < SETTING_COUNT; i++) {
		const struct setting_info *t = &setting_table[i];
		const char *v = getenv(t->name);
		if (t->when != SETTING_START)
			continue;
		if (v && *v) {
			printf("%s: %s\n", t->name, shown(v, tmp));
			continue;
		}
		/* The default as the README says it, without its Markdown. */
		sb_reset(tmp);
		for (const char *p = t->dflt; *p; p++)
			if (*p != '`')
				sb_add(tmp, p, 1);
		printf("%s: (unset: %s)\n", t->name, sb_str(tmp));
	}
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
	const char *preload = getenv("LD_PRELOAD");
	struct sb dir = SB_INIT, path = SB_INIT, why = SB_INIT, a = SB_INIT, b = SB_INIT;
	char *version = NULL;
	int wants = profile_wants(getenv("JEMALLOC_ENABLED"), getenv("DYNO"), &why);

	installed_dir(&dir);
	sb_setf(&path, "%s/VERSION", sb_str(&dir));
	if (fsx_read(sb_str(&path), &version, 64) == 0) {
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
	start_settings(&b);
	const char *arenas = getenv("MALLOC_ARENA_MAX");
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
