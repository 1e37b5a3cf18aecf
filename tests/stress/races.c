// SPDX-License-Identifier: GPL-2.0-only
/*
 * Races on a buffer's way out: the last close racing munmap and another
 * close, and racing an importer (vgem) taking it; and allocation and
 * release from many threads at once. Each phase is bounded in time and the
 * heap must be whole after it.
 *
 *   races [SECONDS-PER-PHASE]  (or BPBUF_RACE_SECONDS, default 15)
 */
#include <pthread.h>

#include "stress.h"
#include "vgem.h"

#define NTHREADS	8

static int dev, vgem = -1;
static double deadline;
static pthread_barrier_t start, done;
static volatile int stop;

/* One buffer per round, each thread taking a different way out */
static int fd, dupfd;
static void *map;
static size_t map_size;
static unsigned long rounds, imports, bad;

static void *closer(void *arg)
{
	long role = (long)arg;

	for (;;) {
		pthread_barrier_wait(&start);
		if (stop)
			return NULL;
		switch (role) {
		case 0:
			close(fd);
			break;
		case 1:
			munmap(map, map_size);
			break;
		case 2:
			close(dupfd);
			break;
		case 3:
			if (vgem >= 0) {
				struct drm_prime_handle_min ph = { .fd = fd };

				/* may come after the close: EBADF is fine */
				if (!ioctl(vgem, DRM_FD_TO_HANDLE_IOCTL, &ph)) {
					struct drm_gem_close_min gc = {
						.handle = ph.handle,
					};

					__atomic_add_fetch(&imports, 1, __ATOMIC_RELAXED);
					ioctl(vgem, DRM_GEM_CLOSE_IOCTL, &gc);
				} else if (errno != EBADF && errno != ENOENT &&
					   errno != EINVAL) {
					printf("# import: %s\n", strerror(errno));
					__atomic_add_fetch(&bad, 1, __ATOMIC_RELAXED);
				}
			}
			break;
		}
		pthread_barrier_wait(&done);
	}
}

static bool release_races(double seconds, uint64_t *rng)
{
	pthread_t t[4];
	long i;

	stop = 0;
	rounds = 0;
	pthread_barrier_init(&start, NULL, 5);
	pthread_barrier_init(&done, NULL, 5);
	for (i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, closer, (void *)i);
	deadline = now_s() + seconds;
	while (now_s() < deadline) {
		map_size = page_size() * (1 + rng_below(rng, 16));
		if (bp_alloc(dev, map_size, 0, BPBUF_ALLOC_CLOEXEC, &fd)) {
			bad++;
			break;
		}
		dupfd = dup(fd);
		map = mmap(NULL, map_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (map == MAP_FAILED || dupfd < 0) {
			bad++;
			break;
		}
		pthread_barrier_wait(&start);
		pthread_barrier_wait(&done);
		rounds++;
	}
	stop = 1;
	pthread_barrier_wait(&start);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&start);
	pthread_barrier_destroy(&done);
	return !bad;
}

static unsigned long allocs, frees, alloc_bad;

static void *alloc_thread(void *arg)
{
	uint64_t rng = (uint64_t)(long)arg * 0x9E3779B97F4A7C15ULL | 1;
	int held[16], n = 0, i;

	while (now_s() < deadline) {
		if (n < 16 && rng_below(&rng, 3)) {
			uint64_t size = page_size() * (1 + rng_below(&rng, 128));
			int ret = bp_alloc(dev, size, rng_below(&rng, 4) ?
					   0 : page_size() << rng_below(&rng, 6),
					   BPBUF_ALLOC_CLOEXEC, &held[n]);

			if (!ret) {
				n++;
				__atomic_add_fetch(&allocs, 1, __ATOMIC_RELAXED);
			} else if (ret != -ENOMEM) {
				printf("# alloc: %s\n", strerror(-ret));
				__atomic_add_fetch(&alloc_bad, 1, __ATOMIC_RELAXED);
			}
		} else if (n) {
			i = (int)rng_below(&rng, n);
			close(held[i]);
			held[i] = held[--n];
			__atomic_add_fetch(&frees, 1, __ATOMIC_RELAXED);
		}
	}
	while (n)
		close(held[--n]);
	return NULL;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) :
			 (double)num_from_env("BPBUF_RACE_SECONDS", 15);
	uint64_t rng = seed_from_env("BPBUF_RACE_SEED", 5) | 1;
	struct bpbuf_heap_info info;
	bool whole;
	pthread_t t[NTHREADS];
	unsigned long import_rounds;
	long i;

	tap_plan(5);
	dev = bp_open();
	if (dev < 0) {
		tap_ok(false, "open %s: %s", BPBUF_NODE, strerror(errno));
		return 1;
	}

	/* 1: close, munmap and close of a dup at once */
	release_races(seconds / 3, &rng);
	whole = heap_whole(dev, &info);
	tap_ok(!bad && rounds > 10 && whole,
	       "release racing munmap and close: %lu rounds, heap whole (%u buffers alive)",
	       rounds, info.live_buffers);

	/* 2: the same with vgem importing the buffer in the middle */
	vgem = open_vgem();
	if (vgem >= 0) {
		release_races(seconds / 3, &rng);
		import_rounds = rounds;
		whole = heap_whole(dev, &info);
		tap_ok(!bad && whole,
		       "release racing import: %lu rounds, %lu imports won, heap whole",
		       import_rounds, imports);
		close(vgem);
	} else {
		tap_skip("release racing import", "no vgem (modprobe vgem)");
	}

	/* 3: no user-space path reaches dma_buf_vmap() here */
	tap_skip("release racing vmap",
		 "no importer in this kernel vmaps from user space (vgem does not vmap imports)");

	/* 4-5: many threads allocating and freeing */
	deadline = now_s() + seconds / 3;
	for (i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, alloc_thread, (void *)(i + 1));
	for (i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	tap_ok(!alloc_bad && allocs > 100,
	       "%d threads: %lu allocations, %lu frees, %lu unexpected errors",
	       NTHREADS, allocs, frees, alloc_bad);
	tap_heap_whole(dev, "after the threads");
	close(dev);
	return tap_exit();
}
