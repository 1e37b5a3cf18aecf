#!/bin/bash
# Run test programs inside a VM against bpbuf.ko and print one TAP stream.
#
#   run-tests.sh --linux-obj DIR --module bpbuf.ko --out DIR
#                [--kernel IMAGE] [--arch x86_64|arm64] [--modroot DIR]
#                [--busybox PATH] [--sysroot DIR] [--append "ARGS"]
#                [--insmod-args "ARGS"] [--no-load] [--timeout S]
#                [--idle-timeout S] [--cma SIZE]
#                [--mem MiB] [--dma KINDS] [--noncoherent-pci]
#                [--expect-source cma|movable] [--plan-extra FILE] [--env NAME=VALUE]...
#                [--file SRC:DEST]... [--libdir DIR]...
#                [--test-module KO]... [--kunit KO]...
#                [--ship PROGRAM]... [PROGRAM...]
#
# The VM boots IMAGE (default: DIR/arch/x86/boot/bzImage, the kernel the
# module was built against), loads bpbuf.ko, and vgem (an importer) where the
# kernel has it as a module, runs each PROGRAM as a step (a --ship program is
# put into /tests beside them, with its libraries, but not run), unloads
# bpbuf, and ends with a kmemleak scan where the kernel has kmemleak. A
# --test-module (the tests' own modules, tests/kmod/) is loaded after
# bpbuf.ko and unloaded before it. A --kunit module holds a KUnit suite
# named as the module without its _test: it is a step of its own, after the
# programs (guest/lib.sh rig_kunit), its KTAP read as the programs' TAP; a
# kernel without KUnit gets a skipped step that says so.
# --modroot is the kernel's modules_install tree (made from DIR by default);
# --busybox and --sysroot serve other architectures (see mkinitramfs.sh).
# --no-load ships bpbuf.ko without loading or unloading it: the programs do.
# --env sets an environment variable for every step (the stress programs'
# depth, test-lib.sh set_depth).
# --expect-source names where the loaded heap must come from (debugfs
# bpbuf/heap's source): by default cma where the kernel has CMA (the VM
# boots with cma=), else movable.
# --dma KINDS gives the VM run-vm.sh's edu DMA devices and ships the drivers
# the DMA tests bind them to (uio_pci_generic, vfio-pci); --noncoherent-pci
# (arm64) makes their PCIe host one whose masters do not snoop (run-vm.sh).
# A kernel with NVMe, virtio-blk and ext4 gets run-vm.sh's --disks, and the
# plan loads those drivers first where they are modules.
# The exit status is report.sh's: 0 only when every result passed, the VM
# finished and the log has no splat.
set -euo pipefail
trap 'echo "run-tests.sh: line $LINENO: \"$BASH_COMMAND\" failed (status $?)" >&2' ERR

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The plan's bounds count from the guest's hello (see run-vm.sh): the whole
# plan, and a results channel silent that long (a hung step: the longest
# step, the fuzzer, ends within 400 s of its own and prints as it goes).
linux_obj= module= out= insmod_args= timeout=${BPBUF_VM_TIMEOUT:-3600} cma=256M
idle_timeout=${BPBUF_VM_IDLE_TIMEOUT:-900}
plan_extra= files=() shipped=() test_modules=() kunit_modules=() envs=()
kernel= arch=x86_64 modroot= append= kmods=() load=1 mem=2560 dma=
while [ $# -gt 0 ]; do
	case $1 in
	--linux-obj) linux_obj=$2; shift 2 ;;
	--module) module=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--insmod-args) insmod_args=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--idle-timeout) idle_timeout=$2; shift 2 ;;
	--cma) cma=$2; shift 2 ;;
	--plan-extra) plan_extra=$2; shift 2 ;;
	--env) envs+=("$2"); shift 2 ;;
	--file) files+=(--file "$2"); shift 2 ;;
	--libdir) files+=(--libdir "$2"); shift 2 ;;
	--ship) shipped+=(--bin "$2"); shift 2 ;;
	--test-module) test_modules+=("$2"); shift 2 ;;
	--kunit) kunit_modules+=("$2"); shift 2 ;;
	--kernel) kernel=$2; shift 2 ;;
	--arch) arch=$2; shift 2 ;;
	--modroot) modroot=$2; shift 2 ;;
	--busybox) files+=(--busybox "$2"); shift 2 ;;
	--sysroot) files+=(--sysroot "$2"); shift 2 ;;
	--append) append=$2; shift 2 ;;
	--no-load) load=0; shift ;;
	--mem) mem=$2; shift 2 ;;
	--dma) dma=$2; shift 2 ;;
	--noncoherent-pci) noncoherent_pci=1; shift ;;
	--expect-source) expect_source=$2; shift 2 ;;
	--) shift; break ;;
	-*) echo "run-tests.sh: unknown argument: $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ -n "$linux_obj" ] && [ -n "$module" ] && [ -n "$out" ] ||
	{ echo "run-tests.sh: --linux-obj, --module and --out are required" >&2; exit 2; }

# The modules MODULE's softdeps name (modules.softdep, aliases resolved
# through modules.alias) in the --modroot tree, one per line
module_softdeps()
{
	local dir alias
	for dir in "${modroot:-/nonexistent}"/lib/modules/*/; do
		[ -r "$dir/modules.softdep" ] || continue
		for alias in $(sed -n "s/^softdep $1 pre: //p" "$dir/modules.softdep"); do
			awk -v a="$alias" '$1 == "alias" && $2 == a { print $3; exit }' "$dir/modules.alias"
		done
	done
}

# A KUnit module's suite: its name without .ko and _test
kunit_suite() { local m; m=$(basename "$1" .ko); echo "${m%_test}"; }

mkdir -p "$out"
out=$(cd "$out" && pwd)
plan=$out/plan.sh
disks=1
for sym in BLK_DEV_NVME VIRTIO_BLK EXT4_FS; do
	grep -Eqx "CONFIG_$sym=[ym]" "$linux_obj/.config" || disks=0
done
if [ -z "${expect_source:-}" ]; then
	expect_source=movable
	grep -qx 'CONFIG_DMA_CMA=y' "$linux_obj/.config" && expect_source=cma
fi
modules=("$module" ${test_modules[@]+"${test_modules[@]}"} ${kunit_modules[@]+"${kunit_modules[@]}"})
{
	echo "# made by run-tests.sh"
	for e in ${envs[@]+"${envs[@]}"}; do
		printf 'export %q\n' "$e"
	done
	if [ "$load" = 1 ]; then
		echo "rig_step insmod-bpbuf insmod /lib/modules/$(basename "$module") $insmod_args"
		echo "rig_step heap-source-$expect_source grep -Eq '^source:[[:space:]]+$expect_source\$' /sys/kernel/debug/bpbuf/heap"
	fi
	for m in ${test_modules[@]+"${test_modules[@]}"}; do
		echo "rig_step insmod-$(basename "$m" .ko) insmod /lib/modules/$(basename "$m")"
	done
	# The kernel's own modules, vgem (an importer) among them, as
	# modules_install lays them out, so that modprobe resolves dependencies.
	if [ -z "$modroot" ] && grep -Eqx 'CONFIG_(DRM_VGEM|UIO_PCI_GENERIC|VFIO_PCI|VIDEO_VIVID)=m' "$linux_obj/.config"; then
		rm -rf "$out/modroot"
		make -s -C "$linux_obj" INSTALL_MOD_PATH="$out/modroot" modules_install >&2
		modroot=$out/modroot
	fi
	if grep -qx 'CONFIG_DRM_VGEM=m' "$linux_obj/.config"; then
		echo "rig_step modprobe-vgem modprobe vgem"
		kmods+=(--kmod vgem)
	fi
	# The DMA tests load these themselves; a built-in one needs nothing.
	[ -z "$dma" ] || kmods+=(--kmod uio_pci_generic --kmod vfio_pci --kmod vfio_iommu_type1)
	# The disks' drivers (virtio-blk's PCI transport too), where they are
	# modules, before any program
	if [ "$disks" = 1 ]; then
		for driver in nvme:BLK_DEV_NVME virtio_pci:VIRTIO_PCI virtio_blk:VIRTIO_BLK ext4:EXT4_FS; do
			m=${driver%%:*} sym=${driver#*:}
			if grep -qx "CONFIG_$sym=m" "$linux_obj/.config"; then
				# its soft dependencies first (ext4 wants crc32c),
				# which the kernel would ask busybox for by alias
				for dep in $(module_softdeps "$m"); do
					echo "rig_step modprobe-$dep modprobe $dep"
					kmods+=(--kmod "$dep")
				done
				echo "rig_step modprobe-$m modprobe $m"
				kmods+=(--kmod "$m")
			fi
		done
	fi
	# So does the media test vivid, with its own parameters
	grep -qx 'CONFIG_VIDEO_VIVID=m' "$linux_obj/.config" && kmods+=(--kmod vivid)
	for prog in "$@"; do
		echo "rig_step $(basename "$prog") /tests/$(basename "$prog")"
	done
	for m in ${kunit_modules[@]+"${kunit_modules[@]}"}; do
		echo "rig_step kunit-$(kunit_suite "$m") rig_kunit /lib/modules/$(basename "$m") $(kunit_suite "$m")"
	done
	if [ ${#kunit_modules[@]} = 0 ] && ! grep -qx 'CONFIG_KUNIT=[ym]' "$linux_obj/.config"; then
		echo "rig_skip kunit \"this kernel has no KUnit (CONFIG_KUNIT is not set): the extent allocator is unit-tested on the debug kernels\""
	fi
	[ -n "$plan_extra" ] && cat "$plan_extra"
	for m in ${test_modules[@]+"${test_modules[@]}"}; do
		echo "rig_step rmmod-$(basename "$m" .ko) rmmod $(basename "$m" .ko)"
	done
	[ "$load" = 1 ] && echo "rig_step rmmod-bpbuf rmmod bpbuf"
	:
} >"$plan"

# A kernel with vivid as a module (the test loads it with its parameters)
# must run the media test, not skip it (vivid.h)
grep -qx 'CONFIG_VIDEO_VIVID=m' "$linux_obj/.config" && append="rig.vivid=1 $append"
# A kernel that maps PFNs with PMD entries must have bpbuf use them
# (huge_map.c): a configure probe that wrongly said no fails there
grep -qx 'CONFIG_ARCH_SUPPORTS_PMD_PFNMAP=y' "$linux_obj/.config" &&
	grep -qx 'CONFIG_TRANSPARENT_HUGEPAGE=y' "$linux_obj/.config" &&
	append="rig.huge_pfnmap=1 $append"
# and PUD ones, where bpbuf is loaded with pud_mappings=1 on a CPU with 1 GiB
# pages (huge_map.c's pud_block)
grep -qx 'CONFIG_ARCH_SUPPORTS_PUD_PFNMAP=y' "$linux_obj/.config" &&
	grep -qx 'CONFIG_TRANSPARENT_HUGEPAGE=y' "$linux_obj/.config" &&
	append="rig.pud_pfnmap=1 $append"

# The CPU modes bpbuf must offer (cpu_mode.c): write-combined where x86 has
# PAT, both others where arm64 exports its cache maintenance by address
case $arch in
x86_64)
	if grep -qx 'CONFIG_X86_PAT=y' "$linux_obj/.config"; then
		append="rig.cpu_modes=cached,wc,uncached $append"
	else
		append="rig.cpu_modes=cached,uncached $append"
	fi ;;
arm64)
	if grep -qx 'CONFIG_ARCH_HAS_PMEM_API=y' "$linux_obj/.config"; then
		append="rig.cpu_modes=cached,wc,uncached $append"
	else
		append="rig.cpu_modes=cached $append"
	fi ;;
esac

# x86 VMs set 32 MiB aside at boot, 1 GiB up (below any initramfs, which
# QEMU puts at the top of low memory), for the reserved heap source
# (heaps.c); rig.zone_device=1 where the kernel can give it struct pages
# (elsewhere the test checks that it is refused)
case $arch in
x86_64)
	append="memmap=32M\$0x40000000 rig.reserved=0x40000000:32 $append"
	grep -qx 'CONFIG_ZONE_DEVICE=y' "$linux_obj/.config" && append="rig.zone_device=1 $append"
	;;
esac

bins=()
for prog in "$@"; do bins+=(--bin "$prog"); done
mods=()
for m in "${modules[@]}"; do mods+=(--module "$m"); done
# arm64's results channel is a virtio console (see run-vm.sh).
case $arch in arm64|aarch64) kmods+=(--kmod virtio_mmio --kmod virtio_console) ;; esac
[ -n "$modroot" ] && mods+=(--modroot "$modroot" "${kmods[@]}")
"$here/mkinitramfs.sh" --out "$out/initramfs.cpio" --plan "$plan" "${mods[@]}" "${bins[@]}" "${shipped[@]}" "${files[@]}"

"$here/run-vm.sh" --kernel "${kernel:-$linux_obj/arch/x86/boot/bzImage}" --arch "$arch" \
	--initramfs "$out/initramfs.cpio" --out "$out" --cma "$cma" --timeout "$timeout" --idle-timeout "$idle_timeout" --mem "$mem" \
	--append "$append" ${dma:+--dma "$dma"} $([ "$disks" = 0 ] || echo --disks) \
	$([ "${noncoherent_pci:-0}" = 0 ] || echo --noncoherent-pci)

# A kernel built with kmemleak must have been scanned; every KUnit suite
# must have run.
require=()
grep -qx 'CONFIG_DEBUG_KMEMLEAK=y' "$linux_obj/.config" && require+=(--require kmemleak)
for m in ${kunit_modules[@]+"${kunit_modules[@]}"}; do
	require+=(--require "kunit-$(kunit_suite "$m")")
done
echo "run-tests.sh: logs in $out (console.log, results.log)" >&2
exec "$here/report.sh" "$out" "${require[@]}"
