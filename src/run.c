#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Reads FD to the end into a growing buffer capped at RUN_OUT_MAX. */
static int read_all(int fd, char **out)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	if (!buf)
		return -1;
	for (;;) {
		if (cap - len < 2048 && cap < RUN_OUT_MAX + 1) {
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				return -1;
			}
			buf = nb;
			cap *= 2;
		}
		size_t room = cap - len - 1;
		ssize_t n = read(fd, buf + len, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return -1;
		}
		if (n == 0)
			break;
		if (len + (size_t)n > RUN_OUT_MAX) /* keep draining, drop the rest */
			n = (ssize_t)(RUN_OUT_MAX - len);
		len += (size_t)n;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

int run(const struct run_opts *o)
{
	posix_spawn_file_actions_t fa;
	int pipefd[2] = {-1, -1}, rc = -1, status, err;
	pid_t pid;

	if (posix_spawn_file_actions_init(&fa) != 0)
		return -1;
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (o->out) {
		if (pipe2(pipefd, O_CLOEXEC) < 0)
			goto out;
		posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
		if (o->merge_stderr)
			posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
	}
	if (o->cwd)
		posix_spawn_file_actions_addchdir_np(&fa, o->cwd);
	/* glibc reports a failed exec as posix_spawnp's own error. */
	err = posix_spawnp(&pid, o->argv[0], &fa, NULL, o->argv, o->envp);
	if (err != 0) {
		errno = err;
		rc = RUN_CANNOT_EXEC;
		goto out;
	}
	if (o->out) {
		close(pipefd[1]);
		pipefd[1] = -1;
		if (read_all(pipefd[0], o->out) < 0)
			*o->out = NULL;
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			goto out;
	}
	if (o->out && !*o->out) {
		errno = ENOMEM;
		goto out;
	}
	rc = WIFEXITED(status) ? WEXITSTATUS(status) : RUN_SIGNALED;
out:
	err = errno;
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	posix_spawn_file_actions_destroy(&fa);
	errno = err;
	return rc;
}

char *const *run_env(void)
{
	static char *env[16];
	static const char *pass[] = {"http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY",
				     "HTTPS_PROXY", "NO_PROXY", "TMPDIR", NULL};
	int n = 0;
	if (env[0])
		return env;
	env[n++] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	env[n++] = "LC_ALL=C";
	for (int i = 0; pass[i]; i++) {
		char *kv, *v = getenv(pass[i]);
		if (v && asprintf(&kv, "%s=%s", pass[i], v) >= 0)
			env[n++] = kv;
	}
	env[n] = NULL;
	return env;
}
