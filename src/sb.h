/* A growable string buffer, after git's strbuf: paths and messages are built
 * here instead of in fixed arrays, so nothing is ever silently cut short.
 *
 * A struct sb starts as SB_INIT; sb_release frees it. Every function that
 * grows it returns 0, or -1 with errno ENOMEM (out of memory) or E2BIG (past
 * SB_MAX, which no path or message of this program comes near); on failure the
 * buffer keeps what it had. sb_str never returns NULL. */
#ifndef SB_H
#define SB_H

#include <stddef.h>

#define SB_MAX (16u << 20)

struct sb {
	char *buf;
	size_t len, alloc;
};
#define SB_INIT {NULL, 0, 0}

int sb_add(struct sb *sb, const char *data, size_t len);
int sb_adds(struct sb *sb, const char *s);
int sb_addf(struct sb *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* sb_reset, then sb_addf. */
int sb_setf(struct sb *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_reset(struct sb *sb);
void sb_release(struct sb *sb);
/* The text, or "" for an empty buffer. */
const char *sb_str(const struct sb *sb);

/* 1 when WORD is one of the words of LIST (separated by spaces or
 * newlines), as stacks/' "arches=amd64 arm64" and the cache's build lines
 * hold them. */
int word_in(const char *list, const char *word);

#endif
