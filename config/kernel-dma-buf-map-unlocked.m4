dnl dma_buf_map_attachment_unlocked() (6.2) is the call for importers that do
dnl not hold the reservation lock; before it, dma_buf_map_attachment() took
dnl the lock itself.
AC_DEFUN([BPBUF_KERNEL_SRC_DMA_BUF_MAP_UNLOCKED], [
	BPBUF_KERNEL_TEST_SRC([dma_buf_map_unlocked], [
#include <linux/dma-buf.h>
	], [
	struct sg_table *sgt;

	sgt = dma_buf_map_attachment_unlocked(NULL, DMA_BIDIRECTIONAL);
	dma_buf_unmap_attachment_unlocked(NULL, sgt, DMA_BIDIRECTIONAL);
	], [implicit declaration of function .dma_buf_(un)?map_attachment_unlocked.|initialization of .struct sg_table \*. from .int. makes pointer])
])

AC_DEFUN([BPBUF_KERNEL_DMA_BUF_MAP_UNLOCKED], [
	AC_MSG_CHECKING([whether dma_buf_map_attachment_unlocked() exists])
	BPBUF_KERNEL_TEST_RESULT([dma_buf_map_unlocked], [
		AC_MSG_RESULT([yes])
		AC_DEFINE([HAVE_DMA_BUF_MAP_ATTACHMENT_UNLOCKED], [1],
			[dma_buf_map_attachment_unlocked() exists])
	], [AC_MSG_RESULT([no])])
])
