#include "fuzz.h"

#include <errno.h>
#include <fcntl.h>

static char dir[64];

static void cleanup(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

const char *fuzz_dir(void)
{
	static int made;
	if (!made) {
		/* In memory where there is a tmpfs: every run writes a file, and a
		 * disk makes that ten times slower. */
		snprintf(dir, sizeof dir, "%s/heroku-jemalloc-fuzz-XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
		need(mkdtemp(dir) != NULL);
		atexit(cleanup);
		made = 1;
	}
	return dir;
}

void fuzz_put(const char *name, const uint8_t *data, size_t len)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", fuzz_dir(), name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	need(fd >= 0);
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, data + off, len - off);
		need(n > 0 || (n < 0 && errno == EINTR));
		if (n > 0)
			off += (size_t)n;
	}
	need(close(fd) == 0);
}

char *fuzz_str(const uint8_t *data, size_t len)
{
	char *s = malloc(len + 1);
	need(s != NULL);
	memcpy(s, data, len);
	s[len] = '\0';
	return s;
}

int fuzz_utf8_ok(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		unsigned c = s[i], n, cp;
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0)
			n = 2, cp = c & 0x1f;
		else if ((c & 0xf0) == 0xe0)
			n = 3, cp = c & 0x0f;
		else if ((c & 0xf8) == 0xf0)
			n = 4, cp = c & 0x07;
		else
			return 0;
		if (i + n > len)
			return 0;
		for (unsigned k = 1; k < n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n;
	}
	return 1;
}
