dnl dma_buf_vmap_unlocked() (6.2) is the vmap for importers that do not hold
dnl the reservation lock; before it, dma_buf_vmap() needed no lock. Not
dnl always with dma_buf_map_attachment_unlocked(): Debian's 6.1 has that one
dnl backported, not this. Used by the tests' memory-type checker.
AC_DEFUN([BPBUF_KERNEL_SRC_DMA_BUF_VMAP_UNLOCKED], [
	BPBUF_KERNEL_TEST_SRC([dma_buf_vmap_unlocked], [
#include <linux/dma-buf.h>
#include <linux/iosys-map.h>
	], [
	struct iosys_map map;

	if (!dma_buf_vmap_unlocked(NULL, &map))
		dma_buf_vunmap_unlocked(NULL, &map);
	], [implicit declaration of function .dma_buf_v(un)?map_unlocked.])
])

AC_DEFUN([BPBUF_KERNEL_DMA_BUF_VMAP_UNLOCKED], [
	AC_MSG_CHECKING([whether dma_buf_vmap_unlocked() exists])
	BPBUF_KERNEL_TEST_RESULT([dma_buf_vmap_unlocked], [
		AC_MSG_RESULT([yes])
		AC_DEFINE([HAVE_DMA_BUF_VMAP_UNLOCKED], [1],
			[dma_buf_vmap_unlocked() exists])
	], [AC_MSG_RESULT([no])])
])
