# The DMA tests: QEMU's edu device reaching bpbuf buffers (edu.c drives it
# from user space), in a VM with the devices of run-vm.sh --dma. 64-bit
# only: they drive hardware, not the ioctl ABI, which the kselftests cover
# in both widths. dma_vm_test_programs goes into vm_test_programs
# (tests/local.mk).
if HAVE_KSELFTEST
dma_vm_test_programs = tests/dma/edu-dma
check_PROGRAMS += $(dma_vm_test_programs)
endif
tests_dma_edu_dma_SOURCES = tests/dma/edu-dma.c tests/dma/edu.c tests/dma/edu.h \
	tests/lib/sysfs.c tests/lib/sysfs.h
tests_dma_edu_dma_CPPFLAGS = $(AM_CPPFLAGS) -I$(KSELFTEST_DIR) -I$(srcdir)/tests/lib \
	-I$(srcdir)/tests/kselftest -I$(srcdir)/tests/dma
tests_dma_edu_dma_CFLAGS = -O2 -g -Wall
tests_dma_edu_dma_LDADD = libbpbuf/libbpbuf.la

# The demo's DMA step (scripts/demo.sh ships it to the VM)
noinst_PROGRAMS += tests/dma/edu-demo
tests_dma_edu_demo_SOURCES = tests/dma/edu-demo.c tests/dma/edu.c tests/dma/edu.h \
	tests/lib/sysfs.c tests/lib/sysfs.h
tests_dma_edu_demo_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/tests/lib
tests_dma_edu_demo_CFLAGS = $(AM_CFLAGS) -Wno-missing-prototypes
tests_dma_edu_demo_LDADD = libbpbuf/libbpbuf.la
