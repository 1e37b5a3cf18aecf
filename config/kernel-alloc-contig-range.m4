dnl alloc_contig_range() and free_contig_range() (CONFIG_CONTIG_ALLOC:
dnl MEMORY_ISOLATION with COMPACTION or CMA) take a range of movable memory
dnl from the page allocator: the movable heap source, for kernels without
dnl CMA. Exported to modules, as alloc_contig_range_noprof() where memory
dnl allocation profiling wraps it (6.10). Optional: without it only CMA.
AC_DEFUN([BPBUF_KERNEL_SRC_ALLOC_CONTIG_RANGE], [
	BPBUF_KERNEL_TEST_SRC([alloc_contig_range], [
#include <linux/gfp.h>
	], [
	free_contig_range(0, 0);
	], [implicit declaration of function .free_contig_range.])
])

AC_DEFUN([BPBUF_KERNEL_ALLOC_CONTIG_RANGE], [
	AC_MSG_CHECKING([whether alloc_contig_range() is exported])
	BPBUF_KERNEL_TEST_RESULT([alloc_contig_range], [
		BPBUF_KERNEL_SYMBOL_EXPORTED([free_contig_range], [
			BPBUF_KERNEL_SYMBOL_EXPORTED([alloc_contig_range], [bpbuf_acr=yes],
				[BPBUF_KERNEL_SYMBOL_EXPORTED([alloc_contig_range_noprof],
					[bpbuf_acr=yes], [bpbuf_acr=no])])
		], [bpbuf_acr=no])
	], [bpbuf_acr=no])
	AC_MSG_RESULT([$bpbuf_acr])
	AS_IF([test "x$bpbuf_acr" = xyes], [
		AC_DEFINE([HAVE_ALLOC_CONTIG_RANGE], [1],
			[alloc_contig_range() and free_contig_range() are exported])
	])
])
