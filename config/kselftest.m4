dnl The kselftest harness the VM tests are written against. It is taken at
dnl build time from Debian's linux-source-6.1 package, never kept in this
dnl tree; --with-kselftest=DIR names another directory that holds
dnl kselftest_harness.h and kselftest.h.
AC_DEFUN([BPBUF_KSELFTEST], [
	AC_ARG_WITH([kselftest],
		[AS_HELP_STRING([--with-kselftest=DIR],
			[directory with kselftest_harness.h @<:@taken from /usr/src/linux-source-6.1.tar.xz@:>@])],
		[KSELFTEST_DIR=$withval])
	bpbuf_kselftest_tarball=/usr/src/linux-source-6.1.tar.xz
	AC_MSG_CHECKING([for kselftest_harness.h])
	AS_IF([test -z "$KSELFTEST_DIR" && test -r "$bpbuf_kselftest_tarball"], [
		KSELFTEST_DIR=$(pwd)/build/kselftest
		AS_IF([test ! -f "$KSELFTEST_DIR/kselftest_harness.h"], [
			mkdir -p "$KSELFTEST_DIR"
			tar -xJf "$bpbuf_kselftest_tarball" -C "$KSELFTEST_DIR" \
				--strip-components=4 \
				linux-source-6.1/tools/testing/selftests/kselftest_harness.h \
				linux-source-6.1/tools/testing/selftests/kselftest.h \
				>&AS_MESSAGE_LOG_FD 2>&1 || :
		])
	])
	AS_IF([test -n "$KSELFTEST_DIR" && test -f "$KSELFTEST_DIR/kselftest_harness.h"], [
		KSELFTEST_DIR=$(cd "$KSELFTEST_DIR" && pwd)
		bpbuf_kselftest_msg="yes ($KSELFTEST_DIR)"
		AC_MSG_RESULT([$KSELFTEST_DIR])
	], [
		KSELFTEST_DIR=
		bpbuf_kselftest_msg="no: apt-get install linux-source-6.1, or --with-kselftest=DIR"
		AC_MSG_RESULT([no])
	])
	AC_SUBST([KSELFTEST_DIR])
	AM_CONDITIONAL([HAVE_KSELFTEST], [test -n "$KSELFTEST_DIR"])
])
