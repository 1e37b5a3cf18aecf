// SPDX-License-Identifier: GPL-2.0-only
/*
 * The memory-type checker for the tests of bpbuf's CPU modes: it reads the
 * page-table entry that maps an address, the caller's own page tables for a
 * user address and the kernel's for an importer's vmap() of a dma-buf, and
 * says which memory type the entry gives: x86's PAT/PCD/PWT bits (through
 * the kernel's own table of them, so with or without PAT), arm64's AttrIndx
 * against the kernel's MAIR layout. What the tests check is then the
 * hardware's view, not the driver's word. Root only; never installed.
 */
#include <linux/dma-buf.h>
#include <linux/fs.h>
#include <linux/iosys-map.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pgtable.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "bpbuf_test_memtype.h"

#ifndef HAVE_DMA_BUF_VMAP_UNLOCKED
/* Before 6.2 dma_buf_vmap() took the lock itself, as the unlocked ones do */
#define dma_buf_vmap_unlocked dma_buf_vmap
#define dma_buf_vunmap_unlocked dma_buf_vunmap
#endif

/* The type an entry of @level gives, from its cache-attribute bits */
static u32 entry_type(u64 entry, u32 level)
{
#if defined(CONFIG_X86)
	/* large entries keep their PAT bit elsewhere */
	u64 bits = (level == BPBUF_TEST_LEVEL_PTE ? entry : protval_large_2_4k(entry)) &
		   _PAGE_CACHE_MASK;

	/* UC- before WC: without PAT the kernel maps WC requests to UC- */
	if (bits == cachemode2protval(_PAGE_CACHE_MODE_WB))
		return BPBUF_TEST_MT_CACHED;
	if (bits == cachemode2protval(_PAGE_CACHE_MODE_UC_MINUS) ||
	    bits == cachemode2protval(_PAGE_CACHE_MODE_UC))
		return BPBUF_TEST_MT_UNCACHED;
	if (bits == cachemode2protval(_PAGE_CACHE_MODE_WC))
		return BPBUF_TEST_MT_WC;
	return BPBUF_TEST_MT_OTHER;
#elif defined(CONFIG_ARM64)
	switch ((entry & PTE_ATTRINDX_MASK) >> 2) {
	case MT_NORMAL:
	case MT_NORMAL_TAGGED:
		return BPBUF_TEST_MT_CACHED;
	case MT_NORMAL_NC:
		return BPBUF_TEST_MT_WC;
	case MT_DEVICE_nGnRnE:
		return BPBUF_TEST_MT_UNCACHED;
	default:
		return BPBUF_TEST_MT_OTHER;
	}
#else
	return BPBUF_TEST_MT_OTHER;
#endif
}

/*
 * Walk the tables under @pgd for @addr, filling @m's level and entry;
 * the caller keeps the tables from going away
 */
static void walk(pgd_t *pgd, unsigned long addr, struct bpbuf_test_memtype *m)
{
	pmd_t pmdval;
	p4d_t *p4d;
	pud_t *pud;
	pte_t pte;

	m->level = BPBUF_TEST_LEVEL_NONE;
	if (pgd_none(READ_ONCE(*pgd)) || pgd_bad(READ_ONCE(*pgd)))
		return;
	p4d = p4d_offset(pgd, addr);
	if (p4d_none(READ_ONCE(*p4d)) || p4d_bad(READ_ONCE(*p4d)))
		return;
	pud = pud_offset(p4d, addr);
	if (pud_none(READ_ONCE(*pud)))
		return;
	if (pud_leaf(READ_ONCE(*pud))) {
		m->level = BPBUF_TEST_LEVEL_PUD;
		m->entry = pud_val(READ_ONCE(*pud));
		return;
	}
	/* one look at the entry: the table it names is walked from the copy */
	pmdval = READ_ONCE(*pmd_offset(pud, addr));
	if (pmd_none(pmdval))
		return;
	if (pmd_leaf(pmdval)) {
		m->level = BPBUF_TEST_LEVEL_PMD;
		m->entry = pmd_val(pmdval);
		return;
	}
	/* 64-bit: page tables are in the linear map (no HIGHPTE) */
	pte = READ_ONCE(*pte_offset_kernel(&pmdval, addr));
	if (pte_none(pte) || !pte_present(pte))
		return;
	m->level = BPBUF_TEST_LEVEL_PTE;
	m->entry = pte_val(pte);
}

static void user_memtype(struct bpbuf_test_memtype *m)
{
	struct mm_struct *mm = current->mm;

	/* the tables stay while the mmap lock is held */
	mmap_read_lock(mm);
	walk(pgd_offset(mm, m->addr), m->addr, m);
	mmap_read_unlock(mm);
}

/* The kernel's tables for a vmalloc address, which never go away under it */
static void kernel_memtype(struct bpbuf_test_memtype *m)
{
#if defined(CONFIG_X86)
	unsigned int level;
	pte_t *pte = lookup_address(m->addr, &level);

	m->level = BPBUF_TEST_LEVEL_NONE;
	if (!pte || !pte_present(*pte))
		return;
	m->level = level == PG_LEVEL_4K ? BPBUF_TEST_LEVEL_PTE :
		   level == PG_LEVEL_2M ? BPBUF_TEST_LEVEL_PMD : BPBUF_TEST_LEVEL_PUD;
	m->entry = pte_val(*pte);
#elif defined(CONFIG_ARM64)
	/* init_mm is not exported: the tables TTBR1 points at are its */
	u64 ttbr1 = read_sysreg(ttbr1_el1) & GENMASK_ULL(47, 1);

	walk(pgd_offset_pgd((pgd_t *)phys_to_virt(ttbr1), m->addr), m->addr, m);
#else
	m->level = BPBUF_TEST_LEVEL_NONE;
#endif
}

static long vmap_memtype(struct bpbuf_test_memtype *m)
{
	struct iosys_map map;
	struct dma_buf *dmabuf;
	int ret;

	dmabuf = dma_buf_get(m->fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	ret = dma_buf_vmap_unlocked(dmabuf, &map);
	if (ret)
		goto put;
	if (map.is_iomem) {
		ret = -EOPNOTSUPP;
		goto unmap;
	}
	m->addr = (unsigned long)map.vaddr;
	kernel_memtype(m);
	/* aligned, one access */
	m->first = READ_ONCE(*(u64 *)map.vaddr);
unmap:
	dma_buf_vunmap_unlocked(dmabuf, &map);
put:
	dma_buf_put(dmabuf);
	return ret;
}

static long memtype_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct bpbuf_test_memtype m;
	long ret;

	if (cmd != BPBUF_TEST_IOC_USER_MEMTYPE && cmd != BPBUF_TEST_IOC_VMAP_MEMTYPE)
		return -ENOTTY;
	if (copy_from_user(&m, (void __user *)arg, sizeof(m)))
		return -EFAULT;
	if (m.pad || (cmd == BPBUF_TEST_IOC_USER_MEMTYPE && m.fd != -1))
		return -EINVAL;
	m.level = BPBUF_TEST_LEVEL_NONE;
	m.entry = 0;
	m.first = 0;
	if (cmd == BPBUF_TEST_IOC_USER_MEMTYPE) {
		user_memtype(&m);
	} else {
		ret = vmap_memtype(&m);
		if (ret)
			return ret;
	}
	m.type = m.level ? entry_type(m.entry, m.level) : BPBUF_TEST_MT_NONE;
	return copy_to_user((void __user *)arg, &m, sizeof(m)) ? -EFAULT : 0;
}

static const struct file_operations memtype_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = memtype_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice memtype_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "bpbuf-test-memtype",
	.fops = &memtype_fops,
	.mode = 0600,
};

module_misc_device(memtype_misc);

MODULE_DESCRIPTION("bpbuf tests: the memory type of the page-table entry mapping an address");
MODULE_LICENSE("GPL");
BPBUF_IMPORT_NS_DMA_BUF();
