# libbpbuf: the user-space library. Only what libbpbuf.sym lists is exported
# (-fvisibility=hidden, definitions marked BPBUF_EXPORT, and the version
# script); tests/host/lib-symbols.test compares the two.
lib_LTLIBRARIES += libbpbuf/libbpbuf.la
include_HEADERS += include/libbpbuf.h
libbpbuf_libbpbuf_la_SOURCES = libbpbuf/libbpbuf.c libbpbuf/map.c libbpbuf/classic.c \
	libbpbuf/libbpbuf-private.h libbpbuf/share.c libbpbuf/devmap.c
libbpbuf_libbpbuf_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden -pthread
libbpbuf_libbpbuf_la_LDFLAGS = -version-info $(LIBBPBUF_LT_VERSION) \
	-Wl,--version-script=$(srcdir)/libbpbuf/libbpbuf.sym -pthread
EXTRA_libbpbuf_libbpbuf_la_DEPENDENCIES = $(srcdir)/libbpbuf/libbpbuf.sym
EXTRA_DIST += libbpbuf/libbpbuf.sym libbpbuf/libbpbuf.pc.in

pkgconfig_DATA = libbpbuf/libbpbuf.pc

# VM tests of the library (kselftest harness), run as root in the VM.
# lib_vm_test_programs goes into vm_test_programs (tests/local.mk).
if HAVE_KSELFTEST
lib_vm_test_programs = tests/lib/lib-api tests/lib/lib-classic
check_PROGRAMS += $(lib_vm_test_programs)
endif
lib_vm_test_cppflags = $(AM_CPPFLAGS) -I$(KSELFTEST_DIR) -I$(srcdir)/tests/lib \
	-I$(srcdir)/tests/kselftest
lib_vm_test_cflags = -O2 -g -Wall -pthread
tests_lib_lib_api_SOURCES = tests/lib/lib-api.c tests/lib/lib-test.h
tests_lib_lib_api_CPPFLAGS = $(lib_vm_test_cppflags)
tests_lib_lib_api_CFLAGS = $(lib_vm_test_cflags)
tests_lib_lib_api_LDADD = libbpbuf/libbpbuf.la
tests_lib_lib_classic_SOURCES = tests/lib/lib-classic.c tests/lib/lib-test.h
tests_lib_lib_classic_CPPFLAGS = $(lib_vm_test_cppflags)
tests_lib_lib_classic_CFLAGS = $(lib_vm_test_cflags)
tests_lib_lib_classic_LDADD = libbpbuf/libbpbuf.la
