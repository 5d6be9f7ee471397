#include "run.h"

#include "log.h"
#include "sb.h"

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

/* How often wait_child looks whether the child has ended, once its output
 * is closed: 5 ms. */
#define WAIT_POLL_NS (5 * 1000 * 1000)

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Adds to the child's collected output, up to RUN_OUT_MAX: the rest is
 * read (so the child never blocks on a full pipe) and dropped, as run.h says. */
static void sink_add(struct sb *sink, const char *p, size_t n)
{
	if (sink->len + n > RUN_OUT_MAX)
		n = RUN_OUT_MAX - sink->len;
	sb_add(sink, p, n);
}

/* Waits for PID until DEADLINE (ms, CLOCK_MONOTONIC), reading FD (when >= 0)
 * into SINK meanwhile. 0 with *STATUS, 1 when the deadline passed. */
static int wait_child(pid_t pid, int fd, struct sb *sink, long long deadline, int *status)
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
		struct timespec ts = {0, WAIT_POLL_NS};
		nanosleep(&ts, NULL);
	}
}

#define FIXED_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* ARGV0 as the child's fixed PATH finds it, never as ours would: an earlier
 * buildpack's PATH (an app's .apt/usr/bin, say) must not choose which tar or
 * apt-get runs. */
static const char *resolve(const char *argv0, struct sb *buf)
{
	if (strchr(argv0, '/'))
		return argv0;
	for (const char *p = FIXED_PATH; *p;) {
		size_t n = strcspn(p, ":");
		sb_setf(buf, "%.*s/%s", (int)n, p, argv0);
		if (access(sb_str(buf), X_OK) == 0)
			return sb_str(buf);
		p += n + (p[n] == ':');
	}
	return argv0; /* not found: posix_spawn says so */
}

/* The child's process group, stdin, stdout and stderr (into PIPEFD, made
 * here, when O collects output) and directory. */
static int spawn_setup(const struct run_opts *o, posix_spawn_file_actions_t *fa, posix_spawnattr_t *attr,
		       int pipefd[2], int infd[2])
{
	/* Its own process group, so a deadline kills what it started too. */
	posix_spawnattr_setflags(attr, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(attr, 0);
	/* The bytes for its stdin go through a socket pair, written whole
	 * before it is waited for (RUN_IN_MAX fits any socket buffer); a
	 * child gone by then is EPIPE, no SIGPIPE (MSG_NOSIGNAL). */
	if (o->in && strlen(o->in) > RUN_IN_MAX) {
		errno = E2BIG;
		return -1;
	}
	if (o->in && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, infd) < 0)
		return -1;
	if (o->in)
		posix_spawn_file_actions_adddup2(fa, infd[0], 0);
	else
		posix_spawn_file_actions_addopen(fa, 0, "/dev/null", O_RDONLY, 0);
	if (o->out) {
		if (pipe2(pipefd, O_CLOEXEC) < 0)
			return -1;
		posix_spawn_file_actions_adddup2(fa, pipefd[1], 1);
		if (o->merge_stderr)
			posix_spawn_file_actions_adddup2(fa, pipefd[1], 2);
	}
	if (o->cwd)
		posix_spawn_file_actions_addchdir_np(fa, o->cwd);
	return 0;
}

/* Writes IN to the child's end of the socket pair INFD, then closes both. */
static void send_input(const char *in, int infd[2])
{
	close(infd[0]);
	infd[0] = -1;
	for (size_t off = 0, n = strlen(in); off < n;) {
		ssize_t k = send(infd[1], in + off, n - off, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			break; /* the child ended, or will see a cut-short input */
		off += (size_t)k;
	}
	close(infd[1]);
	infd[1] = -1;
}

int run(const struct run_opts *o)
{
	struct sb prog = SB_INIT, sink = SB_INIT;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int pipefd[2] = {-1, -1}, infd[2] = {-1, -1}, rc = -1, status = 0, err;
	unsigned timeout = o->timeout_s ? o->timeout_s : RUN_DEFAULT_TIMEOUT;
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
	if (spawn_setup(o, &fa, &attr, pipefd, infd) < 0)
		goto out;
	fflush(NULL);
	/* glibc reports a failed exec as posix_spawnp's own error. */
	err = posix_spawn(&pid, resolve(o->argv[0], &prog), &fa, &attr, o->argv, o->envp);
	if (err != 0) {
		errno = err;
		rc = RUN_CANNOT_EXEC;
		goto out;
	}
	if (capture) {
		close(pipefd[1]);
		pipefd[1] = -1;
	}
	if (o->in)
		send_input(o->in, infd);
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
		sb_adds(&sink, ""); /* "" rather than NULL for no output */
		*o->out = sink.buf;
		sink = (struct sb)SB_INIT;
	}
	rc = WIFEXITED(status) ? WEXITSTATUS(status) : RUN_SIGNALED;
out:
	err = errno;
	sb_release(&sink);
	sb_release(&prog);
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
	static struct sb how = SB_INIT;
	if (rc == RUN_CANNOT_EXEC)
		sb_setf(&how, "cannot exec: %s", strerror(err));
	else if (rc == RUN_TIMEOUT)
		sb_setf(&how, "killed after %u s", timeout_s ? timeout_s : RUN_DEFAULT_TIMEOUT);
	else if (rc == RUN_SIGNALED)
		sb_setf(&how, "ended by a signal");
	else if (rc < 0)
		sb_setf(&how, "%s", strerror(err));
	else
		sb_setf(&how, "exited %d", rc);
	return sb_str(&how);
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
		for (int lines = 0; tail > out && lines <= RUN_QUIET_LINES; tail--)
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
	static const char *pass[] = {"http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY",
				     "HTTPS_PROXY", "NO_PROXY", "TMPDIR", NULL};
	/* PATH, LC_ALL, each of PASS, and the NULL. */
	static char *env[2 + sizeof pass / sizeof *pass];
	int n = 0;
	if (env[0])
		return env;
	env[n++] = "PATH=" FIXED_PATH;
	env[n++] = "LC_ALL=C";
	for (int i = 0; pass[i]; i++) {
		const char *v = getenv(pass[i]);
		if (v) {
			struct sb kv = SB_INIT;
			sb_setf(&kv, "%s=%s", pass[i], v);
			env[n++] = kv.buf; /* kept for the life of the program */
		}
	}
	env[n] = NULL;
	return env;
}
