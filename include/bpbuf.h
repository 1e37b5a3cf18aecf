/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * bpbuf: physically contiguous buffers, cut from heaps the module takes at
 * load (from CMA, or movable memory), as dma-buf file descriptors, with
 * their bus address.
 *
 * This is the kernel ABI of /dev/bpbuf, shared unmodified by the module, the
 * library and the tests. Do not fix it by hand in a copy.
 *
 * Rules every struct here keeps (Documentation/process/botching-up-ioctls.rst):
 * fixed-width types only, pointers as __u64, no implicit padding, sizes a
 * multiple of 8, so 32- and 64-bit processes share one layout. Unknown flags
 * and nonzero pad fields are refused with EINVAL, and so are nonzero output
 * fields on input.
 *
 * Struct sizes: the struct size travels in the ioctl number. The kernel
 * copies min(user size, kernel size) bytes in and zero-fills the rest; a
 * newer (longer) struct is accepted as long as the bytes the kernel does not
 * know are zero (else E2BIG); on success min(user size, kernel size) bytes
 * are copied back. A struct shorter than the first published version of it
 * (the sizes below) is refused with EINVAL.
 *
 * Errors every ioctl can return, besides those listed with it:
 *   ENOTTY  unknown ioctl number, or not _IOC_READ|_IOC_WRITE
 *   EINVAL  struct shorter than its first version
 *   E2BIG   struct longer than the kernel's with nonzero bytes past its end
 *   EFAULT  the struct is not readable or not writable
 *
 * open(2) of /dev/bpbuf fails with ENODEV while the module is still loading.
 *
 * Magic: 'B' is shared (Documentation/userspace-api/ioctl/ioctl-number.rst
 * lists 'B' 00-1F and C0-FF); bpbuf takes the free numbers 0x40-0x5F.
 */
#ifndef _UAPI_BPBUF_H
#define _UAPI_BPBUF_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define BPBUF_IOCTL_BASE	'B'
#define BPBUF_IOCTL_NR_FIRST	0x40

/* Longest buffer name, with its NUL; the same as dma-buf's DMA_BUF_NAME_LEN */
#define BPBUF_NAME_LEN		32

/* Default alignment for buffers of at least this size: one PMD on x86-64 */
#define BPBUF_HUGE_ALIGN	(2ULL << 20)

/**
 * struct bpbuf_version - BPBUF_IOCTL_VERSION
 * @version_major: out: incremented on an incompatible change (never, we hope)
 * @version_minor: out: incremented when an ioctl, flag or capability is added
 * @version_patchlevel: out: incremented on a fix that user space may care about
 * @pad: must be zero
 * @name_len: in: size of the @name buffer; out: length of the name
 * @name: user pointer to a buffer for the driver name ("bpbuf"), or 0
 * @date_len: in/out as @name_len, for @date
 * @date: user pointer to a buffer for the interface date (YYYYMMDD), or 0
 * @desc_len: in/out as @name_len, for @desc
 * @desc: user pointer to a buffer for a one-line description, or 0
 *
 * As with DRM_IOCTL_VERSION, each string is copied truncated to its buffer
 * without a terminating NUL, and its full length is returned, so a caller
 * can ask for the lengths first and then for the strings. A length of 0 or
 * a pointer of 0 copies nothing.
 *
 * Errors: EFAULT (a string buffer is not writable), EINVAL (@pad or a
 * version field nonzero on input).
 */
struct bpbuf_version {
	__u32 version_major;
	__u32 version_minor;
	__u32 version_patchlevel;
	__u32 pad;
	__u64 name_len;
	__u64 name;
	__u64 date_len;
	__u64 date;
	__u64 desc_len;
	__u64 desc;
};

/*
 * Capabilities for BPBUF_IOCTL_GET_CAP. Numbers are never reused.
 */
/* 1 if this caller may use BPBUF_IOCTL_BUS_ADDR, else 0 */
#define BPBUF_CAP_BUS_ADDR		1
/* Largest alignment BPBUF_IOCTL_ALLOC accepts, in bytes */
#define BPBUF_CAP_MAX_ALIGN		2
/* Width of the DMA mask the default heap was carved with (32..64) */
#define BPBUF_CAP_DMA_BITS		3
/* 1: BPBUF_IOCTL_SYNC syncs byte ranges */
#define BPBUF_CAP_RANGE_SYNC		4
/* Size of the default heap in bytes */
#define BPBUF_CAP_HEAP_SIZE		5
/* Page size: the unit of sizes, offsets and the smallest alignment */
#define BPBUF_CAP_PAGE_SIZE		6
/* 1: struct bpbuf_alloc has @name */
#define BPBUF_CAP_ALLOC_NAME		7
/* Size from which the default alignment is BPBUF_HUGE_ALIGN, in bytes */
#define BPBUF_CAP_HUGE_ALIGN		8
/* 1 if this caller may use BPBUF_IOCTL_DEV_MAP and DEV_UNMAP, else 0 */
#define BPBUF_CAP_DEV_MAP		9
/*
 * The sizes of page-table entry mmap() of a buffer uses, as a bitmap of
 * sizes in bytes: the page size always; also the PMD size (2 MiB with 4 KiB
 * pages) and the PUD size (1 GiB) where this kernel and CPU can map buffers
 * with them (PUD entries only with the module's pud_mappings=1). A part of
 * a mapping whose virtual and physical addresses are both aligned to one of
 * them is mapped with such an entry on first touch.
 */
#define BPBUF_CAP_MAP_SIZES		10
/*
 * 1 if BPBUF_IOCTL_PAGE_MAP works for the default heap's buffers: its
 * memory is pages the kernel can map one by one (CMA's, movable memory's;
 * checked at load); 0 if not, and it then fails with EOPNOTSUPP. Other
 * heaps: BPBUF_HEAP_PAGE_MAP in struct bpbuf_heap_info.
 */
#define BPBUF_CAP_PAGE_MAP		11
/*
 * Number of heaps: their ids are 0 (BPBUF_HEAP_DEFAULT) to this minus one.
 * A kernel without the capability (EINVAL) has the default heap alone.
 */
#define BPBUF_CAP_HEAPS			12
/*
 * The CPU modes (BPBUF_CPU_*) this kernel and architecture can map buffers
 * with, as a bitmap of (1 << mode): cached always; a heap may allow fewer
 * (struct bpbuf_heap_info's @cpu_modes). A kernel without the capability
 * (EINVAL) maps every buffer cached (0.7).
 */
#define BPBUF_CAP_CPU_MODES		13

/**
 * struct bpbuf_get_cap - BPBUF_IOCTL_GET_CAP
 * @capability: in: one of BPBUF_CAP_*
 * @value: out: its value; must be zero on input
 *
 * Errors: EINVAL (unknown @capability, or @value nonzero on input).
 */
struct bpbuf_get_cap {
	__u64 capability;
	__u64 value;
};

/* The heap buffers come from unless the caller names another */
#define BPBUF_HEAP_DEFAULT	0

/* Longest heap name, with its NUL */
#define BPBUF_HEAP_NAME_LEN	32

/* Where a heap's memory comes from (struct bpbuf_heap_info's @source) */
/* The kernel's CMA area */
#define BPBUF_HEAP_SOURCE_CMA		1
/* Ordinary movable memory, emptied when the module was loaded */
#define BPBUF_HEAP_SOURCE_MOVABLE	2
/* A reserved-memory region of the device tree, with a CMA area of its own */
#define BPBUF_HEAP_SOURCE_REGION	3
/*
 * Memory set aside at boot that the kernel does not manage (memmap=, given
 * struct pages by ZONE_DEVICE; a no-map device tree region), at a fixed
 * address; no page maps (0.6)
 */
#define BPBUF_HEAP_SOURCE_RESERVED	4

/*
 * CPU modes: how every CPU mapping of a buffer maps its memory, user
 * space's mmap() and page maps and the kernel's vmap() for importers alike,
 * chosen when it is allocated (BPBUF_ALLOC_CACHED ...) and never changed,
 * so that no two mappings of a buffer ever differ (0.7).
 */
/*
 * Cached: CPU access goes through the caches; around it, for a device that
 * does not snoop them, BPBUF_IOCTL_SYNC or DMA_BUF_IOCTL_SYNC clean and
 * invalidate them
 */
#define BPBUF_CPU_CACHED	1
/*
 * Write-combined: uncached, with writes gathered in the CPU's
 * write-combining buffers (x86 WC, arm64 Normal Non-cacheable): for data
 * the CPU writes in streams and devices read. No cache to clean; SYNC only
 * orders the CPU's accesses against the device's and drains those buffers
 * (a barrier: mfence on x86, dsb sy on arm64).
 */
#define BPBUF_CPU_WRITECOMBINE	2
/*
 * Uncached: every access goes to memory, in program order on x86 (UC-);
 * on arm64 the same type as write-combined (Normal Non-cacheable, as the
 * DMA API's coherent memory: arm64 never maps RAM as Device memory), with
 * barriers for order. For status words and descriptors the device and the
 * CPU share. SYNC as for write-combined.
 */
#define BPBUF_CPU_UNCACHED	3

/* Flags in struct bpbuf_heap_info's @flags */
/* BPBUF_IOCTL_PAGE_MAP works for this heap's buffers */
#define BPBUF_HEAP_PAGE_MAP		(1U << 0)
/*
 * The heap is at the physical address its configuration names (heaps=
 * NAME:SIZE@ADDR, a device tree region with reg): the same on every boot
 */
#define BPBUF_HEAP_FIXED		(1U << 1)

/**
 * struct bpbuf_heap_info - BPBUF_IOCTL_HEAP_INFO
 * @heap_size: size of the heap in bytes
 * @free_bytes: bytes not in any buffer
 * @largest_free: largest free extent in bytes: the biggest buffer that can
 *	be allocated now with page alignment
 * @max_align: largest alignment BPBUF_IOCTL_ALLOC accepts, in bytes
 * @live_buffers: number of buffers not yet freed (fds or mappings alive)
 * @free_extents: number of free extents; 1 (or 0 when full) means no
 *	fragmentation
 * @dma_bits: width of the heap's DMA mask: its memory lies below 2^dma_bits
 * @page_size: page size in bytes
 * @heap_id: in: which heap, from 0 (BPBUF_HEAP_DEFAULT) to @nr_heaps - 1
 * @nr_heaps: out: how many heaps the module has (BPBUF_CAP_HEAPS)
 * @source: out: where the heap's memory comes from, a BPBUF_HEAP_SOURCE_*
 * @flags: out: BPBUF_HEAP_* flags
 * @name: out: the heap's name, NUL-terminated: "default" for heap 0, the
 *	name the heaps= module parameter or the device tree gave for the
 *	others
 * @cpu_mode: out: the BPBUF_CPU_* mode of buffers whose allocation names
 *	none (heap_cpu_mode=, heaps= NAME:SIZE:wc, bpbuf,cpu-mode; 0.7)
 * @cpu_modes: out: the modes this heap's buffers can have, as a bitmap of
 *	(1 << mode): BPBUF_CAP_CPU_MODES, less what its memory cannot take
 *	(0.7)
 *
 * Every field but @heap_id is output only and must be zero on input. A
 * caller built before @heap_id (a 48-byte struct) asks about the default
 * heap.
 *
 * Errors: EINVAL (a field but @heap_id nonzero on input), ENOENT (no heap
 * has that id).
 */
struct bpbuf_heap_info {
	__u64 heap_size;
	__u64 free_bytes;
	__u64 largest_free;
	__u64 max_align;
	__u32 live_buffers;
	__u32 free_extents;
	__u32 dma_bits;
	__u32 page_size;
	__u32 heap_id;
	__u32 nr_heaps;
	__u32 source;
	__u32 flags;
	char name[BPBUF_HEAP_NAME_LEN];
	__u32 cpu_mode;
	__u32 cpu_modes;
};

/* Flags for struct bpbuf_alloc */
/* Set close-on-exec on the new fd (O_CLOEXEC) */
#define BPBUF_ALLOC_CLOEXEC	(1U << 0)
/* Open the fd read-only (O_RDONLY); neither access flag means O_RDWR */
#define BPBUF_ALLOC_RDONLY	(1U << 1)
/* Open the fd write-only (O_WRONLY); it cannot be mmap()ed then */
#define BPBUF_ALLOC_WRONLY	(1U << 2)
/* Open the fd read-write (O_RDWR): the default, spelt out */
#define BPBUF_ALLOC_RDWR	0U
/*
 * The buffer's CPU mode, in bits 4-5: none of them for the heap's default
 * (struct bpbuf_heap_info's @cpu_mode), else one of these (0.7)
 */
#define BPBUF_ALLOC_CPU_SHIFT	4
#define BPBUF_ALLOC_CPU_MASK	(3U << BPBUF_ALLOC_CPU_SHIFT)
#define BPBUF_ALLOC_CACHED	(BPBUF_CPU_CACHED << BPBUF_ALLOC_CPU_SHIFT)
#define BPBUF_ALLOC_WRITECOMBINE	(BPBUF_CPU_WRITECOMBINE << BPBUF_ALLOC_CPU_SHIFT)
#define BPBUF_ALLOC_UNCACHED	(BPBUF_CPU_UNCACHED << BPBUF_ALLOC_CPU_SHIFT)
#define BPBUF_ALLOC_VALID_FLAGS \
	(BPBUF_ALLOC_CLOEXEC | BPBUF_ALLOC_RDONLY | BPBUF_ALLOC_WRONLY | \
	 BPBUF_ALLOC_CPU_MASK)

/**
 * struct bpbuf_alloc - BPBUF_IOCTL_ALLOC
 * @size: in: size in bytes, rounded up to whole pages
 * @align: in: alignment of the buffer's physical address in bytes: 0 for
 *	the default, else a power of two from the page size up to
 *	BPBUF_CAP_MAX_ALIGN. The default is BPBUF_HUGE_ALIGN for buffers of
 *	at least that size (so they can be mapped with 2 MiB page-table
 *	entries), or the largest size in BPBUF_CAP_MAP_SIZES that the buffer
 *	reaches if that is larger (1 GiB for a buffer of 1 GiB or more where
 *	PUD entries map buffers), each if the heap has such a hole, else the
 *	next smaller one, else the page size; one above BPBUF_HUGE_ALIGN only
 *	at the very edge of a hole, where its slack leaves no hole of its
 *	own. Without an IOMMU the bus address is the physical address.
 * @flags: in: BPBUF_ALLOC_* flags
 * @fd: out: the new dma-buf fd; must be zero on input
 * @name: in: a name for the buffer, NUL-terminated, as DMA_BUF_SET_NAME
 *	would set it; an empty string leaves it unnamed
 * @heap_id: in: the heap to take it from: 0 (BPBUF_HEAP_DEFAULT) for the
 *	default heap, else an id below BPBUF_CAP_HEAPS (BPBUF_IOCTL_HEAP_INFO
 *	gives each id's name). A caller built before @heap_id (a 56-byte
 *	struct) allocates from the default heap.
 * @pad: must be zero
 *
 * Allocates a physically contiguous buffer from a heap and returns it as a
 * dma-buf fd, exporter name "bpbuf". The memory is zeroed. The buffer is
 * freed when its last fd is closed and its last mapping is gone.
 *
 * Errors:
 *   EINVAL  @size is 0 or rounds up past 2^64; @align is not 0 and not a
 *           power of two in [page size, BPBUF_CAP_MAX_ALIGN]; unknown bit in
 *           @flags; both BPBUF_ALLOC_RDONLY and BPBUF_ALLOC_WRONLY; @fd
 *           nonzero; @name without a NUL; @pad nonzero
 *   ENOENT  no heap has id @heap_id
 *   EOPNOTSUPP  the CPU mode in @flags is not one the heap's buffers can
 *           have on this kernel (struct bpbuf_heap_info's @cpu_modes): x86
 *           without PAT has no write-combining, reserved memory's type is
 *           fixed on x86, other architectures have cached only
 *   ENOMEM  no free extent of @size with @align (the heap is full or too
 *           fragmented, or @size is larger than the heap), or the kernel is
 *           out of memory for its bookkeeping
 *   EINTR   a fatal signal arrived while the buffer was being zeroed
 *   EMFILE  the process has no free fd
 */
struct bpbuf_alloc {
	__u64 size;
	__u64 align;
	__u32 flags;
	__u32 fd;
	char name[BPBUF_NAME_LEN];
	__u32 heap_id;
	__u32 pad;
};

/**
 * struct bpbuf_bus_addr - BPBUF_IOCTL_BUS_ADDR
 * @fd: in: a dma-buf fd bpbuf exported
 * @flags: in: must be zero
 * @bus_addr: out: the address the device of the buffer's heap uses for its
 *	first byte (/dev/bpbuf for the default heap, a device of the heap's
 *	own for the others, each with the heap's DMA mask); must be zero on
 *	input. Those devices sit behind no IOMMU: this is the physical address (plus
 *	any bus offset), right for a device without an IOMMU or in IOMMU
 *	passthrough; a device behind a translating IOMMU needs
 *	BPBUF_IOCTL_DEV_MAP's address instead.
 * @size: out: size of the buffer in bytes; must be zero on input
 *
 * Only callers with CAP_SYS_RAWIO may ask, unless the module was loaded with
 * bus_addr_unprivileged=1; BPBUF_CAP_BUS_ADDR tells which.
 *
 * Errors:
 *   EPERM   the caller lacks CAP_SYS_RAWIO and bus_addr_unprivileged is 0
 *   EINVAL  @flags, @bus_addr or @size nonzero; @fd is open but not a dma-buf
 *   EBADF   @fd is not an open file descriptor
 *   EXDEV   @fd is a dma-buf another exporter made
 */
struct bpbuf_bus_addr {
	__u32 fd;
	__u32 flags;
	__u64 bus_addr;
	__u64 size;
};

/* Flags for struct bpbuf_sync, with the values of DMA_BUF_SYNC_* */
#define BPBUF_SYNC_READ		(1U << 0)
#define BPBUF_SYNC_WRITE	(1U << 1)
#define BPBUF_SYNC_RW		(BPBUF_SYNC_READ | BPBUF_SYNC_WRITE)
#define BPBUF_SYNC_START	0U
#define BPBUF_SYNC_END		(1U << 2)
#define BPBUF_SYNC_VALID_FLAGS	(BPBUF_SYNC_RW | BPBUF_SYNC_END)

/**
 * struct bpbuf_sync - BPBUF_IOCTL_SYNC
 * @fd: in: a dma-buf fd bpbuf exported
 * @flags: in: BPBUF_SYNC_START or BPBUF_SYNC_END, with BPBUF_SYNC_READ,
 *	BPBUF_SYNC_WRITE or both: what the CPU is about to do (START) or has
 *	done (END), as DMA_BUF_IOCTL_SYNC
 * @offset: in: first byte of the range
 * @length: in: bytes in the range
 *
 * Makes a byte range of the buffer coherent between the CPU and every device
 * that has it mapped (the heap's own device and each dma-buf importer): START
 * before the CPU touches the range, END after. Only that range is synced.
 *
 * Errors:
 *   EINVAL  unknown bit in @flags, or neither READ nor WRITE; @length 0;
 *           @offset at or past the end of the buffer; @offset + @length past
 *           the end or overflowing; @fd is open but not a dma-buf
 *   EBADF   @fd is not an open file descriptor
 *   EXDEV   @fd is a dma-buf another exporter made
 */
struct bpbuf_sync {
	__u32 fd;
	__u32 flags;
	__u64 offset;
	__u64 length;
};

/* Buses of the device struct bpbuf_dev_map names */
/* @device is a PCI address, DDDD:BB:DD.F or BB:DD.F (domain 0), in hex */
#define BPBUF_BUS_PCI		1
/* @device is a platform device's name, as in /sys/bus/platform/devices */
#define BPBUF_BUS_PLATFORM	2

/* Longest device name in struct bpbuf_dev_map, with its NUL */
#define BPBUF_DEV_NAME_LEN	64

/**
 * struct bpbuf_dev_map - BPBUF_IOCTL_DEV_MAP and BPBUF_IOCTL_DEV_UNMAP
 * @fd: in: a dma-buf fd bpbuf exported
 * @flags: in: must be zero
 * @bus: in: BPBUF_BUS_PCI or BPBUF_BUS_PLATFORM
 * @pad: must be zero
 * @device: in: the device that will do the DMA, named as @bus says:
 *	printable characters, NUL-terminated, zero after the NUL
 * @dma_addr: out (DEV_MAP): the address that device uses for the first
 *	byte of the buffer; the whole buffer is one range from there. Must be
 *	zero on input.
 * @size: out (DEV_MAP): size of the buffer in bytes; must be zero on input
 *
 * DEV_MAP maps the buffer for @device through the kernel's DMA API, as a
 * dma-buf importer's mapping: behind an IOMMU the address is an IOVA in
 * the device's domain, else the bus address as the device's DMA mask and
 * bus offsets give it. Never through bounce buffers and never in pieces:
 * what cannot be one directly reachable range is refused.
 *
 * Since interface 0.6 the mapping belongs to the open file of /dev/bpbuf it
 * was asked through (before, to the buffer, ended by whoever asked),
 * one per buffer and device there, and holds the buffer: its memory stays
 * allocated (and charged) while the mapping lives, even with every fd of
 * the buffer closed, so that a device never reaches memory that went back
 * to the heap. It ends at DEV_UNMAP through that same file, when that file
 * is closed for the last time (a process that exits or is killed lets go
 * of its own), or when the device's driver is unbound, before the driver's
 * remove and before the device's DMA setup is torn down; the buffer is
 * freed then if nothing else holds it. Stop the device first: bpbuf cannot
 * see DMA in flight, and without a translating IOMMU a transfer after the
 * end reaches memory that may no longer be the buffer. Mapping the same
 * buffer for the same device again through the same file returns the same
 * address; through another file it is another mapping (behind an IOMMU,
 * another address). BPBUF_IOCTL_SYNC covers these mappings.
 *
 * The device must have a driver bound that uses the DMA API (a kernel
 * driver, or uio_pci_generic for a user-space one): DMA is set up for a
 * device only once a driver binds. A device whose DMA user space owns
 * (vfio-pci) takes VFIO's own mappings instead.
 *
 * Both need CAP_SYS_RAWIO unless the module was loaded with
 * bus_addr_unprivileged=1 (BPBUF_CAP_DEV_MAP tells).
 *
 * Errors:
 *   EPERM      the caller lacks CAP_SYS_RAWIO and
 *              bus_addr_unprivileged is 0
 *   EINVAL     @flags, @pad, @dma_addr or @size nonzero; unknown @bus;
 *              @device empty, without a NUL, not zero after it, with a
 *              control character, or not a PCI address for BPBUF_BUS_PCI;
 *              @fd is open but not a dma-buf
 *   EBADF      @fd is not an open file descriptor
 *   EXDEV      @fd is a dma-buf another exporter made
 *   ENODEV     no such device on that bus
 *   ENXIO      (DEV_MAP) no driver is bound to the device
 *   EBUSY      (DEV_MAP) the bound driver manages the device's DMA itself
 *              (vfio-pci, pci-stub), or its IOMMU domain is not the DMA
 *              API's
 *   EOPNOTSUPP (DEV_MAP) the device does no DMA through the DMA API (no
 *              DMA mask), or all its DMA goes through bounce buffers
 *   ERANGE     (DEV_MAP) the device's DMA mask or bus limit does not reach
 *              the buffer without bounce buffers, or the mapping would not
 *              be one contiguous range (as for an untrusted device, such
 *              as one behind Thunderbolt, which its IOMMU maps piece by
 *              piece)
 *   ENOMEM     (DEV_MAP) no room in the device's IOVA space, or no memory
 *              for bookkeeping
 *   EIO        (DEV_MAP) the DMA API failed the mapping for another reason
 *   EINTR      a signal arrived while waiting for the device
 *   ENOENT     (DEV_UNMAP) this file has no mapping of the buffer for that
 *              device (never made, made through another file, already
 *              unmapped, or ended when its driver unbound)
 */
struct bpbuf_dev_map {
	__u32 fd;
	__u32 flags;
	__u32 bus;
	__u32 pad;
	char device[BPBUF_DEV_NAME_LEN];
	__u64 dma_addr;
	__u64 size;
};

/* Flags for struct bpbuf_page_map */
/* Set close-on-exec on the new fd (O_CLOEXEC) */
#define BPBUF_PAGE_MAP_CLOEXEC	(1U << 0)
#define BPBUF_PAGE_MAP_VALID_FLAGS	BPBUF_PAGE_MAP_CLOEXEC

/**
 * struct bpbuf_page_map - BPBUF_IOCTL_PAGE_MAP
 * @fd: in: a dma-buf fd bpbuf exported
 * @flags: in: BPBUF_PAGE_MAP_* flags
 * @map_fd: out: a new fd to mmap() the buffer through; must be zero on
 *	input
 * @pad: must be zero
 *
 * The dma-buf's own mmap() maps the buffer as bare page frames
 * (VM_PFNMAP), which get_user_pages() refuses: O_DIRECT from it fails with
 * EFAULT. mmap() of @map_fd (MAP_SHARED, offset and length inside the
 * buffer, as for the dma-buf) maps the same memory page by page, and the
 * kernel's zero-copy paths take those pages: O_DIRECT and AIO reads and
 * writes, io_uring reads and writes from buffers not registered as fixed,
 * MSG_ZEROCOPY, vmsplice(). Long-term pins (io_uring fixed buffers,
 * ibv_reg_mr(), VFIO DMA maps) are refused: with EFAULT for writable pins
 * on Linux 6.5 and later and for pages not mapped yet on every kernel; a
 * read-only long-term pin of pages already mapped would retry forever
 * until the caller is killed (the kernel cannot move CMA pages it cannot
 * isolate), so don't. RDMA takes the dma-buf fd itself
 * (ibv_reg_dmabuf_mr()) instead. The cache rules are the dma-buf's:
 * BPBUF_IOCTL_SYNC or DMA_BUF_IOCTL_SYNC around CPU access. Only cached
 * buffers have page maps: the kernel code that takes their pages maps them
 * its own way, cached.
 *
 * @map_fd has the access mode of @fd and holds a reference on the buffer
 * until it and its mappings are gone. A buffer freed while the kernel still
 * holds its pages (a transfer in flight, unread socket data, a pipe) stays
 * out of the heap until they are released, and the module stays loaded.
 *
 * Errors:
 *   EINVAL     unknown bit in @flags; @map_fd or @pad nonzero; @fd is open
 *              but not a dma-buf
 *   EBADF      @fd is not an open file descriptor
 *   EXDEV      @fd is a dma-buf another exporter made
 *   EOPNOTSUPP the heap's pages cannot be mapped as pages
 *              (BPBUF_CAP_PAGE_MAP is 0), or the buffer is write-combined
 *              or uncached
 *   EMFILE     the process has no free fd
 *   ENOMEM     no memory for the new file
 */
struct bpbuf_page_map {
	__u32 fd;
	__u32 flags;
	__u32 map_fd;
	__u32 pad;
};

/*
 * First published sizes; a shorter struct is refused with EINVAL. VER1 and
 * later are the sizes a struct grew to, with the interface version (minor)
 * that brought them.
 */
#define BPBUF_VERSION_SIZE_VER0		64
#define BPBUF_GET_CAP_SIZE_VER0		16
#define BPBUF_HEAP_INFO_SIZE_VER0	48
#define BPBUF_HEAP_INFO_SIZE_VER1	96	/* 0.5: @heap_id .. @name */
#define BPBUF_HEAP_INFO_SIZE_VER2	104	/* 0.7: @cpu_mode, @cpu_modes */
#define BPBUF_ALLOC_SIZE_VER0		56
#define BPBUF_ALLOC_SIZE_VER1		64	/* 0.5: @heap_id, @pad */
#define BPBUF_BUS_ADDR_SIZE_VER0	24
#define BPBUF_SYNC_SIZE_VER0		24
#define BPBUF_DEV_MAP_SIZE_VER0		96
#define BPBUF_PAGE_MAP_SIZE_VER0	16

#define BPBUF_IOCTL_VERSION \
	_IOWR(BPBUF_IOCTL_BASE, 0x40, struct bpbuf_version)
#define BPBUF_IOCTL_GET_CAP \
	_IOWR(BPBUF_IOCTL_BASE, 0x41, struct bpbuf_get_cap)
#define BPBUF_IOCTL_HEAP_INFO \
	_IOWR(BPBUF_IOCTL_BASE, 0x42, struct bpbuf_heap_info)
#define BPBUF_IOCTL_ALLOC \
	_IOWR(BPBUF_IOCTL_BASE, 0x43, struct bpbuf_alloc)
#define BPBUF_IOCTL_BUS_ADDR \
	_IOWR(BPBUF_IOCTL_BASE, 0x44, struct bpbuf_bus_addr)
#define BPBUF_IOCTL_SYNC \
	_IOWR(BPBUF_IOCTL_BASE, 0x45, struct bpbuf_sync)
#define BPBUF_IOCTL_DEV_MAP \
	_IOWR(BPBUF_IOCTL_BASE, 0x46, struct bpbuf_dev_map)
#define BPBUF_IOCTL_DEV_UNMAP \
	_IOWR(BPBUF_IOCTL_BASE, 0x47, struct bpbuf_dev_map)
#define BPBUF_IOCTL_PAGE_MAP \
	_IOWR(BPBUF_IOCTL_BASE, 0x48, struct bpbuf_page_map)

#endif /* _UAPI_BPBUF_H */
