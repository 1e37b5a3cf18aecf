// SPDX-License-Identifier: GPL-2.0-only
/*
 * A driver that needs contiguous memory captures into bpbuf buffers: vivid
 * on videobuf2-dma-contig (vivid.h) takes a dma-buf at VIDIOC_QBUF only
 * when the DMA addresses of its sg table make one run at least as long as
 * the plane (vb2_dc_map_dmabuf(): "contiguous chunk is too small" in the
 * kernel log, EFAULT). Buffers come from BPBUF_IOCTL_ALLOC and from
 * bpbuf's dma-heap node; the kernel's system heap, whose buffers are pages
 * from anywhere, is the contrast.
 *
 * Every frame is checked through bpbuf's own mapping of the buffer: filled
 * first with a byte that vivid's picture does not hold, it must come back
 * equal, byte for byte, to the frame vivid draws into its own memory (the
 * reference; with no text over the test pattern every frame is the same),
 * with known pixels of the 75% colour bar where they belong and the bytes
 * past the plane untouched.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "bpbuf_test.h"
#include "bpbuf_test_importer.h"
#include "dma_api_dump.h"
#include "kselftest_harness.h"
#include "vivid.h"

#define DMA_HEAP_DIR		"/dev/dma_heap"
#define SYSTEM_HEAP		DMA_HEAP_DIR "/system"
#define DMA_API_ERRORS		"/sys/kernel/debug/dma-api/num_errors"
#define FRAME_TIMEOUT_MS	10000
#define MAX_BUFFERS		8

enum source { FROM_BPBUF_IOCTL, FROM_HEAP_NODE, FROM_SYSTEM_HEAP };

static const char *const source_names[] = {
	[FROM_BPBUF_IOCTL] = "bpbuf ioctl", [FROM_HEAP_NODE] = "bpbuf dma-heap node",
	[FROM_SYSTEM_HEAP] = "system heap",
};

/* A capture buffer: one dma-buf per plane, mapped by the test */
struct capbuf {
	int fd[VIDEO_MAX_PLANES];
	uint8_t *map[VIDEO_MAX_PLANES];
	size_t len[VIDEO_MAX_PLANES];
};

/* What a run of frames saw, for the table line */
struct tally {
	unsigned int frames;
	unsigned long long bytes;
};

static uint64_t round_page(uint64_t n)
{
	return (n + page_size() - 1) & ~(page_size() - 1);
}

static int heap_alloc(const char *path, uint64_t len, int *fd)
{
	struct dma_heap_allocation_data d = { .len = len, .fd_flags = O_RDWR | O_CLOEXEC };
	int heap = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (heap < 0)
		return -errno;
	ret = bp_ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &d);
	close(heap);
	if (!ret)
		*fd = (int)d.fd;
	return ret;
}

static int source_alloc(enum source s, int dev, uint64_t len, int *fd)
{
	char path[128];

	switch (s) {
	case FROM_BPBUF_IOCTL:
		return bp_alloc_named(dev, len, 0, 0, "vivid", fd);
	case FROM_HEAP_NODE:
		bp_heap_node_path(path, sizeof(path));
		return *path ? heap_alloc(path, len, fd) : -ENOENT;
	case FROM_SYSTEM_HEAP:
		return heap_alloc(SYSTEM_HEAP, len, fd);
	}
	return -EINVAL;
}

static int cpu_access(int fd, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags };

	return bp_ioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
}

/* Allocate and map a buffer with a plane per format plane */
static int capbuf_alloc(struct capbuf *b, enum source s, int dev, const struct vivid_format *f)
{
	unsigned int p;
	int ret = 0;

	memset(b, 0, sizeof(*b));
	for (p = 0; p < VIDEO_MAX_PLANES; p++)
		b->fd[p] = -1;
	for (p = 0; !ret && p < f->planes; p++) {
		b->len[p] = round_page(f->sizeimage[p]);
		ret = source_alloc(s, dev, b->len[p], &b->fd[p]);
		if (ret)
			break;
		b->map[p] = mmap(NULL, b->len[p], PROT_READ | PROT_WRITE, MAP_SHARED, b->fd[p], 0);
		if (b->map[p] == MAP_FAILED) {
			b->map[p] = NULL;
			ret = -errno;
		}
	}
	return ret;
}

/* Close the fds and unmap: what the test held of the buffer */
static void capbuf_free(struct capbuf *b)
{
	unsigned int p;

	for (p = 0; p < VIDEO_MAX_PLANES; p++) {
		if (b->fd[p] >= 0)
			close(b->fd[p]);
		b->fd[p] = -1;
		if (b->map[p])
			munmap(b->map[p], b->len[p]);
		b->map[p] = NULL;
	}
}

static int capbuf_fill(struct capbuf *b, const struct vivid_format *f, uint8_t marker)
{
	unsigned int p;
	int ret = 0;

	for (p = 0; !ret && p < f->planes; p++) {
		ret = cpu_access(b->fd[p], DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
		if (ret)
			break;
		memset(b->map[p], marker, b->len[p]);
		ret = cpu_access(b->fd[p], DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
	}
	return ret;
}

/* A byte value that no plane of the reference holds */
static int absent_byte(uint8_t *const *ref, const struct vivid_format *f)
{
	bool seen[256] = { false };
	unsigned int p, v;
	size_t i;

	for (p = 0; p < f->planes; p++)
		for (i = 0; i < f->sizeimage[p]; i++)
			seen[ref[p][i]] = true;
	for (v = 0; v < 256; v++)
		if (!seen[v])
			return (int)v;
	return -1;
}

/* Y'CbCr of the pixel at x on row, in YUYV or NV16M */
static void pixel(uint8_t *const *plane, const struct vivid_format *f, uint32_t row,
		  uint32_t x, uint8_t ycc[3])
{
	const uint8_t *luma = plane[0] + f->data_offset[0] + (size_t)row * f->bytesperline[0];

	x &= ~1u;
	if (f->fourcc == V4L2_PIX_FMT_YUYV) {
		ycc[0] = luma[x * 2], ycc[1] = luma[x * 2 + 1], ycc[2] = luma[x * 2 + 3];
	} else {
		const uint8_t *chroma = plane[1] + f->data_offset[1] + (size_t)row * f->bytesperline[1];

		ycc[0] = luma[x], ycc[1] = chroma[x], ycc[2] = chroma[x + 1];
	}
}

#define BARS	8

/*
 * Known pixels of the 75% colour bar, the test pattern vivid starts with:
 * eight bars across, from 75% white down in brightness to black. In
 * limited-range Y'CbCr black is Y' 16 and both it and the white are grey
 * (Cb = Cr = 128). Returns 0 or writes what is wrong into why.
 */
static int check_bars(uint8_t *const *plane, const struct vivid_format *f, char *why, size_t len)
{
	uint8_t bar[BARS][3];
	uint32_t row = f->height / 2;
	unsigned int i;
	bool ok;

	for (i = 0; i < BARS; i++)
		pixel(plane, f, row, f->width * (2 * i + 1) / (2 * BARS), bar[i]);
	ok = bar[0][0] > 160 && bar[0][0] < 200 && bar[0][1] == 128 && bar[0][2] == 128 &&
	     bar[BARS - 1][0] == 16 && bar[BARS - 1][1] == 128 && bar[BARS - 1][2] == 128;
	for (i = 1; ok && i < BARS; i++)
		ok = bar[i][0] < bar[i - 1][0];
	if (ok)
		return 0;
	snprintf(why, len, "the colour bars on row %u, Y' (Cb,Cr): %u (%u,%u) %u (%u,%u) %u (%u,%u) %u (%u,%u) %u (%u,%u) %u (%u,%u) %u (%u,%u) %u (%u,%u); want 75%% white (Y' 161..199, grey) down to black (16, grey)",
		 row, bar[0][0], bar[0][1], bar[0][2], bar[1][0], bar[1][1], bar[1][2],
		 bar[2][0], bar[2][1], bar[2][2], bar[3][0], bar[3][1], bar[3][2],
		 bar[4][0], bar[4][1], bar[4][2], bar[5][0], bar[5][1], bar[5][2],
		 bar[6][0], bar[6][1], bar[6][2], bar[7][0], bar[7][1], bar[7][2]);
	return -1;
}

/*
 * One dequeued frame against the reference: each plane equal for
 * bytesused = sizeimage bytes, the marker left past it, the colour bars
 * right. Returns 0 or writes what is wrong into why.
 */
static int check_frame(struct capbuf *b, uint8_t *const *ref, const struct vivid_format *f,
		       const uint32_t *bytesused, uint8_t marker, struct tally *t,
		       char *why, size_t len)
{
	unsigned int p;
	size_t i;
	int ret = 0;

	for (p = 0; !ret && p < f->planes; p++) {
		if (cpu_access(b->fd[p], DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ)) {
			snprintf(why, len, "DMA_BUF_IOCTL_SYNC refused");
			return -1;
		}
		if (bytesused[p] != f->sizeimage[p]) {
			snprintf(why, len, "plane %u: %u bytes used of %u", p, bytesused[p],
				 f->sizeimage[p]);
			ret = -1;
		} else if (memcmp(b->map[p], ref[p], f->sizeimage[p])) {
			for (i = 0; b->map[p][i] == ref[p][i]; i++)
				;
			snprintf(why, len, "plane %u: byte %zu is 0x%02x, vivid's own frame has 0x%02x%s",
				 p, i, b->map[p][i], ref[p][i],
				 b->map[p][i] == marker ? " (never written)" : "");
			ret = -1;
		}
		for (i = f->sizeimage[p]; !ret && i < b->len[p]; i++) {
			if (b->map[p][i] != marker) {
				snprintf(why, len, "plane %u: byte %zu past the plane was written", p, i);
				ret = -1;
			}
		}
		cpu_access(b->fd[p], DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
		t->bytes += f->sizeimage[p];
	}
	if (!ret)
		ret = check_bars(b->map, f, why, len);
	t->frames += !ret;
	return ret;
}

static long long dma_api_errors(void)
{
	char *text = read_text(DMA_API_ERRORS);
	long long n = text ? strtoll(text, NULL, 10) : -1;

	free(text);
	return n;
}

/* Skip, or fail where the rig says this kernel has vivid (rig.vivid=1) */
#define VIVID_REQUIRE(ret, on_skip)							\
	do {										\
		if ((ret) && vivid_expected()) {					\
			ASSERT_EQ(0, (ret)) TH_LOG("vivid did not load, and the rig says this kernel has it"); \
		}									\
		if (ret) {								\
			on_skip;							\
			SKIP(return, "no vivid on this kernel (CONFIG_VIDEO_VIVID)");	\
		}									\
	} while (0)

/*
 * A SKIP in FIXTURE_SETUP does not keep the test's body from running in
 * every version of the harness: each body starts with this.
 */
#define VIVID_TEST_START() do { if (self->skipped) return; } while (0)

/*
 * vivid's mapping of a bpbuf buffer as the DMA-API debug table lists it:
 * segments no longer than vivid's largest (its dma_parms), each starting
 * where the last ended, from the buffer's address to its end. Returns how
 * many, 0 where the kernel has no table, or -1 and why.
 */
static int check_segments(int dev, int fd, uint64_t len, char *why, size_t wlen)
{
	struct seg segs[256];
	uint64_t addr, at;
	int n, i;

	if (bp_bus_addr(dev, fd, &addr, NULL)) {
		snprintf(why, wlen, "BPBUF_IOCTL_BUS_ADDR refused");
		return -1;
	}
	n = device_segments(VIVID_DEVICE, addr, len, segs, 256);
	if (n == -1)
		return 0;
	for (i = 0, at = addr; i < n && segs[i].d == at; i++)
		at += segs[i].l;
	if (n > 0 && i == n && at == addr + len)
		return n;
	snprintf(why, wlen, "%d segment(s) for vivid; the one at 0x%llx does not follow on; the buffer is at 0x%llx, %llu bytes",
		 n, i < n ? segs[i].d : 0ULL, (unsigned long long)addr, (unsigned long long)len);
	return -1;
}

FIXTURE(capture) {
	struct vivid v;
	uint8_t *ref[VIDEO_MAX_PLANES];
	struct capbuf bufs[MAX_BUFFERS];
	unsigned int nbufs;
	int dev;
	uint8_t marker;
	struct bpbuf_heap_info before;
	long long dma_errors;
	bool skipped;
};

FIXTURE_VARIANT(capture) {
	enum source source;
};

FIXTURE_VARIANT_ADD(capture, bpbuf_ioctl) { .source = FROM_BPBUF_IOCTL };
FIXTURE_VARIANT_ADD(capture, heap_node) { .source = FROM_HEAP_NODE };

/*
 * The heap's figures and DMA-API error count taken, vivid loaded with the
 * format, the reference frame and the marker byte: the start of every
 * capture test. A kernel without vivid leaves self->skipped set.
 */
static void capture_prepare(struct __test_metadata *_metadata, FIXTURE_DATA(capture) *self,
			    bool multiplanar, uint32_t fourcc, uint32_t width, uint32_t height)
{
	int ret, marker;

	memset(self->ref, 0, sizeof(self->ref));
	self->v.fd = -1;
	self->nbufs = 0;
	self->skipped = false;
	self->dev = bp_open();
	ASSERT_LE(0, self->dev);
	ASSERT_EQ(0, bp_wait_idle(self->dev, &self->before));
	self->dma_errors = dma_api_errors();
	ret = vivid_load(multiplanar);
	VIVID_REQUIRE(ret, self->skipped = true);
	ASSERT_EQ(0, vivid_open(&self->v));
	ASSERT_EQ(multiplanar ? V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE : V4L2_BUF_TYPE_VIDEO_CAPTURE,
		  self->v.type);
	ASSERT_EQ(0, vivid_setup(&self->v, fourcc, width, height));
	ASSERT_EQ(0, vivid_reference(&self->v, self->ref));
	marker = absent_byte(self->ref, &self->v.fmt);
	ASSERT_LE(0, marker) TH_LOG("vivid's frame holds every byte value: no marker to fill with");
	self->marker = (uint8_t)marker;
}

/* The end of every capture test: all let go, the heap whole again */
static void capture_finish(struct __test_metadata *_metadata, FIXTURE_DATA(capture) *self)
{
	struct bpbuf_heap_info after;
	unsigned int i, p;

	vivid_close(&self->v);
	for (i = 0; i < self->nbufs; i++)
		capbuf_free(&self->bufs[i]);
	self->nbufs = 0;
	for (p = 0; p < VIDEO_MAX_PLANES; p++)
		free(self->ref[p]);
	if (self->dev < 0)
		return;
	/* every import gone with the queue: the heap whole again */
	EXPECT_EQ(0, bp_wait_idle(self->dev, &after));
	EXPECT_EQ(self->before.free_bytes, after.free_bytes);
	EXPECT_EQ(self->before.largest_free, after.largest_free);
	EXPECT_EQ(self->dma_errors, dma_api_errors());
	close(self->dev);
}

/* vivid loaded single-planar, YUYV 640x360, the reference frame taken */
FIXTURE_SETUP(capture)
{
	capture_prepare(_metadata, self, false, V4L2_PIX_FMT_YUYV, 640, 360);
}

FIXTURE_TEARDOWN(capture)
{
	capture_finish(_metadata, self);
}

/* Allocate n buffers from source s, fill them, queue them: 0 or -1 */
static int queue_new_buffers(struct __test_metadata *_metadata, FIXTURE_DATA(capture) *self,
			     enum source s, unsigned int n)
{
	unsigned int i;
	int ret;

	ret = vivid_reqbufs(&self->v, V4L2_MEMORY_DMABUF, n);
	if (ret) {
		TH_LOG("VIDIOC_REQBUFS of %u DMABUF buffers: %d", n, ret);
		return -1;
	}
	for (i = 0; i < n; i++) {
		ret = capbuf_alloc(&self->bufs[i], s, self->dev, &self->v.fmt);
		self->nbufs = i + 1;
		if (ret) {
			TH_LOG("%s buffer %u: allocation or mmap: %d", source_names[s], i, ret);
			return -1;
		}
		ret = capbuf_fill(&self->bufs[i], &self->v.fmt, self->marker);
		/* vivid's contiguity check is here: each buffer must pass */
		if (!ret)
			ret = vivid_qbuf(&self->v, V4L2_MEMORY_DMABUF, i, self->bufs[i].fd);
		if (ret) {
			TH_LOG("%s buffer %u: filling or VIDIOC_QBUF: %d", source_names[s], i, ret);
			return -1;
		}
	}
	return 0;
}

/* Dequeue frames, check each (t counts the right ones), refill and requeue */
static void capture_frames(struct __test_metadata *_metadata, FIXTURE_DATA(capture) *self,
			  unsigned int frames, struct tally *t)
{
	uint32_t bytesused[VIDEO_MAX_PLANES], index;
	char why[256];
	unsigned int i;

	for (i = 0; i < frames; i++) {
		ASSERT_EQ(0, vivid_dqbuf(&self->v, V4L2_MEMORY_DMABUF, &index, bytesused,
					 FRAME_TIMEOUT_MS)) TH_LOG("frame %u", i);
		ASSERT_GT(self->nbufs, index);
		EXPECT_EQ(0, check_frame(&self->bufs[index], self->ref, &self->v.fmt, bytesused,
					 self->marker, t, why, sizeof(why)))
			TH_LOG("frame %u in buffer %u: %s", i, index, why);
		ASSERT_EQ(0, capbuf_fill(&self->bufs[index], &self->v.fmt, self->marker));
		ASSERT_EQ(0, vivid_qbuf(&self->v, V4L2_MEMORY_DMABUF, index,
					self->bufs[index].fd)) TH_LOG("requeue of buffer %u", index);
	}
}

/*
 * 30 frames and more into 4 buffers: each accepted at QBUF, mapped for
 * vivid as one segment at the buffer's own address, every byte checked.
 */
TEST_F(capture, frames_30)
{
	VIVID_TEST_START();
	struct tally t = { 0 };
	char why[256];
	unsigned int i;
	int ret;

	ASSERT_EQ(0, queue_new_buffers(_metadata, self, variant->source, 4));
	ASSERT_EQ(0, vivid_stream(&self->v, true));
	for (i = 0; i < self->nbufs; i++) {
		ret = check_segments(self->dev, self->bufs[i].fd[0], self->bufs[i].len[0],
				     why, sizeof(why));
		EXPECT_NE(-1, ret) TH_LOG("buffer %u: %s", i, why);
		if (!i && ret > 0)
			TH_LOG("buffer 0: %d DMA segment(s) for vivid, one contiguous run", ret);
		if (!i && !ret)
			TH_LOG("no DMA-API debug table on this kernel: vivid's segments not listed");
	}
	capture_frames(_metadata, self, 32, &t);
	EXPECT_EQ(0, vivid_stream(&self->v, false));
	EXPECT_EQ(0, vivid_reqbufs(&self->v, V4L2_MEMORY_DMABUF, 0));
	EXPECT_EQ(32, t.frames);
	TH_LOG("table: vivid, %s, YUYV %ux%u, 4 buffers: %u of 32 frames right, %llu bytes checked",
	       source_names[variant->source], self->v.fmt.width, self->v.fmt.height,
	       t.frames, t.bytes);
}

/*
 * The fds and mappings closed while vivid holds the buffers queued: its
 * imports keep them alive; frames still arrive; freeing the queue frees
 * the buffers.
 */
TEST_F(capture, close_fds_while_queued)
{
	VIVID_TEST_START();
	struct bpbuf_heap_info info;
	uint32_t index, used[VIDEO_MAX_PLANES];
	unsigned int i;

	ASSERT_EQ(0, queue_new_buffers(_metadata, self, variant->source, 4));
	ASSERT_EQ(0, vivid_stream(&self->v, true));
	for (i = 0; i < self->nbufs; i++)
		capbuf_free(&self->bufs[i]);
	ASSERT_EQ(0, bp_heap_info(self->dev, &info));
	EXPECT_EQ(self->before.live_buffers + 4, info.live_buffers);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, vivid_dqbuf(&self->v, V4L2_MEMORY_DMABUF, &index, used,
					 FRAME_TIMEOUT_MS)) TH_LOG("frame %u", i);
	EXPECT_EQ(0, vivid_stream(&self->v, false));
	ASSERT_EQ(0, bp_heap_info(self->dev, &info));
	EXPECT_EQ(self->before.live_buffers + 4, info.live_buffers);
	EXPECT_EQ(0, vivid_reqbufs(&self->v, V4L2_MEMORY_DMABUF, 0));
	/* the teardown checks that the heap is whole again */
}

/* A child that streams into bpbuf buffers until killed, a byte a frame on out */
static void stream_forever(struct __test_metadata *_metadata, FIXTURE_DATA(capture) *self,
			   enum source s, int out)
{
	uint32_t index, used[VIDEO_MAX_PLANES];

	if (queue_new_buffers(_metadata, self, s, 4) || vivid_stream(&self->v, true))
		_exit(1);
	for (;;) {
		if (vivid_dqbuf(&self->v, V4L2_MEMORY_DMABUF, &index, used, FRAME_TIMEOUT_MS) ||
		    vivid_qbuf(&self->v, V4L2_MEMORY_DMABUF, index, self->bufs[index].fd) ||
		    write(out, "f", 1) != 1)
			_exit(1);
	}
}

/*
 * SIGKILL of the capturing process mid-stream: the queue, the imports and
 * the buffers go with it; vivid captures again into new buffers.
 */
TEST_F(capture, kill_mid_stream)
{
	VIVID_TEST_START();
	struct tally t = { 0 };
	int pipefd[2], status, i;
	char c;
	pid_t pid;

	vivid_close(&self->v);
	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* never outlive the test, even if it is killed on a timeout */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(pipefd[0]);
		if (vivid_open(&self->v) ||
		    vivid_setup(&self->v, V4L2_PIX_FMT_YUYV, 640, 360))
			_exit(1);
		stream_forever(_metadata, self, variant->source, pipefd[1]);
	}
	close(pipefd[1]);
	for (i = 0; i < 5; i++) {
		struct pollfd pfd = { .fd = pipefd[0], .events = POLLIN };

		if (poll(&pfd, 1, FRAME_TIMEOUT_MS) != 1 || read(pipefd[0], &c, 1) != 1) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			ASSERT_TRUE(false) TH_LOG("the child's frame %d did not come", i);
		}
	}
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	close(pipefd[0]);
	/* the heap whole again once the child's files are gone */
	{
		struct bpbuf_heap_info info;

		ASSERT_EQ(0, bp_wait_idle(self->dev, &info));
		EXPECT_EQ(self->before.free_bytes, info.free_bytes);
	}
	ASSERT_EQ(0, vivid_open(&self->v));
	ASSERT_EQ(0, vivid_setup(&self->v, V4L2_PIX_FMT_YUYV, 640, 360));
	ASSERT_EQ(0, queue_new_buffers(_metadata, self, variant->source, 4));
	ASSERT_EQ(0, vivid_stream(&self->v, true));
	capture_frames(_metadata, self, 4, &t);
	EXPECT_EQ(4, t.frames);
	EXPECT_EQ(0, vivid_stream(&self->v, false));
	EXPECT_EQ(0, vivid_reqbufs(&self->v, V4L2_MEMORY_DMABUF, 0));
}

/*
 * vivid goes away while it streams into imported buffers, which only its
 * imports keep alive: the module will not unload while its node is open;
 * its device unbound, vivid releases its queue and with it the imports
 * (vb2_video_unregister_device()), so the heap is whole again while the
 * node, now dead, is still open; then the module unloads.
 */
TEST_F(capture, unbind_vivid_while_imported)
{
	VIVID_TEST_START();
	struct bpbuf_heap_info info;
	uint32_t index, used[VIDEO_MAX_PLANES];
	unsigned int i;
	int ret, fd;

	ASSERT_EQ(0, queue_new_buffers(_metadata, self, variant->source, 4));
	ASSERT_EQ(0, vivid_stream(&self->v, true));
	ASSERT_EQ(0, vivid_dqbuf(&self->v, V4L2_MEMORY_DMABUF, &index, used, FRAME_TIMEOUT_MS));
	/* one fd kept, for the requeue below; the rest only vivid holds */
	fd = dup(self->bufs[index].fd[0]);
	ASSERT_LE(0, fd);
	for (i = 0; i < self->nbufs; i++)
		capbuf_free(&self->bufs[i]);
	ASSERT_EQ(0, bp_heap_info(self->dev, &info));
	EXPECT_EQ(self->before.live_buffers + 4, info.live_buffers);
	ret = vivid_unload();
	EXPECT_TRUE(ret == -EBUSY || ret == -EAGAIN) TH_LOG("delete_module(vivid) while its node is open: %d", ret);
	ASSERT_EQ(0, vivid_unbind());
	close(fd);
	ASSERT_EQ(0, bp_wait_idle(self->dev, &info));
	EXPECT_EQ(self->before.free_bytes, info.free_bytes);
	/* the device is gone: its node answers nothing but close */
	EXPECT_NE(0, vivid_stream(&self->v, true));
	vivid_close(&self->v);
	EXPECT_EQ(0, vivid_unload());
}

/*
 * Whether a dma-buf's pages make one run, as a device without an IOMMU
 * sees them: the test importer (tests/kmod) maps it for its own device and
 * says. 1 or 0, or a negative errno.
 */
static int importer_contiguous(int fd, uint32_t *nsegs)
{
	struct bpbuf_test_import imp = { .fd = fd };
	int node = open(BPBUF_TEST_IMPORTER_NODE, O_RDWR | O_CLOEXEC), ret;

	if (node < 0)
		return -errno;
	ret = bp_ioctl(node, BPBUF_TEST_IOC_IMPORT, &imp);
	close(node);
	*nsegs = imp.nsegs;
	return ret ? ret : (int)imp.contiguous;
}

/*
 * The contrast: buffers from the kernel's system heap are pages from
 * anywhere, and vivid refuses each one whose DMA addresses are not one
 * run (its device has no IOMMU: they are the physical ones) with EFAULT
 * at QBUF, where a bpbuf buffer of the same size passes. Which system-heap
 * buffers happen to be contiguous is the page allocator's business, so the
 * test importer judges each one first and vivid's verdict must match; at
 * least one must have been refused.
 */
TEST(system_heap_refused)
{
	struct vivid v = { .fd = -1 };
	struct capbuf sys[MAX_BUFFERS], bp;
	unsigned int i, n = 0, refused = 0, accepted = 0;
	uint32_t segs[MAX_BUFFERS] = { 0 };
	int dev, ret, contiguous;

	dev = bp_open();
	ASSERT_LE(0, dev);
	if (access(SYSTEM_HEAP, F_OK))
		SKIP(return, "this kernel has no system heap (CONFIG_DMABUF_HEAPS_SYSTEM)");
	if (access(BPBUF_TEST_IMPORTER_NODE, F_OK))
		SKIP(return, "no test importer (%s) to judge the system heap's buffers",
		     BPBUF_TEST_IMPORTER_NODE);
	ret = vivid_load(false);
	VIVID_REQUIRE(ret, close(dev));
	ASSERT_EQ(0, vivid_open(&v));
	ASSERT_EQ(0, vivid_setup(&v, V4L2_PIX_FMT_YUYV, 640, 360));
	ASSERT_EQ(0, vivid_reqbufs(&v, V4L2_MEMORY_DMABUF, MAX_BUFFERS));
	for (i = 0; i < MAX_BUFFERS - 1 && !refused; i++, n++) {
		ASSERT_EQ(0, capbuf_alloc(&sys[i], FROM_SYSTEM_HEAP, dev, &v.fmt));
		contiguous = importer_contiguous(sys[i].fd[0], &segs[i]);
		ASSERT_LE(0, contiguous) TH_LOG("the test importer (%s): %d",
						BPBUF_TEST_IMPORTER_NODE, contiguous);
		ret = vivid_qbuf(&v, V4L2_MEMORY_DMABUF, i, sys[i].fd);
		if (!contiguous) {
			EXPECT_EQ(-EFAULT, ret) TH_LOG("system-heap buffer %u: %u segments, not one run",
						       i, segs[i]);
			refused += ret == -EFAULT;
		} else {
			EXPECT_EQ(0, ret) TH_LOG("system-heap buffer %u: %u segments, one run", i, segs[i]);
			accepted += !ret;
		}
	}
	EXPECT_EQ(1, refused) TH_LOG("%u system-heap buffers, every one physically contiguous", n);
	ASSERT_EQ(0, capbuf_alloc(&bp, FROM_BPBUF_IOCTL, dev, &v.fmt));
	EXPECT_EQ(0, vivid_qbuf(&v, V4L2_MEMORY_DMABUF, i, bp.fd)) TH_LOG("the bpbuf buffer beside them");
	TH_LOG("table: vivid, system heap, YUYV 640x360 (%zu bytes): %u of %u buffers refused at QBUF with EFAULT (%u DMA segments, not one run), %u contiguous by chance and accepted; a bpbuf buffer of that size accepted",
	       sys[0].len[0], refused, n, segs[n - 1], accepted);
	vivid_close(&v);
	for (i = 0; i < n; i++)
		capbuf_free(&sys[i]);
	capbuf_free(&bp);
	close(dev);
}

#define ROUNDS		5
#define ROUND_BUFFERS	8

/*
 * Multi-planar at 1080p: NV16M, two planes of 1920x1080 bytes each, one
 * dma-buf per plane; 8 buffers allocated, streamed (each filled at least
 * once) and freed, 5 times over, from bpbuf's ioctl and its dma-heap node
 * by turns, the heap whole after each round.
 */
TEST(multiplanar_1080p_rounds)
{
	FIXTURE_DATA(capture) self_data, *self = &self_data;
	struct bpbuf_heap_info info;
	struct tally t = { 0 };
	unsigned int round, i;

	memset(self, 0, sizeof(*self));
	capture_prepare(_metadata, self, true, V4L2_PIX_FMT_NV16M, 1920, 1080);
	if (self->skipped) {
		capture_finish(_metadata, self);
		return;
	}
	ASSERT_EQ(2, self->v.fmt.planes);
	for (round = 0; round < ROUNDS; round++) {
		enum source s = round % 2 ? FROM_HEAP_NODE : FROM_BPBUF_IOCTL;

		ASSERT_EQ(0, queue_new_buffers(_metadata, self, s, ROUND_BUFFERS))
			TH_LOG("round %u", round);
		ASSERT_EQ(0, vivid_stream(&self->v, true));
		capture_frames(_metadata, self, ROUND_BUFFERS, &t);
		ASSERT_EQ(0, vivid_stream(&self->v, false));
		ASSERT_EQ(0, vivid_reqbufs(&self->v, V4L2_MEMORY_DMABUF, 0));
		for (i = 0; i < self->nbufs; i++)
			capbuf_free(&self->bufs[i]);
		self->nbufs = 0;
		ASSERT_EQ(0, bp_wait_idle(self->dev, &info));
		EXPECT_EQ(self->before.free_bytes, info.free_bytes) TH_LOG("after round %u", round);
		EXPECT_EQ(self->before.largest_free, info.largest_free) TH_LOG("after round %u", round);
	}
	EXPECT_EQ(ROUNDS * ROUND_BUFFERS, t.frames);
	TH_LOG("table: vivid, multi-planar NV16M %ux%u (planes of %u and %u bytes), %u rounds of %u buffers: %u of %u frames right, %llu bytes checked, heap whole after each round",
	       self->v.fmt.width, self->v.fmt.height, self->v.fmt.sizeimage[0],
	       self->v.fmt.sizeimage[1], ROUNDS, ROUND_BUFFERS, t.frames,
	       ROUNDS * ROUND_BUFFERS, t.bytes);
	capture_finish(_metadata, self);
}

TEST_HARNESS_MAIN
