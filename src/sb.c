#include "sb.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(struct sb *sb, size_t extra)
{
	if (extra > SB_MAX || sb->len + extra > SB_MAX) {
		errno = E2BIG;
		return -1;
	}
	size_t need = sb->len + extra + 1;
	if (need <= sb->alloc)
		return 0;
	size_t alloc = sb->alloc ? sb->alloc : 64;
	while (alloc < need)
		alloc *= 2;
	char *buf = realloc(sb->buf, alloc);
	if (!buf) {
		errno = ENOMEM;
		return -1;
	}
	sb->buf = buf;
	sb->alloc = alloc;
	return 0;
}

int sb_add(struct sb *sb, const char *data, size_t len)
{
	if (grow(sb, len) < 0)
		return -1;
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
	return 0;
}

int sb_adds(struct sb *sb, const char *s)
{
	return sb_add(sb, s, strlen(s));
}

static int vaddf(struct sb *sb, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0 || grow(sb, (size_t)n) < 0)
		return -1;
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
	return 0;
}

int sb_addf(struct sb *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vaddf(sb, fmt, ap);
	va_end(ap);
	return r;
}

int sb_setf(struct sb *sb, const char *fmt, ...)
{
	va_list ap;
	sb_reset(sb);
	va_start(ap, fmt);
	int r = vaddf(sb, fmt, ap);
	va_end(ap);
	return r;
}

void sb_reset(struct sb *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

void sb_release(struct sb *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->alloc = 0;
}

const char *sb_str(const struct sb *sb)
{
	return sb->buf ? sb->buf : "";
}

int word_in(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; *p;) {
		p += strspn(p, " \n");
		size_t w = strcspn(p, " \n");
		if (w == n && w > 0 && strncmp(p, word, n) == 0)
			return 1;
		p += w;
	}
	return 0;
}
