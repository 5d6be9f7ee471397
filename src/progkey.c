#include "progkey.h"

#include "fsx.h"
#include "sb.h"
#include "sha256.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

/* The program's sources, as bin/program copies them: *.c, *.h, *.sh (the
 * .profile.d script it embeds) and the Makefile. */
static int wanted(const char *name)
{
	const char *dot = strrchr(name, '.');
	if (strcmp(name, "Makefile") == 0)
		return 1;
	return name[0] != '.' && dot && dot > name &&
	       (strcmp(dot, ".c") == 0 || strcmp(dot, ".h") == 0 || strcmp(dot, ".sh") == 0);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The hash of BP_DIR/src's files, names and contents, in name order, into C.
 * More files than it can list is an error, never a key over some of them. */
static int hash_sources(const char *bp_dir, struct sha256 *c)
{
	struct sb dir = SB_INIT, path = SB_INIT;
	char *names[256], *text;
	size_t n = 0, len;
	int r = -1;
	sb_setf(&dir, "%s/src", bp_dir);
	DIR *d = opendir(sb_str(&dir));
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (wanted(e->d_name) && (n == 256 || !(names[n++] = xstrdup(e->d_name))))
			goto out;
	if (!d || n == 0)
		goto out;
	qsort(names, n, sizeof *names, by_name);
	sha256_init(c);
	for (size_t i = 0; i < n; i++) {
		sb_setf(&path, "%s/%s", sb_str(&dir), names[i]);
		if (fsx_read_len(sb_str(&path), &text, PROGKEY_SOURCE_MAX, &len) < 0)
			goto out;
		sha256_update(c, names[i], strlen(names[i]) + 1);
		sha256_update(c, text, len);
		free(text);
	}
	r = 0;
out:
	if (d)
		closedir(d);
	while (n > 0)
		free(names[--n]);
	sb_release(&dir);
	sb_release(&path);
	return r;
}

/* The first PROGKEY_LEN hex digits of C's hash, into KEY. */
static void key_of(struct sha256 *c, char key[PROGKEY_SIZE])
{
	char hex[65];
	sha256_hex(c, hex);
	memcpy(key, hex, PROGKEY_LEN);
	key[PROGKEY_LEN] = '\0';
}

/* What besides src/ makes the program: the stack names the image, hence its
 * cc and libc; and the machine. */
static void add_target(struct sha256 *c)
{
	const char *stack = getenv("STACK"), *distro = getenv("CNB_TARGET_DISTRO_VERSION");
	struct utsname u;
	sha256_update(c, "\n", 1);
	sha256_update(c, stack ? stack : "", stack ? strlen(stack) : 0);
	sha256_update(c, "\n", 1);
	sha256_update(c, distro ? distro : "", distro ? strlen(distro) : 0);
	if (uname(&u) == 0)
		sha256_update(c, u.machine, strlen(u.machine));
}

int progkey_source(const char *bp_dir, char key[PROGKEY_SIZE])
{
	struct sha256 c;
	if (hash_sources(bp_dir, &c) < 0)
		return -1;
	key_of(&c, key);
	return 0;
}

int progkey_prebuilt(const char *bp_dir)
{
#ifdef PROGKEY_SOURCE
	char key[PROGKEY_SIZE];
	return progkey_source(bp_dir, key) == 0 && strcmp(key, PROGKEY_SOURCE) == 0;
#else
	(void)bp_dir;
	return 0;
#endif
}

int progkey_compute(const char *bp_dir, char key[PROGKEY_SIZE])
{
	struct sha256 c;
	if (hash_sources(bp_dir, &c) < 0)
		return -1;
	add_target(&c);
	key_of(&c, key);
	return 0;
}

int progkey_current(const char *bp_dir)
{
	struct sb p = SB_INIT;
	char key[PROGKEY_SIZE], *had = NULL;
	if (fsx_exe_dir(&p, 0) < 0) {
		sb_release(&p);
		return 0;
	}
	sb_addf(&p, "/KEY");
	int ok = fsx_read(sb_str(&p), &had, 64) == 0 &&
		 progkey_compute(bp_dir, key) == 0 && strncmp(had, key, PROGKEY_LEN) == 0 &&
		 (had[PROGKEY_LEN] == '\n' || !had[PROGKEY_LEN]);
	free(had);
	sb_release(&p);
	return ok;
}
