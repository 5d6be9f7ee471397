/* The app's config vars, as Heroku hands them to bin/compile: one file per
 * variable in ENV_DIR. Only the keys asked for are read. */
#ifndef ENVDIR_H
#define ENVDIR_H

#include <stddef.h>

/* Longest value kept; an armored public key fits easily. */
#define ENVDIR_VALUE_MAX 16384

/* Reads ENV_DIR/NAME into a malloc'd string with one trailing newline
 * trimmed. Returns 1 when read, 0 when absent, -1 with errno on error
 * (EFBIG: longer than ENVDIR_VALUE_MAX; EILSEQ: the value holds a NUL byte;
 * EINVAL: NAME is not a plain name, or the file is no regular file, such as
 * a FIFO, which is refused without waiting on it). */
int envdir_get(const char *dir, const char *name, char **value);

/* Longest config var name envdir_names lists. */
#define ENVDIR_NAME_MAX 64

/* The names in ENV_DIR made only of letters, digits and '_' (no longer than
 * ENVDIR_NAME_MAX), one a line, in NAMES, sorted. 0, or -1 with errno (an
 * absent ENV_DIR lists none). */
struct sb;
int envdir_names(const char *dir, struct sb *names);

#endif
