dnl alloc_contig_range() takes acr_flags_t (ACR_FLAGS_NONE, ACR_FLAGS_CMA)
dnl since 6.16 ("mm: page_isolation: ... acr_flags_t"); before, the range's
dnl migratetype (MIGRATE_MOVABLE). The two are both integers to the
dnl compiler, and MIGRATE_MOVABLE's value is ACR_FLAGS_CMA's, so the call
dnl must name the right one.
AC_DEFUN([BPBUF_KERNEL_SRC_ALLOC_CONTIG_RANGE_FLAGS], [
	BPBUF_KERNEL_TEST_SRC([alloc_contig_range_flags], [
#include <linux/gfp.h>
	], [
	acr_flags_t flags = ACR_FLAGS_NONE;

	(void)flags;
	], [unknown type name .acr_flags_t.|.ACR_FLAGS_NONE. undeclared])
])

AC_DEFUN([BPBUF_KERNEL_ALLOC_CONTIG_RANGE_FLAGS], [
	AC_MSG_CHECKING([whether alloc_contig_range() takes acr_flags_t])
	BPBUF_KERNEL_TEST_RESULT([alloc_contig_range_flags], [
		AC_MSG_RESULT([yes])
		AC_DEFINE([HAVE_ALLOC_CONTIG_RANGE_FLAGS], [1],
			[alloc_contig_range() takes acr_flags_t, not a migratetype])
	], [AC_MSG_RESULT([no, a migratetype])])
])
