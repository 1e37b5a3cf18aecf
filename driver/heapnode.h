/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bpbuf's dma-heap nodes: /dev/dma_heap/NAME for the default heap and
 * /dev/dma_heap/NAME-HEAP for each named one, speaking the kernel's dma-heap
 * ABI (<linux/dma-heap.h>).
 */
#ifndef BPBUF_HEAPNODE_H
#define BPBUF_HEAPNODE_H

struct bpbuf_device;

int bpbuf_heapnodes_register(struct bpbuf_device *bdev, const char *base);
void bpbuf_heapnodes_unregister(struct bpbuf_device *bdev);

#endif /* BPBUF_HEAPNODE_H */
