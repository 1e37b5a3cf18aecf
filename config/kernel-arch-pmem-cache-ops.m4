dnl arch_wb_cache_pmem() and arch_invalidate_pmem() (CONFIG_ARCH_HAS_PMEM_API)
dnl clean and invalidate the data cache over a kernel address range. On
dnl arm64 they are the one exported way for a module to do that by address:
dnl bpbuf cleans its cacheable alias of a write-combined or uncached buffer
dnl with them (driver/cpumode.c). Without the option the header makes them
dnl empty inlines, so the probe asks the configuration too. Optional:
dnl without them such buffers are refused (x86 uses set_memory_*() instead).
AC_DEFUN([BPBUF_KERNEL_SRC_ARCH_PMEM_CACHE_OPS], [
	BPBUF_KERNEL_TEST_SRC([arch_pmem_cache_ops], [
#include <linux/libnvdimm.h>
#if !IS_ENABLED(CONFIG_ARCH_HAS_PMEM_API)
#error bpbuf probe: CONFIG_ARCH_HAS_PMEM_API is not set
#endif
	], [
	arch_wb_cache_pmem(NULL, 0);
	arch_invalidate_pmem(NULL, 0);
	], [#error bpbuf probe: CONFIG_ARCH_HAS_PMEM_API is not set])
])

AC_DEFUN([BPBUF_KERNEL_ARCH_PMEM_CACHE_OPS], [
	AC_MSG_CHECKING([whether arch_wb_cache_pmem() and arch_invalidate_pmem() are exported])
	BPBUF_KERNEL_TEST_RESULT([arch_pmem_cache_ops], [
		BPBUF_KERNEL_SYMBOL_EXPORTED([arch_wb_cache_pmem], [
			BPBUF_KERNEL_SYMBOL_EXPORTED([arch_invalidate_pmem],
				[bpbuf_apco=yes], [bpbuf_apco=no])
		], [bpbuf_apco=no])
	], [bpbuf_apco=no])
	AC_MSG_RESULT([$bpbuf_apco])
	AS_IF([test "x$bpbuf_apco" = xyes], [
		AC_DEFINE([HAVE_ARCH_PMEM_CACHE_OPS], [1],
			[arch_wb_cache_pmem() and arch_invalidate_pmem() are exported])
	])
])
