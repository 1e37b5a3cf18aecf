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
# the stress suite (its fault injection SKIPs: Debian's kernel has none),
# with an edu DMA device behind virt's SMMUv3. A second, short boot without
# an IOMMU runs the DMA tests alone: virt has no bus that bypasses the SMMU
# here (run-vm.sh --dma); its PCIe host is one whose masters do not snoop
# the caches (--noncoherent-pci), as on most boards with an FPGA. One TAP
# stream of both (tap-join.sh).
copy_vm_tests
set_depth
run()
{
	"$vm/run-tests.sh" --arch arm64 --kernel "$stock/vmlinuz" \
		--linux-obj "$stock/build" --modroot "$stock/modroot" \
		--busybox "$stock/busybox" --sysroot "$sysroot" \
		--module driver/bpbuf.ko --libdir libbpbuf/.libs $ship $depth_env "$@"
}
dma_programs=$(for p in $programs; do case $p in */edu-dma) echo "$p" ;; esac; done)
[ -n "$dma_programs" ] || { echo "1..1"; echo "not ok 1 - no DMA test program among the VM tests"; exit 1; }
run --dma iommu --out "$out/run" $programs >"$out/smmu.tap"
run --dma none --noncoherent-pci --out "$out/run-no-iommu" $dma_programs >"$out/no-iommu.tap"
exec "$vm/tap-join.sh" "SMMUv3" "$out/smmu.tap" "no IOMMU, PCIe not coherent" "$out/no-iommu.tap"
