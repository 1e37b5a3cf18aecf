// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-heap.h>
#include <linux/udmabuf.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bpbuf.h"
#include "peers.h"

static int bpbuf_alloc(struct peer *p, size_t size)
{
	struct bpbuf_alloc req = { .size = size, .flags = BPBUF_ALLOC_CLOEXEC };

	if (ioctl(p->dev, BPBUF_IOCTL_ALLOC, &req))
		return -errno;
	return (int)req.fd;
}

static int heap_alloc(struct peer *p, size_t size)
{
	struct dma_heap_allocation_data req = {
		.len = size,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};

	if (ioctl(p->dev, DMA_HEAP_IOCTL_ALLOC, &req))
		return -errno;
	return (int)req.fd;
}

/* udmabuf wants a sealed memfd; the memfd itself can go once wrapped. */
static int udmabuf_alloc(struct peer *p, size_t size)
{
	struct udmabuf_create req = {
		.flags = UDMABUF_FLAGS_CLOEXEC,
		.size = size,
	};
	int memfd, fd, err = 0;

	memfd = memfd_create("bench", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (memfd < 0)
		return -errno;
	if (ftruncate(memfd, size) || fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK))
		err = -errno;
	req.memfd = memfd;
	fd = err ? err : ioctl(p->dev, UDMABUF_CREATE, &req);
	if (fd < 0 && !err)
		err = -errno;
	close(memfd);
	return err ? err : fd;
}

void peers_open(struct peer peers[PEER_COUNT])
{
	/*
	 * The kernel's CMA heap, the first of the names it has: the area cma=
	 * makes, the default area under its 6.17 name (7.2 lists the cma=
	 * area under both), a device tree's.
	 */
	static const char *const cma_nodes[] = {
		"/dev/dma_heap/reserved", "/dev/dma_heap/default_cma_region",
		"/dev/dma_heap/linux,cma",
	};
	unsigned int i;

	peers[PEER_BPBUF] = (struct peer){ "bpbuf", "/dev/bpbuf", -1, bpbuf_alloc };
	peers[PEER_CMA_HEAP] = (struct peer){ "cma-heap", cma_nodes[0], -1, heap_alloc };
	peers[PEER_SYSTEM_HEAP] = (struct peer){ "system-heap", "/dev/dma_heap/system", -1, heap_alloc };
	peers[PEER_UDMABUF] = (struct peer){ "udmabuf", "/dev/udmabuf", -1, udmabuf_alloc };

	for (i = 0; i < sizeof(cma_nodes) / sizeof(cma_nodes[0]); i++)
		if (access(cma_nodes[i], F_OK) == 0) {
			peers[PEER_CMA_HEAP].node = cma_nodes[i];
			break;
		}
	for (i = 0; i < PEER_COUNT; i++)
		peers[i].dev = open(peers[i].node, O_RDWR | O_CLOEXEC);
}
