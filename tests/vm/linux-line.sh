#!/bin/bash
# The whole VM suite on the debug kernel of another kernel line than the one
# configure was pointed at: the kernel is built from that line's Debian
# source package (build-kernel.sh --line, cached), a copy of the tree is
# configured and built against it, and every VM test program runs in it, as
# kselftests.test does for the configured kernel.
#
#   linux-line.sh LINE      (run by tests/vm/linux-LINE.test)
set -u
. "$top_srcdir/tests/vm/test-lib.sh"
line=$1
vm_test_needs qemu-system-x86_64
vm=$top_srcdir/tests/vm
out=$top_builddir/tests/vm/out/linux-$line
mkdir -p "$out"

helper kernel "building Linux $line's debug kernel" "$vm/build-kernel.sh" --line "$line" --flavour debug
helper src "building bpbuf for Linux $line (see $out/build.log)" "$vm/build-for-kernel.sh" \
	"$top_builddir" "$out" --with-linux="$kernel/src" --with-linux-obj="$kernel/obj" \
	--with-kselftest="${KSELFTEST_DIR:-}"
cd "$src"
check_probes "Linux $line"
copy_vm_tests
set_depth
only_64bit "Debian's stock amd64 kernel of the line (stock-*-amd64.test)"
exec "$vm/run-tests.sh" --linux-obj "$kernel/obj" --module driver/bpbuf.ko \
	--libdir libbpbuf/.libs $ship $depth_env $plan_extra --dma iommu,none \
	--out "$out/run" $programs
