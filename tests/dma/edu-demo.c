// SPDX-License-Identifier: GPL-2.0-only
/*
 * The demo's DMA step (scripts/demo.sh): QEMU's edu device, behind the
 * IOMMU and driven from user space on uio_pci_generic, copies a message
 * from one place in a bpbuf buffer to another through the address bpbuf
 * mapped for it, and the reader sees where it landed. Given a disk, the
 * device then fills a second buffer, 2 KiB at a time as a data acquisition
 * card would, and that buffer goes to the disk with one O_DIRECT write
 * from its page map: device to disk without a CPU copy.
 *
 *   edu-demo PCI-ADDRESS [DISK]
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libbpbuf.h>

#include "edu.h"

#define DEMO_SIZE	(1 << 20)
#define DEMO_TO		(DEMO_SIZE / 2)

static int fail(const char *what, int err)
{
	fprintf(stderr, "edu-demo: %s: %s\n", what, strerror(-err));
	return 1;
}

#define FRAME_SIZE	2048	/* within the edu device's own 4 KiB buffer */
#define CAPTURE_SIZE	(1 << 20)

/*
 * The device fills a buffer with frames it holds (@frame's 2 KiB, loaded
 * from the first buffer at bus address @frame_dma), and one O_DIRECT write
 * takes the buffer to @disk; read back, the disk has the device's bytes.
 */
static int capture_to_disk(struct edu *e, struct bpbuf_dev *dev, uint64_t frame_dma,
			   const char *frame, const char *disk)
{
	struct bpbuf_buffer *buf;
	char *pages, *back = NULL;
	uint64_t dma;
	int fd, ret, i;
	void *pfn;

	ret = bpbuf_buffer_alloc(dev, CAPTURE_SIZE, 0, 0, "edu-capture", &buf);
	if (!ret)
		ret = bpbuf_buffer_map_pages(buf, PROT_READ | PROT_WRITE, (void **)&pages);
	if (!ret)
		ret = bpbuf_buffer_dev_map(buf, e->addr, &dma);
	if (ret)
		return fail("a 1 MiB buffer with a page map", ret);
	ret = edu_dma(e, frame_dma, FRAME_SIZE, false);
	for (i = 0; !ret && i < CAPTURE_SIZE / FRAME_SIZE; i++)
		ret = edu_dma(e, dma + (uint64_t)i * FRAME_SIZE, FRAME_SIZE, true);
	if (ret)
		return fail("the device's frames", ret);
	printf("the device wrote %d frames of %d bytes into a 1 MiB buffer at 0x%" PRIx64 "\n",
	       CAPTURE_SIZE / FRAME_SIZE, FRAME_SIZE, dma);

	fd = open(disk, O_RDWR | O_DIRECT | O_CLOEXEC);
	if (fd < 0)
		return fail(disk, -errno);
	/* the dma-buf's own mapping is page frames, which O_DIRECT cannot take */
	pfn = mmap(NULL, CAPTURE_SIZE, PROT_READ, MAP_SHARED, bpbuf_buffer_fd(buf), 0);
	if (pfn != MAP_FAILED) {
		errno = 0;
		printf("O_DIRECT write from the buffer's dma-buf mmap(): %s\n",
		       pwrite(fd, pfn, CAPTURE_SIZE, 0) < 0 ? strerror(errno) : "worked");
		munmap(pfn, CAPTURE_SIZE);
	}
	if (pwrite(fd, pages, CAPTURE_SIZE, 0) != CAPTURE_SIZE)
		return fail("O_DIRECT write from the page map", -errno);
	printf("one O_DIRECT write of 1 MiB from its page map to %s: the disk's DMA read the buffer\n",
	       disk);
	if (posix_memalign((void **)&back, 4096, CAPTURE_SIZE) ||
	    pread(fd, back, CAPTURE_SIZE, 0) != CAPTURE_SIZE)
		return fail("reading the disk back", -errno);
	close(fd);
	printf("read back from %s, the last frame: \"%.*s\"\n", disk, (int)strlen(frame),
	       back + CAPTURE_SIZE - FRAME_SIZE);
	for (i = 0; i < CAPTURE_SIZE / FRAME_SIZE; i++)
		if (memcmp(back + i * FRAME_SIZE, frame, FRAME_SIZE))
			break;
	ret = i == CAPTURE_SIZE / FRAME_SIZE ? 0 : 1;
	printf(ret ? "edu-demo: frame %d on the disk is not the device's\n" :
	       "all %d frames on the disk are the device's bytes\n", i);
	free(back);
	bpbuf_buffer_free(buf);
	return ret;
}

int main(int argc, char **argv)
{
	static const char msg[] = "written by the CPU at offset 0, copied by the edu device";
	struct edu devs[8], *e = NULL;
	struct bpbuf_buffer *buf;
	struct bpbuf_dev *dev;
	uint64_t bus, dma;
	char *cpu;
	int n, i, ret;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: edu-demo PCI-ADDRESS [DISK]\n");
		return 2;
	}
	ret = edu_find(devs, 8, &n);
	for (i = 0; !ret && i < n; i++)
		if (!strcmp(devs[i].addr, argv[1]))
			e = &devs[i];
	if (!e)
		return fail(argv[1], -ENODEV);
	if (system("modprobe uio_pci_generic"))
		return fail("modprobe uio_pci_generic", -ENOENT);
	ret = edu_bind(e, "uio_pci_generic");
	if (ret)
		return fail("binding uio_pci_generic", ret);
	ret = edu_open(e);
	if (ret)
		return fail("mapping its BAR", ret);
	printf("edu device %s, IOMMU group %d, on uio_pci_generic\n", e->addr, e->group);

	ret = bpbuf_dev_open(NULL, &dev);
	if (!ret)
		ret = bpbuf_buffer_alloc(dev, DEMO_SIZE, 0, 0, "edu-demo", &buf);
	if (!ret)
		ret = bpbuf_buffer_map(buf, PROT_READ | PROT_WRITE, (void **)&cpu);
	if (ret)
		return fail("a 1 MiB bpbuf buffer", ret);
	ret = bpbuf_buffer_bus_addr(buf, &bus);
	if (!ret)
		ret = bpbuf_buffer_dev_map(buf, e->addr, &dma);
	if (ret)
		return fail("its addresses", ret);
	printf("buffer: physical address 0x%" PRIx64 " (BUS_ADDR), address for %s 0x%" PRIx64 " (DEV_MAP)\n",
	       bus, e->addr, dma);

	bpbuf_buffer_begin_cpu_access(buf, BPBUF_SYNC_WRITE);
	strcpy(cpu, msg);
	bpbuf_buffer_end_cpu_access(buf, BPBUF_SYNC_WRITE);
	printf("at offset 0:      \"%s\"\n", cpu);
	printf("at offset 512 KiB: %s\n", cpu[DEMO_TO] ? "(not empty)" : "(zeroes)");
	ret = edu_dma(e, dma, sizeof(msg), false);
	if (!ret)
		ret = edu_dma(e, dma + DEMO_TO, sizeof(msg), true);
	if (ret)
		return fail("the device's copy", ret);
	bpbuf_buffer_begin_cpu_access(buf, BPBUF_SYNC_READ);
	printf("the device read 0x%" PRIx64 " and wrote 0x%" PRIx64 "\n", dma, dma + DEMO_TO);
	printf("at offset 512 KiB: \"%.*s\"\n", (int)sizeof(msg) - 1, cpu + DEMO_TO);
	ret = memcmp(cpu + DEMO_TO, msg, sizeof(msg)) ? 1 : 0;
	bpbuf_buffer_end_cpu_access(buf, BPBUF_SYNC_READ);
	printf(ret ? "edu-demo: the copy is wrong\n" : "the copy is right\n");

	if (!ret && argc == 3)
		ret = capture_to_disk(e, dev, dma, cpu, argv[2]);
	bpbuf_buffer_free(buf);
	bpbuf_dev_close(dev);
	edu_close(e);
	edu_bind(e, NULL);
	return ret;
}
