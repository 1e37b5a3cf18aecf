dnl nth_page() (gone in 6.18, "mm: remove nth_page()") stepped through a
dnl range of pages whose struct pages might not be contiguous; kernels
dnl without it guarantee they are within one allocation, so page + n does.
AC_DEFUN([BPBUF_KERNEL_SRC_NTH_PAGE], [
	BPBUF_KERNEL_TEST_SRC([nth_page], [
#include <linux/mm.h>
	], [
	struct page *page = nth_page((struct page *)0, 1);

	(void)page;
	], [implicit declaration of function .nth_page.|initialization of .struct page \*. from .int. makes pointer])
])

AC_DEFUN([BPBUF_KERNEL_NTH_PAGE], [
	AC_MSG_CHECKING([whether nth_page() exists])
	BPBUF_KERNEL_TEST_RESULT([nth_page], [
		AC_MSG_RESULT([yes])
		AC_DEFINE([HAVE_NTH_PAGE], [1], [nth_page() exists])
	], [AC_MSG_RESULT([no])])
])
