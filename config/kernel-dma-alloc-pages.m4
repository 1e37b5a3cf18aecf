dnl dma_alloc_pages() (5.10) is how the heap is carved from CMA: cma_alloc()
dnl itself is not exported to modules. Required.
AC_DEFUN([BPBUF_KERNEL_SRC_DMA_ALLOC_PAGES], [
	BPBUF_KERNEL_TEST_SRC([dma_alloc_pages], [
#include <linux/dma-mapping.h>
	], [
	dma_addr_t addr;
	struct page *page = dma_alloc_pages(NULL, PAGE_SIZE, &addr,
					    DMA_BIDIRECTIONAL, GFP_KERNEL);
	dma_free_pages(NULL, PAGE_SIZE, page, addr, DMA_BIDIRECTIONAL);
	], [implicit declaration of function .dma_(alloc|free)_pages.|initialization of .struct page \*. from .int. makes pointer])
])

AC_DEFUN([BPBUF_KERNEL_DMA_ALLOC_PAGES], [
	AC_MSG_CHECKING([whether dma_alloc_pages() is exported])
	BPBUF_KERNEL_TEST_RESULT([dma_alloc_pages], [
		BPBUF_KERNEL_SYMBOL_EXPORTED([dma_alloc_pages],
			[AC_MSG_RESULT([yes])],
			[AC_MSG_RESULT([no])
			 AC_MSG_ERROR([the kernel does not export dma_alloc_pages() (Linux 5.10 or later is needed)])])
	], [
		AC_MSG_RESULT([no])
		AC_MSG_ERROR([the kernel has no dma_alloc_pages() (Linux 5.10 or later is needed)])
	])
])
