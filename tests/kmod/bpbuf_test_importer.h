/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * The test importer's ioctls (tests/kmod/bpbuf_test_importer.c): a driver
 * that imports a dma-buf the way a DMA driver does, attach and map for its
 * own device, on every kernel. For the tests only; never installed.
 */
#ifndef BPBUF_TEST_IMPORTER_H
#define BPBUF_TEST_IMPORTER_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define BPBUF_TEST_IMPORTER_NODE	"/dev/bpbuf-test-importer"
/* Its struct device, as the DMA-API debug table names it */
#define BPBUF_TEST_IMPORTER_DEVICE	"bpbuf-test-importer"

struct bpbuf_test_import {
	__s32 fd;		/* in: the dma-buf */
	__u32 handle;		/* out: for BPBUF_TEST_IOC_RELEASE */
	__u64 size;		/* out: the dma-buf's size */
	__u64 dma_addr;		/* out: bus address of the first DMA segment */
	__u32 nsegs;		/* out: DMA segments of the mapping */
	__u32 contiguous;	/* out: 1 if they follow each other and cover size */
};

/* dma_buf_attach() and dma_buf_map_attachment() for the importer's device */
#define BPBUF_TEST_IOC_IMPORT	_IOWR('T', 1, struct bpbuf_test_import)
/* unmap and detach one import; closing the node releases them all */
#define BPBUF_TEST_IOC_RELEASE	_IOW('T', 2, __u32)

#endif /* BPBUF_TEST_IMPORTER_H */
