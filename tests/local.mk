# make check: host tests run here; VM tests boot the configured kernel.
TEST_EXTENSIONS = .test
TEST_LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
AM_TESTS_ENVIRONMENT = \
	CC='$(CC)'; export CC; M32_CFLAGS='$(M32_CFLAGS)'; export M32_CFLAGS; \
	top_srcdir='$(abs_top_srcdir)'; export top_srcdir; \
	top_builddir='$(abs_top_builddir)'; export top_builddir; \
	LINUX_OBJ='$(LINUX_OBJ)'; export LINUX_OBJ; \
	KSELFTEST_DIR='$(KSELFTEST_DIR)'; export KSELFTEST_DIR; \
	VM_TEST_PROGS='$(vm_test_programs:%=$(abs_top_builddir)/%)'; export VM_TEST_PROGS; \
	VM_TEST_FILES='$(vm_test_files:%=$(abs_top_builddir)/%)'; export VM_TEST_FILES; \
	VM_TEST_MODULES='$(vm_test_modules:%=$(abs_top_builddir)/%)'; export VM_TEST_MODULES; \
	VM_KUNIT_MODULES='$(vm_kunit_modules:%=$(abs_top_builddir)/%)'; export VM_KUNIT_MODULES;

# Longest first: make -j runs them side by side in this order, so the
# longest VM runs do not start last (scripts/test.sh runs make -j2 check).
TESTS += tests/vm/linux-7.2.test tests/vm/linux-6.12.test tests/vm/kselftests.test \
	tests/vm/stock-sid-amd64.test tests/vm/stock-bookworm-arm64.test \
	tests/vm/stock-trixie-arm64.test tests/vm/stock-trixie-arm64-16k.test \
	tests/vm/rig-selftest.test \
	tests/vm/stock-bookworm-amd64.test tests/vm/stock-trixie-amd64.test \
	tests/host/dkms-bookworm.test tests/host/dkms-trixie.test \
	tests/host/abi-layout.test tests/host/splat-check.test tests/host/report.test \
	tests/host/kunit-tap.test tests/host/tap-join.test \
	tests/host/probes.test tests/host/install.test \
	tests/host/man-lint.test tests/host/lib-symbols.test tests/host/dt-binding.test \
	tests/host/tool-size.test tests/host/tool-args.test
EXTRA_DIST += $(TESTS) tests/host/splat-fixtures tests/host/dkms.sh \
	tests/vm/build-kernel.sh tests/vm/mkinitramfs.sh tests/vm/run-vm.sh \
	tests/vm/run-tests.sh tests/vm/report.sh tests/vm/check-splats.sh \
	tests/vm/guest/init tests/vm/guest/lib.sh tests/vm/rigcheck/rig_warn.c \
	tests/vm/demo/guest-demo.sh \
	tests/vm/stock-kernel.sh tests/vm/build-for-kernel.sh tests/vm/debian-apt.sh \
	tests/vm/test-lib.sh tests/vm/tsc-khz.c tests/vm/linux-line.sh \
	tests/vm/stock-arm64.sh tests/vm/stock-amd64.sh tests/vm/tap-join.sh \
	tests/vm/build-root.sh tests/vm/in-root.sh tests/vm/stock-build-root.sh \
	tests/vm/kconfig/base.config tests/vm/kconfig/debug.config tests/vm/kconfig/media.config \
	tests/vm/kconfig/6.1/debug.config tests/vm/kconfig/6.12/debug.config \
	tests/vm/dt/bpbuf-heaps.dtsi

# What runs inside the VM, each program a step that prints TAP: the
# kselftest programs below, and any program or script a folder's local.mk
# names here (libtool wrappers and scripts are fine); vm_test_files are put
# into the VM's /tests beside them but not run.
vm_test_programs = $(kselftest_programs) $(lib_vm_test_programs) $(tool_vm_test_programs) \
	$(stress_vm_test_programs) $(dma_vm_test_programs) $(media_vm_test_programs)
vm_test_files = $(tool_vm_test_files)

# kselftest programs, built twice: 64-bit and, where gcc-multilib is there,
# 32-bit (the same ABI through compat_ptr_ioctl). Add a test by its name.
kselftest_names = device ioctl_abi alloc bus_sync mmap huge_map page_map lifetime heaps importer dmaheap_node zeroing cpu_mode
kselftest_sources = $(kselftest_names:%=tests/kselftest/%.c)
kselftest_headers = $(wildcard $(srcdir)/tests/kselftest/*.h) $(srcdir)/tests/kmod/bpbuf_test_importer.h \
	$(srcdir)/tests/kmod/bpbuf_test_memtype.h
EXTRA_DIST += $(kselftest_sources) $(kselftest_headers)
if HAVE_KSELFTEST
kselftest_programs = $(kselftest_names:%=tests/kselftest/%)
if HAVE_M32
kselftest_programs += $(kselftest_names:%=tests/kselftest/%-32)
endif
CLEANFILES += $(kselftest_programs)
endif
check_DATA = $(kselftest_programs) $(vm_test_modules) $(vm_kunit_modules)

# The tests' own kernel modules (tests/kmod/), built by Kbuild against the
# configured kernel; the VM loads them after bpbuf.ko. The KUnit suite of
# the extent allocator, where the kernel has KUnit, is a step of its own
# (run-tests.sh --kunit), as is the held ranges' quarantine's; Kbuild makes
# them in the same run.
test_kmod_sources = tests/kmod/Kbuild tests/kmod/bpbuf_test_importer.c \
	tests/kmod/bpbuf_test_importer.h tests/kmod/bpbuf_extent_test.c \
	tests/kmod/bpbuf_held_test.c \
	tests/kmod/bpbuf_test_edu.c tests/kmod/bpbuf_test_memtype.c \
	tests/kmod/bpbuf_test_memtype.h
EXTRA_DIST += $(test_kmod_sources)
if BUILD_MODULE
vm_test_modules = tests/kmod/bpbuf_test_importer.ko tests/kmod/bpbuf_test_edu.ko \
	tests/kmod/bpbuf_test_memtype.ko
tests/kmod/bpbuf_test_edu.ko tests/kmod/bpbuf_test_memtype.ko: tests/kmod/bpbuf_test_importer.ko
	@test -f $@ || { echo "Kbuild made no $@" >&2; exit 1; }
if HAVE_KUNIT
vm_kunit_modules = tests/kmod/bpbuf_extent_test.ko tests/kmod/bpbuf_held_test.ko
tests/kmod/bpbuf_extent_test.ko tests/kmod/bpbuf_held_test.ko: tests/kmod/bpbuf_test_importer.ko
	@test -f $@ || { echo "Kbuild made no $@ although configure found KUnit" >&2; exit 1; }
endif
tests/kmod/bpbuf_test_importer.ko: driver/bpbuf.ko FORCE
	@if test "$(abs_top_srcdir)" != "$(abs_top_builddir)"; then \
		$(MKDIR_P) tests/kmod; \
		for f in $(test_kmod_sources); do \
			ln -sf "$(abs_top_srcdir)/$$f" "$(abs_top_builddir)/$$f"; \
		done; \
	fi
	+$(MAKE) -C $(LINUX_OBJ) $(KERNEL_MAKE_FLAGS) M=$(abs_top_builddir)/tests/kmod \
		bpbuf_uapi=$(abs_top_srcdir)/include modules
clean-test-kmod:
	-$(MAKE) -C $(LINUX_OBJ) $(KERNEL_MAKE_FLAGS) M=$(abs_top_builddir)/tests/kmod clean
	@if test "$(abs_top_srcdir)" != "$(abs_top_builddir)"; then \
		for f in $(test_kmod_sources); do rm -f "$(abs_top_builddir)/$$f"; done; \
	fi
else
clean-test-kmod:
endif
.PHONY: clean-test-kmod
KSELFTEST_CFLAGS = -I$(KSELFTEST_DIR) -I$(top_srcdir)/include \
	-I$(srcdir)/tests/kselftest -I$(srcdir)/tests/kmod -D_GNU_SOURCE -O2 -g -Wall -pthread
tests/kselftest/%: $(srcdir)/tests/kselftest/%.c $(top_srcdir)/include/bpbuf.h $(kselftest_headers)
	@$(MKDIR_P) tests/kselftest
	$(AM_V_CC)$(CC) $(KSELFTEST_CFLAGS) -o $@ $< -lrt
tests/kselftest/%-32: $(srcdir)/tests/kselftest/%.c $(top_srcdir)/include/bpbuf.h $(kselftest_headers)
	@$(MKDIR_P) tests/kselftest
	$(AM_V_CC)$(CC) $(M32_CFLAGS) $(KSELFTEST_CFLAGS) -o $@ $< -lrt

# The VM runs and their logs.
clean-vm-runs:
	rm -rf tests/vm/out tests/host/dkms-bookworm tests/host/dkms-trixie tests/host/report-runs \
		tests/host/kunit-tap-runs
.PHONY: clean-vm-runs

# For the stock-kernel tests, which build a copy of the tree for another
# kernel and then ask it what to run.
print-vm-tests:
	@echo $(vm_test_programs)
print-vm-files:
	@echo $(vm_test_files)
print-vm-modules:
	@echo $(vm_test_modules)
print-vm-kunit:
	@echo $(vm_kunit_modules)
# What those copies build after make all: what the VM runs and ships, not
# the host tests. (Not with all in one make -j: both would build bpbuf.ko.)
vm-programs: $(vm_test_programs) $(vm_test_files) $(vm_test_modules) $(vm_kunit_modules)
.PHONY: print-vm-tests print-vm-files print-vm-modules print-vm-kunit vm-programs
