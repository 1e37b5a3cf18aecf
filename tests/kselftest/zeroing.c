// SPDX-License-Identifier: GPL-2.0-only
/*
 * Zeroing with the background zeroer: memory freed dirty comes back zeroed
 * however soon it is allocated again (taken clean, dirty, or both at once,
 * while the zeroer is at work on it), and the heap's figures count freed
 * memory as free whether or not it has been zeroed yet. A buffer nothing
 * could have written comes back clean; every way in makes it dirty.
 */
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <linux/dma-buf.h>

#include "bpbuf_test.h"
#include "bpbuf_test_importer.h"
#include "kselftest_harness.h"
#include "vgem.h"

#define SLOTS 16

FIXTURE(zeroing) {
	int dev;
	struct bpbuf_heap_info info;
};

FIXTURE_SETUP(zeroing)
{
	self->dev = bp_open();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", BPBUF_NODE, strerror(errno));
	ASSERT_EQ(0, bp_wait_idle(self->dev, &self->info));
	ASSERT_EQ(self->info.heap_size, self->info.free_bytes);
}

FIXTURE_TEARDOWN(zeroing)
{
	close(self->dev);
}

/* The whole heap, dirtied, freed and taken again at once: three rounds */
TEST_F(zeroing, whole_heap_reused_at_once)
{
	uint64_t size = self->info.heap_size;
	int round, fd;

	for (round = 0; round < 3; round++) {
		ASSERT_EQ(0, bp_alloc(self->dev, size, 0, 0, &fd));
		ASSERT_EQ(0, bp_check_zero(fd, size)) TH_LOG("round %d", round);
		ASSERT_EQ(0, bp_fill(fd, size, 0x5a + round));
		close(fd);
	}
}

/* Freed and not yet zeroed is still free, in one piece */
TEST_F(zeroing, freed_memory_is_free_before_zeroing)
{
	struct bpbuf_heap_info info;
	uint64_t size = self->info.heap_size;
	int fd;

	ASSERT_EQ(0, bp_alloc(self->dev, size, 0, 0, &fd));
	ASSERT_EQ(0, bp_fill(fd, size, 0xff));
	close(fd);
	ASSERT_EQ(0, bp_heap_info(self->dev, &info));
	EXPECT_EQ(size, info.free_bytes);
	EXPECT_EQ(size, info.largest_free);
	EXPECT_EQ(1, info.free_extents);
	/* and all of it can be had again right away */
	ASSERT_EQ(0, bp_alloc(self->dev, size, 0, 0, &fd));
	EXPECT_EQ(0, bp_check_zero(fd, size));
	close(fd);
}

/* A small buffer dirtied, freed and reallocated, over and over */
TEST_F(zeroing, small_churn)
{
	size_t size = 16 * page_size() + page_size();
	int i, fd;

	for (i = 0; i < 200; i++) {
		ASSERT_EQ(0, bp_alloc(self->dev, size, 0, 0, &fd));
		ASSERT_EQ(0, bp_check_zero(fd, size)) TH_LOG("iteration %d", i);
		ASSERT_EQ(0, bp_fill(fd, size, 0xa5));
		close(fd);
	}
}

/*
 * Buffers of assorted sizes held in slots, one replaced at a time: the free
 * space becomes a patchwork of clean, dirty and half-zeroed extents, and
 * every new buffer must still read as zeros.
 */
TEST_F(zeroing, patchwork_churn)
{
	size_t max = self->info.heap_size / (2 * SLOTS), sizes[SLOTS] = { 0 };
	int fds[SLOTS], i, slot, ret;

	srand(1);
	for (i = 0; i < SLOTS; i++)
		fds[i] = -1;
	for (i = 0; i < 300; i++) {
		size_t size = ((size_t)rand() % (max / page_size()) + 1) * page_size();

		slot = rand() % SLOTS;
		if (fds[slot] >= 0)
			close(fds[slot]);
		fds[slot] = -1;
		ret = bp_alloc(self->dev, size, 0, 0, &fds[slot]);
		ASSERT_EQ(0, ret) TH_LOG("iteration %d, %zu bytes", i, size);
		sizes[slot] = size;
		ASSERT_EQ(0, bp_check_zero(fds[slot], size)) TH_LOG("iteration %d, %zu bytes", i, size);
		ASSERT_EQ(0, bp_fill(fds[slot], size, 0x80 | i));
	}
	for (i = 0; i < SLOTS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	(void)sizes;
}

/* Two processes dirtying and reallocating halves of the heap at once */
TEST_F(zeroing, two_processes_churn)
{
	uint64_t half = self->info.heap_size / 2 / MIB * MIB;
	pid_t pid[2];
	int k, status;

	for (k = 0; k < 2; k++) {
		pid[k] = fork();
		ASSERT_LE(0, pid[k]);
		if (!pid[k]) {
			int dev = bp_open(), fd, i;

			for (i = 0; i < 8; i++) {
				/*
				 * The other process holds at most its half, and
				 * placement never cuts the rest in two: there is
				 * always room. If not, say what the heap looked
				 * like.
				 */
				if (bp_alloc(dev, half - k * MIB, 0, 0, &fd)) {
					struct bpbuf_heap_info hi;

					if (!bp_heap_info(dev, &hi))
						fprintf(stderr, "# no room for %llu bytes: free %llu, largest %llu, extents %u, buffers %u\n",
							(unsigned long long)(half - k * MIB),
							(unsigned long long)hi.free_bytes,
							(unsigned long long)hi.largest_free,
							hi.free_extents, hi.live_buffers);
					_exit(2);
				}
				if (bp_check_zero(fd, half - k * MIB))
					_exit(3);
				if (bp_fill(fd, half - k * MIB, 0x33))
					_exit(4);
				close(fd);
			}
			_exit(0);
		}
	}
	for (k = 0; k < 2; k++) {
		ASSERT_EQ(pid[k], waitpid(pid[k], &status, 0));
		EXPECT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status));
	}
}

/* Freed without anything reaching it: clean at once, never zeroed again */
TEST_F(zeroing, untouched_buffer_comes_back_clean)
{
	uint64_t size = self->info.heap_size / 4;
	struct bp_zero_counts before, after;
	int fd;

	ASSERT_EQ(0, bp_zero_counts_settled(&before));
	ASSERT_EQ(0, bp_alloc(self->dev, size, 0, 0, &fd));
	close(fd);
	ASSERT_EQ(0, bp_read_zero_counts(&after));
	EXPECT_EQ(after.free, after.clean);
	EXPECT_EQ(before.freed_clean + size, after.freed_clean);
	ASSERT_EQ(0, bp_zero_counts_settled(&after));
	EXPECT_EQ(before.background, after.background);
	EXPECT_EQ(before.on_alloc, after.on_alloc);
}

/*
 * Each way something could write a buffer: do it (without writing), free
 * the buffer, and the zeroer (or the next allocation) must clear all of it.
 * Each returns 0, or KSFT_SKIP when the way in is missing here.
 */
typedef int (*way_in_fn)(int dev, int fd, uint64_t size);

static int way_mmap_read_only(int dev, int fd, uint64_t size)
{
	void *p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);

	(void)dev;
	if (p == MAP_FAILED)
		return -1;
	return munmap(p, size);
}

static int way_bus_addr(int dev, int fd, uint64_t size)
{
	uint64_t addr;

	(void)size;
	return bp_bus_addr(dev, fd, &addr, NULL);
}

static int way_cpu_access(int dev, int fd, uint64_t size)
{
	struct dma_buf_sync sync = { DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW };

	(void)dev;
	(void)size;
	return ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync);
}

static int way_debugfs_listing(int dev, int fd, uint64_t size)
{
	char *text = read_text(BPBUF_DEBUGFS "/buffers");

	(void)dev;
	(void)fd;
	(void)size;
	free(text);
	return text ? 0 : -1;
}

/* vgem's import; KSFT_SKIP where vgem attaches without mapping (6.15 on) */
static int way_vgem_import(int dev, int fd, uint64_t size)
{
	struct drm_prime_handle_min prime = { .fd = fd };
	struct drm_gem_close_min gem_close = { 0 };
	struct bp_debugfs_buffer line;
	int card = open_vgem(), ret;

	(void)size;
	if (card < 0)
		return KSFT_SKIP;
	ret = ioctl(card, DRM_FD_TO_HANDLE_IOCTL, &prime);
	if (!ret) {
		if (!bp_debugfs_buffer(dev, fd, &line) && !line.mapped &&
		    vgem_may_import_unmapped())
			ret = KSFT_SKIP;
		gem_close.handle = prime.handle;
		if (ioctl(card, DRM_GEM_CLOSE_IOCTL, &gem_close))
			ret = -1;
	}
	close(card);
	return ret;
}

/* the tests' own importer, which maps for its device on every kernel */
static int way_test_importer(int dev, int fd, uint64_t size)
{
	struct bpbuf_test_import imp = { .fd = fd };
	int importer = open(BPBUF_TEST_IMPORTER_NODE, O_RDWR | O_CLOEXEC), ret;

	(void)dev;
	(void)size;
	if (importer < 0)
		return KSFT_SKIP;
	ret = ioctl(importer, BPBUF_TEST_IOC_IMPORT, &imp);
	if (!ret)
		ret = ioctl(importer, BPBUF_TEST_IOC_RELEASE, &imp.handle);
	close(importer);
	return ret;
}

FIXTURE(way_in) {
	int dev;
	struct bpbuf_heap_info info;
};

FIXTURE_VARIANT(way_in) {
	way_in_fn way_in;
};

FIXTURE_VARIANT_ADD(way_in, read_only_mmap) { .way_in = way_mmap_read_only };
FIXTURE_VARIANT_ADD(way_in, bus_address) { .way_in = way_bus_addr };
FIXTURE_VARIANT_ADD(way_in, cpu_access) { .way_in = way_cpu_access };
FIXTURE_VARIANT_ADD(way_in, debugfs_listing) { .way_in = way_debugfs_listing };
FIXTURE_VARIANT_ADD(way_in, importer) { .way_in = way_test_importer };
FIXTURE_VARIANT_ADD(way_in, vgem_import) { .way_in = way_vgem_import };

FIXTURE_SETUP(way_in)
{
	self->dev = bp_open();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", BPBUF_NODE, strerror(errno));
	ASSERT_EQ(0, bp_wait_idle(self->dev, &self->info));
}

FIXTURE_TEARDOWN(way_in)
{
	close(self->dev);
}

TEST_F(way_in, makes_it_dirty)
{
	uint64_t size = self->info.heap_size / 4;
	struct bp_zero_counts before, after;
	int fd, ret;

	ASSERT_EQ(0, bp_zero_counts_settled(&before));
	ASSERT_EQ(0, bp_alloc(self->dev, size, 0, 0, &fd));
	ret = variant->way_in(self->dev, fd, size);
	close(fd);
	if (ret == KSFT_SKIP)
		SKIP(return, "this way in is not available here (no such importer, or vgem attaching without mapping)");
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, bp_zero_counts_settled(&after));
	EXPECT_EQ(before.freed_clean, after.freed_clean);
	EXPECT_LE(before.background + before.on_alloc + size,
		  after.background + after.on_alloc);
}

TEST_HARNESS_MAIN
