/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * The memory-type checker's ioctls (tests/kmod/bpbuf_test_memtype.c): the
 * page-table entry that maps an address, and the memory type it gives,
 * read from the page tables themselves: the caller's for a user address,
 * the kernel's for an importer's vmap of a dma-buf. For the tests only;
 * never installed.
 */
#ifndef BPBUF_TEST_MEMTYPE_H
#define BPBUF_TEST_MEMTYPE_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define BPBUF_TEST_MEMTYPE_NODE	"/dev/bpbuf-test-memtype"

/* Which entry maps the address (@level) */
#define BPBUF_TEST_LEVEL_NONE	0	/* none: not mapped */
#define BPBUF_TEST_LEVEL_PTE	1
#define BPBUF_TEST_LEVEL_PMD	2
#define BPBUF_TEST_LEVEL_PUD	3

/* The memory type that entry gives (@type), as bpbuf's CPU modes name them */
#define BPBUF_TEST_MT_NONE	0
#define BPBUF_TEST_MT_CACHED	1	/* x86 WB; arm64 Normal (tagged or not) */
#define BPBUF_TEST_MT_WC	2	/* x86 WC; arm64 Normal Non-cacheable */
#define BPBUF_TEST_MT_UNCACHED	3	/* x86 UC- or UC; arm64 Device-nGnRnE (bpbuf never maps RAM so) */
#define BPBUF_TEST_MT_OTHER	4	/* anything else (x86 WT, arm64 nGnRE...) */

/**
 * struct bpbuf_test_memtype - either ioctl
 * @addr: USER: in: an address of the caller's; VMAP: out: where the
 *	kernel's vmap of the dma-buf was
 * @fd: VMAP: in: a dma-buf, vmapped (dma_buf_vmap()) for the look and
 *	vunmapped after; USER: must be -1
 * @level: out: BPBUF_TEST_LEVEL_*
 * @type: out: BPBUF_TEST_MT_*
 * @entry: out: the entry itself
 * @first: VMAP: out: the dma-buf's first 8 bytes, read through the vmap
 */
struct bpbuf_test_memtype {
	__u64 addr;
	__s32 fd;
	__u32 level;
	__u32 type;
	__u32 pad;
	__u64 entry;
	__u64 first;
};

/* The entry mapping @addr in the caller's page tables */
#define BPBUF_TEST_IOC_USER_MEMTYPE	_IOWR('M', 1, struct bpbuf_test_memtype)
/* The entry mapping the first byte of the kernel's vmap of @fd */
#define BPBUF_TEST_IOC_VMAP_MEMTYPE	_IOWR('M', 2, struct bpbuf_test_memtype)

#endif /* BPBUF_TEST_MEMTYPE_H */
