// SPDX-License-Identifier: GPL-2.0-only
/*
 * Zeroing with the background zeroer: memory freed dirty comes back zeroed
 * however soon it is allocated again (taken clean, dirty, or both at once,
 * while the zeroer is at work on it), and the heap's figures count freed
 * memory as free whether or not it has been zeroed yet.
 */
#include <stdlib.h>
#include <sys/wait.h>

#include "bpbuf_test.h"
#include "kselftest_harness.h"

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
			int dev = bp_open(), fd, i, tries;

			for (i = 0; i < 8; i++) {
				/*
				 * ENOMEM is retried for up to a second: now and
				 * then an allocation here fails although the
				 * other half is free, and that is not what this
				 * test is about. If it lasts, say what the heap
				 * looked like.
				 */
				for (tries = 0; bp_alloc(dev, half - k * MIB, 0, 0, &fd) &&
				     tries < 100; tries++)
					usleep(10000);
				if (tries == 100) {
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

TEST_HARNESS_MAIN
