/* What the app's config asks of the build, read from the env dir once, with
 * the buildpack's defaults from repository.conf. Every value is checked here;
 * nothing else reads the env dir for the build. */
#ifndef SETTINGS_H
#define SETTINGS_H

#include "sb.h"

#include <stddef.h>

/* The settings, from settings-table.h: SET_JEMALLOC_VERSION, ... */
enum setting_id {
#define SETTING(name, when, dflt, accepts, help) SET_##name,
#include "settings-table.h"
#undef SETTING
	SETTING_COUNT
};

enum setting_when {
	SETTING_BUILD, /* read by the build */
	SETTING_START, /* read at every dyno start */
};

struct setting_info {
	const char *name;
	enum setting_when when;
	const char *dflt, *accepts, *help;
};

extern const struct setting_info setting_table[SETTING_COUNT];

enum source_mode {
	SOURCE_AUTO,   /* the repository's package; the official source when it has none */
	SOURCE_ALWAYS, /* always build from the official source */
	SOURCE_NEVER,  /* packages only: fail when the repository cannot serve one */
};

struct settings {
	char *version;     /* JEMALLOC_VERSION; "" for the newest */
	char *apt_url;     /* JEMALLOC_APT_URL or repository.conf's url; NULL: none */
	char *apt_key;     /* JEMALLOC_APT_KEY or repository.conf's key (armored) */
	enum source_mode source;
	char *source_url;  /* JEMALLOC_SOURCE_URL or repository.conf's source_url */
	char *checksum;    /* JEMALLOC_CHECKSUM (64 lowercase hex) or NULL */
	char *malloc_conf; /* MALLOC_CONF or NULL: the load check runs with it */
	int build_preload; /* JEMALLOC_BUILD=true (CNB: preload in later buildpacks) */
	char *enabled;     /* JEMALLOC_ENABLED, read at run time; here only to explain it */
	char *ld_preload;  /* LD_PRELOAD in the app's config, which it should not be */
	struct sb unknown; /* "NAME NEAREST\n" per config var named like a setting that is none */
};

/* Reads ENV_DIR with BP_DIR's repository.conf as defaults. 0, or -1 after
 * saying in the build log which setting is wrong and how to fix it. */
int settings_read(const char *env_dir, const char *bp_dir, struct settings *s);
void settings_free(struct settings *s);

/* The setting nearest to NAME, a config var that is no setting but looks
 * like one (JEMALLOC_ENABLE, JEMALLOC_VERISON, malloc_conf); NULL when NAME
 * is a setting or like none. */
const char *setting_nearest(const char *name);

/* Says in the log what settings carried over from the original buildpack
 * mean here (a JEMALLOC_ENABLED list, an LD_PRELOAD config var), and which
 * config vars look like a setting but are none. */
void settings_explain(const struct settings *s);

/* 1 when URL may be handed to apt or curl: http(s):// (or file:/ for apt),
 * printable ASCII without spaces, quotes, brackets or '%' (apt decodes
 * percent-escapes, so "%0a" would reach its protocol as a newline), and no
 * longer than 1023 bytes. */
int url_ok(const char *url, int allow_file);

/* URL without any user:password@ part, for the build log. */
void url_display(const char *url, struct sb *out);

#endif
