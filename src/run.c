#include "run.h"

#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The child's collected output. */
struct sink {
	char *buf;
	size_t len, cap;
	int failed;
};

static void sink_add(struct sink *s, const char *p, size_t n)
{
	if (s->len + n > RUN_OUT_MAX)
		n = RUN_OUT_MAX - s->len; /* keep draining, drop the rest */
	if (s->len + n + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		while (cap < s->len + n + 1)
			cap *= 2;
		char *nb = realloc(s->buf, cap);
		if (!nb) {
			s->failed = 1;
			return;
		}
		s->buf = nb, s->cap = cap;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	s->buf[s->len] = '\0';
}

/* Waits for PID until DEADLINE (ms, CLOCK_MONOTONIC), reading FD (when >= 0)
 * into SINK meanwhile. 0 with *STATUS, 1 when the deadline passed. */
static int wait_child(pid_t pid, int fd, struct sink *sink, long long deadline, int *status)
{
	char buf[8192];
	while (fd >= 0) {
		long long left = deadline - now_ms();
		if (left <= 0)
			return 1;
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int n = poll(&p, 1, left > 1000 ? 1000 : (int)left);
		if (n < 0 && errno != EINTR)
			return -1;
		if (n <= 0)
			continue;
		ssize_t r = read(fd, buf, sizeof buf);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			break;
		sink_add(sink, buf, (size_t)r);
	}
	for (;;) {
		pid_t w = waitpid(pid, status, WNOHANG);
		if (w == pid)
			return 0;
		if (w < 0 && errno != EINTR)
			return -1;
		if (now_ms() >= deadline)
			return 1;
		struct timespec ts = {0, 5 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

#define FIXED_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* ARGV0 as the child's fixed PATH finds it, never as ours would: an earlier
 * buildpack's PATH (an app's .apt/usr/bin, say) must not choose which tar or
 * apt-get runs. */
static const char *resolve(const char *argv0, char *buf, size_t size)
{
	if (strchr(argv0, '/'))
		return argv0;
	for (const char *p = FIXED_PATH; *p;) {
		size_t n = strcspn(p, ":");
		if ((size_t)snprintf(buf, size, "%.*s/%s", (int)n, p, argv0) < size && access(buf, X_OK) == 0)
			return buf;
		p += n + (p[n] == ':');
	}
	return argv0; /* not found: posix_spawn says so */
}

int run(const struct run_opts *o)
{
	char prog[4096];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int pipefd[2] = {-1, -1}, infd[2] = {-1, -1}, rc = -1, status = 0, err;
	unsigned timeout = o->timeout_s ? o->timeout_s : RUN_DEFAULT_TIMEOUT;
	struct sink sink = {0};
	int capture = o->out != NULL;
	pid_t pid;

	if (o->out)
		*o->out = NULL;
	if (posix_spawn_file_actions_init(&fa) != 0)
		return -1;
	if (posix_spawnattr_init(&attr) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	/* Its own process group, so a deadline kills what it started too. */
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&attr, 0);
	/* The bytes for its stdin go through a socket pair, written whole
	 * before it is waited for (RUN_IN_MAX fits any socket buffer); a
	 * child gone by then is EPIPE, no SIGPIPE (MSG_NOSIGNAL). */
	if (o->in && (strlen(o->in) > RUN_IN_MAX || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, infd) < 0)) {
		if (strlen(o->in) > RUN_IN_MAX)
			errno = E2BIG;
		goto out;
	}
	if (o->in)
		posix_spawn_file_actions_adddup2(&fa, infd[0], 0);
	else
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (capture) {
		if (pipe2(pipefd, O_CLOEXEC) < 0)
			goto out;
		posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
		if (o->merge_stderr)
			posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
	}
	if (o->cwd)
		posix_spawn_file_actions_addchdir_np(&fa, o->cwd);
	fflush(NULL);
	/* glibc reports a failed exec as posix_spawnp's own error. */
	err = posix_spawn(&pid, resolve(o->argv[0], prog, sizeof prog), &fa, &attr, o->argv, o->envp);
	if (err != 0) {
		errno = err;
		rc = RUN_CANNOT_EXEC;
		goto out;
	}
	if (capture) {
		close(pipefd[1]);
		pipefd[1] = -1;
	}
	if (o->in) {
		close(infd[0]);
		infd[0] = -1;
		for (size_t off = 0, n = strlen(o->in); off < n;) {
			ssize_t k = send(infd[1], o->in + off, n - off, MSG_NOSIGNAL);
			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0)
				break; /* the child ended, or will see a cut-short input */
			off += (size_t)k;
		}
		close(infd[1]);
		infd[1] = -1;
	}
	int w = wait_child(pid, capture ? pipefd[0] : -1, &sink, now_ms() + (long long)timeout * 1000, &status);
	if (w != 0) {
		err = errno;
		kill(-pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		errno = err;
		rc = w == 1 ? RUN_TIMEOUT : -1;
		goto out;
	}
	if (o->out) {
		if (sink.failed || (!sink.buf && !(sink.buf = calloc(1, 1)))) {
			errno = ENOMEM;
			goto out;
		}
		*o->out = sink.buf;
		sink.buf = NULL;
	}
	rc = WIFEXITED(status) ? WEXITSTATUS(status) : RUN_SIGNALED;
out:
	err = errno;
	free(sink.buf);
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	for (int i = 0; i < 2; i++)
		if (infd[i] >= 0)
			close(infd[i]);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	errno = err;
	return rc;
}

const char *run_how(int rc, unsigned timeout_s, int err)
{
	static char how[256];
	if (rc == RUN_CANNOT_EXEC)
		snprintf(how, sizeof how, "cannot exec: %s", strerror(err));
	else if (rc == RUN_TIMEOUT)
		snprintf(how, sizeof how, "killed after %u s", timeout_s ? timeout_s : RUN_DEFAULT_TIMEOUT);
	else if (rc == RUN_SIGNALED)
		snprintf(how, sizeof how, "ended by a signal");
	else if (rc < 0)
		snprintf(how, sizeof how, "%s", strerror(err));
	else
		snprintf(how, sizeof how, "exited %d", rc);
	return how;
}

int run_quiet(const char *const *argv, const char *what, unsigned timeout_s)
{
	char *out = NULL;
	struct run_opts ro = {.argv = (char *const *)argv, .envp = run_env(), .out = &out, .merge_stderr = 1,
			      .timeout_s = timeout_s};
	int rc = run(&ro), err = errno;
	if (rc != 0 && out) {
		/* The last lines say why; a compiler's whole output would bury it. */
		const char *tail = out + strlen(out);
		for (int lines = 0; tail > out && lines < 41; tail--)
			lines += tail[-1] == '\n';
		log_indent(tail);
	}
	if (rc == RUN_CANNOT_EXEC)
		log_error("cannot exec %s: %s", argv[0], strerror(err));
	else if (rc != 0)
		log_error("%s failed (%s %s).", what, argv[0], run_how(rc, timeout_s, err));
	free(out);
	return rc == 0 ? 0 : -1;
}

char *const *run_env(void)
{
	static char *env[16];
	static const char *pass[] = {"http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY",
				     "HTTPS_PROXY", "NO_PROXY", "TMPDIR", NULL};
	int n = 0;
	if (env[0])
		return env;
	env[n++] = "PATH=" FIXED_PATH;
	env[n++] = "LC_ALL=C";
	for (int i = 0; pass[i]; i++) {
		char *kv, *v = getenv(pass[i]);
		if (v && asprintf(&kv, "%s=%s", pass[i], v) >= 0)
			env[n++] = kv;
	}
	env[n] = NULL;
	return env;
}
