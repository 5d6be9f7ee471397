/*
 * libjemalloc-metrics.so: jemalloc's own figures in the app's log, one l2met
 * line per process every JEMALLOC_METRICS_INTERVAL seconds (default 20, the
 * cadence of Heroku's log-runtime-metrics), on the stderr the process
 * started with:
 *
 *   source=web.1 pid=41 sample#jemalloc.allocated=45.10MB sample#jemalloc.active=52.01MB ...
 *
 * Preloaded after libjemalloc.so (LD_PRELOAD=.../libjemalloc.so:.../libjemalloc-metrics.so)
 * by whatever preloads jemalloc (.profile.d/jemalloc.sh, the CNB exec.d
 * switch, bin/jemalloc.sh) when JEMALLOC_METRICS asks for it in this process
 * type: that rule is theirs, one rule with JEMALLOC_ENABLED's. This library
 * only refuses to start when the setting is off altogether (unset, empty or
 * "false"), or when the process has no jemalloc: mallctl is looked up at run
 * time, so the library links against no jemalloc and serves every release.
 * Off, it starts no thread and writes nothing. Settings are read with
 * secure_getenv: in a set-user-ID or set-group-ID program (or one with file
 * capabilities) they come from whoever runs it, not from its owner, and the
 * library acts as if they were unset.
 *
 * The figures are jemalloc's stats.* after an "epoch" refresh, MB = 2^20
 * bytes, two decimals as log-runtime-metrics prints them. What a release
 * does not have is left out, never made up (ctl.c of each tag):
 *   stats.allocated, stats.active, stats.mapped   3.6.0 and later
 *   stats.resident                                4.0.0 and later
 *   stats.retained                                4.2.0 and later
 * fragmentation is 1 - allocated/active: the share of the pages jemalloc has
 * handed out that hold no live allocation.
 *
 * Fork safety (Puma and Unicorn fork their workers after boot, and every
 * worker should report with its own pid): a forked child has only the thread
 * that forked, so a pthread_atfork child handler starts the reporter again.
 * It runs after jemalloc's own child handler, which has re-initialised the
 * allocator's locks: jemalloc registers its handlers when it initialises,
 * and the constructor below makes it initialise (an "epoch" read) before it
 * registers ours; child handlers run in the order they were registered
 * (POSIX pthread_atfork). The reporter thread holds no lock of its own: it
 * shares nothing with the others but a few words written before it starts,
 * and calls only mallctl (whose locks jemalloc's fork handlers take and
 * release around every fork), clock_nanosleep, fstat, getpid and write.
 *
 * One write() per whole line, under PIPE_BUF: on a pipe (a dyno's log) a
 * line is all there or not at all, even when the process exits or is killed
 * mid-interval. A short command (rake, a console) prints nothing: the first
 * line comes only after one whole interval.
 *
 * Linux, glibc 2.31 and later (the oldest build root); C11 with GNU
 * extensions (dlsym's RTLD_DEFAULT, pthread_setname_np). Built by
 * debian/recipe (metrics) with the compiler that built jemalloc.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_INTERVAL 20
#define MAX_INTERVAL 3600
#define SOURCE_MAX 64
#define MB (1024u * 1024u)

typedef int (*mallctl_fn)(const char *, void *, size_t *, void *, size_t);

/* The figures, in the order of the line; a release without one has the
 * name unknown to mallctl (ENOENT), and the figure is left out. The first
 * two make fragmentation. */
static const struct stat_name {
	const char *ctl, *key;
} stats[] = {
	{"stats.allocated", "allocated"}, {"stats.active", "active"},	{"stats.resident", "resident"},
	{"stats.mapped", "mapped"},	  {"stats.retained", "retained"},
};
#define NSTATS (sizeof stats / sizeof stats[0])

/* Written by the constructor before the first thread starts, read-only after. */
static mallctl_fn ctl;
static unsigned interval = DEFAULT_INTERVAL;
static char source[SOURCE_MAX + 1];
static dev_t err_dev;
static ino_t err_ino;
static atomic_int stopping;

/* JEMALLOC_METRICS_INTERVAL: whole seconds, 1 to MAX_INTERVAL, digits only;
 * anything else is the default. jemalloc-status names a value it refuses. */
static unsigned interval_from(const char *v)
{
	unsigned n = 0;
	if (v == NULL || *v < '1' || *v > '9')
		return DEFAULT_INTERVAL;
	for (; *v; v++) {
		if (*v < '0' || *v > '9' || (n = n * 10 + (unsigned)(*v - '0')) > MAX_INTERVAL)
			return DEFAULT_INTERVAL;
	}
	return n;
}

/* DYNO (web.1) as the line's source; left out when unset, longer than
 * SOURCE_MAX or holding anything but letters, digits and . _ - : (the value
 * lands in a log line other programs parse). */
static void source_from(const char *v)
{
	size_t n = v ? strlen(v) : 0;
	if (n == 0 || n > SOURCE_MAX || strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-:") != n)
		return;
	memcpy(source, v, n + 1);
}

/* A growing line in a fixed buffer: no allocation in the reporter. */
struct line {
	char buf[512];
	size_t len;
};

static void add(struct line *l, const char *s)
{
	size_t n = strlen(s);
	if (n > sizeof l->buf - l->len)
		n = sizeof l->buf - l->len;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

static void add_uint(struct line *l, uintmax_t v, int min_digits)
{
	char d[24];
	int i = (int)sizeof d;
	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0 || (int)sizeof d - i < min_digits);
	for (; i < (int)sizeof d && l->len < sizeof l->buf; i++)
		l->buf[l->len++] = d[i];
}

/* V hundredths as "X.YY". */
static void add_hundredths(struct line *l, uintmax_t v)
{
	add_uint(l, v / 100, 1);
	add(l, ".");
	add_uint(l, v % 100, 2);
}

/* BYTES in MB with two decimals, rounded to nearest. */
static void add_mb(struct line *l, size_t bytes)
{
	add_hundredths(l, (uintmax_t)(bytes / MB) * 100 + ((uintmax_t)(bytes % MB) * 100 + MB / 2) / MB);
}

static int read_size(const char *name, size_t *v)
{
	size_t len = sizeof *v;
	return ctl(name, v, &len, NULL, 0) == 0 && len == sizeof *v ? 0 : -1;
}

/* Refreshes jemalloc's statistics (they are a snapshot taken at each new
 * epoch) and makes the line; 0 when there is nothing to say. */
static size_t line_make(struct line *l)
{
	uint64_t epoch = 1;
	size_t len = sizeof epoch, v, allocated = 0, active = 0;
	int have_allocated = 0, have_active = 0, figures = 0;
	l->len = 0;
	if (ctl("epoch", &epoch, &len, &epoch, sizeof epoch) != 0)
		return 0;
	if (source[0]) {
		add(l, "source=");
		add(l, source);
		add(l, " ");
	}
	add(l, "pid=");
	add_uint(l, (uintmax_t)getpid(), 1);
	for (size_t i = 0; i < NSTATS; i++) {
		if (read_size(stats[i].ctl, &v) < 0)
			continue;
		add(l, " sample#jemalloc.");
		add(l, stats[i].key);
		add(l, "=");
		add_mb(l, v);
		add(l, "MB");
		figures++;
		if (i == 0)
			allocated = v, have_allocated = 1;
		if (i == 1)
			active = v, have_active = 1;
	}
	if (have_allocated && have_active) {
		double f = active > allocated ? (double)(active - allocated) / (double)active : 0.0;
		add(l, " sample#jemalloc.fragmentation=");
		add_hundredths(l, (uintmax_t)(f * 100.0 + 0.5));
	}
	add(l, "\n");
	/* A line that did not fit is not written: half a line is worse than none. */
	return figures > 0 && l->len < sizeof l->buf ? l->len : 0;
}

/* Whether fd 2 is still the file the process started with: a process that
 * closed its stderr, or pointed it at a file or socket of its own, does not
 * get our lines mixed into that. */
static int stderr_same(void)
{
	struct stat st;
	return fstat(STDERR_FILENO, &st) == 0 && st.st_dev == err_dev && st.st_ino == err_ino;
}

/* Moves NEXT, a deadline the reporter just woke at, to the first one still
 * ahead. A process stopped for several intervals (SIGSTOP, a debugger, a
 * frozen container) writes one line when it resumes, not a burst of the
 * lines it missed, and keeps its cadence. */
static void next_after_now(struct timespec *next)
{
	struct timespec now;
	if (clock_gettime(CLOCK_MONOTONIC, &now) != 0)
		now = *next;
	do
		next->tv_sec += interval;
	while (next->tv_sec < now.tv_sec || (next->tv_sec == now.tv_sec && next->tv_nsec <= now.tv_nsec));
}

static void *reporter(void *arg)
{
	struct timespec next;
	struct line l;
	(void)arg;
	pthread_setname_np(pthread_self(), "jemalloc-metric");
	clock_gettime(CLOCK_MONOTONIC, &next);
	next.tv_sec += interval;
	for (;;) {
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
		if (atomic_load(&stopping))
			return NULL;
		next_after_now(&next);
		size_t n = line_make(&l);
		if (n == 0 || !stderr_same())
			continue;
		if (write(STDERR_FILENO, l.buf, n) < 0 && errno != EAGAIN && errno != EINTR)
			return NULL; /* EPIPE, EBADF...: nobody reads it any more */
	}
}

/* Starts the reporter with every signal blocked, so that it never takes one
 * meant for the app (SIGTERM, SIGPIPE, a profiler's SIGPROF). A failure
 * leaves the process without lines and otherwise as it was. */
static void reporter_start(void)
{
	pthread_t t;
	pthread_attr_t attr;
	sigset_t all, old;
	size_t stack = 256 * 1024;
	if (pthread_attr_init(&attr) != 0)
		return;
	if (stack < (size_t)PTHREAD_STACK_MIN)
		stack = (size_t)PTHREAD_STACK_MIN;
	pthread_attr_setstacksize(&attr, stack);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_create(&t, &attr, reporter, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
}

static int setting_on(const char *v)
{
	return v != NULL && *v != '\0' && strcmp(v, "false") != 0;
}

__attribute__((constructor)) static void metrics_init(void)
{
	struct stat st;
	uint64_t epoch = 1;
	size_t len = sizeof epoch, v;
	if (!setting_on(secure_getenv("JEMALLOC_METRICS")))
		return;
	if ((ctl = (mallctl_fn)dlsym(RTLD_DEFAULT, "mallctl")) == NULL)
		return;
	/* This first call also makes jemalloc initialise, and register its fork
	 * handlers before ours (see the top of the file). */
	if (ctl("epoch", &epoch, &len, &epoch, sizeof epoch) != 0 || read_size("stats.allocated", &v) < 0)
		return; /* a jemalloc built without statistics */
	if (fstat(STDERR_FILENO, &st) != 0)
		return;
	err_dev = st.st_dev;
	err_ino = st.st_ino;
	interval = interval_from(secure_getenv("JEMALLOC_METRICS_INTERVAL"));
	source_from(secure_getenv("DYNO"));
	if (pthread_atfork(NULL, NULL, reporter_start) != 0)
		return;
	reporter_start();
}

/* A reporter that wakes while the process runs its exit handlers writes
 * nothing more. */
__attribute__((destructor)) static void metrics_fini(void)
{
	atomic_store(&stopping, 1);
}
