// SPDX-License-Identifier: GPL-2.0-only
/*
 * A bpbuf buffer imported into another driver, vgem, through libdrm's PRIME
 * calls (drmPrimeFDToHandle(3)):
 *  - the bytes: what we write is what vgem's device was given, and the
 *    other way round. vgem of Linux 6.1 cannot map an imported object
 *    (DRM_IOCTL_MODE_MAP_DUMB: drm_gem_dumb_map_offset() refuses objects
 *    with import_attach, EINVAL), so where it refuses, the bytes are proved
 *    through what vgem's device was handed: the DMA-API debug table lists
 *    each of vgem's mappings with its physical and bus address, and those
 *    must be exactly the buffer's, so vgem reads our bytes and we read its;
 *    and the object vgem holds, exported back, is written and read. Where a
 *    kernel lets vgem map it, the bytes are checked through vgem's mapping
 *    both ways. vgem's fences on the import also block our side, which
 *    shows both share the one dma-buf and its reservation object;
 *  - exporting it back (drmPrimeHandleToFD) gives the same dma-buf;
 *  - the importer's scatterlist: one entry when vgem's device takes the
 *    buffer in one segment, else the fewest its segment limit allows, all
 *    contiguous (see bpbuf(4), IMPORTERS);
 *  - DMA-API debug reports nothing (its error count does not move);
 *  - the buffer and the module live while vgem holds the buffer.
 * SKIP without vgem; the DMA-API checks SKIP without CONFIG_DMA_API_DEBUG,
 * and where vgem attaches without mapping (Linux 6.15 on; the test
 * importer of tests/kselftest/importer.c maps on every kernel).
 */
#include <dirent.h>
#include <linux/dma-buf.h>
#include <poll.h>
#include <sys/syscall.h>

#include <xf86drm.h>

#include <libbpbuf.h>

#include "bpbuf_test.h"
#include "dma_api_dump.h"
#include "kselftest_harness.h"
#include "vgem.h"

#define DMA_API_ERRORS	"/sys/kernel/debug/dma-api/error_count"

/* vgem's fence ioctls, as include/uapi/drm/vgem_drm.h has them */
struct vgem_fence_attach {
	uint32_t handle;
	uint32_t flags;
	uint32_t out_fence;
	uint32_t pad;
};

struct vgem_fence_signal {
	uint32_t fence;
	uint32_t flags;
};

#define VGEM_FENCE_WRITE	0x1
#define VGEM_IOCTL_FENCE_ATTACH \
	DRM_IOWR(DRM_COMMAND_BASE + 0x1, struct vgem_fence_attach)
#define VGEM_IOCTL_FENCE_SIGNAL \
	DRM_IOW(DRM_COMMAND_BASE + 0x2, struct vgem_fence_signal)

static long long dma_api_errors(void)
{
	char *text = read_text(DMA_API_ERRORS);
	long long n = -1;

	if (text) {
		n = strtoll(text, NULL, 10);
		free(text);
	}
	return n;
}

FIXTURE(vg) {
	struct bpbuf_dev *dev;
	int vgem;
	struct bpbuf_buffer *buf;
	uint8_t *map;
	uint32_t handle;
	uint64_t size;
};

FIXTURE_VARIANT(vg) {
	uint64_t size;
};

FIXTURE_VARIANT_ADD(vg, page) { .size = 4096 };
FIXTURE_VARIANT_ADD(vg, k64) { .size = 64 * 1024 };
FIXTURE_VARIANT_ADD(vg, m2) { .size = 2 * MIB };
FIXTURE_VARIANT_ADD(vg, m5_odd) { .size = 5 * MIB + 12288 };

#define NEED_VGEM() do {						\
	if (self->vgem < 0)						\
		SKIP(return, "no vgem device (modprobe vgem)");		\
} while (0)

FIXTURE_SETUP(vg)
{
	self->buf = NULL;
	self->handle = 0;
	self->size = variant->size;
	ASSERT_EQ(0, bpbuf_dev_open(NULL, &self->dev));
	self->vgem = open_vgem();
	if (self->vgem < 0)
		SKIP(return, "no vgem device (modprobe vgem)");
	ASSERT_EQ(0, bpbuf_buffer_alloc(self->dev, self->size, 0, 0, "to-vgem",
					&self->buf));
	ASSERT_EQ(0, bpbuf_buffer_map(self->buf, PROT_READ | PROT_WRITE,
				      (void **)&self->map));
	ASSERT_EQ(0, drmPrimeFDToHandle(self->vgem, bpbuf_buffer_fd(self->buf),
					&self->handle))
		TH_LOG("PRIME import: %s", strerror(errno));
}

FIXTURE_TEARDOWN(vg)
{
	if (self->handle)
		drmCloseBufferHandle(self->vgem, self->handle);
	bpbuf_buffer_free(self->buf);
	if (self->vgem >= 0)
		close(self->vgem);
	bpbuf_dev_close(self->dev);
}

TEST_F(vg, export_back_gives_the_same_dma_buf)
{
	struct stat a, b;
	uint32_t again = 0;
	int fd = -1;

	NEED_VGEM();
	ASSERT_EQ(0, drmPrimeHandleToFD(self->vgem, self->handle,
					DRM_CLOEXEC | DRM_RDWR, &fd));
	ASSERT_EQ(0, fstat(bpbuf_buffer_fd(self->buf), &a));
	ASSERT_EQ(0, fstat(fd, &b));
	EXPECT_EQ(a.st_dev, b.st_dev);
	EXPECT_EQ(a.st_ino, b.st_ino);
	/* and importing it again gives vgem's same object */
	ASSERT_EQ(0, drmPrimeFDToHandle(self->vgem, fd, &again));
	EXPECT_EQ(self->handle, again);
	close(fd);
}

/* Whether bpbuf's debugfs shows vgem attached to a buffer but not mapping it */
static int vgem_attached_unmapped(void)
{
	char *text = read_text(BPBUF_DEBUGFS "/buffers");
	int unmapped = text && strstr(text, "\tattachment\tvgem\tunmapped\n");

	free(text);
	return unmapped;
}

/* Through vgem's own mapping, where the kernel lets vgem map an import */
TEST_F(vg, bytes_through_vgems_mapping_both_ways)
{
	struct drm_mode_map_dumb md = { 0 };
	uint8_t *v;
	int ret;

	NEED_VGEM();
	md.handle = self->handle;
	ret = drmIoctl(self->vgem, DRM_IOCTL_MODE_MAP_DUMB, &md) ? errno : 0;
	if (ret == EINVAL)
		SKIP(return, "vgem refuses to map imported objects here (MODE_MAP_DUMB: EINVAL); bytes_at_vgems_dma_addresses_both_ways covers it");
	ASSERT_EQ(0, ret);
	v = mmap(NULL, self->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->vgem, md.offset);
	ASSERT_TRUE(v != MAP_FAILED) TH_LOG("mmap of vgem: %s", strerror(errno));
	memset(self->map, 0x5a, self->size);
	EXPECT_TRUE(all_bytes_are(v, self->size, 0x5a));
	memset(v, 0xa5, self->size);
	EXPECT_TRUE(all_bytes_are(self->map, self->size, 0xa5));
	munmap(v, self->size);
}

/*
 * What vgem's device was handed is our buffer: its DMA mappings cover
 * exactly the bus address range bpbuf reports for the buffer, and (no IOMMU
 * here) each bus address is its physical address, the pages bpbuf maps for
 * us. So the bytes we write are the bytes vgem's device reads, and what it
 * writes we read; both ways also checked through the object vgem holds,
 * exported back. (6.1's /proc/PID/pagemap skips VM_PFNMAP mappings, so our
 * mapping's PFNs cannot be compared directly; mmap.c covers that mapping.)
 */
TEST_F(vg, bytes_at_vgems_dma_addresses_both_ways)
{
	struct bpbuf_buffer *back = NULL;
	uint64_t addr = 0, covered = 0;
	struct seg segs[256];
	int i, n, fd = -1;
	uint8_t *v;

	NEED_VGEM();
	if (geteuid())
		SKIP(return, "needs root (the bus address, the DMA-API table)");
	ASSERT_EQ(0, bpbuf_buffer_bus_addr(self->buf, &addr));
	n = device_segments("vgem", addr, self->size, segs, 256);
	if (n == -1)
		SKIP(return, "no " DMA_API_DUMP " (CONFIG_DMA_API_DEBUG)");
	if (n == 0 && vgem_attached_unmapped() && vgem_may_import_unmapped())
		SKIP(return, VGEM_UNMAPPED);
	ASSERT_LT(0, n);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(segs[i].p, segs[i].d);
		EXPECT_LE(addr, segs[i].d);
		EXPECT_GE(addr + self->size, segs[i].d + segs[i].l);
		covered += segs[i].l;
	}
	EXPECT_EQ(self->size, covered);

	/* ours written, read through the object vgem holds, and back */
	memset(self->map, 0x3c, self->size);
	ASSERT_EQ(0, drmPrimeHandleToFD(self->vgem, self->handle,
					DRM_CLOEXEC | DRM_RDWR, &fd));
	v = mmap(NULL, self->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_TRUE(v != MAP_FAILED);
	EXPECT_TRUE(all_bytes_are(v, self->size, 0x3c));
	memset(v, 0xc3, self->size);
	EXPECT_TRUE(all_bytes_are(self->map, self->size, 0xc3));
	munmap(v, self->size);
	/* it is still a bpbuf buffer, at the same bus address */
	ASSERT_EQ(0, bpbuf_buffer_import(self->dev, fd, 0, &back));
	EXPECT_EQ(0, bpbuf_buffer_bus_addr(back, &covered));
	EXPECT_EQ(addr, covered);
	bpbuf_buffer_free(back);
}

/* vgem's write fence on the import blocks our side of the same dma-buf */
TEST_F(vg, vgem_fence_on_the_import_holds_our_fd)
{
	struct vgem_fence_attach fa = { .flags = VGEM_FENCE_WRITE };
	struct vgem_fence_signal fs = { 0 };
	struct pollfd pfd = { .events = POLLIN };

	NEED_VGEM();
	fa.handle = self->handle;
	ASSERT_EQ(0, drmIoctl(self->vgem, VGEM_IOCTL_FENCE_ATTACH, &fa));
	pfd.fd = bpbuf_buffer_fd(self->buf);
	EXPECT_EQ(0, poll(&pfd, 1, 100));
	fs.fence = fa.out_fence;
	ASSERT_EQ(0, drmIoctl(self->vgem, VGEM_IOCTL_FENCE_SIGNAL, &fs));
	EXPECT_EQ(1, poll(&pfd, 1, 1000));
}

/*
 * The scatterlist vgem's device was given: contiguous in physical and bus
 * addresses from the buffer's bus address, in one entry when vgem's segment
 * limit allows it, else in the fewest entries that limit allows: all of the
 * longest length but the last.
 */
TEST_F(vg, fewest_contiguous_segments_one_when_it_fits)
{
	unsigned long long longest = 0, next;
	uint64_t addr = 0;
	struct seg segs[256];
	int i, n;

	NEED_VGEM();
	if (geteuid())
		SKIP(return, "needs root (the DMA-API table, the bus address)");
	ASSERT_EQ(0, bpbuf_buffer_bus_addr(self->buf, &addr));
	n = device_segments("vgem", addr, self->size, segs, 256);
	if (n == -1)
		SKIP(return, "no " DMA_API_DUMP " (CONFIG_DMA_API_DEBUG)");
	if (n == 0 && vgem_attached_unmapped() && vgem_may_import_unmapped())
		SKIP(return, VGEM_UNMAPPED);
	ASSERT_LT(0, n);
	next = addr;
	for (i = 0; i < n; i++) {
		EXPECT_EQ(next, segs[i].d);
		EXPECT_EQ(segs[i].d, segs[i].p);
		next = segs[i].d + segs[i].l;
		if (segs[i].l > longest)
			longest = segs[i].l;
	}
	EXPECT_EQ(addr + self->size, next);
	for (i = 0; i + 1 < n; i++)
		EXPECT_EQ(longest, segs[i].l);
	EXPECT_EQ((self->size + longest - 1) / longest, (unsigned long long)n);
	/* vgem's device takes 64 KiB segments (the default for a device
	 * that never set dma_parms): up to that size, exactly one */
	if (self->size <= 64 * 1024)
		EXPECT_EQ(1, n);
	TH_LOG("%llu bytes: %d segment(s) of up to %llu bytes",
	       (unsigned long long)self->size, n, longest);
}

TEST_F(vg, dma_api_debug_reports_nothing)
{
	struct dma_buf_sync s = { .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW };
	uint32_t again;
	long long before = dma_api_errors();

	NEED_VGEM();
	if (before < 0)
		SKIP(return, "no " DMA_API_ERRORS " (CONFIG_DMA_API_DEBUG)");
	/* syncs with vgem mapped, a second import, detach and re-attach */
	EXPECT_EQ(0, ioctl(bpbuf_buffer_fd(self->buf), DMA_BUF_IOCTL_SYNC, &s));
	memset(self->map, 1, self->size);
	s.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
	EXPECT_EQ(0, ioctl(bpbuf_buffer_fd(self->buf), DMA_BUF_IOCTL_SYNC, &s));
	EXPECT_EQ(0, bpbuf_buffer_sync_range(self->buf,
					     BPBUF_SYNC_START | BPBUF_SYNC_READ,
					     0, self->size));
	EXPECT_EQ(0, drmCloseBufferHandle(self->vgem, self->handle));
	self->handle = 0;
	ASSERT_EQ(0, drmPrimeFDToHandle(self->vgem, bpbuf_buffer_fd(self->buf),
					&again));
	self->handle = again;
	EXPECT_EQ(before, dma_api_errors());
}

TEST_F(vg, buffer_lives_while_vgem_holds_it)
{
	struct bpbuf_heap_info info;
	uint64_t size = self->size;

	NEED_VGEM();
	bpbuf_buffer_free(self->buf);
	self->buf = NULL;
	ASSERT_EQ(0, bpbuf_dev_heap_info(self->dev, &info, sizeof(info)));
	EXPECT_EQ(1, info.live_buffers);
	EXPECT_GE(info.heap_size - size, info.free_bytes);
	ASSERT_EQ(0, drmCloseBufferHandle(self->vgem, self->handle));
	self->handle = 0;
	ASSERT_EQ(0, bpbuf_dev_heap_info(self->dev, &info, sizeof(info)));
	EXPECT_EQ(0, info.live_buffers);
	EXPECT_EQ(info.heap_size, info.free_bytes);
}

/* With our fds and the device closed, vgem's hold keeps the module in */
TEST_F(vg, module_cannot_be_removed_while_vgem_holds_it)
{
	int ret;

	NEED_VGEM();
	if (geteuid())
		SKIP(return, "delete_module needs CAP_SYS_MODULE");
	bpbuf_buffer_free(self->buf);
	self->buf = NULL;
	bpbuf_dev_close(self->dev);
	self->dev = NULL;
	ret = syscall(SYS_delete_module, "bpbuf", O_NONBLOCK) ? errno : 0;
	ASSERT_EQ(0, bpbuf_dev_open(NULL, &self->dev));
	EXPECT_EQ(EWOULDBLOCK, ret);
}

TEST_HARNESS_MAIN
