#include "toml.h"

#include "sb.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Length of the UTF-8 sequence at P (1 to 4), or 0 when it is not valid. */
static int utf8_len(const unsigned char *p)
{
	if (p[0] < 0x80)
		return 1;
	/* 0xf5 to 0xff lead nothing (found by tests/fuzz/toml: they passed as
	 * three-byte leads, so "\xff\x9c\x9e" reached the TOML as it was). */
	int n = p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : p[0] >= 0xe0 && p[0] < 0xf0 ? 3 : p[0] >= 0xc2 && p[0] < 0xe0 ? 2 : 0;
	for (int i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if (n == 3 && ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0)))
		return 0; /* overlong, or a surrogate */
	if (n == 4 && ((p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90)))
		return 0;
	return n;
}

int toml_quote(const char *in, struct sb *out)
{
	size_t keep = out->len;
	sb_adds(out, "\"");
	for (const unsigned char *p = (const unsigned char *)in; *p;) {
		int n = utf8_len(p);
		if (n == 0) {
			out->len = keep;
			if (out->buf)
				out->buf[keep] = '\0';
			errno = EILSEQ;
			return -1;
		}
		if (*p == '"' || *p == '\\')
			sb_addf(out, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			sb_addf(out, "\\u%04X", *p);
		else
			sb_add(out, (const char *)p, (size_t)n);
		p += n;
	}
	sb_adds(out, "\"");
	return 0;
}

int toml_kv(struct sb *out, const char *key, const char *value)
{
	sb_addf(out, "%s = ", key);
	if (toml_quote(value, out) < 0)
		return -1;
	sb_adds(out, "\n");
	return 0;
}

int toml_get(const char *text, const char *section, const char *key, char *value, unsigned size)
{
	char want[64];
	int in = 0;
	size_t k = strlen(key);
	snprintf(want, sizeof want, "[%s]", section);
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t n = strcspn(l, "\n");
		if (*l == '[') {
			in = n == strlen(want) && strncmp(l, want, n) == 0;
			continue;
		}
		if (!in || strncmp(l, key, k) != 0 || strncmp(l + k, " = \"", 4) != 0)
			continue;
		const char *v = l + k + 4, *end = memchr(v, '"', n - k - 4);
		if (!end || memchr(v, '\\', (size_t)(end - v)) || (size_t)(end - v) >= size)
			return 0;
		snprintf(value, size, "%.*s", (int)(end - v), v);
		return 1;
	}
	return 0;
}
