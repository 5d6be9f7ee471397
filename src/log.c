#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void vline(FILE *f, const char *prefix, const char *fmt, va_list ap)
{
	fputs(prefix, f);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
	fflush(f);
}

void log_step(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vline(stdout, "-----> ", fmt, ap);
	va_end(ap);
}

void log_detail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vline(stdout, "       ", fmt, ap);
	va_end(ap);
}

void log_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vline(stderr, " !     ", fmt, ap);
	va_end(ap);
}

void log_indent(const char *buf)
{
	const char *p = buf;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		printf("       %.*s\n", (int)n, p);
		p += n + (nl ? 1 : 0);
	}
	fflush(stdout);
}
