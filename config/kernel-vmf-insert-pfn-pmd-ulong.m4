dnl vmf_insert_pfn_pmd() and _pud() take a plain page frame number since
dnl pfn_t was removed (6.17, "mm: remove pfn_t"); before, a pfn_t.
AC_DEFUN([BPBUF_KERNEL_SRC_VMF_INSERT_PFN_PMD_ULONG], [
	BPBUF_KERNEL_TEST_SRC([vmf_insert_pfn_pmd_ulong], [
#include <linux/mm.h>
	], [
	vm_fault_t ret = vmf_insert_pfn_pmd((struct vm_fault *)0, 0UL, false);

	(void)ret;
	], [incompatible type for argument 2 of .vmf_insert_pfn_pmd.])
])

AC_DEFUN([BPBUF_KERNEL_VMF_INSERT_PFN_PMD_ULONG], [
	AC_MSG_CHECKING([whether vmf_insert_pfn_pmd() takes an unsigned long])
	BPBUF_KERNEL_TEST_RESULT([vmf_insert_pfn_pmd_ulong], [
		AC_MSG_RESULT([yes])
		AC_DEFINE([HAVE_VMF_INSERT_PFN_PMD_ULONG], [1],
			[vmf_insert_pfn_pmd() and _pud() take an unsigned long pfn])
	], [AC_MSG_RESULT([no, a pfn_t])])
])
