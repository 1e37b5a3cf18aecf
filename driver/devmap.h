/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-device DMA addresses: a buffer mapped for a device user space names
 * (devmap.c), owned by the /dev/bpbuf file that asked.
 */
#ifndef BPBUF_DEVMAP_H
#define BPBUF_DEVMAP_H

#include <linux/types.h>

struct bpbuf_buffer;
struct file;

int bpbuf_devmap_map(const struct file *owner, struct bpbuf_buffer *buf,
		     unsigned int bus, const char *name, dma_addr_t *addr);
int bpbuf_devmap_unmap(const struct file *owner, struct bpbuf_buffer *buf,
		       unsigned int bus, const char *name);
void bpbuf_devmap_release_file(const struct file *owner);
int bpbuf_devmap_init(void);
void bpbuf_devmap_exit(void);

#endif /* BPBUF_DEVMAP_H */
