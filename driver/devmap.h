/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-device DMA addresses: a buffer mapped for a device user space names
 * (devmap.c).
 */
#ifndef BPBUF_DEVMAP_H
#define BPBUF_DEVMAP_H

#include <linux/types.h>

struct bpbuf_buffer;

int bpbuf_devmap_map(struct bpbuf_buffer *buf, unsigned int bus,
		     const char *name, dma_addr_t *addr);
int bpbuf_devmap_unmap(struct bpbuf_buffer *buf, unsigned int bus,
		       const char *name);
void bpbuf_devmap_release(struct bpbuf_buffer *buf);
int bpbuf_devmap_init(void);
void bpbuf_devmap_exit(void);

#endif /* BPBUF_DEVMAP_H */
