#!/bin/bash
# Debian's own arm64 kernel, the kernel of board users: CMA but no dma-buf
# heaps. bpbuf and its tests are cross-built against Debian's arm64 headers,
# with that release's compiler, and the same VM tests run under
# qemu-system-aarch64 -M virt, on 2 CPUs.
#
#   stock-arm64.sh SUITE FLAVOUR    (run by tests/vm/stock-SUITE-FLAVOUR.test)
set -u
. "$top_srcdir/tests/vm/test-lib.sh"
suite=$1 flavour=$2
vm_test_needs qemu-system-aarch64
command -v aarch64-linux-gnu-gcc >/dev/null || skip "no arm64 cross compiler (apt-get install gcc-aarch64-linux-gnu)"
vm=$top_srcdir/tests/vm
out=$top_builddir/tests/vm/out/stock-$suite-$flavour

helper stock "fetching Debian $suite's $flavour kernel" "$vm/stock-kernel.sh" \
	--suite "$suite" --flavour "$flavour" arm64
stock_build "$suite" arm64 --host=aarch64-linux-gnu
cd "$src"
check_probes "Debian $suite's $flavour kernel"
# Every VM test program: the kselftests, the library's and tool's tests and
# the stress suite (its fault injection SKIPs: Debian's kernel has none).
copy_vm_tests
exec "$vm/run-tests.sh" --arch arm64 --kernel "$stock/vmlinuz" \
	--linux-obj "$stock/build" --modroot "$stock/modroot" \
	--busybox "$stock/busybox" --sysroot "$sysroot" \
	--module driver/bpbuf.ko --libdir libbpbuf/.libs $ship \
	--out "$out/run" $programs
