#!/bin/bash
# Debian's own amd64 kernel. bpbuf builds against its headers, with that
# release's compiler, and the whole VM suite runs on it, bpbuf taking its
# heap from
#   movable  movable memory emptied at load (alloc_contig_range()): the
#            kernel has no CMA (Debian 12 and 13) but CONFIG_CONTIG_ALLOC;
#            heap_source=auto chooses it with no parameter given;
#   cma      the CMA area: the kernel has CMA but reserves none (sid:
#            CMA_SIZE_MBYTES=0), so cma= goes on its command line.
# Which one is the test's claim about that kernel: a kernel whose config
# says otherwise fails the test, so that a change in Debian's kernels is seen.
#
#   stock-amd64.sh SUITE movable|cma   (run by tests/vm/stock-SUITE-amd64.test)
set -u
. "$top_srcdir/tests/vm/test-lib.sh"
suite=$1 mode=$2
vm_test_needs qemu-system-x86_64
vm=$top_srcdir/tests/vm
out=$top_builddir/tests/vm/out/stock-$suite-amd64

helper stock "fetching Debian $suite's amd64 kernel" "$vm/stock-kernel.sh" --suite "$suite" amd64
has_cma=no has_contig=no
grep -qx 'CONFIG_CMA=y' "$stock/build/.config" && has_cma=yes
grep -qx 'CONFIG_CONTIG_ALLOC=y' "$stock/build/.config" && has_contig=yes
case $mode/$has_cma/$has_contig in
movable/no/yes) ;;
cma/yes/*) ;;
*)
	echo "1..1"
	echo "not ok 1 - Debian $suite's amd64 kernel: CONFIG_CMA=y is '$has_cma', CONFIG_CONTIG_ALLOC=y '$has_contig': the '$mode' test expects otherwise"
	exit 1 ;;
esac
stock_build "$suite" amd64
cd "$src"
check_probes "Debian $suite's amd64 kernel"
copy_vm_tests
set_depth
# Without CMA the heap's source is not named: auto must find movable memory.
exec "$vm/run-tests.sh" --kernel "$stock/vmlinuz" \
	--linux-obj "$stock/build" --modroot "$stock/modroot" ${sysroot:+--sysroot "$sysroot"} \
	--module driver/bpbuf.ko --libdir libbpbuf/.libs $ship $depth_env \
	--expect-source "$mode" --dma iommu,none --out "$out/run" $programs
