dnl struct platform_driver's .remove returns void since 6.11 ("platform:
dnl Make platform_driver::remove() return void"); before, int (6.3 to 6.12
dnl also had the void .remove_new for the move).
AC_DEFUN([BPBUF_KERNEL_SRC_PLATFORM_REMOVE_VOID], [
	BPBUF_KERNEL_TEST_SRC([platform_remove_void], [
#include <linux/platform_device.h>
	], [
	_Static_assert(__builtin_types_compatible_p(
		typeof(((struct platform_driver *)0)->remove),
		void (*)(struct platform_device *)),
		"platform_driver remove returns int");
	], [platform_driver remove returns int])
])

AC_DEFUN([BPBUF_KERNEL_PLATFORM_REMOVE_VOID], [
	AC_MSG_CHECKING([whether platform_driver's .remove returns void])
	BPBUF_KERNEL_TEST_RESULT([platform_remove_void], [
		AC_MSG_RESULT([yes])
		AC_DEFINE([HAVE_PLATFORM_REMOVE_VOID], [1],
			[struct platform_driver's .remove returns void])
	], [AC_MSG_RESULT([no, int])])
])
