dnl KUnit, which the extent allocator's unit tests need
dnl (tests/kmod/bpbuf_extent_test.c): CONFIG_KUNIT. Its header is there
dnl whether or not the kernel has it, so the probe asks the kernel's
dnl configuration, and makes the calls the tests make, a parameterised case
dnl among them (its generator's signature differs between 6.12 and 7.2,
dnl which KUNIT_ARRAY_PARAM hides). Debian's own
dnl kernels leave KUnit out; the rig's debug kernels have it.
AC_DEFUN([BPBUF_KERNEL_SRC_KUNIT], [
	BPBUF_KERNEL_TEST_SRC([kunit], [
#include <kunit/test.h>
#if !IS_ENABLED(CONFIG_KUNIT)
#error bpbuf probe: CONFIG_KUNIT is not set
#endif
static const unsigned int bpbuf_probe_params@<:@@:>@ = { 1 };
KUNIT_ARRAY_PARAM(bpbuf_probe, bpbuf_probe_params, NULL);

static void bpbuf_probe_case(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 1, 1);
}

static struct kunit_case bpbuf_probe_cases@<:@@:>@ = {
	KUNIT_CASE_PARAM(bpbuf_probe_case, bpbuf_probe_gen_params),
	{}
};
	], [
	(void)bpbuf_probe_cases;
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
