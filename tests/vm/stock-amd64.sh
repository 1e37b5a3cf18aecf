#!/bin/bash
# Debian's own amd64 kernel. bpbuf builds against its headers, with that
# release's compiler, and then either
#   refuse   the kernel has no CMA (Debian 12 and 13): bpbuf refuses to load,
#            saying why (bpbuf(4)), and leaves nothing behind;
#   suite    the kernel has CMA but reserves none (sid: CMA_SIZE_MBYTES=0):
#            with cma= on its command line the whole VM suite runs.
# Which one is the test's claim about that kernel: a kernel whose config
# says otherwise fails the test, so that a change in Debian's kernels is seen.
#
#   stock-amd64.sh SUITE refuse|suite   (run by tests/vm/stock-SUITE-amd64.test)
set -u
. "$top_srcdir/tests/vm/test-lib.sh"
suite=$1 mode=$2
vm_test_needs qemu-system-x86_64
vm=$top_srcdir/tests/vm
out=$top_builddir/tests/vm/out/stock-$suite-amd64

helper stock "fetching Debian $suite's amd64 kernel" "$vm/stock-kernel.sh" --suite "$suite" amd64
has_cma=no
grep -qx 'CONFIG_CMA=y' "$stock/build/.config" && has_cma=yes
case $mode/$has_cma in
refuse/no|suite/yes) ;;
*)
	echo "1..1"
	echo "not ok 1 - Debian $suite's amd64 kernel: CONFIG_CMA=y is '$has_cma', the '$mode' test expects otherwise"
	exit 1 ;;
esac
stock_build "$suite" amd64
cd "$src"
check_probes "Debian $suite's amd64 kernel"
if [ "$mode" = refuse ]; then
	exec "$vm/run-tests.sh" --no-load --kernel "$stock/vmlinuz" \
		--linux-obj "$stock/build" --modroot "$stock/modroot" \
		--module driver/bpbuf.ko --out "$out/run" "$vm/stock/no-cma.sh"
fi
copy_vm_tests
exec "$vm/run-tests.sh" --kernel "$stock/vmlinuz" \
	--linux-obj "$stock/build" --modroot "$stock/modroot" ${sysroot:+--sysroot "$sysroot"} \
	--module driver/bpbuf.ko --libdir libbpbuf/.libs $ship \
	--dma iommu,none --out "$out/run" $programs
