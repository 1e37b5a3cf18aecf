dnl The kernel the module builds against, and the probes of its API.
dnl
dnl Each probe is a tiny module in config/kernel-*.m4: a source queued with
dnl BPBUF_KERNEL_TEST_SRC, all compiled in one Kbuild run (make -k), then
dnl read back with BPBUF_KERNEL_TEST_RESULT. A probe that compiles means the
dnl kernel has what it uses; the answers go into config.h as HAVE_*, which
dnl the module's Kbuild -includes.

AC_DEFUN([BPBUF_KERNEL], [
	AC_ARG_ENABLE([module],
		[AS_HELP_STRING([--disable-module],
			[build only the library, tool and host tests])],
		[], [enable_module=yes])
	AC_ARG_WITH([linux],
		[AS_HELP_STRING([--with-linux=DIR],
			[kernel source tree @<:@the running kernel's@:>@])],
		[LINUX=$withval])
	AC_ARG_WITH([linux-obj],
		[AS_HELP_STRING([--with-linux-obj=DIR],
			[kernel build tree @<:@--with-linux, else the running kernel's@:>@])],
		[LINUX_OBJ=$withval])
	AC_ARG_WITH([kmoddir],
		[AS_HELP_STRING([--with-kmoddir=DIR],
			[where make install puts bpbuf.ko @<:@/lib/modules/VERSION/extra@:>@])],
		[kmoddir=$withval])

	AS_IF([test "x$enable_module" = xyes], [
		BPBUF_KERNEL_CROSS
		BPBUF_KERNEL_FIND
		BPBUF_KERNEL_PROBES
		AS_IF([test -z "$kmoddir"],
			[kmoddir=/lib/modules/$LINUX_VERSION/extra])
	])
	AM_CONDITIONAL([BUILD_MODULE], [test "x$enable_module" = xyes])
	AM_CONDITIONAL([HAVE_KUNIT], [test "x$bpbuf_have_kunit" = xyes])
	AC_SUBST([LINUX])
	AC_SUBST([LINUX_OBJ])
	AC_SUBST([LINUX_VERSION])
	AC_SUBST([KERNEL_MAKE_FLAGS])
	AC_SUBST([kmoddir])
])

dnl Cross builds (--host=aarch64-linux-gnu) pass ARCH and CROSS_COMPILE to
dnl Kbuild, the probes included.
AC_DEFUN([BPBUF_KERNEL_CROSS], [
	AC_REQUIRE([AC_CANONICAL_HOST])
	KERNEL_MAKE_FLAGS=
	AS_IF([test "x$cross_compiling" = xyes], [
		AS_CASE([$host_cpu],
			[aarch64], [bpbuf_karch=arm64],
			[x86_64|i?86], [bpbuf_karch=x86],
			[arm*], [bpbuf_karch=arm],
			[bpbuf_karch=$host_cpu])
		KERNEL_MAKE_FLAGS="ARCH=$bpbuf_karch CROSS_COMPILE=${host_alias}-"
		AC_MSG_NOTICE([cross-building the module with $KERNEL_MAKE_FLAGS])
	])
])

dnl Find the source and build trees; default to the running kernel's.
AC_DEFUN([BPBUF_KERNEL_FIND], [
	AC_MSG_CHECKING([kernel build tree])
	AS_IF([test -z "$LINUX_OBJ"], [
		AS_IF([test -n "$LINUX"],
			[LINUX_OBJ=$LINUX],
			[LINUX_OBJ=/lib/modules/$(uname -r)/build])
	])
	AS_IF([test ! -f "$LINUX_OBJ/include/generated/utsrelease.h"], [
		AC_MSG_RESULT([not found])
		AC_MSG_ERROR([no configured kernel build tree at $LINUX_OBJ.
Install the headers of the kernel to build for (on Debian:
linux-headers-$(uname -r)), or point --with-linux and --with-linux-obj at a
built kernel tree, or build only user space with --disable-module.])
	])
	LINUX_OBJ=$(cd "$LINUX_OBJ" && pwd)
	AC_MSG_RESULT([$LINUX_OBJ])

	AC_MSG_CHECKING([kernel source tree])
	AS_IF([test -z "$LINUX"], [
		AS_IF([test -d "$LINUX_OBJ/source"],
			[LINUX=$LINUX_OBJ/source],
			[LINUX=$LINUX_OBJ])
	])
	AS_IF([test ! -f "$LINUX/Makefile"], [
		AC_MSG_RESULT([not found])
		AC_MSG_ERROR([no kernel source tree at $LINUX])
	])
	LINUX=$(cd "$LINUX" && pwd)
	AC_MSG_RESULT([$LINUX])

	AC_MSG_CHECKING([kernel version])
	dnl UTS_RELEASE is what uname -r says; Debian's headers have a different
	dnl include/config/kernel.release.
	LINUX_VERSION=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' \
		"$LINUX_OBJ/include/generated/utsrelease.h")
	AC_MSG_RESULT([$LINUX_VERSION])

	AS_IF([test ! -f "$LINUX_OBJ/Module.symvers"], [
		AC_MSG_ERROR([$LINUX_OBJ/Module.symvers is missing: build the kernel's modules first (make modules), or install its full headers package])
	])
])

dnl BPBUF_KERNEL_TEST_SRC(NAME, FILE-SCOPE, FUNCTION-BODY, MISSING-ERROR)
dnl Queue a probe. FILE-SCOPE holds includes and declarations; the body goes
dnl into a function, so it may call what it probes for. MISSING-ERROR is an
dnl extended regex that each compiler error of the probe matches when the
dnl kernel lacks the feature: tests/host/probes.test fails a probe that
dnl failed for any other reason. The license comes first, so that nothing a
dnl probe redefines reaches it.
AC_DEFUN([BPBUF_KERNEL_TEST_SRC], [
	cat >"$bpbuf_probe_dir/$1.c" <<'_BPBUF_PROBE_EOF'
/* configure probe: $1 */
#include <linux/module.h>
MODULE_LICENSE("GPL");
$2
void bpbuf_probe_$1(void);
void bpbuf_probe_$1(void)
{
$3
}
_BPBUF_PROBE_EOF
	cat >"$bpbuf_probe_dir/$1.missing" <<'_BPBUF_PROBE_EOF'
$4
_BPBUF_PROBE_EOF
	echo "obj-m += $1.o" >>"$bpbuf_probe_dir/Kbuild"
])

dnl BPBUF_KERNEL_TEST_RESULT(NAME, IF-COMPILED, IF-NOT)
dnl The answer is also written to build/probe/answers for the probe test.
AC_DEFUN([BPBUF_KERNEL_TEST_RESULT], [
	AS_IF([test -f "$bpbuf_probe_dir/$1.o"], [
		echo "$1 yes" >>"$bpbuf_probe_dir/answers"
		$2
	], [
		echo "$1 no" >>"$bpbuf_probe_dir/answers"
		$3
	])
])

dnl BPBUF_KERNEL_SYMBOL_EXPORTED(SYMBOL, IF-EXPORTED, IF-NOT)
dnl Module.symvers lists every symbol a module may link against.
AC_DEFUN([BPBUF_KERNEL_SYMBOL_EXPORTED], [
	AS_IF([awk -v s="$1" '$[]2 == s { found = 1 } END { exit !found }' \
		"$LINUX_OBJ/Module.symvers"], [$2], [$3])
])

AC_DEFUN([BPBUF_KERNEL_PROBES], [
	bpbuf_probe_dir=$(pwd)/build/probe
	rm -rf "$bpbuf_probe_dir"
	mkdir -p "$bpbuf_probe_dir"
	: >"$bpbuf_probe_dir/Kbuild"

	BPBUF_KERNEL_TEST_SRC([sanity], [], [], [a trivial module never fails])
	BPBUF_KERNEL_SRC_DMA_ALLOC_PAGES
	BPBUF_KERNEL_SRC_VM_FLAGS_SET
	BPBUF_KERNEL_SRC_MODULE_IMPORT_NS_STRING
	BPBUF_KERNEL_SRC_DMA_BUF_MAP_UNLOCKED
	BPBUF_KERNEL_SRC_DMA_BUF_VMAP_UNLOCKED
	BPBUF_KERNEL_SRC_NTH_PAGE
	BPBUF_KERNEL_SRC_HUGE_PFNMAP
	BPBUF_KERNEL_SRC_PUD_PFNMAP
	BPBUF_KERNEL_SRC_VMF_INSERT_PFN_PMD_ULONG
	BPBUF_KERNEL_SRC_ALLOC_CONTIG_RANGE
	BPBUF_KERNEL_SRC_ALLOC_CONTIG_RANGE_FLAGS
	BPBUF_KERNEL_SRC_MEMREMAP_PAGES
	BPBUF_KERNEL_SRC_PFN_IS_MAP_MEMORY
	BPBUF_KERNEL_SRC_PLATFORM_REMOVE_VOID
	BPBUF_KERNEL_SRC_ARCH_PMEM_CACHE_OPS
	BPBUF_KERNEL_SRC_KUNIT

	AC_MSG_CHECKING([whether modules build against $LINUX_VERSION])
	dnl In the C locale (Kbuild unexports LC_ALL): tests/host/probes.test
	dnl reads the compiler's errors.
	LC_ALL=C LANG=C LC_CTYPE=C LC_MESSAGES=C make -k -j"$(nproc 2>/dev/null || echo 2)" -C "$LINUX_OBJ" \
		$KERNEL_MAKE_FLAGS M="$bpbuf_probe_dir" modules >"$bpbuf_probe_dir/build.log" 2>&1
	BPBUF_KERNEL_TEST_RESULT([sanity], [AC_MSG_RESULT([yes])], [
		AC_MSG_RESULT([no])
		tail -n 20 "$bpbuf_probe_dir/build.log" >&AS_MESSAGE_LOG_FD
		AC_MSG_ERROR([a trivial module does not build against $LINUX_OBJ; see $bpbuf_probe_dir/build.log])
	])

	BPBUF_KERNEL_DMA_ALLOC_PAGES
	BPBUF_KERNEL_VM_FLAGS_SET
	BPBUF_KERNEL_MODULE_IMPORT_NS_STRING
	BPBUF_KERNEL_DMA_BUF_MAP_UNLOCKED
	BPBUF_KERNEL_DMA_BUF_VMAP_UNLOCKED
	BPBUF_KERNEL_NTH_PAGE
	BPBUF_KERNEL_HUGE_PFNMAP
	BPBUF_KERNEL_PUD_PFNMAP
	BPBUF_KERNEL_VMF_INSERT_PFN_PMD_ULONG
	BPBUF_KERNEL_ALLOC_CONTIG_RANGE
	BPBUF_KERNEL_ALLOC_CONTIG_RANGE_FLAGS
	BPBUF_KERNEL_MEMREMAP_PAGES
	BPBUF_KERNEL_PFN_IS_MAP_MEMORY
	BPBUF_KERNEL_PLATFORM_REMOVE_VOID
	BPBUF_KERNEL_ARCH_PMEM_CACHE_OPS
	BPBUF_KERNEL_KUNIT
])
