/* Child processes, never through a shell, never without a time limit.
 *
 * Calling order: fill a struct run_opts (argv NULL-terminated; envp the
 * child's whole environment, NULL-terminated, usually run_env()), call run().
 * run() owns every fd and pipe it makes and closes them before it returns.
 * stdin is /dev/null, or the bytes IN (at most RUN_IN_MAX: a secret handed
 * to the child without its argv, which other users can read). The child's stdout (and stderr, with merge_stderr) goes
 * into *out, a malloc'd NUL-terminated buffer (capped at RUN_OUT_MAX) the
 * caller frees, when out is set; else to our own stdout and stderr. A
 * program named without a '/' is looked up in the fixed PATH of run_env(),
 * never in ours.
 * The child runs in its own process group; when timeout_s (default
 * RUN_DEFAULT_TIMEOUT) passes, the whole group is killed.
 *
 * Returns the child's exit status (0-255), RUN_CANNOT_EXEC when the program
 * could not be started (errno says why: "cannot exec X" is not "X failed"),
 * RUN_SIGNALED when a signal ended it, RUN_TIMEOUT when it was killed for
 * taking too long, or -1 with errno on a system error. */
#ifndef RUN_H
#define RUN_H

#include <stddef.h>

#define RUN_CANNOT_EXEC 256
#define RUN_SIGNALED 257
#define RUN_TIMEOUT 258
#define RUN_OUT_MAX (1u << 20)
#define RUN_DEFAULT_TIMEOUT 300
#define RUN_IN_MAX 4096
/* Unpacking a package or a source tarball. */
#define RUN_UNPACK_TIMEOUT 120
/* A process started with the new library preloaded, to see that it loads. */
#define RUN_LOAD_CHECK_TIMEOUT 60

struct run_opts {
	char *const *argv;
	char *const *envp;
	const char *cwd; /* NULL: ours */
	char **out;
	int merge_stderr;
	unsigned timeout_s; /* 0: RUN_DEFAULT_TIMEOUT */
	const char *in;     /* NULL: stdin is /dev/null */
};

int run(const struct run_opts *opts);

/* Runs ARGV with run_env(), its output kept; on failure says in the build log
 * what WHAT was, what the program said (the last lines), and how it ended.
 * 0 on success, -1 otherwise. */
int run_quiet(const char *const *argv, const char *what, unsigned timeout_s);
/* The most lines of a failed program's output run_quiet shows. */
#define RUN_QUIET_LINES 40

/* A one-line description of how run() ended: "exit 2", "killed after 300 s",
 * "cannot exec apt-get: No such file or directory", ... */
const char *run_how(int rc, unsigned timeout_s, int err);

/* The environment every child gets: a fixed PATH, LC_ALL=C, and this
 * process's proxy settings and TMPDIR; nothing from the app's config. */
char *const *run_env(void);

#endif
