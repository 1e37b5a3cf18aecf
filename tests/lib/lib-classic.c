// SPDX-License-Identifier: GPL-2.0-only
/*
 * The classic API in the VM: bpalloc() gives mapped, zeroed memory;
 * bpgetphys() the bus address of any byte (base + offset); bpfree() frees
 * it and ignores what bpalloc() did not return; the errno values; and all
 * three from several threads at once.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libbpbuf.h>

#include "kselftest_harness.h"
#include "lib-test.h"

#define MIB		(1ULL << 20)
#define NTHREADS	8
#define ITERATIONS	150
#define HELD		4	/* buffers each thread keeps alive at once */

static uint64_t page(void)
{
	return (uint64_t)sysconf(_SC_PAGESIZE);
}

static uint64_t heap_free(void)
{
	struct bpbuf_heap_info hi;
	struct bpbuf_dev *dev;

	if (bpbuf_dev_open(NULL, &dev))
		return 0;
	if (bpbuf_dev_heap_info(dev, &hi, sizeof(hi)))
		hi.free_bytes = 0;
	bpbuf_dev_close(dev);
	return hi.free_bytes;
}

static int all_zero(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i])
			return 0;
	return 1;
}

TEST(bpalloc_maps_zeroed_memory)
{
	uint64_t before = heap_free();
	unsigned char *p;

	p = bpalloc(3 * page() + 1);
	ASSERT_NE(NULL, p) TH_LOG("bpalloc: %s", strerror(errno));
	/* rounded up to whole pages, all of them mapped and zeroed */
	EXPECT_TRUE(all_zero(p, 4 * page()));
	memset(p, 0xa5, 4 * page());
	EXPECT_EQ(before - 4 * page(), heap_free());
	bpfree(p);
	EXPECT_EQ(before, heap_free());

	/* the memory a new buffer gets is zeroed again */
	p = bpalloc(4 * page());
	ASSERT_NE(NULL, p);
	EXPECT_TRUE(all_zero(p, 4 * page()));
	bpfree(p);
}

TEST(bpgetphys_any_byte)
{
	uint64_t size = 2 * MIB, base, off;
	unsigned char *p = bpalloc(size);

	ASSERT_NE(NULL, p);
	base = bpgetphys(p);
	ASSERT_NE(0, base) TH_LOG("bpgetphys: %s", strerror(errno));
	EXPECT_EQ(0, base % page());
	for (off = 1; off < size; off = off * 3 + 1)
		EXPECT_EQ(base + off, bpgetphys(p + off));
	EXPECT_EQ(base + size - 1, bpgetphys(p + size - 1));
	/* one past the end is not in the buffer */
	errno = 0;
	EXPECT_EQ(0, bpgetphys(p + size));
	EXPECT_EQ(EINVAL, errno);
	bpfree(p);
}

TEST(bpgetphys_errors)
{
	int local;
	unsigned char *p;

	errno = 0;
	EXPECT_EQ(0, bpgetphys(NULL));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(0, bpgetphys(&local));
	EXPECT_EQ(EINVAL, errno);
	p = bpalloc(page());
	ASSERT_NE(NULL, p);
	bpfree(p);
	errno = 0;
	EXPECT_EQ(0, bpgetphys(p));
	EXPECT_EQ(EINVAL, errno);
}

TEST(bpfree_ignores_foreign_pointers)
{
	uint64_t before = heap_free();
	unsigned char *p = bpalloc(2 * page());
	int local;

	ASSERT_NE(NULL, p);
	errno = 1234;
	bpfree(NULL);
	bpfree(&local);
	bpfree(p + 1);		/* inside, but not what bpalloc() returned */
	bpfree(p + page());
	EXPECT_EQ(1234, errno);
	/* still allocated, mapped and known */
	p[2 * page() - 1] = 1;
	EXPECT_NE(0, bpgetphys(p));
	EXPECT_EQ(before - 2 * page(), heap_free());
	bpfree(p);
	EXPECT_EQ(1234, errno);
	EXPECT_EQ(before, heap_free());
	bpfree(p);		/* twice: already gone, nothing happens */
}

TEST(bpalloc_errors)
{
	errno = 0;
	EXPECT_EQ(NULL, bpalloc(0));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(NULL, bpalloc((size_t)1 << 40));
	EXPECT_EQ(ENOMEM, errno);
}

/* Each TEST runs in its own process: the device is not open yet here */
TEST(bpalloc_without_device)
{
	void *p;

	ASSERT_EQ(0, setenv(BPBUF_DEVICE_ENV, "/nonexistent", 1));
	errno = 0;
	EXPECT_EQ(NULL, bpalloc(page()));
	EXPECT_EQ(ENOENT, errno);
	ASSERT_EQ(0, setenv(BPBUF_DEVICE_ENV, "/dev/null", 1));
	errno = 0;
	EXPECT_EQ(NULL, bpalloc(page()));
	EXPECT_EQ(ENOTTY, errno);
	unsetenv(BPBUF_DEVICE_ENV);
	/* a failed open is not remembered */
	p = bpalloc(page());
	EXPECT_NE(NULL, p);
	bpfree(p);
}

TEST(bpgetphys_without_rawio)
{
	unsigned char *p;

	ASSERT_EQ(0, drop_rawio());
	p = bpalloc(page());
	ASSERT_NE(NULL, p);
	errno = 0;
	EXPECT_EQ(0, bpgetphys(p));
	EXPECT_EQ(EPERM, errno);
	bpfree(p);
}

struct held {
	unsigned char *p;
	size_t size;
	unsigned char fill;
};

struct worker {
	pthread_t thread;
	unsigned int seed;
	int id;
	char error[160];
};

static int check_held(struct worker *w, const struct held *h)
{
	size_t i;

	for (i = 0; i < h->size; i++)
		if (h->p[i] != h->fill) {
			snprintf(w->error, sizeof(w->error),
				 "thread %d: byte %zu of %zu changed", w->id,
				 i, h->size);
			return -1;
		}
	return 0;
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct held held[HELD];
	uint64_t pg = page();
	int i, k;

	memset(held, 0, sizeof(held));
	for (i = 0; i < ITERATIONS; i++) {
		struct held *h = &held[i % HELD];
		uint64_t base, off;

		if (h->p) {
			if (check_held(w, h))
				return w;
			bpfree(h->p);
			h->p = NULL;
		}
		h->size = 1 + rand_r(&w->seed) % (64 * 1024);
		h->p = bpalloc(h->size);
		if (!h->p) {
			snprintf(w->error, sizeof(w->error),
				 "thread %d: bpalloc(%zu): %s", w->id,
				 h->size, strerror(errno));
			return w;
		}
		/* whole pages, each zeroed */
		h->size = (h->size + pg - 1) / pg * pg;
		if (!all_zero(h->p, h->size)) {
			snprintf(w->error, sizeof(w->error),
				 "thread %d: bpalloc(%zu) not zeroed", w->id,
				 h->size);
			return w;
		}
		base = bpgetphys(h->p);
		if (!base || base % pg) {
			snprintf(w->error, sizeof(w->error),
				 "thread %d: bpgetphys() = %#llx: %s", w->id,
				 (unsigned long long)base, strerror(errno));
			return w;
		}
		for (k = 0; k < 4; k++) {
			off = rand_r(&w->seed) % h->size;
			if (bpgetphys(h->p + off) != base + off) {
				snprintf(w->error, sizeof(w->error),
					 "thread %d: bpgetphys(p + %llu) != base + %llu",
					 w->id, (unsigned long long)off,
					 (unsigned long long)off);
				return w;
			}
		}
		h->fill = (unsigned char)(w->id * 16 + i % 16 + 1);
		memset(h->p, h->fill, h->size);
	}
	for (k = 0; k < HELD; k++)
		if (held[k].p) {
			if (check_held(w, &held[k]))
				return w;
			bpfree(held[k].p);
		}
	return NULL;
}

/*
 * A fixture only for its timeout: 8 threads of 150 rounds took over the
 * harness's default 30 s on a debug kernel (KASAN, lockdep) under TCG with
 * another VM beside it; the bound is there to catch a hang, not to time.
 */
FIXTURE(mt) {};
FIXTURE_SETUP(mt) {}
FIXTURE_TEARDOWN(mt) {}

TEST_F_TIMEOUT(mt, threads, 600)
{
	struct worker workers[NTHREADS];
	uint64_t before = heap_free();
	void *ret;
	int i;

	for (i = 0; i < NTHREADS; i++) {
		memset(&workers[i], 0, sizeof(workers[i]));
		workers[i].id = i;
		workers[i].seed = 0x5eed + (unsigned int)i;
		ASSERT_EQ(0, pthread_create(&workers[i].thread, NULL,
					    worker_run, &workers[i]));
	}
	for (i = 0; i < NTHREADS; i++) {
		ASSERT_EQ(0, pthread_join(workers[i].thread, &ret));
		EXPECT_EQ(NULL, ret) TH_LOG("%s", workers[i].error);
	}
	/* every buffer went back to the heap */
	EXPECT_EQ(before, heap_free());
}

TEST_HARNESS_MAIN
