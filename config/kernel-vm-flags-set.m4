dnl vm_flags_set() (6.3) replaced writing vma->vm_flags directly, which
dnl newer kernels forbid (vm_flags became const).
AC_DEFUN([BPBUF_KERNEL_SRC_VM_FLAGS_SET], [
	BPBUF_KERNEL_TEST_SRC([vm_flags_set], [
#include <linux/mm.h>
	], [
	vm_flags_set((struct vm_area_struct *)0, VM_DONTEXPAND);
	], [implicit declaration of function .vm_flags_set.])
])

AC_DEFUN([BPBUF_KERNEL_VM_FLAGS_SET], [
	AC_MSG_CHECKING([whether vm_flags_set() exists])
	BPBUF_KERNEL_TEST_RESULT([vm_flags_set], [
		AC_MSG_RESULT([yes])
		AC_DEFINE([HAVE_VM_FLAGS_SET], [1], [vm_flags_set() exists])
	], [AC_MSG_RESULT([no])])
])
