dnl Can the compiler build 32-bit x86 programs? The ABI and the VM tests run
dnl once more as 32-bit processes where it can. M32_CFLAGS is how.
dnl
dnl Debian's gcc-multilib only adds the /usr/include/asm link that 32-bit
dnl builds need, and it conflicts with the arm64 cross compiler the stock
dnl arm64 tests use. So with gcc-12-multilib and libc6-dev-i386 alone, the
dnl same link is made here, in the build tree.
AC_DEFUN([BPBUF_CC_M32], [
	AC_MSG_CHECKING([whether $CC -m32 builds programs])
	bpbuf_save_CFLAGS=$CFLAGS
	bpbuf_m32=no
	bpbuf_m32_msg="no: apt-get install gcc-12-multilib libc6-dev-i386"
	AS_IF([test "x$cross_compiling" = xyes], [bpbuf_m32_msg="no: cross-compiling"], [
		for bpbuf_try in plain asm-link; do
			M32_CFLAGS=-m32
			AS_IF([test $bpbuf_try = asm-link], [
				bpbuf_multiarch=$($CC -print-multiarch 2>/dev/null)
				test -d "/usr/include/$bpbuf_multiarch/asm" || break
				mkdir -p build/m32-include
				ln -sfn "/usr/include/$bpbuf_multiarch/asm" build/m32-include/asm
				M32_CFLAGS="-m32 -isystem $(pwd)/build/m32-include"
			])
			CFLAGS="$bpbuf_save_CFLAGS $M32_CFLAGS"
			AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <errno.h>
#include <stdio.h>
#include <sys/ioctl.h>]], [[puts("");]])],
				[bpbuf_m32=yes; bpbuf_m32_msg="yes ($M32_CFLAGS)"; break])
		done
	])
	CFLAGS=$bpbuf_save_CFLAGS
	AS_IF([test $bpbuf_m32 = no], [M32_CFLAGS=])
	AC_MSG_RESULT([$bpbuf_m32_msg])
	AC_SUBST([M32_CFLAGS])
	AM_CONDITIONAL([HAVE_M32], [test "x$bpbuf_m32" = xyes])
])
