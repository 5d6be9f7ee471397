/* timeit ROOT [NAME=VALUE...] -- COMMAND [ARG...]: the wall time of one run of
 * COMMAND, as a platform starting a buildpack's bin/compile sees it: chroot to
 * ROOT ("-": stay), then time fork, execve of COMMAND with exactly the given
 * environment, and its exit. The chroot and this program's own start are not
 * in the figure, so a build measured here and a baseline measured here differ
 * by what they themselves do. COMMAND's output is this program's; the last
 * line on stderr is
 *   timeit: seconds=S status=N
 * and the exit status is COMMAND's (127 when it cannot be started). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int sep = 1;
	while (sep < argc && strcmp(argv[sep], "--") != 0)
		sep++;
	if (argc < 2 || sep + 1 >= argc) {
		fputs("usage: timeit ROOT [NAME=VALUE...] -- COMMAND [ARG...]\n", stderr);
		return 2;
	}
	if (strcmp(argv[1], "-") != 0 && (chroot(argv[1]) != 0 || chdir("/") != 0)) {
		fprintf(stderr, "timeit: cannot chroot to %s: %s\n", argv[1], strerror(errno));
		return 127;
	}
	argv[sep] = NULL; /* argv[2..sep) is the environment */
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	pid_t pid = fork();
	if (pid < 0) {
		perror("timeit: fork");
		return 127;
	}
	if (pid == 0) {
		execve(argv[sep + 1], argv + sep + 1, argv + 2);
		fprintf(stderr, "timeit: cannot exec %s: %s\n", argv[sep + 1], strerror(errno));
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			perror("timeit: waitpid");
			return 127;
		}
	clock_gettime(CLOCK_MONOTONIC, &b);
	int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	fprintf(stderr, "timeit: seconds=%.6f status=%d\n",
		(double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9, code);
	return code;
}
