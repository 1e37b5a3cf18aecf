// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpbuf CPU mappings for user space: mmap() of a buffer's dma-buf fd.
 *
 * A mapping is VM_PFNMAP (the carve's pages are not for get_user_pages())
 * and shared (a private one would be copy-on-write, not the memory devices
 * see). Where the kernel maps PFNs with PMD entries from ->huge_fault
 * (configure's HAVE_HUGE_PFNMAP), each part of the window whose virtual
 * and physical addresses are both aligned to a PMD is mapped on its first
 * touch by one entry: 2 MiB for one fault and no page table. PUD entries
 * (HAVE_PUD_PFNMAP, 1 GiB) only with pud_mappings=1: mremap() of a leaf
 * PUD takes it for a bad table entry on x86 (6.12, 7.2: get_old_pud()
 * clears it with no TLB flush), so they are opt-in.
 *
 * Everything else is mapped a page at a time at mmap(), so it never
 * faults: all of it on kernels without huge PFN mappings, and wherever the
 * window's virtual address is not congruent with the buffer's physical
 * one. munmap(), mprotect() and mremap() that cut through a large entry
 * make the kernel zap it, and the kernel may decline a large entry
 * (MADV_NOHUGEPAGE, PR_SET_THP_DISABLE); ->fault then maps the rest of
 * that PMD-sized block with PTEs, all of it at once.
 *
 * Every entry has the buffer's CPU mode (cpumode.c): it is in the window's
 * vm_page_prot from mmap() on, which each of those paths maps with, and
 * which fork() and mremap() carry along.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#if defined(HAVE_HUGE_PFNMAP) && !defined(HAVE_VMF_INSERT_PFN_PMD_ULONG)
#include <linux/pfn_t.h>
#endif

#include <bpbuf.h>

#include "bpbuf_dev.h"
#include "buffer.h"
#include "compat.h"
#include "cpumode.h"
#include "mmap.h"

/* Page-table entries set for @buf's mappings, by size, for debugfs */
static void count_entries(struct bpbuf_buffer *buf, enum bpbuf_map_entry kind,
			  unsigned long n)
{
	atomic64_add(n, &buf->bdev->mapped[kind]);
}

s64 bpbuf_mapped_entries(const struct bpbuf_device *bdev,
			 enum bpbuf_map_entry kind)
{
	return atomic64_read(&bdev->mapped[kind]);
}

void bpbuf_vm_open(struct vm_area_struct *vma)
{
	struct bpbuf_buffer *buf = vma->vm_private_data;

	atomic_inc(&buf->mmap_count);
}

void bpbuf_vm_close(struct vm_area_struct *vma)
{
	struct bpbuf_buffer *buf = vma->vm_private_data;

	atomic_dec(&buf->mmap_count);
}

/*
 * The page frame that the window maps at @addr, with @pages pages from
 * there inside both the window and the buffer; false for any other @addr.
 * Every fault path asks this first, the page map's too (pagemap.c): the
 * window may have been moved or cut since mmap() checked it.
 */
bool bpbuf_window_pfn(struct vm_area_struct *vma, unsigned long addr,
		       unsigned long pages, unsigned long *pfn)
{
	struct bpbuf_buffer *buf = vma->vm_private_data;
	unsigned long pgoff;

	if (addr < vma->vm_start || addr >= vma->vm_end ||
	    pages > (vma->vm_end - addr) >> PAGE_SHIFT)
		return false;
	pgoff = vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
	if (pgoff >= buf->range->npages || pages > buf->range->npages - pgoff)
		return false;
	*pfn = page_to_pfn(buf->page) + pgoff;
	return true;
}

/*
 * One PTE fault maps the PMD-sized block around it, as far as the window
 * goes: a block whose large entry was split or declined faults once, not
 * once per page. Pages already mapped stay as they are.
 */
static vm_fault_t bpbuf_vm_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct bpbuf_buffer *buf = vma->vm_private_data;
	unsigned long addr = vmf->address & PAGE_MASK, block, end, pfn, n = 1;
	vm_fault_t ret;

	if (!bpbuf_window_pfn(vma, addr, 1, &pfn))
		return VM_FAULT_SIGBUS;
	/* the faulting page first: the one that must work */
	ret = vmf_insert_pfn(vma, addr, pfn);
	if (ret != VM_FAULT_NOPAGE)
		return ret;
	block = ALIGN_DOWN(addr, PAGE_SIZE * PTRS_PER_PTE);
	end = min(block + PAGE_SIZE * PTRS_PER_PTE, vma->vm_end);
	for (addr = max(block, vma->vm_start); addr < end; addr += PAGE_SIZE) {
		if (addr == (vmf->address & PAGE_MASK))
			continue;
		if (!bpbuf_window_pfn(vma, addr, 1, &pfn) ||
		    vmf_insert_pfn(vma, addr, pfn) != VM_FAULT_NOPAGE)
			break;
		n++;
	}
	count_entries(buf, BPBUF_MAP_PTE, n);
	return VM_FAULT_NOPAGE;
}

#ifdef HAVE_HUGE_PFNMAP
/*
 * Whether PUD entries may map @bdev's buffers: asked for at load, and not
 * every x86 CPU has 1 GiB pages
 */
static bool pud_maps(const struct bpbuf_device *bdev)
{
#ifdef HAVE_PUD_PFNMAP
#ifdef CONFIG_X86
	if (!boot_cpu_has(X86_FEATURE_GBPAGES))
		return false;
#endif
	return bdev->pud_mappings && has_transparent_pud_hugepage();
#else
	return false;
#endif
}

static vm_fault_t insert_huge(struct bpbuf_device *bdev, struct vm_fault *vmf,
			      unsigned long pfn, unsigned int order)
{
	bool write = vmf->flags & FAULT_FLAG_WRITE;

	if (order == PMD_ORDER) {
#ifdef HAVE_VMF_INSERT_PFN_PMD_ULONG
		return vmf_insert_pfn_pmd(vmf, pfn, write);
#else
		return vmf_insert_pfn_pmd(vmf, __pfn_to_pfn_t(pfn, PFN_DEV), write);
#endif
	}
#ifdef HAVE_PUD_PFNMAP
	if (order == PUD_ORDER && pud_maps(bdev)) {
#ifdef HAVE_VMF_INSERT_PFN_PMD_ULONG
		return vmf_insert_pfn_pud(vmf, pfn, write);
#else
		return vmf_insert_pfn_pud(vmf, __pfn_to_pfn_t(pfn, PFN_DEV), write);
#endif
	}
#endif
	return VM_FAULT_FALLBACK;
}

/*
 * One PMD or PUD entry for the aligned block around the fault, when the
 * block lies wholly in the window and its first page frame is aligned too;
 * else VM_FAULT_FALLBACK, and the kernel tries the next smaller size.
 */
static vm_fault_t bpbuf_vm_huge_fault(struct vm_fault *vmf, unsigned int order)
{
	struct vm_area_struct *vma = vmf->vma;
	struct bpbuf_buffer *buf = vma->vm_private_data;
	unsigned long pages = 1UL << order;
	unsigned long addr = ALIGN_DOWN(vmf->address, PAGE_SIZE << order);
	unsigned long pfn;
	vm_fault_t ret;

	if (!order)
		return bpbuf_vm_fault(vmf);
	if (order != PMD_ORDER && order != PUD_ORDER)
		return VM_FAULT_FALLBACK;
	if (!bpbuf_window_pfn(vma, addr, pages, &pfn) || !IS_ALIGNED(pfn, pages))
		return VM_FAULT_FALLBACK;
	ret = insert_huge(buf->bdev, vmf, pfn, order);
	if (ret == VM_FAULT_NOPAGE)
		count_entries(buf, order == PMD_ORDER ? BPBUF_MAP_PMD :
			      BPBUF_MAP_PUD, 1);
	return ret;
}
#endif /* HAVE_HUGE_PFNMAP */

static const struct vm_operations_struct bpbuf_vm_ops = {
	.open = bpbuf_vm_open,
	.close = bpbuf_vm_close,
	.fault = bpbuf_vm_fault,
#ifdef HAVE_HUGE_PFNMAP
	.huge_fault = bpbuf_vm_huge_fault,
#endif
};

/**
 * bpbuf_map_sizes - the sizes of page-table entry mmap() maps buffers with
 * @bdev: the device (its pud_mappings)
 *
 * Return: a bitmap of sizes in bytes (BPBUF_CAP_MAP_SIZES): PAGE_SIZE,
 * and PMD_SIZE and PUD_SIZE where this kernel and CPU map PFNs with them.
 */
u64 bpbuf_map_sizes(const struct bpbuf_device *bdev)
{
	u64 sizes = PAGE_SIZE;

#ifdef HAVE_HUGE_PFNMAP
	if (has_transparent_hugepage())
		sizes |= PMD_SIZE;
	if (pud_maps(bdev))
		sizes |= PUD_SIZE;
#endif
	return sizes;
}

/* Map pages [@addr, @end) of the window now, one PTE each */
static int map_pages_now(struct vm_area_struct *vma, unsigned long addr,
			 unsigned long end)
{
	struct bpbuf_buffer *buf = vma->vm_private_data;
	unsigned long pfn;
	int ret;

	if (addr >= end)
		return 0;
	pfn = page_to_pfn(buf->page) + vma->vm_pgoff +
	      ((addr - vma->vm_start) >> PAGE_SHIFT);
	ret = remap_pfn_range(vma, addr, pfn, end - addr, vma->vm_page_prot);
	if (!ret)
		count_entries(buf, BPBUF_MAP_PTE, (end - addr) >> PAGE_SHIFT);
	return ret;
}

/*
 * The part of the window that PMD entries can map, [*lo, *hi): where the
 * virtual address is congruent with the physical one modulo PMD_SIZE, the
 * PMD-aligned middle; else none (*lo == *hi).
 */
static void huge_part(struct vm_area_struct *vma, unsigned long *lo,
		      unsigned long *hi)
{
	*lo = *hi = vma->vm_start;
#ifdef HAVE_HUGE_PFNMAP
	{
		struct bpbuf_buffer *buf = vma->vm_private_data;
		phys_addr_t phys = PFN_PHYS(page_to_pfn(buf->page) + vma->vm_pgoff);

		if (!(bpbuf_map_sizes(buf->bdev) & PMD_SIZE) ||
		    (vma->vm_start - phys) & (PMD_SIZE - 1))
			return;
		*lo = ALIGN(vma->vm_start, PMD_SIZE);
		*hi = ALIGN_DOWN(vma->vm_end, PMD_SIZE);
		if (*lo >= *hi)
			*lo = *hi = vma->vm_start;
	}
#endif
}

/**
 * bpbuf_mmap_check - what every mmap() of a buffer must be
 * @buf: the buffer
 * @vma: the new mapping
 *
 * Shared (a private one would be copy-on-write, not the memory devices
 * see), and inside the buffer. The buffer counts as touched from now on.
 *
 * Return: 0, or -EINVAL.
 */
int bpbuf_mmap_check(struct bpbuf_buffer *buf, struct vm_area_struct *vma)
{
	unsigned long npages = buf->range->npages;

	/* VM_MAYSHARE, not VM_SHARED: read-only fds lose VM_SHARED */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_pgoff >= npages || vma_pages(vma) > npages - vma->vm_pgoff)
		return -EINVAL;
	bpbuf_buffer_touch(buf);
	return 0;
}

int bpbuf_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct bpbuf_buffer *buf = dmabuf->priv;
	unsigned long lo, hi;
	int ret;

	ret = bpbuf_mmap_check(buf, vma);
	if (ret)
		return ret;
	/*
	 * What remap_pfn_range() sets, also for a window it never sees.
	 * mremap() must not grow it past the buffer; core dumps skip it.
	 */
	vm_flags_set(vma, VM_PFNMAP | VM_IO | VM_DONTEXPAND | VM_DONTDUMP);
#ifdef HAVE_HUGE_PFNMAP
	/* large entries also for programs that asked for THP only where advised */
	vm_flags_set(vma, VM_HUGEPAGE);
#endif
	vma->vm_private_data = buf;
	/* from the flags, not what an importer's dma_buf_mmap() caller set */
	vma->vm_page_prot = bpbuf_cpu_mode_prot(buf->cpu_mode,
						vm_get_page_prot(vma->vm_flags));

	/* the middle on first touch, the rest now */
	huge_part(vma, &lo, &hi);
	if (lo == hi) {
		ret = map_pages_now(vma, vma->vm_start, vma->vm_end);
	} else {
		ret = map_pages_now(vma, vma->vm_start, lo);
		if (!ret)
			ret = map_pages_now(vma, hi, vma->vm_end);
	}
	if (ret)
		return ret;

	vma->vm_ops = &bpbuf_vm_ops;
	atomic_inc(&buf->mmap_count);
	return 0;
}
