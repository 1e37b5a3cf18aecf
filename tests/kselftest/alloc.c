// SPDX-License-Identifier: GPL-2.0-only
/*
 * BPBUF_IOCTL_ALLOC: sizes, alignments, every invalid field, zeroing of new
 * and reused memory, filling and emptying the heap, fragmentation figures,
 * access modes, close-on-exec and names.
 */
#include <linux/dma-buf.h>

#include "bpbuf_test.h"
#include "kselftest_harness.h"

#define MAX_BUFS 1024

FIXTURE(alloc) {
	int dev;
	struct bpbuf_heap_info info;
	int fds[MAX_BUFS];
	int nfds;
};

FIXTURE_SETUP(alloc)
{
	self->nfds = 0;
	self->dev = bp_open();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", BPBUF_NODE, strerror(errno));
	/* earlier programs' buffers are gone once their processes are */
	ASSERT_EQ(0, bp_wait_idle(self->dev, &self->info));
	ASSERT_EQ(self->info.heap_size, self->info.free_bytes);
}

FIXTURE_TEARDOWN(alloc)
{
	int i;

	for (i = 0; i < self->nfds; i++)
		close(self->fds[i]);
	close(self->dev);
}

static int keep(FIXTURE_DATA(alloc) *self, int fd)
{
	if (self->nfds < MAX_BUFS)
		self->fds[self->nfds++] = fd;
	return fd;
}

static void close_all(FIXTURE_DATA(alloc) *self)
{
	while (self->nfds)
		close(self->fds[--self->nfds]);
}

static uint64_t bus_size(int dev, int fd)
{
	uint64_t size = 0;

	bp_bus_addr(dev, fd, NULL, &size);
	return size;
}

TEST_F(alloc, one_page)
{
	int fd;

	ASSERT_EQ(0, bp_alloc(self->dev, page_size(), 0, 0, &fd));
	keep(self, fd);
	EXPECT_LT(2, fd);
	EXPECT_EQ(page_size(), bus_size(self->dev, fd));
}

TEST_F(alloc, one_byte_rounds_up_to_a_page)
{
	int fd;

	ASSERT_EQ(0, bp_alloc(self->dev, 1, 0, 0, &fd));
	keep(self, fd);
	EXPECT_EQ(page_size(), bus_size(self->dev, fd));
}

TEST_F(alloc, odd_size_rounds_up)
{
	int fd;

	ASSERT_EQ(0, bp_alloc(self->dev, 3 * page_size() + 1, 0, 0, &fd));
	keep(self, fd);
	EXPECT_EQ(4 * page_size(), bus_size(self->dev, fd));
}

TEST_F(alloc, whole_heap_then_nothing)
{
	int fd, fd2;

	ASSERT_EQ(0, bp_alloc(self->dev, self->info.heap_size, 0, 0, &fd));
	keep(self, fd);
	EXPECT_EQ(-ENOMEM, bp_alloc(self->dev, page_size(), 0, 0, &fd2));
}

TEST_F(alloc, figures_follow_allocations)
{
	struct bpbuf_heap_info after;
	int fd;

	ASSERT_EQ(0, bp_alloc(self->dev, 5 * page_size(), page_size(), 0, &fd));
	keep(self, fd);
	ASSERT_EQ(0, bp_heap_info(self->dev, &after));
	EXPECT_EQ(self->info.live_buffers + 1, after.live_buffers);
	EXPECT_EQ(self->info.free_bytes - 5 * page_size(), after.free_bytes);
	close_all(self);
	ASSERT_EQ(0, bp_heap_info(self->dev, &after));
	EXPECT_EQ(self->info.live_buffers, after.live_buffers);
	EXPECT_EQ(self->info.free_bytes, after.free_bytes);
}

TEST_F(alloc, default_alignment_of_large_buffers_is_2m)
{
	uint64_t addr, small;
	int fd;

	if (geteuid())
		SKIP(return, "BPBUF_IOCTL_BUS_ADDR needs root");
	/* a one-page buffer first, so the 2 MiB one cannot start by luck */
	ASSERT_EQ(0, bp_alloc(self->dev, page_size(), 0, 0, &fd));
	keep(self, fd);
	ASSERT_EQ(0, bp_bus_addr(self->dev, fd, &small, NULL));
	ASSERT_EQ(0, bp_alloc(self->dev, 4 * MIB, 0, 0, &fd));
	keep(self, fd);
	ASSERT_EQ(0, bp_bus_addr(self->dev, fd, &addr, NULL));
	EXPECT_EQ(0, addr % BPBUF_HUGE_ALIGN);
}

TEST_F(alloc, default_alignment_of_small_buffers_is_a_page)
{
	struct bp_zero_counts zc;
	uint64_t a, b;
	int fd;

	if (geteuid())
		SKIP(return, "BPBUF_IOCTL_BUS_ADDR needs root");
	/*
	 * Idle: no buffer, and the zeroer done with what earlier tests freed
	 * dirty, for placement prefers clean memory and would follow it.
	 */
	ASSERT_EQ(0, bp_zero_counts_settled(&zc));
	ASSERT_EQ(0, bp_alloc(self->dev, page_size(), 0, 0, &fd));
	keep(self, fd);
	ASSERT_EQ(0, bp_bus_addr(self->dev, fd, &a, NULL));
	ASSERT_EQ(0, bp_alloc(self->dev, page_size(), 0, 0, &fd));
	keep(self, fd);
	ASSERT_EQ(0, bp_bus_addr(self->dev, fd, &b, NULL));
	/* an idle heap hands out the lowest fit: the next page */
	EXPECT_EQ(a + page_size(), b);
}

TEST_F(alloc, many_sizes_and_alignments)
{
	static const uint64_t sizes[] = { 1, 4096, 12288, MIB + 4096, 3 * MIB };
	uint64_t align, addr[16], size[16];
	unsigned int i, j, n;
	int fd;

	if (geteuid())
		SKIP(return, "BPBUF_IOCTL_BUS_ADDR needs root");
	/* up to 4 MiB: five 4 MiB-aligned slots fit in any 64 MiB carve */
	for (align = page_size(); align <= 4 * MIB; align *= 4) {
		n = 0;
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			ASSERT_EQ(0, bp_alloc(self->dev, sizes[i], align, 0, &fd))
				TH_LOG("size %llu align %llu",
				       (unsigned long long)sizes[i],
				       (unsigned long long)align);
			keep(self, fd);
			ASSERT_EQ(0, bp_bus_addr(self->dev, fd, &addr[n],
						 &size[n]));
			EXPECT_EQ(0, addr[n] % align);
			EXPECT_EQ((sizes[i] + page_size() - 1) &
				  ~(page_size() - 1), size[n]);
			n++;
		}
		/* live buffers never overlap */
		for (i = 0; i < n; i++)
			for (j = i + 1; j < n; j++)
				EXPECT_TRUE(addr[i] + size[i] <= addr[j] ||
					    addr[j] + size[j] <= addr[i]);
		close_all(self);
	}
}

TEST_F(alloc, alignment_16m)
{
	uint64_t addr;
	int fd;

	if (geteuid())
		SKIP(return, "BPBUF_IOCTL_BUS_ADDR needs root");
	if (self->info.heap_size < 32 * MIB)
		SKIP(return, "heap smaller than 32 MiB");
	ASSERT_EQ(0, bp_alloc(self->dev, page_size(), 16 * MIB, 0, &fd));
	keep(self, fd);
	ASSERT_EQ(0, bp_bus_addr(self->dev, fd, &addr, NULL));
	EXPECT_EQ(0, addr % (16 * MIB));
}

TEST_F(alloc, largest_alignment_accepted)
{
	uint64_t max;
	int fd, ret;

	ASSERT_EQ(0, bp_cap(self->dev, BPBUF_CAP_MAX_ALIGN, &max));
	ret = bp_alloc(self->dev, page_size(), max, 0, &fd);
	/* valid; whether the heap holds such an address is luck */
	EXPECT_TRUE(ret == 0 || ret == -ENOMEM);
	if (!ret)
		keep(self, fd);
}

/*
 * Wait until the background zeroer has cleaned every free byte, as debugfs
 * tells: allocation prefers clean memory, so where buffers go on a heap that
 * is still being zeroed depends on how far the zeroer got.
 */
static int wait_heap_clean(void)
{
	unsigned long long free_bytes, clean;
	int i;

	for (i = 0; i < 500; i++) {
		char *text = read_text(BPBUF_DEBUGFS "/heap"), *f, *c;

		if (!text)
			return -ENOENT;
		f = strstr(text, "\nfree:");
		c = strstr(text, "\nclean:");
		if (!f || !c) {
			free(text);
			return -ENOENT;
		}
		free_bytes = strtoull(f + strlen("\nfree:"), NULL, 10);
		clean = strtoull(c + strlen("\nclean:"), NULL, 10);
		free(text);
		if (free_bytes == clean)
			return 0;
		usleep(10000);
	}
	return -ETIMEDOUT;
}

TEST_F(alloc, fill_exhaust_and_empty)
{
	struct bpbuf_heap_info full, empty;
	int fd, ret;

	/* a heap still being zeroed may be a patchwork: see above */
	if (wait_heap_clean() == -ENOENT)
		SKIP(return, "no %s/heap with a clean: line (debugfs not mounted?)", BPBUF_DEBUGFS);

	while (self->nfds < MAX_BUFS) {
		ret = bp_alloc(self->dev, MIB, 0, 0, &fd);
		if (ret)
			break;
		keep(self, fd);
	}
	EXPECT_EQ(-ENOMEM, ret);
	EXPECT_EQ(self->info.heap_size / MIB, self->nfds);
	ASSERT_EQ(0, bp_heap_info(self->dev, &full));
	EXPECT_EQ(self->info.heap_size % MIB, full.free_bytes);
	EXPECT_EQ(self->info.live_buffers + self->nfds, full.live_buffers);
	if (!full.free_bytes) {
		EXPECT_EQ(0, full.largest_free);
		EXPECT_EQ(0, full.free_extents);
		EXPECT_EQ(-ENOMEM, bp_alloc(self->dev, 1, 0, 0, &fd));
	}
	close_all(self);
	ASSERT_EQ(0, bp_heap_info(self->dev, &empty));
	EXPECT_EQ(empty.heap_size, empty.free_bytes);
	EXPECT_EQ(empty.heap_size, empty.largest_free);
	EXPECT_EQ(1, empty.free_extents);
	EXPECT_EQ(self->info.live_buffers, empty.live_buffers);
}

TEST_F(alloc, fragmentation_figures)
{
	struct bpbuf_heap_info info;
	int a, b, c;

	if (wait_heap_clean() == -ENOENT)
		SKIP(return, "no %s/heap with a clean: line (debugfs not mounted?)", BPBUF_DEBUGFS);
	ASSERT_EQ(0, bp_alloc(self->dev, MIB, page_size(), 0, &a));
	ASSERT_EQ(0, bp_alloc(self->dev, MIB, page_size(), 0, &b));
	ASSERT_EQ(0, bp_alloc(self->dev, MIB, page_size(), 0, &c));
	ASSERT_EQ(0, bp_heap_info(self->dev, &info));
	EXPECT_EQ(1, info.free_extents);
	EXPECT_EQ(info.heap_size - 3 * MIB, info.largest_free);

	close(b);	/* a hole between a and c */
	ASSERT_EQ(0, bp_heap_info(self->dev, &info));
	EXPECT_EQ(2, info.free_extents);
	EXPECT_EQ(info.heap_size - 2 * MIB, info.free_bytes);
	EXPECT_EQ(info.heap_size - 3 * MIB, info.largest_free);

	close(a);	/* merges with b's hole */
	ASSERT_EQ(0, bp_heap_info(self->dev, &info));
	EXPECT_EQ(2, info.free_extents);

	close(c);	/* merges with both sides */
	ASSERT_EQ(0, bp_heap_info(self->dev, &info));
	EXPECT_EQ(1, info.free_extents);
	EXPECT_EQ(info.heap_size, info.largest_free);
}

/*
 * Random allocations and frees: the books (free bytes, live buffers) always
 * balance, live buffers never overlap, alignments hold, and the heap is one
 * extent again at the end. Exercises every split and merge of the allocator.
 */
/* 600 s: a bound on a hang, not on the machine's speed (debug kernels) */
TEST_F_TIMEOUT(alloc, random_alloc_free_keeps_the_books, 600)
{
	struct live_buf {
		int fd;
		uint64_t addr;
		uint64_t size;
	} bufs[256];
	struct bpbuf_heap_info info;
	uint64_t used = 0, align, size;
	unsigned int seed = 12345, n = 0, op, i, j;
	int fd, ret;

	if (geteuid())
		SKIP(return, "BPBUF_IOCTL_BUS_ADDR needs root");
	for (op = 0; op < 3000; op++) {
		seed = seed * 1103515245 + 12345;
		if (n && ((seed >> 16) % 3 == 0 || n == 256)) {
			i = (seed >> 8) % n;
			close(bufs[i].fd);
			used -= bufs[i].size;
			bufs[i] = bufs[--n];
			continue;
		}
		size = page_size() * (1 + (seed >> 12) % 64);
		if ((seed >> 20) % 16 == 0)
			size = MIB * (1 + (seed >> 24) % 3);
		align = (seed >> 4) % 4 ? 0 : page_size() << ((seed >> 6) % 10);
		ret = bp_alloc(self->dev, size, align, 0, &fd);
		if (ret == -ENOMEM)
			continue;
		ASSERT_EQ(0, ret);
		ASSERT_EQ(0, bp_bus_addr(self->dev, fd, &bufs[n].addr,
					 &bufs[n].size));
		if (align)
			ASSERT_EQ(0, bufs[n].addr % align);
		/* braced: ASSERT_/EXPECT_ end in a second statement (bail, TH_LOG) */
		for (j = 0; j < n; j++) {
			ASSERT_TRUE(bufs[j].addr + bufs[j].size <= bufs[n].addr ||
				    bufs[n].addr + bufs[n].size <= bufs[j].addr);
		}
		bufs[n].fd = fd;
		used += bufs[n].size;
		n++;
		ASSERT_EQ(0, bp_heap_info(self->dev, &info));
		ASSERT_EQ(info.heap_size - used, info.free_bytes);
		ASSERT_EQ(self->info.live_buffers + n, info.live_buffers);
		ASSERT_LE(info.largest_free, info.free_bytes);
	}
	while (n)
		close(bufs[--n].fd);
	ASSERT_EQ(0, bp_heap_info(self->dev, &info));
	EXPECT_EQ(info.heap_size, info.free_bytes);
	EXPECT_EQ(1, info.free_extents);
	EXPECT_EQ(info.heap_size, info.largest_free);
}

/* Zeroing */

TEST_F(alloc, new_buffer_is_zeroed)
{
	int fd;

	ASSERT_EQ(0, bp_alloc(self->dev, 3 * MIB, 0, 0, &fd));
	keep(self, fd);
	EXPECT_EQ(0, bp_check_zero(fd, 3 * MIB));
}

TEST_F(alloc, reused_memory_is_zeroed)
{
	uint64_t size = self->info.heap_size;
	int fd;

	ASSERT_EQ(0, bp_alloc(self->dev, MIB, page_size(), 0, &fd));
	ASSERT_EQ(0, bp_fill(fd, MIB, 0xa5));
	close(fd);

	/*
	 * Allocation prefers memory the background zeroer has cleaned, so a
	 * smaller buffer could go elsewhere: the whole heap has to take the
	 * pattern's place, zeroed yet or not.
	 */
	ASSERT_EQ(0, bp_alloc(self->dev, size, 0, 0, &fd));
	keep(self, fd);
	EXPECT_EQ(0, bp_check_zero(fd, size));
}

TEST_F(alloc, whole_heap_dirtied_then_zeroed)
{
	uint64_t size = self->info.heap_size;
	int fd;

	ASSERT_EQ(0, bp_alloc(self->dev, size, 0, 0, &fd));
	ASSERT_EQ(0, bp_fill(fd, size, 0xff));
	close(fd);
	/* reuse it in pieces of another size: each must come back zeroed */
	while (self->nfds < MAX_BUFS &&
	       !bp_alloc(self->dev, 3 * MIB + page_size(), 0, 0, &fd)) {
		keep(self, fd);
		EXPECT_EQ(0, bp_check_zero(fd, 3 * MIB + page_size()));
	}
	EXPECT_LT(0, self->nfds);
}

/* Every invalid field, one case each */
FIXTURE(alloc_invalid) {
	int dev;
	struct bpbuf_heap_info info;
};

FIXTURE_VARIANT(alloc_invalid) {
	uint64_t size;		/* ~0 - 1: heap size plus a page */
	uint64_t align;
	uint32_t flags;
	uint32_t fd;
	int unterminated_name;
	int expect;
};

#define HEAP_PLUS_A_PAGE (~0ULL - 1)

FIXTURE_VARIANT_ADD(alloc_invalid, size_zero) {
	.size = 0, .expect = -EINVAL,
};

FIXTURE_VARIANT_ADD(alloc_invalid, size_all_ones) {
	.size = ~0ULL, .expect = -EINVAL,
};

FIXTURE_VARIANT_ADD(alloc_invalid, size_rounds_past_2_64) {
	.size = ~0ULL - 4095 + 1, .expect = -EINVAL,
};

FIXTURE_VARIANT_ADD(alloc_invalid, size_larger_than_heap) {
	.size = HEAP_PLUS_A_PAGE, .expect = -ENOMEM,
};

FIXTURE_VARIANT_ADD(alloc_invalid, size_2_62) {
	.size = 1ULL << 62, .expect = -ENOMEM,
};

FIXTURE_VARIANT_ADD(alloc_invalid, align_3) {
	.size = 4096, .align = 3, .expect = -EINVAL,
};

FIXTURE_VARIANT_ADD(alloc_invalid, align_below_page) {
	.size = 4096, .align = 2048, .expect = -EINVAL,
};

FIXTURE_VARIANT_ADD(alloc_invalid, align_not_power_of_two) {
	.size = 4096, .align = 3 * 4096, .expect = -EINVAL,
};

FIXTURE_VARIANT_ADD(alloc_invalid, align_above_max) {
	.size = 4096, .align = 1ULL << 40, .expect = -EINVAL,
};

FIXTURE_VARIANT_ADD(alloc_invalid, align_2_63) {
	.size = 4096, .align = 1ULL << 63, .expect = -EINVAL,
};

FIXTURE_VARIANT_ADD(alloc_invalid, flag_unknown_bit_3) {
	.size = 4096, .flags = 1U << 3, .expect = -EINVAL,
};

FIXTURE_VARIANT_ADD(alloc_invalid, flag_unknown_bit_31) {
	.size = 4096, .flags = 1U << 31, .expect = -EINVAL,
};

FIXTURE_VARIANT_ADD(alloc_invalid, rdonly_and_wronly) {
	.size = 4096, .flags = BPBUF_ALLOC_RDONLY | BPBUF_ALLOC_WRONLY,
	.expect = -EINVAL,
};

FIXTURE_VARIANT_ADD(alloc_invalid, fd_nonzero_on_input) {
	.size = 4096, .fd = 3, .expect = -EINVAL,
};

FIXTURE_VARIANT_ADD(alloc_invalid, name_without_nul) {
	.size = 4096, .unterminated_name = 1, .expect = -EINVAL,
};

FIXTURE_SETUP(alloc_invalid)
{
	self->dev = bp_open();
	ASSERT_LE(0, self->dev);
	ASSERT_EQ(0, bp_heap_info(self->dev, &self->info));
}

FIXTURE_TEARDOWN(alloc_invalid)
{
	close(self->dev);
}

TEST_F(alloc_invalid, refused)
{
	struct bpbuf_alloc a = {
		.size = variant->size, .align = variant->align,
		.flags = variant->flags, .fd = variant->fd,
	};
	struct bpbuf_heap_info after;

	if (a.size == HEAP_PLUS_A_PAGE)
		a.size = self->info.heap_size + page_size();
	if (variant->unterminated_name)
		memset(a.name, 'n', sizeof(a.name));
	EXPECT_EQ(variant->expect, bp_ioctl(self->dev, BPBUF_IOCTL_ALLOC, &a));
	EXPECT_EQ(variant->fd, a.fd);
	ASSERT_EQ(0, bp_heap_info(self->dev, &after));
	EXPECT_EQ(self->info.live_buffers, after.live_buffers);
}

/* Access modes, close-on-exec, names */

TEST_F(alloc, default_access_is_rdwr)
{
	int fd;

	ASSERT_EQ(0, bp_alloc(self->dev, page_size(), 0, 0, &fd));
	keep(self, fd);
	EXPECT_EQ(O_RDWR, fcntl(fd, F_GETFL) & O_ACCMODE);
}

TEST_F(alloc, rdwr_flag_is_rdwr)
{
	int fd;

	ASSERT_EQ(0, bp_alloc(self->dev, page_size(), 0, BPBUF_ALLOC_RDWR, &fd));
	keep(self, fd);
	EXPECT_EQ(O_RDWR, fcntl(fd, F_GETFL) & O_ACCMODE);
}

TEST_F(alloc, rdonly_fd_is_rdonly)
{
	int fd;

	ASSERT_EQ(0, bp_alloc(self->dev, page_size(), 0, BPBUF_ALLOC_RDONLY, &fd));
	keep(self, fd);
	EXPECT_EQ(O_RDONLY, fcntl(fd, F_GETFL) & O_ACCMODE);
}

TEST_F(alloc, rdonly_fd_maps_for_reading)
{
	void *p;
	int fd;

	ASSERT_EQ(0, bp_alloc(self->dev, page_size(), 0, BPBUF_ALLOC_RDONLY, &fd));
	keep(self, fd);
	p = mmap(NULL, page_size(), PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	EXPECT_EQ(0, *(volatile char *)p);
	munmap(p, page_size());
}

TEST_F(alloc, rdonly_fd_refuses_writable_map)
{
	void *p;
	int fd;

	ASSERT_EQ(0, bp_alloc(self->dev, page_size(), 0, BPBUF_ALLOC_RDONLY, &fd));
	keep(self, fd);
	p = mmap(NULL, page_size(), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	EXPECT_TRUE(p == MAP_FAILED);
	EXPECT_EQ(EACCES, errno);
}

TEST_F(alloc, wronly_fd_is_wronly)
{
	int fd;

	ASSERT_EQ(0, bp_alloc(self->dev, page_size(), 0, BPBUF_ALLOC_WRONLY, &fd));
	keep(self, fd);
	EXPECT_EQ(O_WRONLY, fcntl(fd, F_GETFL) & O_ACCMODE);
}

TEST_F(alloc, wronly_fd_refuses_map)
{
	void *p;
	int fd;

	ASSERT_EQ(0, bp_alloc(self->dev, page_size(), 0, BPBUF_ALLOC_WRONLY, &fd));
	keep(self, fd);
	p = mmap(NULL, page_size(), PROT_WRITE, MAP_SHARED, fd, 0);
	EXPECT_TRUE(p == MAP_FAILED);
	EXPECT_EQ(EACCES, errno);
}

TEST_F(alloc, cloexec_flag_sets_fd_cloexec)
{
	int fd;

	ASSERT_EQ(0, bp_alloc(self->dev, page_size(), 0, BPBUF_ALLOC_CLOEXEC, &fd));
	keep(self, fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
}

TEST_F(alloc, no_cloexec_flag_leaves_fd_inheritable)
{
	int fd;

	ASSERT_EQ(0, bp_alloc(self->dev, page_size(), 0, 0, &fd));
	keep(self, fd);
	EXPECT_EQ(0, fcntl(fd, F_GETFD) & FD_CLOEXEC);
}

static char *fdinfo(int fd)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	return read_text(path);
}

TEST_F(alloc, exporter_is_bpbuf)
{
	char *info;
	int fd;

	ASSERT_EQ(0, bp_alloc(self->dev, page_size(), 0, 0, &fd));
	keep(self, fd);
	info = fdinfo(fd);
	ASSERT_TRUE(info != NULL);
	EXPECT_TRUE(strstr(info, "exp_name:\tbpbuf\n") != NULL) TH_LOG("%s", info);
	free(info);
}

/* The buffers line of debugfs naming this buffer, by its bus address */
static int debugfs_has_name(int dev, int fd, const char *name)
{
	struct bp_debugfs_buffer line;
	int ret = bp_debugfs_buffer(dev, fd, &line);

	if (ret == -1)
		return -1;
	return !ret && !strcmp(line.name, name);
}

TEST_F(alloc, name_at_alloc_in_debugfs_and_fdinfo)
{
	char *info;
	int fd;

	if (access(BPBUF_DEBUGFS "/buffers", R_OK))
		SKIP(return, "no %s/buffers (debugfs not mounted?)", BPBUF_DEBUGFS);
	ASSERT_EQ(0, bp_alloc_named(self->dev, page_size(), 0, 0,
				    "frame-0", &fd));
	keep(self, fd);
	EXPECT_EQ(1, debugfs_has_name(self->dev, fd, "frame-0"));
	info = fdinfo(fd);
	ASSERT_TRUE(info != NULL);
	EXPECT_TRUE(strstr(info, "name:\tframe-0\n") != NULL) TH_LOG("%s", info);
	free(info);
}

TEST_F(alloc, longest_name_at_alloc)
{
	char name[BPBUF_NAME_LEN];
	int fd;

	if (access(BPBUF_DEBUGFS "/buffers", R_OK))
		SKIP(return, "no %s/buffers (debugfs not mounted?)", BPBUF_DEBUGFS);
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	ASSERT_EQ(0, bp_alloc_named(self->dev, page_size(), 0, 0, name, &fd));
	keep(self, fd);
	EXPECT_EQ(1, debugfs_has_name(self->dev, fd, name));
}

TEST_F(alloc, dma_buf_set_name_in_debugfs)
{
	int fd;

	if (access(BPBUF_DEBUGFS "/buffers", R_OK))
		SKIP(return, "no %s/buffers (debugfs not mounted?)", BPBUF_DEBUGFS);
	ASSERT_EQ(0, bp_alloc(self->dev, page_size(), 0, 0, &fd));
	keep(self, fd);
	EXPECT_EQ(0, debugfs_has_name(self->dev, fd, "renamed"));
	ASSERT_EQ(0, ioctl(fd, DMA_BUF_SET_NAME, "renamed"));
	EXPECT_EQ(1, debugfs_has_name(self->dev, fd, "renamed"));
	ASSERT_EQ(0, ioctl(fd, DMA_BUF_SET_NAME, "again"));
	EXPECT_EQ(1, debugfs_has_name(self->dev, fd, "again"));
}

TEST_HARNESS_MAIN
