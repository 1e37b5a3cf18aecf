// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ioctl ABI of /dev/bpbuf: layouts, dispatch (unknown numbers, struct
 * sizes of older and newer callers), VERSION, GET_CAP and HEAP_INFO, one
 * error path per test. Built -m64 and -m32: the same structs either way.
 */
#include <stddef.h>
#include <linux/dma-buf.h>

#include "bpbuf_test.h"
#include "bpbuf_test_importer.h"
#include "kselftest_harness.h"

/* One layout for 32- and 64-bit callers: fixed sizes and offsets */
_Static_assert(sizeof(struct bpbuf_version) == 64, "version size");
_Static_assert(offsetof(struct bpbuf_version, name_len) == 16, "version");
_Static_assert(offsetof(struct bpbuf_version, desc) == 56, "version");
_Static_assert(sizeof(struct bpbuf_get_cap) == 16, "get_cap size");
_Static_assert(sizeof(struct bpbuf_heap_info) == 104, "heap_info size");
_Static_assert(offsetof(struct bpbuf_heap_info, live_buffers) == 32, "hi");
_Static_assert(offsetof(struct bpbuf_heap_info, heap_id) == 48, "hi id");
_Static_assert(offsetof(struct bpbuf_heap_info, name) == 64, "hi name");
_Static_assert(offsetof(struct bpbuf_heap_info, cpu_mode) == 96, "hi cpu_mode");
_Static_assert(sizeof(struct bpbuf_alloc) == 64, "alloc size");
_Static_assert(offsetof(struct bpbuf_alloc, fd) == 20, "alloc fd");
_Static_assert(offsetof(struct bpbuf_alloc, name) == 24, "alloc name");
_Static_assert(offsetof(struct bpbuf_alloc, heap_id) == 56, "alloc heap");
_Static_assert(sizeof(struct bpbuf_bus_addr) == 24, "bus_addr size");
_Static_assert(offsetof(struct bpbuf_bus_addr, bus_addr) == 8, "bus_addr");
_Static_assert(sizeof(struct bpbuf_sync) == 24, "sync size");
_Static_assert(offsetof(struct bpbuf_sync, offset) == 8, "sync offset");

FIXTURE(abi) {
	int dev;
	int buf;
};

FIXTURE_SETUP(abi)
{
	self->dev = bp_open();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", BPBUF_NODE, strerror(errno));
	ASSERT_EQ(0, bp_alloc(self->dev, 64 << 10, 0, BPBUF_ALLOC_CLOEXEC,
			      &self->buf));
}

FIXTURE_TEARDOWN(abi)
{
	close(self->buf);
	close(self->dev);
}

/* Unknown numbers and directions */

TEST_F(abi, unknown_nr_after_last_enotty)
{
	char arg[64] = { 0 };

	EXPECT_EQ(-ENOTTY, bp_ioctl(self->dev,
		_IOC(_IOC_READ | _IOC_WRITE, BPBUF_IOCTL_BASE,
		     _IOC_NR(BPBUF_IOCTL_PAGE_MAP) + 1, 24), arg));
}

TEST_F(abi, unknown_nr_before_first_enotty)
{
	char arg[64] = { 0 };

	EXPECT_EQ(-ENOTTY, bp_ioctl(self->dev,
		_IOC(_IOC_READ | _IOC_WRITE, BPBUF_IOCTL_BASE, 0x3f, 24), arg));
}

TEST_F(abi, nr_zero_enotty)
{
	char arg[64] = { 0 };

	EXPECT_EQ(-ENOTTY, bp_ioctl(self->dev,
		_IOC(_IOC_READ | _IOC_WRITE, BPBUF_IOCTL_BASE, 0, 64), arg));
}

TEST_F(abi, other_magic_enotty)
{
	char arg[64] = { 0 };

	EXPECT_EQ(-ENOTTY, bp_ioctl(self->dev,
		_IOC(_IOC_READ | _IOC_WRITE, 'b', 0x40, 64), arg));
}

TEST_F(abi, read_only_direction_enotty)
{
	struct bpbuf_heap_info info = { 0 };

	EXPECT_EQ(-ENOTTY, bp_ioctl(self->dev,
		_IOR(BPBUF_IOCTL_BASE, 0x42, struct bpbuf_heap_info), &info));
}

TEST_F(abi, write_only_direction_enotty)
{
	struct bpbuf_heap_info info = { 0 };

	EXPECT_EQ(-ENOTTY, bp_ioctl(self->dev,
		_IOW(BPBUF_IOCTL_BASE, 0x42, struct bpbuf_heap_info), &info));
}

TEST_F(abi, no_direction_enotty)
{
	EXPECT_EQ(-ENOTTY, bp_ioctl(self->dev, _IO(BPBUF_IOCTL_BASE, 0x42),
				    NULL));
}

TEST_F(abi, dma_buf_ioctl_on_device_enotty)
{
	struct dma_buf_sync sync = { .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW };

	EXPECT_EQ(-ENOTTY, bp_ioctl(self->dev, DMA_BUF_IOCTL_SYNC, &sync));
}

TEST_F(abi, null_argument_efault)
{
	EXPECT_EQ(-EFAULT, bp_ioctl(self->dev, BPBUF_IOCTL_HEAP_INFO, NULL));
}

/*
 * Struct sizes (iommufd's TEST_LENGTH): shorter than the first version is
 * EINVAL; longer with a zero tail works; longer with a nonzero tail is E2BIG.
 */
FIXTURE(length) {
	int dev;
	int buf;
	uint64_t raw[32];
};

FIXTURE_VARIANT(length) {
	unsigned long cmd;
	size_t size;
	/* the struct's first published size: binaries built then send it */
	size_t first_size;
	/* what a valid struct gets: 0, or the errno of a request judged */
	int valid;
};

FIXTURE_VARIANT_ADD(length, version) {
	.cmd = BPBUF_IOCTL_VERSION, .size = sizeof(struct bpbuf_version),
	.first_size = BPBUF_VERSION_SIZE_VER0,
};

FIXTURE_VARIANT_ADD(length, get_cap) {
	.cmd = BPBUF_IOCTL_GET_CAP, .size = sizeof(struct bpbuf_get_cap),
	.first_size = BPBUF_GET_CAP_SIZE_VER0,
};

FIXTURE_VARIANT_ADD(length, heap_info) {
	.cmd = BPBUF_IOCTL_HEAP_INFO, .size = sizeof(struct bpbuf_heap_info),
	.first_size = BPBUF_HEAP_INFO_SIZE_VER0,
};

FIXTURE_VARIANT_ADD(length, alloc) {
	.cmd = BPBUF_IOCTL_ALLOC, .size = sizeof(struct bpbuf_alloc),
	.first_size = BPBUF_ALLOC_SIZE_VER0,
};

FIXTURE_VARIANT_ADD(length, bus_addr) {
	.cmd = BPBUF_IOCTL_BUS_ADDR, .size = sizeof(struct bpbuf_bus_addr),
	.first_size = BPBUF_BUS_ADDR_SIZE_VER0,
};

FIXTURE_VARIANT_ADD(length, sync) {
	.cmd = BPBUF_IOCTL_SYNC, .size = sizeof(struct bpbuf_sync),
	.first_size = BPBUF_SYNC_SIZE_VER0,
};

/* For the test importer's platform device, which has no driver */
FIXTURE_VARIANT_ADD(length, dev_map) {
	.cmd = BPBUF_IOCTL_DEV_MAP, .size = sizeof(struct bpbuf_dev_map),
	.first_size = BPBUF_DEV_MAP_SIZE_VER0, .valid = -ENXIO,
};

FIXTURE_VARIANT_ADD(length, dev_unmap) {
	.cmd = BPBUF_IOCTL_DEV_UNMAP, .size = sizeof(struct bpbuf_dev_map),
	.first_size = BPBUF_DEV_MAP_SIZE_VER0, .valid = -ENOENT,
};

FIXTURE_SETUP(length)
{
	self->dev = bp_open();
	ASSERT_LE(0, self->dev);
	ASSERT_EQ(0, bp_alloc(self->dev, 64 << 10, 0, 0, &self->buf));
	ASSERT_EQ(variant->size, _IOC_SIZE(variant->cmd));
}

FIXTURE_TEARDOWN(length)
{
	close(self->buf);
	close(self->dev);
}

/* A valid struct for the variant's ioctl at the start of self->raw */
static void valid_args(FIXTURE_DATA(length) *self, unsigned long cmd)
{
	memset(self->raw, 0, sizeof(self->raw));
	if (cmd == BPBUF_IOCTL_GET_CAP) {
		struct bpbuf_get_cap *c = (void *)self->raw;

		c->capability = BPBUF_CAP_PAGE_SIZE;
	} else if (cmd == BPBUF_IOCTL_ALLOC) {
		struct bpbuf_alloc *a = (void *)self->raw;

		a->size = page_size();
	} else if (cmd == BPBUF_IOCTL_BUS_ADDR) {
		struct bpbuf_bus_addr *b = (void *)self->raw;

		b->fd = self->buf;
	} else if (cmd == BPBUF_IOCTL_SYNC) {
		struct bpbuf_sync *s = (void *)self->raw;

		s->fd = self->buf;
		s->flags = BPBUF_SYNC_START | BPBUF_SYNC_RW;
		s->length = page_size();
	} else if (cmd == BPBUF_IOCTL_DEV_MAP || cmd == BPBUF_IOCTL_DEV_UNMAP) {
		struct bpbuf_dev_map *m = (void *)self->raw;

		m->fd = self->buf;
		m->bus = BPBUF_BUS_PLATFORM;
		strcpy(m->device, BPBUF_TEST_IMPORTER_DEVICE);
	}
}

TEST_F(length, exact_size_works)
{
	valid_args(self, variant->cmd);
	EXPECT_EQ(variant->valid, bp_ioctl(self->dev, variant->cmd, self->raw));
}

/* A binary built against the first header: its struct, its results */
TEST_F(length, first_version_size_works)
{
	valid_args(self, variant->cmd);
	EXPECT_EQ(variant->valid, bp_ioctl(self->dev,
		BPBUF_IOC_SIZED(variant->cmd, variant->first_size), self->raw));
}

TEST_F(length, shorter_than_first_version_einval)
{
	valid_args(self, variant->cmd);
	EXPECT_EQ(-EINVAL, bp_ioctl(self->dev,
		BPBUF_IOC_SIZED(variant->cmd, variant->first_size - 8), self->raw));
}

TEST_F(length, size_zero_einval)
{
	valid_args(self, variant->cmd);
	EXPECT_EQ(-EINVAL, bp_ioctl(self->dev,
		BPBUF_IOC_SIZED(variant->cmd, 0), self->raw));
}

TEST_F(length, longer_zero_tail_works)
{
	valid_args(self, variant->cmd);
	EXPECT_EQ(variant->valid, bp_ioctl(self->dev,
		BPBUF_IOC_SIZED(variant->cmd, variant->size + 8), self->raw));
	/* the kernel writes back only what it knows */
	EXPECT_EQ(0, self->raw[variant->size / 8]);
}

TEST_F(length, longer_nonzero_tail_e2big)
{
	valid_args(self, variant->cmd);
	((unsigned char *)self->raw)[variant->size + 7] = 0x5a;
	EXPECT_EQ(-E2BIG, bp_ioctl(self->dev,
		BPBUF_IOC_SIZED(variant->cmd, variant->size + 8), self->raw));
}

TEST_F(length, much_longer_zero_tail_works)
{
	valid_args(self, variant->cmd);
	EXPECT_EQ(variant->valid, bp_ioctl(self->dev,
		BPBUF_IOC_SIZED(variant->cmd, sizeof(self->raw)), self->raw));
}

/* VERSION */

TEST_F(abi, version_strings)
{
	char name[16] = { 0 }, date[16] = { 0 }, desc[128] = { 0 };
	struct bpbuf_version v = {
		.name_len = sizeof(name), .name = (uintptr_t)name,
		.date_len = sizeof(date), .date = (uintptr_t)date,
		.desc_len = sizeof(desc), .desc = (uintptr_t)desc,
	};
	size_t i;

	ASSERT_EQ(0, bp_ioctl(self->dev, BPBUF_IOCTL_VERSION, &v));
	EXPECT_EQ(5, v.name_len);
	EXPECT_STREQ("bpbuf", name);
	ASSERT_EQ(8, v.date_len);
	for (i = 0; i < 8; i++)
		EXPECT_TRUE(date[i] >= '0' && date[i] <= '9');
	EXPECT_LT(0, v.desc_len);
	EXPECT_EQ(strlen(desc), v.desc_len);
	EXPECT_EQ(0, v.version_major);
	EXPECT_LE(1, v.version_minor);
}

TEST_F(abi, version_lengths_first)
{
	struct bpbuf_version v = { 0 };

	ASSERT_EQ(0, bp_ioctl(self->dev, BPBUF_IOCTL_VERSION, &v));
	EXPECT_EQ(5, v.name_len);
	EXPECT_EQ(8, v.date_len);
	EXPECT_LT(0, v.desc_len);
	EXPECT_EQ(0, v.name);
}

TEST_F(abi, version_truncates_without_nul)
{
	char name[8];
	struct bpbuf_version v = { .name_len = 2, .name = (uintptr_t)name };

	memset(name, 'x', sizeof(name));
	ASSERT_EQ(0, bp_ioctl(self->dev, BPBUF_IOCTL_VERSION, &v));
	EXPECT_EQ(5, v.name_len);
	EXPECT_EQ(0, memcmp(name, "bpxxxxxx", 8));
}

TEST_F(abi, version_bad_name_pointer_efault)
{
	struct bpbuf_version v = { .name_len = 8, .name = 8 };

	EXPECT_EQ(-EFAULT, bp_ioctl(self->dev, BPBUF_IOCTL_VERSION, &v));
}

TEST_F(abi, version_bad_desc_pointer_efault)
{
	struct bpbuf_version v = { .desc_len = 8, .desc = 8 };

	EXPECT_EQ(-EFAULT, bp_ioctl(self->dev, BPBUF_IOCTL_VERSION, &v));
}

TEST_F(abi, version_pad_einval)
{
	struct bpbuf_version v = { .pad = 1 };

	EXPECT_EQ(-EINVAL, bp_ioctl(self->dev, BPBUF_IOCTL_VERSION, &v));
}

TEST_F(abi, version_major_input_einval)
{
	struct bpbuf_version v = { .version_major = 1 };

	EXPECT_EQ(-EINVAL, bp_ioctl(self->dev, BPBUF_IOCTL_VERSION, &v));
}

TEST_F(abi, version_minor_input_einval)
{
	struct bpbuf_version v = { .version_minor = 1 };

	EXPECT_EQ(-EINVAL, bp_ioctl(self->dev, BPBUF_IOCTL_VERSION, &v));
}

TEST_F(abi, version_patchlevel_input_einval)
{
	struct bpbuf_version v = { .version_patchlevel = 1 };

	EXPECT_EQ(-EINVAL, bp_ioctl(self->dev, BPBUF_IOCTL_VERSION, &v));
}

/* GET_CAP */

TEST_F(abi, cap_bus_addr_root)
{
	uint64_t v = 7;

	ASSERT_EQ(0, bp_cap(self->dev, BPBUF_CAP_BUS_ADDR, &v));
	if (geteuid())
		SKIP(return, "not root");
	EXPECT_EQ(1, v);
}

TEST_F(abi, cap_max_align)
{
	uint64_t v;

	ASSERT_EQ(0, bp_cap(self->dev, BPBUF_CAP_MAX_ALIGN, &v));
	EXPECT_LE(2 * MIB, v);
	EXPECT_EQ(0, v & (v - 1));
}

TEST_F(abi, cap_dma_bits)
{
	uint64_t v;

	ASSERT_EQ(0, bp_cap(self->dev, BPBUF_CAP_DMA_BITS, &v));
	EXPECT_EQ(bp_param("dma_bits"), (long long)v);
}

TEST_F(abi, cap_range_sync)
{
	uint64_t v;

	ASSERT_EQ(0, bp_cap(self->dev, BPBUF_CAP_RANGE_SYNC, &v));
	EXPECT_EQ(1, v);
}

TEST_F(abi, cap_heap_size)
{
	struct bpbuf_heap_info info;
	uint64_t v;

	ASSERT_EQ(0, bp_cap(self->dev, BPBUF_CAP_HEAP_SIZE, &v));
	ASSERT_EQ(0, bp_heap_info(self->dev, &info));
	EXPECT_EQ(info.heap_size, v);
	EXPECT_EQ(bp_param("heap_size"), (long long)v);
}

TEST_F(abi, cap_page_size)
{
	uint64_t v;

	ASSERT_EQ(0, bp_cap(self->dev, BPBUF_CAP_PAGE_SIZE, &v));
	EXPECT_EQ(page_size(), v);
}

TEST_F(abi, cap_alloc_name)
{
	uint64_t v;

	ASSERT_EQ(0, bp_cap(self->dev, BPBUF_CAP_ALLOC_NAME, &v));
	EXPECT_EQ(1, v);
}

TEST_F(abi, cap_huge_align)
{
	uint64_t v;

	ASSERT_EQ(0, bp_cap(self->dev, BPBUF_CAP_HUGE_ALIGN, &v));
	EXPECT_EQ(BPBUF_HUGE_ALIGN, v);
}

TEST_F(abi, cap_map_sizes)
{
	uint64_t v;

	/* the page size always; huge_map.c tests the large ones */
	ASSERT_EQ(0, bp_cap(self->dev, BPBUF_CAP_MAP_SIZES, &v));
	EXPECT_TRUE(v & page_size());
	EXPECT_EQ(0, v & (page_size() - 1));
}

TEST_F(abi, cap_page_map)
{
	uint64_t v;

	/* 0 or 1; page_map.c tests what it does */
	ASSERT_EQ(0, bp_cap(self->dev, BPBUF_CAP_PAGE_MAP, &v));
	EXPECT_GE(1, v);
}

TEST_F(abi, cap_heaps)
{
	uint64_t v;

	/* at least the default heap; heaps.c tests the others */
	ASSERT_EQ(0, bp_cap(self->dev, BPBUF_CAP_HEAPS, &v));
	EXPECT_LE(1, v);
}

TEST_F(abi, cap_zero_einval)
{
	uint64_t v;

	EXPECT_EQ(-EINVAL, bp_cap(self->dev, 0, &v));
}

TEST_F(abi, cap_next_unknown_einval)
{
	uint64_t v;

	EXPECT_EQ(-EINVAL, bp_cap(self->dev, BPBUF_CAP_CPU_MODES + 1, &v));
}

TEST_F(abi, cap_high_bits_einval)
{
	uint64_t v;

	EXPECT_EQ(-EINVAL, bp_cap(self->dev,
				  (1ULL << 32) | BPBUF_CAP_PAGE_SIZE, &v));
}

TEST_F(abi, cap_value_input_einval)
{
	struct bpbuf_get_cap c = { .capability = BPBUF_CAP_PAGE_SIZE,
				   .value = 1 };

	EXPECT_EQ(-EINVAL, bp_ioctl(self->dev, BPBUF_IOCTL_GET_CAP, &c));
}

/* HEAP_INFO */

TEST_F(abi, heap_info_figures)
{
	struct bpbuf_heap_info info;

	ASSERT_EQ(0, bp_heap_info(self->dev, &info));
	EXPECT_EQ(bp_param("heap_size"), (long long)info.heap_size);
	EXPECT_LE(info.free_bytes + (64 << 10), info.heap_size);
	EXPECT_LE(info.largest_free, info.free_bytes);
	EXPECT_LE(1, info.live_buffers);
	EXPECT_EQ(bp_param("dma_bits"), info.dma_bits);
	EXPECT_EQ(page_size(), info.page_size);
	EXPECT_LE(2 * MIB, info.max_align);
	EXPECT_LE(info.free_bytes ? 1 : 0, info.free_extents);
}

/* Every output field of HEAP_INFO must be zero on input: one case each */
FIXTURE(heap_info_input) {
	int dev;
};

FIXTURE_VARIANT(heap_info_input) {
	size_t offset;
	size_t width;
};

#define HEAP_INFO_FIELD(f)						\
FIXTURE_VARIANT_ADD(heap_info_input, f) {				\
	.offset = offsetof(struct bpbuf_heap_info, f),			\
	.width = sizeof(((struct bpbuf_heap_info *)0)->f),		\
}

HEAP_INFO_FIELD(heap_size);
HEAP_INFO_FIELD(free_bytes);
HEAP_INFO_FIELD(largest_free);
HEAP_INFO_FIELD(max_align);
HEAP_INFO_FIELD(live_buffers);
HEAP_INFO_FIELD(free_extents);
HEAP_INFO_FIELD(dma_bits);
HEAP_INFO_FIELD(page_size);
HEAP_INFO_FIELD(cpu_mode);
HEAP_INFO_FIELD(cpu_modes);

FIXTURE_SETUP(heap_info_input)
{
	self->dev = bp_open();
	ASSERT_LE(0, self->dev);
}

FIXTURE_TEARDOWN(heap_info_input)
{
	close(self->dev);
}

TEST_F(heap_info_input, nonzero_einval)
{
	struct bpbuf_heap_info info = { 0 };

	/* the field's last byte: little- and big-endian alike */
	((unsigned char *)&info)[variant->offset + variant->width - 1] = 1;
	EXPECT_EQ(-EINVAL, bp_ioctl(self->dev, BPBUF_IOCTL_HEAP_INFO, &info));
}

TEST_HARNESS_MAIN
