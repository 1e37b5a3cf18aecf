// SPDX-License-Identifier: GPL-2.0-only
/*
 * The demo's DMA step (scripts/demo.sh): QEMU's edu device, behind the
 * IOMMU and driven from user space on uio_pci_generic, copies a message
 * from one place in a bpbuf buffer to another through the address bpbuf
 * mapped for it, and the reader sees where it landed.
 *
 *   edu-demo PCI-ADDRESS
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <libbpbuf.h>

#include "edu.h"

#define DEMO_SIZE	(1 << 20)
#define DEMO_TO		(DEMO_SIZE / 2)

static int fail(const char *what, int err)
{
	fprintf(stderr, "edu-demo: %s: %s\n", what, strerror(-err));
	return 1;
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

	if (argc != 2) {
		fprintf(stderr, "usage: edu-demo PCI-ADDRESS\n");
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

	bpbuf_buffer_free(buf);
	bpbuf_dev_close(dev);
	edu_close(e);
	edu_bind(e, NULL);
	return ret;
}
