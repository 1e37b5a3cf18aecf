dnl PUD (1 GiB) PFN mappings (6.12): as huge_pfnmap, for architectures that
dnl select ARCH_SUPPORTS_PUD_PFNMAP (x86-64; not arm64 in 6.12 or 7.2).
AC_DEFUN([BPBUF_KERNEL_SRC_PUD_PFNMAP], [
	BPBUF_KERNEL_TEST_SRC([pud_pfnmap], [
#include <linux/mm.h>
#ifndef CONFIG_ARCH_SUPPORTS_PUD_PFNMAP
#error no PUD PFN mappings: CONFIG_ARCH_SUPPORTS_PUD_PFNMAP is not set
#endif
	], [
	unsigned int order __maybe_unused = PUD_ORDER;
	], [no PUD PFN mappings: CONFIG_ARCH_SUPPORTS_PUD_PFNMAP is not set|.PUD_ORDER. undeclared])
])

AC_DEFUN([BPBUF_KERNEL_PUD_PFNMAP], [
	AC_MSG_CHECKING([whether PFN mappings can use PUD entries])
	BPBUF_KERNEL_TEST_RESULT([pud_pfnmap], [
		AC_MSG_RESULT([yes])
		AC_DEFINE([HAVE_PUD_PFNMAP], [1],
			[->huge_fault may map PFNs with PUD entries])
	], [AC_MSG_RESULT([no])])
])
