# Sharing: buffers passed between processes with libbpbuf's
# SCM_RIGHTS helpers (share-fd), and imported into vgem through libdrm's
# PRIME calls (share-vgem). kselftest-harness programs linked with libbpbuf,
# 64-bit only (libdrm has no 32-bit build here), run in the VM as steps.
# The demo's helper (tests/vm/demo/bpbuf-demo.c) is built here too, by
# `make`, since scripts/demo.sh builds with plain make; it is shipped to
# the VM's /tests beside the tests.
share_cppflags = $(AM_CPPFLAGS) -I$(KSELFTEST_DIR) -I$(srcdir)/tests/kselftest
share_cflags = -O2 -g -Wall -pthread
EXTRA_DIST += tests/share/share-fd.c tests/share/share-vgem.c \
	tests/vm/demo/bpbuf-demo.c
if HAVE_KSELFTEST
share_vm_test_programs = tests/share/share-fd
if HAVE_LIBDRM
share_vm_test_programs += tests/share/share-vgem
endif
check_PROGRAMS += $(share_vm_test_programs)
vm_test_programs += $(share_vm_test_programs)
endif
tests_share_share_fd_SOURCES = tests/share/share-fd.c
tests_share_share_fd_CPPFLAGS = $(share_cppflags)
tests_share_share_fd_CFLAGS = $(share_cflags)
tests_share_share_fd_LDADD = libbpbuf/libbpbuf.la
tests_share_share_vgem_SOURCES = tests/share/share-vgem.c
tests_share_share_vgem_CPPFLAGS = $(share_cppflags) $(LIBDRM_CFLAGS)
tests_share_share_vgem_CFLAGS = $(share_cflags)
tests_share_share_vgem_LDADD = libbpbuf/libbpbuf.la $(LIBDRM_LIBS)

if HAVE_LIBDRM
noinst_PROGRAMS += tests/vm/demo/bpbuf-demo
vm_test_files += tests/vm/demo/bpbuf-demo
endif
tests_vm_demo_bpbuf_demo_SOURCES = tests/vm/demo/bpbuf-demo.c
tests_vm_demo_bpbuf_demo_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/tests/kselftest $(LIBDRM_CFLAGS)
tests_vm_demo_bpbuf_demo_LDADD = libbpbuf/libbpbuf.la $(LIBDRM_LIBS)
