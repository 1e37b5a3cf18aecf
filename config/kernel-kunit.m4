dnl KUnit, which the extent allocator's unit tests need
dnl (tests/kmod/bpbuf_extent_test.c): CONFIG_KUNIT. Its header is there
dnl whether or not the kernel has it, so the probe asks the kernel's
dnl configuration, and makes the calls the tests make. Debian's own kernels
dnl leave KUnit out; the rig's debug kernels have it.
AC_DEFUN([BPBUF_KERNEL_SRC_KUNIT], [
	BPBUF_KERNEL_TEST_SRC([kunit], [
#include <kunit/test.h>
#if !IS_ENABLED(CONFIG_KUNIT)
#error bpbuf probe: CONFIG_KUNIT is not set
#endif
	], [
	struct kunit *test = NULL;

	KUNIT_EXPECT_EQ(test, 1, 1);
	], [#error bpbuf probe: CONFIG_KUNIT is not set])
])

AC_DEFUN([BPBUF_KERNEL_KUNIT], [
	AC_MSG_CHECKING([whether the kernel has KUnit])
	BPBUF_KERNEL_TEST_RESULT([kunit], [
		AC_MSG_RESULT([yes])
		bpbuf_have_kunit=yes
		AC_DEFINE([HAVE_KUNIT], [1], [the kernel has KUnit])
	], [AC_MSG_RESULT([no])])
])
