# The media tests: vivid, the kernel's virtual video driver, on
# videobuf2-dma-contig, capturing into bpbuf buffers (vivid.c drives it).
# 64-bit only, as the DMA tests. media_vm_test_programs goes into
# vm_test_programs (tests/local.mk).
if HAVE_KSELFTEST
media_vm_test_programs = tests/media/vivid-capture
check_PROGRAMS += $(media_vm_test_programs)
endif
tests_media_vivid_capture_SOURCES = tests/media/vivid-capture.c tests/media/vivid.c \
	tests/media/vivid.h tests/lib/sysfs.c tests/lib/sysfs.h
tests_media_vivid_capture_CPPFLAGS = $(AM_CPPFLAGS) -I$(KSELFTEST_DIR) -I$(srcdir)/tests/lib \
	-I$(srcdir)/tests/kselftest -I$(srcdir)/tests/kmod -I$(srcdir)/tests/media
tests_media_vivid_capture_CFLAGS = -O2 -g -Wall

# The demo's capture step (scripts/demo.sh ships it to the VM)
noinst_PROGRAMS += tests/media/vivid-demo
tests_media_vivid_demo_SOURCES = tests/media/vivid-demo.c tests/media/vivid.c \
	tests/media/vivid.h tests/lib/sysfs.c tests/lib/sysfs.h
tests_media_vivid_demo_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/tests/lib
tests_media_vivid_demo_CFLAGS = $(AM_CFLAGS) -Wno-missing-prototypes
tests_media_vivid_demo_LDADD = libbpbuf/libbpbuf.la
