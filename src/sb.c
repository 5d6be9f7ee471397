#include "sb.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sb_oom(void)
{
	fputs(" !     heroku-jemalloc ran out of memory: the build stops here. Build again; if it\n"
	      " !     happens again, report it with this log.\n",
	      stderr);
	abort();
}

char *xstrdup(const char *s)
{
	char *d = strdup(s);
	if (!d)
		sb_oom();
	return d;
}

void *xmalloc(size_t size)
{
	return xrealloc(NULL, size);
}

void *xrealloc(void *p, size_t size)
{
	void *q = realloc(p, size ? size : 1);
	if (!q)
		sb_oom();
	return q;
}

static void grow(struct sb *sb, size_t extra)
{
	if (extra > SB_MAX || sb->len + extra > SB_MAX)
		sb_oom();
	size_t need = sb->len + extra + 1;
	if (need <= sb->alloc)
		return;
	size_t alloc = sb->alloc ? sb->alloc : 64;
	while (alloc < need)
		alloc *= 2;
	sb->buf = xrealloc(sb->buf, alloc);
	sb->alloc = alloc;
}

void sb_add(struct sb *sb, const char *data, size_t len)
{
	grow(sb, len);
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void sb_adds(struct sb *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

static void vaddf(struct sb *sb, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	/* vsnprintf fails only for a format this program never passes. */
	if (n < 0)
		abort();
	grow(sb, (size_t)n);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

void sb_addf(struct sb *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vaddf(sb, fmt, ap);
	va_end(ap);
}

void sb_setf(struct sb *sb, const char *fmt, ...)
{
	va_list ap;
	sb_reset(sb);
	va_start(ap, fmt);
	vaddf(sb, fmt, ap);
	va_end(ap);
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
