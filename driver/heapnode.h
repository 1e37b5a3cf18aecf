/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bpbuf's dma-heap node: /dev/dma_heap/NAME, speaking the kernel's dma-heap
 * ABI (<linux/dma-heap.h>) from bpbuf's heap.
 */
#ifndef BPBUF_HEAPNODE_H
#define BPBUF_HEAPNODE_H

struct bpbuf_device;

/* Longest name the dma_heap_name parameter takes, with its NUL */
#define BPBUF_HEAPNODE_NAME_LEN	32

int bpbuf_heapnode_register(struct bpbuf_device *bdev, const char *name);
void bpbuf_heapnode_unregister(struct bpbuf_device *bdev);

#endif /* BPBUF_HEAPNODE_H */
