dnl Can the compiler build 32-bit x86 programs (gcc-multilib)? The ABI and
dnl the VM tests run once more as 32-bit processes where it can.
AC_DEFUN([BPBUF_CC_M32], [
	AC_MSG_CHECKING([whether $CC -m32 builds programs])
	bpbuf_save_CFLAGS=$CFLAGS
	CFLAGS="$CFLAGS -m32"
	AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <stdio.h>]], [[puts("");]])],
		[bpbuf_m32=yes; bpbuf_m32_msg=yes],
		[bpbuf_m32=no; bpbuf_m32_msg="no: apt-get install gcc-multilib"])
	CFLAGS=$bpbuf_save_CFLAGS
	AC_MSG_RESULT([$bpbuf_m32])
	AM_CONDITIONAL([HAVE_M32], [test "x$bpbuf_m32" = xyes])
])
