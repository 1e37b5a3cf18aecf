// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpbuf CPU modes: a buffer is mapped cached (the default), write-combined
 * or uncached, by user space (mmap.c, pagemap.c) and by the kernel
 * (buffer.c's vmap for importers) alike, so that no two mappings of one
 * buffer ever have different memory types. The mode is fixed when the
 * buffer is made. The kernel's own linear map of the memory is another
 * mapping, and what becomes of it depends on the architecture:
 *
 * x86    The linear map takes the buffer's type too, with set_memory_wc()
 *        or set_memory_uc() once the buffer is zeroed, and goes back to
 *        write-back when it is freed: PAT does not allow two types for one
 *        page, and with the type recorded on the pages, every PFN mapping
 *        of them gets it. Write-combining needs PAT (nopat, or a kernel
 *        without CONFIG_X86_PAT, refuses it); uncached RAM is UC-. Memory
 *        that is not System RAM (the reserved source's memmap= ranges) has
 *        its type fixed by memremap_pages(): cached only.
 * arm64  The linear map stays cacheable, as the DMA API leaves it under its
 *        own non-coherent allocations: once the buffer is zeroed its lines
 *        are cleaned and invalidated, after which only speculation brings
 *        them into the caches again, clean, never to be written back.
 *        Write-combined and uncached are both Normal Non-cacheable, what
 *        the DMA API maps coherent memory with: arm64 never maps RAM as
 *        Device memory, which faults on the unaligned accesses of every
 *        memcpy(), the kernel's too (an importer's vmap).
 * others Cached only, for now; so are kernels with highmem, whose pages
 *        need not have an address of their own.
 *
 * Page maps (pagemap.c) are for cached buffers only: the kernel code that
 * takes their pages (sockets, io_uring rings, AF_XDP) maps them its own
 * way, cached.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/string.h>
#ifdef CONFIG_X86
#include <asm/memtype.h>
#include <asm/set_memory.h>
#endif
#ifdef HAVE_ARCH_PMEM_CACHE_OPS
#include <linux/libnvdimm.h>
#endif

#include "cpumode.h"
#include "heap.h"

static const char *const mode_names[] = {
	[BPBUF_CPU_CACHED] = "cached",
	[BPBUF_CPU_WRITECOMBINE] = "wc",
	[BPBUF_CPU_UNCACHED] = "uncached",
};

/**
 * bpbuf_cpu_mode_name - a mode's name, as module parameters, the device
 * tree and debugfs spell it
 * @mode: a BPBUF_CPU_* mode
 *
 * Return: "cached", "wc", "uncached", or "?" for anything else.
 */
const char *bpbuf_cpu_mode_name(u32 mode)
{
	if (mode >= ARRAY_SIZE(mode_names) || !mode_names[mode])
		return "?";
	return mode_names[mode];
}

/**
 * bpbuf_cpu_mode_parse - the mode of a name bpbuf_cpu_mode_name() gives
 * @name: the name
 * @mode: out: the mode
 *
 * Return: 0, or -EINVAL for another name.
 */
int bpbuf_cpu_mode_parse(const char *name, u32 *mode)
{
	u32 m;

	for (m = 0; m < ARRAY_SIZE(mode_names); m++) {
		if (mode_names[m] && sysfs_streq(name, mode_names[m])) {
			*mode = m;
			return 0;
		}
	}
	return -EINVAL;
}

/*
 * Why buffers of memory from @source cannot be mapped @mode on this
 * kernel, or NULL when they can: what the load error and the refusal's log
 * say
 */
const char *bpbuf_cpu_mode_why_not(enum bpbuf_source source, u32 mode)
{
	if (mode >= ARRAY_SIZE(mode_names) || !mode_names[mode])
		return "no such mode";
	if (bpbuf_cpu_mode_cached(mode))
		return NULL;
	if (IS_ENABLED(CONFIG_HIGHMEM))
		return "not with highmem, whose pages need not have a kernel address";
#if defined(CONFIG_X86)
	if (source == BPBUF_SOURCE_RESERVED)
		return "the memory type of reserved memory is fixed (write-back) by memremap_pages()";
	if (mode == BPBUF_CPU_WRITECOMBINE && !pat_enabled())
		return "write-combining needs PAT, which this kernel has not enabled (nopat, or built without CONFIG_X86_PAT)";
	return NULL;
#elif defined(CONFIG_ARM64) && defined(HAVE_ARCH_PMEM_CACHE_OPS)
	return NULL;
#elif defined(CONFIG_ARM64)
	return "this kernel gives bpbuf no way to clean its cacheable alias of the memory";
#else
	return "not on this architecture yet";
#endif
}

/**
 * bpbuf_cpu_modes_of - the modes buffers of memory from @source may be
 * mapped with here
 * @source: where the memory comes from; ordinary memory (cma, movable) for
 *	what the kernel and architecture allow at all
 *
 * Return: a bitmap of BPBUF_CPU_MODE_BIT(mode); cached always.
 */
u32 bpbuf_cpu_modes_of(enum bpbuf_source source)
{
	u32 mode, modes = 0;

	for (mode = BPBUF_CPU_CACHED; mode < ARRAY_SIZE(mode_names); mode++)
		if (!bpbuf_cpu_mode_why_not(source, mode))
			modes |= BPBUF_CPU_MODE_BIT(mode);
	return modes;
}

/* The modes @heap's buffers may be mapped with here */
u32 bpbuf_cpu_modes(const struct bpbuf_heap *heap)
{
	return bpbuf_cpu_modes_of(bpbuf_heap_source(heap));
}

/**
 * bpbuf_cpu_mode_prot - the page protection of a CPU mapping in @mode
 * @mode: a mode bpbuf_cpu_modes() allows
 * @prot: the protection a cached mapping would have
 *
 * Return: @prot with @mode's memory type.
 */
pgprot_t bpbuf_cpu_mode_prot(u32 mode, pgprot_t prot)
{
	switch (mode) {
	case BPBUF_CPU_WRITECOMBINE:
		return pgprot_writecombine(prot);
	case BPBUF_CPU_UNCACHED:
#ifdef CONFIG_ARM64
		return pgprot_writecombine(prot);	/* Normal Non-cacheable */
#else
		return pgprot_noncached(prot);		/* x86: UC- */
#endif
	default:
		return prot;
	}
}

/*
 * Clean and invalidate the kernel's cacheable alias at @kaddr, a chunk at a
 * time: a buffer may be gigabytes
 */
static void __maybe_unused clean_alias(void *kaddr, size_t len)
{
#if defined(CONFIG_ARM64) && defined(HAVE_ARCH_PMEM_CACHE_OPS)
	size_t done, n;

	for (done = 0; done < len; done += n) {
		n = min_t(size_t, len - done, SZ_2M);
		arch_wb_cache_pmem(kaddr + done, n);
		arch_invalidate_pmem(kaddr + done, n);
		cond_resched();
	}
#endif
}

/**
 * bpbuf_cpu_mode_enter - make a zeroed range ready for mappings of @mode
 * @heap: its heap
 * @range: the range, zeroed, in no mapping yet
 * @mode: a mode bpbuf_cpu_modes() allows
 *
 * Return: 0, or the kernel's error changing the linear map's type (x86:
 * -ENOMEM splitting it, -EBUSY for a page whose type is not write-back).
 */
int bpbuf_cpu_mode_enter(struct bpbuf_heap *heap,
			 const struct bpbuf_range *range, u32 mode)
{
	void *kaddr = bpbuf_heap_kaddr(heap, range->start, range->npages);

	if (bpbuf_cpu_mode_cached(mode))
		return 0;
	if (WARN_ON(!kaddr))
		return -EOPNOTSUPP;
#if defined(CONFIG_X86)
	{
		int ret = mode == BPBUF_CPU_WRITECOMBINE ?
			  set_memory_wc((unsigned long)kaddr, range->npages) :
			  set_memory_uc((unsigned long)kaddr, range->npages);

		/* a split that ran out of memory may have changed a part */
		if (ret)
			set_memory_wb((unsigned long)kaddr, range->npages);
		return ret;
	}
#elif defined(CONFIG_ARM64) && defined(HAVE_ARCH_PMEM_CACHE_OPS)
	/* the zeros to memory, and no line of them left to be written back */
	clean_alias(kaddr, (size_t)range->npages << PAGE_SHIFT);
	return 0;
#else
	return -EOPNOTSUPP;
#endif
}

/**
 * bpbuf_cpu_mode_leave - undo bpbuf_cpu_mode_enter() when the range is
 * freed, every mapping of it gone
 * @heap: its heap
 * @range: the range
 * @mode: the mode it was entered with
 */
void bpbuf_cpu_mode_leave(struct bpbuf_heap *heap,
			  const struct bpbuf_range *range, u32 mode)
{
#ifdef CONFIG_X86
	void *kaddr = bpbuf_heap_kaddr(heap, range->start, range->npages);

	if (bpbuf_cpu_mode_cached(mode) || WARN_ON(!kaddr))
		return;
	/* cannot fail: the pages' type was reserved by set_memory_wc/uc() */
	WARN_ON(set_memory_wb((unsigned long)kaddr, range->npages));
#endif
	/*
	 * arm64: nothing. The zeroer writes every line through the cacheable
	 * alias, and the next mode's enter() or syncs deal with the caches.
	 */
}
