/* alloc THREADS OPS: a multithreaded allocation benchmark. Each thread keeps
 * a working set of SLOTS live blocks and, OPS times, frees a random one and
 * allocates a new one of a size drawn the way web apps allocate: mostly small
 * (16-256 bytes), some medium (to 4 KiB), a few large (to 64 KiB); every
 * block is touched. Every 64th block is handed to the next thread to free, so
 * frees from other threads are measured too. Prints one line:
 *   threads=T ops=N seconds=S mops=M
 * The allocator is whatever the process runs on (LD_PRELOAD picks it). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SLOTS 4096
#define HANDOFF 256

struct worker {
	pthread_t tid;
	long ops;
	uint64_t seed;
	/* Blocks another thread allocated, for this one to free. */
	pthread_mutex_t lock;
	void *inbox[HANDOFF];
	int inbox_n;
	struct worker *next;
};

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static size_t draw_size(uint64_t *s)
{
	uint64_t r = xorshift(s);
	unsigned p = (unsigned)(r % 100);
	if (p < 80)
		return 16 + (r >> 8) % 241;
	if (p < 98)
		return 256 + (r >> 8) % 3841;
	return 4096 + (r >> 8) % 61441;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	void **slot = calloc(SLOTS, sizeof *slot);
	if (!slot)
		abort();
	for (long i = 0; i < w->ops; i++) {
		unsigned k = (unsigned)(xorshift(&w->seed) % SLOTS);
		void *old = slot[k];
		if (old && (i & 63) == 0) {
			pthread_mutex_lock(&w->next->lock);
			if (w->next->inbox_n < HANDOFF) {
				w->next->inbox[w->next->inbox_n++] = old;
				old = NULL;
			}
			pthread_mutex_unlock(&w->next->lock);
		}
		free(old);
		size_t n = draw_size(&w->seed);
		char *p = malloc(n);
		if (!p)
			abort();
		p[0] = (char)i;
		p[n - 1] = (char)i;
		slot[k] = p;
		if ((i & 255) == 0) {
			pthread_mutex_lock(&w->lock);
			for (int j = 0; j < w->inbox_n; j++)
				free(w->inbox[j]);
			w->inbox_n = 0;
			pthread_mutex_unlock(&w->lock);
		}
	}
	for (int k = 0; k < SLOTS; k++)
		free(slot[k]);
	free(slot);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fputs("usage: alloc THREADS OPS_PER_THREAD\n", stderr);
		return 2;
	}
	int threads = atoi(argv[1]);
	long ops = atol(argv[2]);
	if (threads < 1 || threads > 256 || ops < 1) {
		fputs("alloc: THREADS is 1 to 256, OPS_PER_THREAD at least 1\n", stderr);
		return 2;
	}
	struct worker *w = calloc((size_t)threads, sizeof *w);
	if (!w)
		return 1;
	for (int t = 0; t < threads; t++) {
		w[t].ops = ops;
		w[t].seed = 0x9E3779B97F4A7C15ull * (uint64_t)(t + 1);
		w[t].next = &w[(t + 1) % threads];
		pthread_mutex_init(&w[t].lock, NULL);
	}
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int t = 0; t < threads; t++)
		if (pthread_create(&w[t].tid, NULL, work, &w[t]) != 0)
			return 1;
	for (int t = 0; t < threads; t++)
		pthread_join(w[t].tid, NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	for (int t = 0; t < threads; t++) /* what was handed off last */
		for (int j = 0; j < w[t].inbox_n; j++)
			free(w[t].inbox[j]);
	double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	printf("threads=%d ops=%ld seconds=%.4f mops=%.3f\n", threads, ops * threads, s, (double)ops * threads / s / 1e6);
	free(w);
	return 0;
}
