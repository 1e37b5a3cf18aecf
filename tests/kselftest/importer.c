// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpbuf dma-bufs imported by another driver: vgem, through PRIME. Covers
 * attach/map/unmap/detach and syncing mapped importers, and proves
 * contiguity without taking bpbuf's word for it: the DMA-API debug table
 * records what the importer's device was given. (vgem refuses to mmap
 * imported objects, so mmap through an importer is not covered.) SKIP
 * without vgem.
 */
#include <dirent.h>
#include <linux/dma-buf.h>

#include "bpbuf_test.h"
#include "dma_api_dump.h"
#include "kselftest_harness.h"
#include "vgem.h"

#define BUF_SIZE (2 * MIB)

/* 6.1's harness runs the test even when its setup said SKIP */
#define NEED_VGEM() do {						\
	if (self->vgem < 0)						\
		SKIP(return, "no vgem device (modprobe vgem)");		\
} while (0)

FIXTURE(imp) {
	int dev;
	int vgem;
	int buf;
	uint32_t handle;
};

FIXTURE_SETUP(imp)
{
	struct drm_prime_handle_min ph = { 0 };

	self->handle = 0;
	self->buf = -1;
	self->dev = bp_open();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", BPBUF_NODE, strerror(errno));
	self->vgem = open_vgem();
	if (self->vgem < 0)
		SKIP(return, "no vgem device (modprobe vgem)");
	ASSERT_EQ(0, bp_alloc(self->dev, BUF_SIZE, 0, 0, &self->buf));
	ph.fd = self->buf;
	ASSERT_EQ(0, ioctl(self->vgem, DRM_FD_TO_HANDLE_IOCTL, &ph))
		TH_LOG("PRIME import: %s", strerror(errno));
	self->handle = ph.handle;
}

FIXTURE_TEARDOWN(imp)
{
	if (self->handle) {
		struct drm_gem_close_min gc = { .handle = self->handle };

		ioctl(self->vgem, DRM_GEM_CLOSE_IOCTL, &gc);
	}
	if (self->buf >= 0)
		close(self->buf);
	if (self->vgem >= 0)
		close(self->vgem);
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

TEST_F(imp, import_attaches_and_maps)
{
	struct drm_gem_close_min gc = { .handle = self->handle };
	int att = -1, mapped = -1;
	char *text;

	NEED_VGEM();
	if (access(BPBUF_DEBUGFS "/buffers", R_OK) || geteuid())
		SKIP(return, "needs root and %s/buffers", BPBUF_DEBUGFS);
	ASSERT_EQ(0, debugfs_attach(self->dev, self->buf, &att, &mapped));
	EXPECT_EQ(1, att);
	EXPECT_EQ(1, mapped);
	text = read_text(BPBUF_DEBUGFS "/buffers");
	ASSERT_TRUE(text != NULL);
	EXPECT_TRUE(strstr(text, "\tattachment\tvgem\tmapped\n") != NULL)
		TH_LOG("%s", text);
	free(text);

	/* closing the handle unmaps and detaches */
	ASSERT_EQ(0, ioctl(self->vgem, DRM_GEM_CLOSE_IOCTL, &gc));
	self->handle = 0;
	ASSERT_EQ(0, debugfs_attach(self->dev, self->buf, &att, &mapped));
	EXPECT_EQ(0, att);
	EXPECT_EQ(0, mapped);
}

TEST_F(imp, buffer_outlives_its_fd_while_imported)
{
	struct bpbuf_heap_info info;

	NEED_VGEM();
	close(self->buf);
	self->buf = -1;
	ASSERT_EQ(0, bp_heap_info(self->dev, &info));
	EXPECT_EQ(1, info.live_buffers);
}

TEST_F(imp, range_sync_with_a_mapped_importer)
{
	NEED_VGEM();

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

	NEED_VGEM();
	EXPECT_EQ(0, ioctl(self->buf, DMA_BUF_IOCTL_SYNC, &s));
	s.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
	EXPECT_EQ(0, ioctl(self->buf, DMA_BUF_IOCTL_SYNC, &s));
}

/*
 * The DMA-API debug table lists every mapping with its device, physical
 * address, bus address and length. vgem's mapping of the buffer must cover
 * it exactly, in segments that follow each other in both physical and bus
 * addresses (vgem takes 64 KiB segments), starting at the bus address bpbuf
 * reports; with no IOMMU, P equals D.
 */
TEST_F(imp, contiguity_per_dma_api_debug)
{
	struct seg segs[64];
	uint64_t addr, next;
	int i, nsegs;

	NEED_VGEM();
	if (geteuid())
		SKIP(return, "needs root");
	ASSERT_EQ(0, bp_bus_addr(self->dev, self->buf, &addr, NULL));
	nsegs = vgem_segments(addr, BUF_SIZE, segs, 64);
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

TEST_HARNESS_MAIN
