/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel API differences, resolved by configure's probes (config/kernel-*.m4)
 * rather than by version numbers.
 */
#ifndef BPBUF_COMPAT_H
#define BPBUF_COMPAT_H

#include <linux/mm.h>
#include <linux/module.h>

#ifndef HAVE_VM_FLAGS_SET
/* Before 6.3 vm_flags was a plain field. */
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}
#endif

#ifndef HAVE_NTH_PAGE
/* Gone in 6.18: the struct pages of one allocation are contiguous there. */
#define nth_page(page, n) ((page) + (n))
#endif

#ifdef HAVE_ALLOC_CONTIG_RANGE
#include <linux/gfp.h>

/*
 * Take the page frames [start, end) from the page allocator, migrating
 * what is in them; 6.16 replaced the range's migratetype argument with
 * flags (ACR_FLAGS_NONE for ordinary memory).
 */
static inline int bpbuf_alloc_contig_range(unsigned long start,
					   unsigned long end, gfp_t gfp)
{
#ifdef HAVE_ALLOC_CONTIG_RANGE_FLAGS
	return alloc_contig_range(start, end, ACR_FLAGS_NONE, gfp);
#else
	return alloc_contig_range(start, end, MIGRATE_MOVABLE, gfp);
#endif
}
#endif

struct platform_device;

/*
 * A platform driver's remove callback, written as void (6.11 on): before,
 * .remove returns int, and BPBUF_PLATFORM_REMOVE_WRAPPER() makes one that
 * calls it and returns 0.
 */
#ifdef HAVE_PLATFORM_REMOVE_VOID
#define BPBUF_PLATFORM_REMOVE_WRAPPER(fn)
#define BPBUF_PLATFORM_REMOVE_FIELD(fn) .remove = fn
#else
#define BPBUF_PLATFORM_REMOVE_WRAPPER(fn)				\
	static int fn##_int(struct platform_device *pdev)		\
	{								\
		fn(pdev);						\
		return 0;						\
	}
#define BPBUF_PLATFORM_REMOVE_FIELD(fn) .remove = fn##_int
#endif

#ifdef HAVE_MODULE_IMPORT_NS_STRING
#define BPBUF_IMPORT_NS_DMA_BUF() MODULE_IMPORT_NS("DMA_BUF")
#else
#define BPBUF_IMPORT_NS_DMA_BUF() MODULE_IMPORT_NS(DMA_BUF)
#endif

#endif /* BPBUF_COMPAT_H */
