/* Child processes, never through a shell.
 *
 * Calling order: fill a struct run_opts (argv NULL-terminated, envp the whole
 * environment of the child, NULL-terminated), call run(). run() owns every fd
 * it makes and closes them before it returns. When opts.out is set, the
 * child's stdout (and stderr, when opts.merge_stderr) is collected into a
 * malloc'd NUL-terminated buffer the caller frees; else the child writes to
 * ours. stdin is /dev/null.
 *
 * Returns the child's exit status (0-255), RUN_CANNOT_EXEC when the program
 * could not be started (errno says why: "cannot exec X" is not "X failed"),
 * RUN_SIGNALED when a signal ended it, or -1 with errno on a system error. */
#ifndef RUN_H
#define RUN_H

#include <stddef.h>

#define RUN_CANNOT_EXEC 256
#define RUN_SIGNALED 257
/* Collected output is cut here: the programs we run say little. */
#define RUN_OUT_MAX (1u << 20)

struct run_opts {
	char *const *argv;
	char *const *envp;
	const char *cwd; /* NULL: ours */
	char **out;      /* NULL: inherit stdout */
	int merge_stderr;
};

int run(const struct run_opts *opts);

/* The environment every child gets: a fixed PATH, LC_ALL=C, and this
 * process's proxy settings and TMPDIR; nothing from the app's config. */
char *const *run_env(void);

#endif
