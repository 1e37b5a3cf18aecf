// SPDX-License-Identifier: GPL-2.0-only
/*
 * BPBUF_IOCTL_BUS_ADDR and BPBUF_IOCTL_SYNC: success paths, who may ask for
 * a bus address, and each wrong kind of fd and invalid field on its own.
 */
#include <linux/capability.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <sys/syscall.h>

#include "bpbuf_test.h"
#include "kselftest_harness.h"

#define BUF_SIZE (256 << 10)

FIXTURE(fds) {
	int dev;
	int buf;
};

FIXTURE_SETUP(fds)
{
	self->dev = bp_open();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", BPBUF_NODE, strerror(errno));
	ASSERT_EQ(0, bp_alloc(self->dev, BUF_SIZE, 0, BPBUF_ALLOC_CLOEXEC,
			      &self->buf));
}

FIXTURE_TEARDOWN(fds)
{
	close(self->buf);
	close(self->dev);
}

/* Drop CAP_SYS_RAWIO from this (forked test) process */
static int drop_rawio(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[CAP_TO_INDEX(CAP_SYS_RAWIO)].effective &= ~CAP_TO_MASK(CAP_SYS_RAWIO);
	data[CAP_TO_INDEX(CAP_SYS_RAWIO)].permitted &= ~CAP_TO_MASK(CAP_SYS_RAWIO);
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	return 0;
}

static uint64_t heap_bus_addr(void)
{
	char *text = read_text(BPBUF_DEBUGFS "/heap"), *p;
	uint64_t addr = 0;

	if (text) {
		p = strstr(text, "bus_addr:");
		if (p)
			addr = strtoull(p + strlen("bus_addr:"), NULL, 0);
		free(text);
	}
	return addr;
}

/* BUS_ADDR */

TEST_F(fds, bus_addr_of_buffer)
{
	struct bpbuf_heap_info info;
	uint64_t addr, size, base;

	if (geteuid())
		SKIP(return, "needs CAP_SYS_RAWIO");
	ASSERT_EQ(0, bp_bus_addr(self->dev, self->buf, &addr, &size));
	EXPECT_EQ(BUF_SIZE, size);
	EXPECT_EQ(0, addr % page_size());
	ASSERT_EQ(0, bp_heap_info(self->dev, &info));
	if (info.dma_bits < 64)
		EXPECT_LE(addr + size, 1ULL << info.dma_bits);
	base = heap_bus_addr();
	if (base) {
		EXPECT_LE(base, addr);
		EXPECT_LE(addr + size, base + info.heap_size);
	}
}

TEST_F(fds, bus_addr_of_two_buffers_differ)
{
	uint64_t a, b;
	int fd;

	if (geteuid())
		SKIP(return, "needs CAP_SYS_RAWIO");
	ASSERT_EQ(0, bp_alloc(self->dev, BUF_SIZE, 0, 0, &fd));
	ASSERT_EQ(0, bp_bus_addr(self->dev, self->buf, &a, NULL));
	ASSERT_EQ(0, bp_bus_addr(self->dev, fd, &b, NULL));
	EXPECT_TRUE(a + BUF_SIZE <= b || b + BUF_SIZE <= a);
	close(fd);
}

TEST_F(fds, bus_addr_through_a_dup)
{
	uint64_t a, b;
	int fd = dup(self->buf);

	if (geteuid())
		SKIP(return, "needs CAP_SYS_RAWIO");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bp_bus_addr(self->dev, self->buf, &a, NULL));
	ASSERT_EQ(0, bp_bus_addr(self->dev, fd, &b, NULL));
	EXPECT_EQ(a, b);
	close(fd);
}

TEST_F(fds, bus_addr_without_rawio_eperm)
{
	uint64_t cap;

	if (bp_param("bus_addr_unprivileged") != 0)
		SKIP(return, "loaded with bus_addr_unprivileged=1");
	ASSERT_EQ(0, drop_rawio());
	EXPECT_EQ(-EPERM, bp_bus_addr(self->dev, self->buf, NULL, NULL));
	ASSERT_EQ(0, bp_cap(self->dev, BPBUF_CAP_BUS_ADDR, &cap));
	EXPECT_EQ(0, cap);
}

TEST_F(fds, bus_addr_unprivileged_param_opens_it)
{
	uint64_t cap, size;

	if (bp_param("bus_addr_unprivileged") != 1)
		SKIP(return, "loaded without bus_addr_unprivileged=1");
	ASSERT_EQ(0, drop_rawio());
	EXPECT_EQ(0, bp_bus_addr(self->dev, self->buf, NULL, &size));
	EXPECT_EQ(BUF_SIZE, size);
	ASSERT_EQ(0, bp_cap(self->dev, BPBUF_CAP_BUS_ADDR, &cap));
	EXPECT_EQ(1, cap);
}

TEST_F(fds, bus_addr_minus_one_ebadf)
{
	EXPECT_EQ(-EBADF, bp_bus_addr(self->dev, -1, NULL, NULL));
}

TEST_F(fds, bus_addr_closed_fd_ebadf)
{
	int fd = dup(self->buf);

	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(-EBADF, bp_bus_addr(self->dev, fd, NULL, NULL));
}

TEST_F(fds, bus_addr_huge_fd_ebadf)
{
	EXPECT_EQ(-EBADF, bp_bus_addr(self->dev, 1 << 30, NULL, NULL));
}

TEST_F(fds, bus_addr_memfd_einval)
{
	int fd = memfd_create("bpbuf-test", MFD_CLOEXEC);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, BUF_SIZE));
	EXPECT_EQ(-EINVAL, bp_bus_addr(self->dev, fd, NULL, NULL));
	close(fd);
}

TEST_F(fds, bus_addr_pipe_einval)
{
	int p[2];

	ASSERT_EQ(0, pipe(p));
	EXPECT_EQ(-EINVAL, bp_bus_addr(self->dev, p[0], NULL, NULL));
	close(p[0]);
	close(p[1]);
}

TEST_F(fds, bus_addr_dev_null_einval)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, bp_bus_addr(self->dev, fd, NULL, NULL));
	close(fd);
}

TEST_F(fds, bus_addr_device_fd_einval)
{
	EXPECT_EQ(-EINVAL, bp_bus_addr(self->dev, self->dev, NULL, NULL));
}

/* A dma-buf some other exporter made: the system dma-heap's */
static int foreign_dma_buf(void)
{
	struct dma_heap_allocation_data data = {
		.len = BUF_SIZE, .fd_flags = O_RDWR | O_CLOEXEC,
	};
	int heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	int ret;

	if (heap < 0)
		return -ENOENT;
	ret = ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &data);
	close(heap);
	return ret ? -errno : (int)data.fd;
}

TEST_F(fds, bus_addr_foreign_dma_buf_exdev)
{
	int fd = foreign_dma_buf();

	if (fd == -ENOENT)
		SKIP(return, "no /dev/dma_heap/system");
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EXDEV, bp_bus_addr(self->dev, fd, NULL, NULL));
	close(fd);
}

TEST_F(fds, bus_addr_flags_einval)
{
	struct bpbuf_bus_addr b = { .fd = self->buf, .flags = 1 };

	EXPECT_EQ(-EINVAL, bp_ioctl(self->dev, BPBUF_IOCTL_BUS_ADDR, &b));
}

TEST_F(fds, bus_addr_high_flag_einval)
{
	struct bpbuf_bus_addr b = { .fd = self->buf, .flags = 1U << 31 };

	EXPECT_EQ(-EINVAL, bp_ioctl(self->dev, BPBUF_IOCTL_BUS_ADDR, &b));
}

TEST_F(fds, bus_addr_output_addr_on_input_einval)
{
	struct bpbuf_bus_addr b = { .fd = self->buf, .bus_addr = 1 };

	EXPECT_EQ(-EINVAL, bp_ioctl(self->dev, BPBUF_IOCTL_BUS_ADDR, &b));
}

TEST_F(fds, bus_addr_output_size_on_input_einval)
{
	struct bpbuf_bus_addr b = { .fd = self->buf, .size = 1 };

	EXPECT_EQ(-EINVAL, bp_ioctl(self->dev, BPBUF_IOCTL_BUS_ADDR, &b));
}

/* SYNC: every valid combination */
FIXTURE(sync_ok) {
	int dev;
	int buf;
};

FIXTURE_VARIANT(sync_ok) {
	uint32_t flags;
	uint64_t offset;
	uint64_t length;
};

FIXTURE_VARIANT_ADD(sync_ok, start_read_whole) {
	.flags = BPBUF_SYNC_START | BPBUF_SYNC_READ, .length = BUF_SIZE,
};

FIXTURE_VARIANT_ADD(sync_ok, start_write_whole) {
	.flags = BPBUF_SYNC_START | BPBUF_SYNC_WRITE, .length = BUF_SIZE,
};

FIXTURE_VARIANT_ADD(sync_ok, start_rw_whole) {
	.flags = BPBUF_SYNC_START | BPBUF_SYNC_RW, .length = BUF_SIZE,
};

FIXTURE_VARIANT_ADD(sync_ok, end_read_whole) {
	.flags = BPBUF_SYNC_END | BPBUF_SYNC_READ, .length = BUF_SIZE,
};

FIXTURE_VARIANT_ADD(sync_ok, end_write_whole) {
	.flags = BPBUF_SYNC_END | BPBUF_SYNC_WRITE, .length = BUF_SIZE,
};

FIXTURE_VARIANT_ADD(sync_ok, end_rw_whole) {
	.flags = BPBUF_SYNC_END | BPBUF_SYNC_RW, .length = BUF_SIZE,
};

FIXTURE_VARIANT_ADD(sync_ok, first_byte) {
	.flags = BPBUF_SYNC_START | BPBUF_SYNC_RW, .offset = 0, .length = 1,
};

FIXTURE_VARIANT_ADD(sync_ok, last_byte) {
	.flags = BPBUF_SYNC_END | BPBUF_SYNC_RW, .offset = BUF_SIZE - 1,
	.length = 1,
};

FIXTURE_VARIANT_ADD(sync_ok, unaligned_middle) {
	.flags = BPBUF_SYNC_START | BPBUF_SYNC_READ, .offset = 4097,
	.length = 10000,
};

FIXTURE_VARIANT_ADD(sync_ok, to_the_end) {
	.flags = BPBUF_SYNC_END | BPBUF_SYNC_WRITE, .offset = 65536,
	.length = BUF_SIZE - 65536,
};

FIXTURE_SETUP(sync_ok)
{
	self->dev = bp_open();
	ASSERT_LE(0, self->dev);
	ASSERT_EQ(0, bp_alloc(self->dev, BUF_SIZE, 0, 0, &self->buf));
}

FIXTURE_TEARDOWN(sync_ok)
{
	close(self->buf);
	close(self->dev);
}

TEST_F(sync_ok, works)
{
	EXPECT_EQ(0, bp_sync(self->dev, self->buf, variant->flags,
			     variant->offset, variant->length));
}

/* SYNC: each invalid field */
FIXTURE(sync_bad) {
	int dev;
	int buf;
};

FIXTURE_VARIANT(sync_bad) {
	uint32_t flags;
	uint64_t offset;
	uint64_t length;
	int expect;
};

FIXTURE_VARIANT_ADD(sync_bad, flags_unknown_bit) {
	.flags = BPBUF_SYNC_RW | (1U << 3), .length = 1, .expect = -EINVAL,
};

FIXTURE_VARIANT_ADD(sync_bad, flags_high_bit) {
	.flags = BPBUF_SYNC_RW | (1U << 31), .length = 1, .expect = -EINVAL,
};

FIXTURE_VARIANT_ADD(sync_bad, flags_start_without_rw) {
	.flags = BPBUF_SYNC_START, .length = 1, .expect = -EINVAL,
};

FIXTURE_VARIANT_ADD(sync_bad, flags_end_without_rw) {
	.flags = BPBUF_SYNC_END, .length = 1, .expect = -EINVAL,
};

FIXTURE_VARIANT_ADD(sync_bad, length_zero) {
	.flags = BPBUF_SYNC_RW, .length = 0, .expect = -EINVAL,
};

FIXTURE_VARIANT_ADD(sync_bad, offset_at_end) {
	.flags = BPBUF_SYNC_RW, .offset = BUF_SIZE, .length = 1,
	.expect = -EINVAL,
};

FIXTURE_VARIANT_ADD(sync_bad, offset_far_past_end) {
	.flags = BPBUF_SYNC_RW, .offset = 1ULL << 40, .length = 1,
	.expect = -EINVAL,
};

FIXTURE_VARIANT_ADD(sync_bad, end_one_past) {
	.flags = BPBUF_SYNC_RW, .offset = 1, .length = BUF_SIZE,
	.expect = -EINVAL,
};

FIXTURE_VARIANT_ADD(sync_bad, length_past_end) {
	.flags = BPBUF_SYNC_RW, .length = BUF_SIZE + 1, .expect = -EINVAL,
};

FIXTURE_VARIANT_ADD(sync_bad, offset_plus_length_overflows) {
	.flags = BPBUF_SYNC_RW, .offset = 4096, .length = ~0ULL - 100,
	.expect = -EINVAL,
};

FIXTURE_VARIANT_ADD(sync_bad, length_all_ones) {
	.flags = BPBUF_SYNC_RW, .offset = 0, .length = ~0ULL,
	.expect = -EINVAL,
};

FIXTURE_SETUP(sync_bad)
{
	self->dev = bp_open();
	ASSERT_LE(0, self->dev);
	ASSERT_EQ(0, bp_alloc(self->dev, BUF_SIZE, 0, 0, &self->buf));
}

FIXTURE_TEARDOWN(sync_bad)
{
	close(self->buf);
	close(self->dev);
}

TEST_F(sync_bad, refused)
{
	EXPECT_EQ(variant->expect, bp_sync(self->dev, self->buf,
					   variant->flags, variant->offset,
					   variant->length));
}

/* SYNC: wrong kinds of fd */

TEST_F(fds, sync_minus_one_ebadf)
{
	EXPECT_EQ(-EBADF, bp_sync(self->dev, -1, BPBUF_SYNC_RW, 0, 1));
}

TEST_F(fds, sync_closed_fd_ebadf)
{
	int fd = dup(self->buf);

	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(-EBADF, bp_sync(self->dev, fd, BPBUF_SYNC_RW, 0, 1));
}

TEST_F(fds, sync_memfd_einval)
{
	int fd = memfd_create("bpbuf-test", MFD_CLOEXEC);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, BUF_SIZE));
	EXPECT_EQ(-EINVAL, bp_sync(self->dev, fd, BPBUF_SYNC_RW, 0, 1));
	close(fd);
}

TEST_F(fds, sync_pipe_einval)
{
	int p[2];

	ASSERT_EQ(0, pipe(p));
	EXPECT_EQ(-EINVAL, bp_sync(self->dev, p[1], BPBUF_SYNC_RW, 0, 1));
	close(p[0]);
	close(p[1]);
}

TEST_F(fds, sync_foreign_dma_buf_exdev)
{
	int fd = foreign_dma_buf();

	if (fd == -ENOENT)
		SKIP(return, "no /dev/dma_heap/system");
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EXDEV, bp_sync(self->dev, fd, BPBUF_SYNC_RW, 0, 1));
	close(fd);
}

TEST_F(fds, sync_needs_no_rawio)
{
	ASSERT_EQ(0, drop_rawio());
	EXPECT_EQ(0, bp_sync(self->dev, self->buf,
			     BPBUF_SYNC_START | BPBUF_SYNC_RW, 0, BUF_SIZE));
}

/* The dma-buf core's own sync reaches begin/end_cpu_access */
TEST_F(fds, dma_buf_ioctl_sync_works)
{
	struct dma_buf_sync s = { .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW };

	ASSERT_EQ(0, ioctl(self->buf, DMA_BUF_IOCTL_SYNC, &s));
	s.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
	EXPECT_EQ(0, ioctl(self->buf, DMA_BUF_IOCTL_SYNC, &s));
}

TEST_HARNESS_MAIN
