dnl memremap_pages() and memunmap_pages() (CONFIG_ZONE_DEVICE) give struct
dnl pages to a physical range the kernel does not manage (memmap=SIZE$ADDR,
dnl a no-map reserved-memory region): the reserved heap source. Exported to
dnl GPL modules. Optional: without it reserved memory is refused.
AC_DEFUN([BPBUF_KERNEL_SRC_MEMREMAP_PAGES], [
	BPBUF_KERNEL_TEST_SRC([memremap_pages], [
#include <linux/memremap.h>
	], [
	static struct dev_pagemap pgmap = { .type = MEMORY_DEVICE_GENERIC };

	memunmap_pages(&pgmap);
	], [implicit declaration of function .memunmap_pages.])
])

AC_DEFUN([BPBUF_KERNEL_MEMREMAP_PAGES], [
	AC_MSG_CHECKING([whether memremap_pages() is exported])
	BPBUF_KERNEL_TEST_RESULT([memremap_pages], [
		BPBUF_KERNEL_SYMBOL_EXPORTED([memremap_pages], [
			BPBUF_KERNEL_SYMBOL_EXPORTED([memunmap_pages], [bpbuf_mrp=yes],
				[bpbuf_mrp=no])
		], [bpbuf_mrp=no])
	], [bpbuf_mrp=no])
	AC_MSG_RESULT([$bpbuf_mrp])
	AS_IF([test "x$bpbuf_mrp" = xyes], [
		AC_DEFINE([HAVE_MEMREMAP_PAGES], [1],
			[memremap_pages() and memunmap_pages() are exported])
	])
])
