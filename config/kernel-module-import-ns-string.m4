dnl MODULE_IMPORT_NS() takes a string from 6.13 on and a bare token before.
dnl Both spellings compile everywhere (the old macro stringifies a string a
dnl second time), so the probe looks at what the macro hands MODULE_INFO():
dnl "DMA_BUF" itself, or the string of that string, two bytes longer.
AC_DEFUN([BPBUF_KERNEL_SRC_MODULE_IMPORT_NS_STRING], [
	BPBUF_KERNEL_TEST_SRC([module_import_ns_string], [
#undef MODULE_INFO
#define MODULE_INFO(tag, info) _Static_assert(sizeof(info) == sizeof("DMA_BUF"), \
	"MODULE_INFO(" #tag ") was handed a stringified token")
MODULE_IMPORT_NS("DMA_BUF");
	], [], [MODULE_INFO\(import_ns\) was handed a stringified token])
])

AC_DEFUN([BPBUF_KERNEL_MODULE_IMPORT_NS_STRING], [
	AC_MSG_CHECKING([whether MODULE_IMPORT_NS() takes a string])
	BPBUF_KERNEL_TEST_RESULT([module_import_ns_string], [
		AC_MSG_RESULT([yes])
		AC_DEFINE([HAVE_MODULE_IMPORT_NS_STRING], [1],
			[MODULE_IMPORT_NS() takes a string])
	], [AC_MSG_RESULT([no])])
])
