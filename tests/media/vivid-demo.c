// SPDX-License-Identifier: GPL-2.0-only
/*
 * The demo's camera step (scripts/demo.sh): vivid, a video capture driver
 * that takes only contiguous memory (videobuf2-dma-contig), captures one
 * frame into a bpbuf buffer, and the demo reads pixels of its colour bars
 * through bpbuf's mapping; then the same request with a buffer from the
 * kernel's system heap, which vivid refuses.
 *
 *   vivid-demo
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/dma-heap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libbpbuf.h>

#include "vivid.h"

#define WIDTH		640
#define HEIGHT		360
#define SYSTEM_HEAP	"/dev/dma_heap/system"

static int fail(const char *what, int err)
{
	fprintf(stderr, "vivid-demo: %s: %s\n", what, strerror(-err));
	return 1;
}

/* Y'CbCr of the pixel pair at x on the middle row of a YUYV frame */
static void print_pixel(const uint8_t *frame, uint32_t bpl, uint32_t x, const char *bar)
{
	const uint8_t *p = frame + (size_t)(HEIGHT / 2) * bpl + (x & ~1u) * 2;

	printf("  pixel (%3u,%u), %-8s bar: Y'=%3u Cb=%3u Cr=%3u\n", x, HEIGHT / 2, bar,
	       p[0], p[1], p[3]);
}

/* The system heap's answer: a buffer vivid must refuse, and why */
static void system_heap_contrast(struct vivid *v, uint32_t len)
{
	struct dma_heap_allocation_data d = { .len = len, .fd_flags = O_RDWR | O_CLOEXEC };
	int heap = open(SYSTEM_HEAP, O_RDONLY | O_CLOEXEC), ret;

	if (heap < 0 || ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &d)) {
		printf("this kernel has no system heap to compare with\n");
		if (heap >= 0)
			close(heap);
		return;
	}
	close(heap);
	ret = vivid_qbuf(v, V4L2_MEMORY_DMABUF, 1, (const int *)&d.fd);
	printf("VIDIOC_QBUF of a system heap buffer of the same size: %s\n",
	       ret ? strerror(-ret) : "accepted (its pages happened to be contiguous)");
	close((int)d.fd);
}

int main(void)
{
	struct bpbuf_buffer *buf;
	struct bpbuf_dev *dev;
	struct vivid v;
	uint32_t index, used, len;
	uint64_t bus;
	int fd, ret;
	uint8_t *cpu;

	ret = vivid_load(false);
	if (ret)
		return fail("modprobe vivid allocators=1", ret);
	ret = vivid_open(&v);
	if (!ret)
		ret = vivid_setup(&v, V4L2_PIX_FMT_YUYV, WIDTH, HEIGHT);
	if (ret)
		return fail("opening vivid's capture node", ret);
	len = (v.fmt.sizeimage[0] + 4095) & ~4095u;
	printf("vivid on %s (videobuf2-dma-contig), YUYV %ux%u, %u bytes a frame\n",
	       v.node, WIDTH, HEIGHT, v.fmt.sizeimage[0]);

	ret = bpbuf_dev_open(NULL, &dev);
	if (!ret)
		ret = bpbuf_buffer_alloc(dev, len, 0, 0, "vivid-demo", &buf);
	if (!ret)
		ret = bpbuf_buffer_map(buf, PROT_READ, (void **)&cpu);
	if (ret)
		return fail("a bpbuf buffer", ret);
	fd = bpbuf_buffer_fd(buf);
	if (!bpbuf_buffer_bus_addr(buf, &bus))
		printf("bpbuf buffer of %u bytes at physical address 0x%" PRIx64 "\n", len, bus);
	ret = vivid_reqbufs(&v, V4L2_MEMORY_DMABUF, 2);
	if (!ret)
		ret = vivid_qbuf(&v, V4L2_MEMORY_DMABUF, 0, &fd);
	if (ret)
		return fail("VIDIOC_QBUF of the bpbuf buffer", ret);
	printf("VIDIOC_QBUF of the bpbuf buffer: accepted\n");
	system_heap_contrast(&v, len);

	ret = vivid_stream(&v, true);
	if (!ret)
		ret = vivid_dqbuf(&v, V4L2_MEMORY_DMABUF, &index, &used, 10000);
	if (!ret && index != 0)
		ret = -EINVAL;
	if (ret)
		return fail("capturing a frame into the bpbuf buffer", ret);
	ret = bpbuf_buffer_begin_cpu_access(buf, BPBUF_SYNC_READ);
	if (ret)
		return fail("begin CPU access", ret);
	printf("frame captured: %u bytes; read through bpbuf's mapping:\n", used);
	print_pixel(cpu, v.fmt.bytesperline[0], WIDTH / 16, "white");
	print_pixel(cpu, v.fmt.bytesperline[0], WIDTH * 3 / 16, "yellow");
	print_pixel(cpu, v.fmt.bytesperline[0], WIDTH * 11 / 16, "red");
	print_pixel(cpu, v.fmt.bytesperline[0], WIDTH * 15 / 16, "black");
	bpbuf_buffer_end_cpu_access(buf, BPBUF_SYNC_READ);
	vivid_stream(&v, false);
	vivid_close(&v);
	bpbuf_buffer_free(buf);
	bpbuf_dev_close(dev);
	return vivid_unload() ? fail("rmmod vivid", -EBUSY) : 0;
}
