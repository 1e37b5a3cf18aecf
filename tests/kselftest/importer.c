// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpbuf dma-bufs imported by another driver, in two variants: vgem, through
 * PRIME, and the tests' own importer (tests/kmod/), which attaches and maps
 * for a platform device of its own as a DMA driver does. Covers
 * attach/map/unmap/detach and syncing mapped importers, and proves
 * contiguity without taking bpbuf's word for it: the DMA-API debug table
 * records what the importer's device was given. vgem attaches without
 * mapping on kernels whose DRM shmem helpers import that way (Linux 6.15
 * on): its mapping tests SKIP there, saying so, and the test importer's
 * run. (vgem refuses to mmap imported objects, so mmap through an importer
 * is not covered.) Each variant SKIPs without its importer.
 */
#include <dirent.h>
#include <linux/dma-buf.h>

#include "bpbuf_test.h"
#include "bpbuf_test_importer.h"
#include "dma_api_dump.h"
#include "kselftest_harness.h"
#include "vgem.h"

#define BUF_SIZE (2 * MIB)

/* 6.1's harness runs the test even when its setup said SKIP */
#define NEED_IMPORTER() do {						\
	if (self->importer < 0)						\
		SKIP(return, "no %s (%s)", variant->node, variant->load);	\
} while (0)

FIXTURE(imp) {
	int dev;
	int importer;
	int buf;
	uint32_t handle;
	struct bpbuf_test_import import;	/* the test importer's report */
};

/* How to reach one importer: its node, its device's name, import, release */
FIXTURE_VARIANT(imp) {
	const char *node;
	const char *load;
	const char *device;
	int (*open_importer)(void);
	int (*import)(int importer, int buf, uint32_t *handle,
		      struct bpbuf_test_import *report);
	int (*release)(int importer, uint32_t handle);
};

static int vgem_import(int vgem, int buf, uint32_t *handle,
		       struct bpbuf_test_import *report)
{
	struct drm_prime_handle_min ph = { .fd = buf };

	(void)report;
	if (ioctl(vgem, DRM_FD_TO_HANDLE_IOCTL, &ph))
		return -1;
	*handle = ph.handle;
	return 0;
}

static int vgem_release(int vgem, uint32_t handle)
{
	struct drm_gem_close_min gc = { .handle = handle };

	return ioctl(vgem, DRM_GEM_CLOSE_IOCTL, &gc);
}

static int open_test_importer(void)
{
	return open(BPBUF_TEST_IMPORTER_NODE, O_RDWR | O_CLOEXEC);
}

static int test_import(int importer, int buf, uint32_t *handle,
		       struct bpbuf_test_import *report)
{
	report->fd = buf;
	if (ioctl(importer, BPBUF_TEST_IOC_IMPORT, report))
		return -1;
	*handle = report->handle;
	return 0;
}

static int test_release(int importer, uint32_t handle)
{
	return ioctl(importer, BPBUF_TEST_IOC_RELEASE, &handle);
}

FIXTURE_VARIANT_ADD(imp, vgem) {
	.node = "vgem device", .load = "modprobe vgem", .device = "vgem",
	.open_importer = open_vgem, .import = vgem_import, .release = vgem_release,
};

FIXTURE_VARIANT_ADD(imp, test_importer) {
	.node = BPBUF_TEST_IMPORTER_NODE, .load = "insmod bpbuf_test_importer.ko",
	.device = BPBUF_TEST_IMPORTER_DEVICE, .open_importer = open_test_importer,
	.import = test_import, .release = test_release,
};

FIXTURE_SETUP(imp)
{
	self->handle = 0;
	self->buf = -1;
	self->dev = bp_open();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", BPBUF_NODE, strerror(errno));
	self->importer = variant->open_importer();
	if (self->importer < 0)
		SKIP(return, "no %s (%s)", variant->node, variant->load);
	ASSERT_EQ(0, bp_alloc(self->dev, BUF_SIZE, 0, 0, &self->buf));
	ASSERT_EQ(0, variant->import(self->importer, self->buf, &self->handle,
				     &self->import))
		TH_LOG("import into %s: %s", variant->device, strerror(errno));
}

FIXTURE_TEARDOWN(imp)
{
	if (self->handle)
		variant->release(self->importer, self->handle);
	if (self->buf >= 0)
		close(self->buf);
	if (self->importer >= 0)
		close(self->importer);
	close(self->dev);
}

/* attachments and mapped columns of this buffer's debugfs line */
static int debugfs_attach(int dev, int fd, int *att, int *mapped)
{
	struct bp_debugfs_buffer line;

	if (bp_debugfs_buffer(dev, fd, &line))
		return -1;
	*att = line.attachments;
	*mapped = line.mapped;
	return 0;
}

/*
 * Whether the importer mapped the buffer, by bpbuf's debugfs: 1, 0 when it
 * only attached (vgem on Linux 6.15 and later), -1 without debugfs.
 */
static int importer_mapped(int dev, int fd)
{
	int att, mapped;

	if (access(BPBUF_DEBUGFS "/buffers", R_OK) || geteuid() ||
	    debugfs_attach(dev, fd, &att, &mapped))
		return -1;
	return att == 1 && mapped == 1;
}

/* SKIP a test about a mapped importer when vgem, where it may, did not map */
#define NEED_MAPPED() do {						\
	if (!strcmp(variant->device, "vgem") &&				\
	    importer_mapped(self->dev, self->buf) == 0 &&		\
	    vgem_may_import_unmapped())					\
		SKIP(return, VGEM_UNMAPPED);				\
} while (0)

TEST_F(imp, import_attaches_and_maps)
{
	char expect[128];
	int att = -1, mapped = -1;
	char *text;

	NEED_IMPORTER();
	if (access(BPBUF_DEBUGFS "/buffers", R_OK) || geteuid())
		SKIP(return, "needs root and %s/buffers", BPBUF_DEBUGFS);
	NEED_MAPPED();
	ASSERT_EQ(0, debugfs_attach(self->dev, self->buf, &att, &mapped));
	EXPECT_EQ(1, att);
	EXPECT_EQ(1, mapped);
	text = read_text(BPBUF_DEBUGFS "/buffers");
	ASSERT_TRUE(text != NULL);
	snprintf(expect, sizeof(expect), "\tattachment\t%s\tmapped\n", variant->device);
	EXPECT_TRUE(strstr(text, expect) != NULL)
		TH_LOG("%s", text);
	free(text);

	/* releasing the import unmaps and detaches */
	ASSERT_EQ(0, variant->release(self->importer, self->handle));
	self->handle = 0;
	ASSERT_EQ(0, debugfs_attach(self->dev, self->buf, &att, &mapped));
	EXPECT_EQ(0, att);
	EXPECT_EQ(0, mapped);
}

TEST_F(imp, buffer_outlives_its_fd_while_imported)
{
	struct bpbuf_heap_info info;

	NEED_IMPORTER();
	close(self->buf);
	self->buf = -1;
	ASSERT_EQ(0, bp_heap_info(self->dev, &info));
	EXPECT_EQ(1, info.live_buffers);
}

TEST_F(imp, range_sync_with_a_mapped_importer)
{
	NEED_IMPORTER();
	NEED_MAPPED();

	EXPECT_EQ(0, bp_sync(self->dev, self->buf,
			     BPBUF_SYNC_START | BPBUF_SYNC_RW, 0, BUF_SIZE));
	EXPECT_EQ(0, bp_sync(self->dev, self->buf,
			     BPBUF_SYNC_END | BPBUF_SYNC_WRITE, 4096, 100));
	EXPECT_EQ(0, bp_sync(self->dev, self->buf,
			     BPBUF_SYNC_START | BPBUF_SYNC_READ,
			     BUF_SIZE - 1, 1));
}

TEST_F(imp, dma_buf_sync_with_a_mapped_importer)
{
	struct dma_buf_sync s = { .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW };

	NEED_IMPORTER();
	NEED_MAPPED();
	EXPECT_EQ(0, ioctl(self->buf, DMA_BUF_IOCTL_SYNC, &s));
	s.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
	EXPECT_EQ(0, ioctl(self->buf, DMA_BUF_IOCTL_SYNC, &s));
}

/*
 * The DMA-API debug table lists every mapping with its device, physical
 * address, bus address and length. The importer's mapping of the buffer
 * must cover it exactly, in segments that follow each other in both
 * physical and bus addresses (vgem takes 64 KiB segments), starting at the
 * bus address bpbuf reports; with no IOMMU, P equals D.
 */
TEST_F(imp, contiguity_per_dma_api_debug)
{
	struct seg segs[64];
	uint64_t addr, next;
	int i, nsegs;

	NEED_IMPORTER();
	if (geteuid())
		SKIP(return, "needs root");
	NEED_MAPPED();
	ASSERT_EQ(0, bp_bus_addr(self->dev, self->buf, &addr, NULL));
	nsegs = device_segments(variant->device, addr, BUF_SIZE, segs, 64);
	if (nsegs == -1)
		SKIP(return, "no " DMA_API_DUMP " (CONFIG_DMA_API_DEBUG)");
	ASSERT_LT(0, nsegs);
	next = addr;
	for (i = 0; i < nsegs; i++) {
		EXPECT_EQ(next, segs[i].d);
		EXPECT_EQ(segs[i].d, segs[i].p);
		next = segs[i].d + segs[i].l;
	}
	EXPECT_EQ(addr + BUF_SIZE, next);
}

/* What the test importer's device was handed: one run at bpbuf's address */
TEST_F(imp, importer_gets_one_run_at_the_bus_address)
{
	uint64_t addr;

	NEED_IMPORTER();
	if (strcmp(variant->device, BPBUF_TEST_IMPORTER_DEVICE))
		SKIP(return, "only the test importer reports its mapping");
	if (geteuid())
		SKIP(return, "needs root (the bus address)");
	ASSERT_EQ(0, bp_bus_addr(self->dev, self->buf, &addr, NULL));
	EXPECT_EQ(BUF_SIZE, self->import.size);
	EXPECT_EQ(addr, self->import.dma_addr);
	EXPECT_LT(0, self->import.nsegs);
	EXPECT_EQ(1, self->import.contiguous);
}

#define IMPORTER_LIMIT	"/sys/module/bpbuf_test_importer/parameters/dma_limit"

static int set_importer_limit(uint64_t limit)
{
	char text[32];
	int fd = open(IMPORTER_LIMIT, O_WRONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	snprintf(text, sizeof(text), "%llu", (unsigned long long)limit);
	ret = write(fd, text, strlen(text)) < 0 ? -errno : 0;
	close(fd);
	return ret;
}

/*
 * An importer whose device does not reach the buffer (its bus limit, set
 * through the test importer's dma_limit, below the buffer or through it)
 * and that has no IOMMU is refused with ERANGE at map time: never handed a
 * bounce buffer. Reaching the last byte exactly is enough.
 */
TEST(out_of_reach_importer_refused)
{
	static const struct { const char *what; int64_t from_start; int err; } cases[] = {
		{ "below the buffer", -1, ERANGE },
		{ "through its middle", BUF_SIZE / 2, ERANGE },
		{ "at its last byte", BUF_SIZE - 1, 0 },
	};
	struct bpbuf_test_import report;
	struct bp_debugfs_buffer line = { 0 };
	int dev, importer, buf;
	uint32_t handle = 0;
	uint64_t addr;
	unsigned int i;

	importer = open_test_importer();
	if (importer < 0)
		SKIP(return, "no %s", BPBUF_TEST_IMPORTER_NODE);
	if (geteuid())
		SKIP(return, "needs root (the bus address, the importer's parameter)");
	dev = bp_open();
	ASSERT_LE(0, dev);
	ASSERT_EQ(0, bp_alloc(dev, BUF_SIZE, 0, 0, &buf));
	ASSERT_EQ(0, bp_bus_addr(dev, buf, &addr, NULL));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret;

		/* nothing between here and the reset below may end the test */
		ASSERT_EQ(0, set_importer_limit(addr + cases[i].from_start));
		memset(&report, 0, sizeof(report));
		ret = test_import(importer, buf, &handle, &report) ? errno : 0;
		EXPECT_EQ(cases[i].err, ret) TH_LOG("bus limit %s", cases[i].what);
		if (!ret) {
			EXPECT_EQ(addr, report.dma_addr);
			EXPECT_EQ(0, test_release(importer, handle));
		}
		/* a refused import leaves no attachment behind */
		EXPECT_EQ(0, bp_debugfs_buffer(dev, buf, &line));
		EXPECT_EQ(0, line.attachments) TH_LOG("bus limit %s", cases[i].what);
		EXPECT_EQ(0, line.mapped);
	}
	EXPECT_EQ(0, set_importer_limit(0));
	close(buf);
	close(importer);
	close(dev);
}

TEST_HARNESS_MAIN
