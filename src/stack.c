#include "stack.h"

#include "fsx.h"
#include "sb.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

int stack_id_ok(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > STACK_ID_MAX || id[0] < 'a' || id[0] > 'z')
		return 0;
	return strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/* key=value lines; the file is data, never run. */
static void field(const char *text, const char *key, char *out, size_t size)
{
	size_t k = strlen(key);
	out[0] = '\0';
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncmp(l, key, k) == 0 && l[k] == '=') {
			int n = (int)strcspn(l + k + 1, "\n");
			if ((size_t)n < size)
				snprintf(out, size, "%.*s", n, l + k + 1);
			return;
		}
	}
}

int stack_load(const char *bp_dir, const char *id, struct stack *st)
{
	struct sb path = SB_INIT;
	char *text = NULL;
	memset(st, 0, sizeof *st);
	if (!stack_id_ok(id))
		return 0;
	sb_setf(&path, "%s/stacks/%s", bp_dir, id);
	int r = fsx_read(sb_str(&path), &text, 8192);
	sb_release(&path);
	if (r < 0)
		return errno == ENOENT ? 0 : -1;
	snprintf(st->id, sizeof st->id, "%s", id);
	field(text, "ubuntu", st->ubuntu, sizeof st->ubuntu);
	field(text, "arches", st->arches, sizeof st->arches);
	field(text, "status", st->status, sizeof st->status);
	free(text);
	return 1;
}

/* The stack names in BP_DIR/stacks, sorted. */
static int stack_ids(const char *bp_dir, char ids[][STACK_ID_MAX + 1], int max)
{
	struct sb path = SB_INIT;
	int n = 0;
	sb_setf(&path, "%s/stacks", bp_dir);
	DIR *d = opendir(sb_str(&path));
	sb_release(&path);
	if (!d)
		return -1;
	struct dirent *e;
	while ((e = readdir(d)) && n < max)
		if (stack_id_ok(e->d_name))
			memcpy(ids[n++], e->d_name, strlen(e->d_name) + 1); /* stack_id_ok: it fits */
	closedir(d);
	qsort(ids, (size_t)n, STACK_ID_MAX + 1, (int (*)(const void *, const void *))strcmp);
	return n;
}

int stack_list(const char *bp_dir, const char *field_name, struct sb *out)
{
	char ids[STACKS_MAX][STACK_ID_MAX + 1];
	int n = stack_ids(bp_dir, ids, STACKS_MAX), shown = 0, total = 0;
	struct stack st[STACKS_MAX];
	sb_reset(out);
	for (int i = 0; i < n; i++)
		if (stack_load(bp_dir, ids[i], &st[total]) == 1 && strcmp(st[total].status, "eol") != 0)
			total++;
	for (int i = 0; i < total; i++) {
		const char *v = strcmp(field_name, "ubuntu") == 0 ? st[i].ubuntu : st[i].id;
		const char *sep = shown == 0 ? "" : i == total - 1 ? " and " : ", ";
		sb_addf(out, "%s%s", sep, v);
		shown++;
	}
	return 0;
}

void stack_recommended(const char *bp_dir, struct sb *id)
{
	char ids[STACKS_MAX][STACK_ID_MAX + 1];
	int n = stack_ids(bp_dir, ids, STACKS_MAX);
	sb_reset(id);
	for (int i = 0; i < n; i++) {
		struct stack st;
		if (stack_load(bp_dir, ids[i], &st) != 1 || strcmp(st.status, "eol") == 0)
			continue;
		if (!id->len || strcmp(st.status, "recommended") == 0)
			sb_setf(id, "%s", st.id);
		if (strcmp(st.status, "recommended") == 0)
			return;
	}
}

int stack_from_target(const char *bp_dir, const char *distro, const char *version, struct sb *id)
{
	char ids[STACKS_MAX][STACK_ID_MAX + 1], end;
	unsigned major, minor;
	sb_reset(id);
	if (!distro || !*distro)
		return 0;
	/* Heroku stacks are the Ubuntu LTS releases, NN.04. */
	if (strcmp(distro, "ubuntu") != 0 || !version || sscanf(version, "%u.%u%c", &major, &minor, &end) != 2 ||
	    minor != 4 || major > 99)
		return -1;
	int n = stack_ids(bp_dir, ids, STACKS_MAX);
	for (int i = 0; i < n; i++) {
		struct stack st;
		if (stack_load(bp_dir, ids[i], &st) == 1 && strcmp(st.ubuntu, version) == 0) {
			sb_setf(id, "%s", st.id);
			return 0;
		}
	}
	sb_setf(id, "heroku-%u", major);
	return 0;
}

void stack_detect(const char *bp_dir, struct sb *id)
{
	const char *env = getenv("STACK"), *path = getenv("OS_RELEASE");
	char *text = NULL, version[16];
	sb_reset(id);
	if (env && *env) {
		sb_setf(id, "%s", env);
		return;
	}
	if (fsx_read(path && *path ? path : "/etc/os-release", &text, FSX_TEXT_MAX) < 0)
		return;
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		unsigned major, minor;
		/* Ubuntu's NN.MM: anything longer is no Ubuntu release. */
		if (sscanf(l, "VERSION_ID=\"%u.%u\"", &major, &minor) == 2 && major < 100 && minor < 100) {
			snprintf(version, sizeof version, "%02u.%02u", major, minor);
			stack_from_target(bp_dir, "ubuntu", version, id);
		}
	}
	free(text);
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

int stack_has_arch(const struct stack *st, const char *arch)
{
	return word_in(st->arches, arch);
}
