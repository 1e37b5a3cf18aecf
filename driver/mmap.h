/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bpbuf CPU mappings for user space (mmap.c).
 */
#ifndef BPBUF_MMAP_H
#define BPBUF_MMAP_H

#include <linux/types.h>

struct bpbuf_device;
struct dma_buf;
struct vm_area_struct;

/*
 * Page-table entries the mappings set, by size: bpbuf_device.mapped. A
 * fault counts what it set or found already there: two threads faulting
 * one block at once count it twice, and a PTE fault counts the pages of
 * its block that mremap() had moved in.
 */
enum bpbuf_map_entry {
	BPBUF_MAP_PTE,
	BPBUF_MAP_PMD,
	BPBUF_MAP_PUD,
	BPBUF_MAP_NR,
};

struct bpbuf_buffer;

int bpbuf_mmap_check(struct bpbuf_buffer *buf, struct vm_area_struct *vma);
int bpbuf_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma);
bool bpbuf_window_pfn(struct vm_area_struct *vma, unsigned long addr,
		      unsigned long pages, unsigned long *pfn);
/* vm_ops->open and ->close of every bpbuf VMA: buffer.mmap_count */
void bpbuf_vm_open(struct vm_area_struct *vma);
void bpbuf_vm_close(struct vm_area_struct *vma);
u64 bpbuf_map_sizes(const struct bpbuf_device *bdev);
s64 bpbuf_mapped_entries(const struct bpbuf_device *bdev,
			 enum bpbuf_map_entry kind);

#endif /* BPBUF_MMAP_H */
