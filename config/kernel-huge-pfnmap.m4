dnl Huge PFN mappings (6.12, "mm: huge pfnmap"): a VM_PFNMAP mapping's
dnl ->huge_fault(vmf, order) may insert PMD entries of raw page frames with
dnl vmf_insert_pfn_pmd(), on architectures that select
dnl ARCH_SUPPORTS_PMD_PFNMAP (x86-64 and arm64, with THP). Older kernels
dnl took PMDs only for DAX's devmap pages; there every buffer page gets a PTE.
AC_DEFUN([BPBUF_KERNEL_SRC_HUGE_PFNMAP], [
	BPBUF_KERNEL_TEST_SRC([huge_pfnmap], [
#include <linux/mm.h>
#ifndef CONFIG_ARCH_SUPPORTS_PMD_PFNMAP
#error no huge PFN mappings: CONFIG_ARCH_SUPPORTS_PMD_PFNMAP is not set
#endif
static vm_fault_t probe_huge_fault(struct vm_fault *vmf, unsigned int order)
{
	return order ? VM_FAULT_FALLBACK : VM_FAULT_NOPAGE;
}
static const struct vm_operations_struct probe_ops __used = {
	.huge_fault = probe_huge_fault,
};
	], [], [no huge PFN mappings: CONFIG_ARCH_SUPPORTS_PMD_PFNMAP is not set])
])

AC_DEFUN([BPBUF_KERNEL_HUGE_PFNMAP], [
	AC_MSG_CHECKING([whether PFN mappings can use PMD entries])
	BPBUF_KERNEL_TEST_RESULT([huge_pfnmap], [
		AC_MSG_RESULT([yes])
		AC_DEFINE([HAVE_HUGE_PFNMAP], [1],
			[->huge_fault may map PFNs with PMD entries])
	], [AC_MSG_RESULT([no])])
])
