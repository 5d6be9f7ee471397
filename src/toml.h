/* The TOML this program reads and writes (buildpacks.io layer metadata and
 * exec.d output): basic strings only, quoted here for every value. */
#ifndef TOML_H
#define TOML_H

struct sb;

/* Appends IN as a TOML basic string, quotes included. Control characters,
 * quotes and backslashes are escaped; -1 with errno EILSEQ when IN is not
 * valid UTF-8 (TOML cannot carry it), leaving OUT as it was. */
int toml_quote(const char *in, struct sb *out);

/* Appends "KEY = <quoted VALUE>\n". */
int toml_kv(struct sb *out, const char *key, const char *value);

/* The value of KEY = "..." in TEXT's [SECTION] (unescaped: only what
 * toml_quote writes), into VALUE (at most SIZE-1 bytes). 1 found, 0 not. */
int toml_get(const char *text, const char *section, const char *key, char *value, unsigned size);

#endif
