dnl pfn_is_map_memory() (arm64) tells memory the kernel knows and gives
dnl struct pages but keeps out of its linear map (a no-map reserved-memory
dnl region) from memory it maps: the reserved heap source takes the former
dnl with its own struct pages and a mapping of its own, without ZONE_DEVICE.
dnl Exported. Optional: elsewhere reserved memory needs memremap_pages().
AC_DEFUN([BPBUF_KERNEL_SRC_PFN_IS_MAP_MEMORY], [
	BPBUF_KERNEL_TEST_SRC([pfn_is_map_memory], [
#include <linux/mm.h>
	], [
	int mapped = pfn_is_map_memory(0);

	(void)mapped;
	], [implicit declaration of function .pfn_is_map_memory.])
])

AC_DEFUN([BPBUF_KERNEL_PFN_IS_MAP_MEMORY], [
	AC_MSG_CHECKING([whether pfn_is_map_memory() is exported])
	BPBUF_KERNEL_TEST_RESULT([pfn_is_map_memory], [
		BPBUF_KERNEL_SYMBOL_EXPORTED([pfn_is_map_memory], [bpbuf_pimm=yes],
			[bpbuf_pimm=no])
	], [bpbuf_pimm=no])
	AC_MSG_RESULT([$bpbuf_pimm])
	AS_IF([test "x$bpbuf_pimm" = xyes], [
		AC_DEFINE([HAVE_PFN_IS_MAP_MEMORY], [1],
			[pfn_is_map_memory() is exported: no-map memory has struct pages])
	])
])
