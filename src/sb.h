/* A growable string buffer, after git's strbuf: paths and messages are built
 * here instead of in fixed arrays, so nothing is ever silently cut short.
 *
 * A struct sb starts as SB_INIT; sb_release frees it. The functions that grow
 * it cannot fail: out of memory, or past SB_MAX (which no path or message of
 * this program comes near), the program stops with a message (sb_oom), as
 * git's strbuf dies, so no caller carries an error path for it. sb_str never
 * returns NULL. */
#ifndef SB_H
#define SB_H

#include <stddef.h>

#define SB_MAX (16u << 20)

struct sb {
	char *buf;
	size_t len, alloc;
};
#define SB_INIT {NULL, 0, 0}

void sb_add(struct sb *sb, const char *data, size_t len);
void sb_adds(struct sb *sb, const char *s);
void sb_addf(struct sb *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* sb_reset, then sb_addf. */
void sb_setf(struct sb *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_reset(struct sb *sb);
void sb_release(struct sb *sb);
/* The program's one answer to running out of memory: says so on stderr in
 * the build log's voice, then abort(). Any allocation may call it. */
void sb_oom(void) __attribute__((noreturn));
/* strdup, malloc and realloc that stop the program as sb_oom does: never
 * NULL. */
char *xstrdup(const char *s);
void *xmalloc(size_t size);
void *xrealloc(void *p, size_t size);
/* The text, or "" for an empty buffer. */
const char *sb_str(const struct sb *sb);

/* 1 when WORD is one of the words of LIST (separated by spaces or
 * newlines), as stacks/' "arches=amd64 arm64" and the cache's build lines
 * hold them. */
int word_in(const char *list, const char *word);

#endif
