#!/bin/bash
# Boot a kernel and an initramfs under QEMU (TCG) and collect what it says.
#
#   run-vm.sh --kernel IMAGE --initramfs CPIO --out DIR
#             [--arch x86_64|arm64] [--mem MiB] [--smp N] [--cma SIZE]
#             [--timeout SECONDS] [--idle-timeout SECONDS]
#             [--boot-timeout SECONDS] [--append "ARGS"] [--dma KINDS]
#             [--disks] [--noncoherent-pci]
#
# DIR gets console.log (the kernel log, from the console), results.log (the
# guest's results channel, see guest/lib.sh), qemu.status (QEMU's exit
# status, 124 when the watchdog below killed it), killed (why it did) and
# plan.seconds (how long the guest ran after it said hello) and
# silent.seconds (how long its results channel had been quiet, as the
# watchdog last saw it, when QEMU ended). Judging the run is report.sh's
# job; this script fails only when QEMU cannot start.
#
# Boot time is not held against the plan: --boot-timeout (default 900 s)
# bounds the time until the guest's "@@rig hello", and only from then on
# count --timeout (the whole plan, default 900 s) and --idle-timeout (a
# results channel silent that long is a hang, default: none), so a slow or
# busy host does not turn a slow boot into a failed test.
#
# Memory defaults to 2560 MiB, all of it below 4 GiB on every machine here
# (q35 moves RAM past 2.75 GiB above 4 GiB): devices with 32-bit DMA masks,
# vivid's and uio_pci_generic's, then reach every buffer without a bounce
# buffer, the system heap's included.
#
# --dma adds QEMU's edu PCI DMA engine, of the KINDS listed (comma
# separated): iommu, one behind an IOMMU (x86: q35's Intel IOMMU, turned on
# with intel_iommu=on; arm64: virt's SMMUv3), and none, one that no IOMMU
# translates (x86: on a PCIe expander bus that bypasses the IOMMU; arm64:
# a machine without one, so not in the same boot as iommu). Both tell QEMU
# the engine reaches 64 bits (its default is 28). The guest finds the list
# as rig.edu=KINDS on its command line (tests/dma/edu-dma.c).
#
# --noncoherent-pci (arm64): the PCIe host's node in the device tree loses
# dma-coherent, so the kernel takes its devices (edu) for masters that do
# not snoop the CPU caches and maintains the caches around their DMA; the
# guest finds rig.pci_coherent=0 on its command line. QEMU models no
# caches: this proves the paths the kernel takes, not a cache's behaviour.
#
# --disks adds block devices for the zero-copy I/O tests (page_map.c): an
# emulated NVMe controller with two namespaces, nvme0n1 raw and nvme0n2 an
# ext4 file system made here, and a raw virtio-blk disk, vda, that QEMU
# throttles to 32 MiB/s (so that a test can free a buffer while a transfer
# from it is still in flight); sparse files in DIR, removed when QEMU
# ends. The guest finds them as rig.disks=nvme0n1,nvme0n2:ext4,vda.
set -euo pipefail
trap 'echo "run-vm.sh: line $LINENO: \"$BASH_COMMAND\" failed (status $?)" >&2' ERR

arch=$(uname -m) kernel= initramfs= out= mem=2560 smp=2 cma=256M timeout=900 append=
idle_timeout=0 boot_timeout=${BPBUF_VM_BOOT_TIMEOUT:-900} dma= disks=0
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2; shift 2 ;;
	--initramfs) initramfs=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--arch) arch=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--cma) cma=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--idle-timeout) idle_timeout=$2; shift 2 ;;
	--boot-timeout) boot_timeout=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--dma) dma=$2; shift 2 ;;
	--disks) disks=1; shift ;;
	--noncoherent-pci) noncoherent_pci=1; shift ;;
	*) echo "run-vm.sh: unknown argument: $1" >&2; exit 2 ;;
	esac
done
[ -n "$kernel" ] && [ -n "$initramfs" ] && [ -n "$out" ] ||
	{ echo "run-vm.sh: --kernel, --initramfs and --out are required" >&2; exit 2; }

# panic=-1 turns a panic into a reboot, and -no-reboot turns that into QEMU
# exiting, so a dead kernel ends the run at once instead of at the timeout.
# RCU's CPU stall warning after 60 s, not the kernel's 21: under TCG a vCPU
# gets no time while the host runs something else, and a debug kernel's
# boot (ACPI under KASAN) was seen reported stalled for 26 s on a busy host
# with nothing of bpbuf loaded; a loop of ours that never yields still is.
cmdline="cma=$cma panic=-1 printk.devkmsg=on printk.time=1 rcupdate.rcu_cpu_stall_timeout=60 $append"
case $arch in
x86_64)
	# No LA57: with 5-level paging this KASAN kernel reports a wild access
	# from an early timer interrupt in identify_cpu, now and then, before
	# any test has run (kernel 6.1.192 under TCG). No ERMS or FSRM: with
	# them the kernel's and glibc's memset and memcpy take rep stosb and
	# rep movsb, which TCG runs a byte per iteration, where rep stosq moves
	# eight; clearing and checking buffers, most of the suite's work, then
	# takes twice as long (zeroing, heaps and alloc: 112 s against 68 s).
	qemu=(qemu-system-x86_64 -accel tcg -M pc -cpu max,la57=off,erms=off,fsrm=off)
	# TCG's TSC drifts against jiffies and the watchdog drops it, leaving a
	# 4 ms clock; trust it, so that timings in the VM mean something.
	cmdline="console=ttyS0 rig.results=/dev/ttyS1 tsc=reliable $cmdline"
	# Calibrating the TSC against the emulated PIT fails on a busy host (the
	# guest then keeps a 4 ms clock); under TCG the guest's TSC is the
	# host's, whose rate the host can measure.
	if [ "$(uname -m)" = x86_64 ] && mkdir -p "$out" &&
	   cc -O2 -o "$out/tsc-khz" "$(dirname "$0")/tsc-khz.c" 2>"$out/tsc-khz.log" &&
	   khz=$("$out/tsc-khz"); then
		cmdline="tsc_early_khz=$khz $cmdline"
	else
		echo "run-vm.sh: cannot measure the host's TSC rate; the guest calibrates its own" >&2
	fi
	;;
arm64|aarch64)
	# virt has one UART; the results travel on a virtio console. Pointer
	# authentication with QEMU's own algorithm (pauth-impdef): Debian's
	# kernels sign every return address, and TCG's QARMA5, the
	# architected one, made a run of heaps, zeroing and alloc take 93 s
	# instead of 40.
	qemu=(qemu-system-aarch64 -accel tcg -M virt -cpu max,pauth-impdef=on
	      -device virtio-serial-device -device virtconsole,chardev=results)
	cmdline="console=ttyAMA0 rig.results=/dev/hvc0 rig.preload=virtio_mmio,virtio_console $cmdline"
	[ "${noncoherent_pci:-0}" = 0 ] || cmdline="rig.pci_coherent=0 $cmdline"
	;;
*) echo "run-vm.sh: unsupported architecture $arch" >&2; exit 2 ;;
esac
# The edu devices of --dma, on the machine each kind needs
edu=edu,dma_mask=0xffffffffffffffff
has_kind() { case ,$dma, in *,$1,*) return 0 ;; esac; return 1; }
for kind in ${dma//,/ }; do
	case $kind in iommu|none) ;; *) echo "run-vm.sh: --dma: unknown kind '$kind' (iommu, none)" >&2; exit 2 ;; esac
done
if [ -n "$dma" ]; then
	case $arch in
	x86_64)
		# The IOMMU comes before the devices it translates for. No ACPI
		# interrupt routing: for the expander bus, the debug kernel's AML
		# interpreter takes 25 s per probe under TCG (an RCU stall), and
		# nothing here uses a PCI interrupt. No PCIe port services
		# either: the expander's root port has no MSI domain under the
		# IOMMU's interrupt remapping, and Debian 12's 6.1 warns
		# (WARN_ON_ONCE in pci_msi_legacy_setup_msi_irqs) when the
		# port driver asks it for MSI-X.
		qemu[4]=q35
		cmdline="acpi=noirq pcie_ports=compat $cmdline"
		has_kind iommu && qemu+=(-device intel-iommu -device "$edu") &&
			cmdline="intel_iommu=on $cmdline"
		has_kind none && qemu+=(-device pxb-pcie,id=bypass,bus_nr=0x80,bypass_iommu=true,bus=pcie.0
			-device pcie-root-port,id=bypass_port,bus=bypass,chassis=1,hotplug=off
			-device "$edu,bus=bypass_port")
		;;
	*)
		if has_kind iommu && has_kind none; then
			echo "run-vm.sh: --dma iommu,none: arm64 has no bus that bypasses the SMMU here; boot each kind alone" >&2
			exit 2
		fi
		has_kind iommu && qemu[4]=virt,iommu=smmuv3
		qemu+=(-device "$edu")
		;;
	esac
	cmdline="rig.edu=$dma $cmdline"
fi
if [ "$disks" = 1 ]; then
	command -v mkfs.ext4 >/dev/null ||
		{ echo "run-vm.sh: --disks needs mkfs.ext4: apt-get install e2fsprogs" >&2; exit 1; }
	mkdir -p "$out"
	images=("$out/disk-nvme-raw.img" "$out/disk-nvme-ext4.img" "$out/disk-virtio-raw.img")
	rm -f "${images[@]}"
	truncate -s 192M "${images[0]}" "${images[2]}"
	truncate -s 256M "${images[1]}"
	mkfs.ext4 -q -F -L bpbuf-test "${images[1]}"
	# on the root bus: QEMU would put them behind --dma's expander bus
	root_bus=pcie.0
	[ "${qemu[4]}" != pc ] || root_bus=pci.0
	qemu+=(-drive "file=${images[0]},if=none,id=nvme_raw,format=raw"
	       -drive "file=${images[1]},if=none,id=nvme_ext4,format=raw"
	       -device nvme,id=nvme_ctrl,serial=bpbuf-nvme,bus=$root_bus
	       -device nvme-ns,drive=nvme_raw,bus=nvme_ctrl,nsid=1
	       -device nvme-ns,drive=nvme_ext4,bus=nvme_ctrl,nsid=2
	       -drive "file=${images[2]},if=none,id=virtio_raw,format=raw,throttling.bps-total=33554432"
	       -device virtio-blk-pci,drive=virtio_raw,bus=$root_bus)
	cmdline="rig.disks=nvme0n1,nvme0n2:ext4,vda $cmdline"
fi
command -v "${qemu[0]}" >/dev/null ||
	{ echo "run-vm.sh: ${qemu[0]} is missing: apt-get install qemu-system" >&2; exit 1; }

mkdir -p "$out"
rm -f "$out/console.log" "$out/results.log" "$out/qemu.status" "$out/killed" "$out/plan.seconds" \
	"$out/silent.seconds"
: >"$out/results.log"
if [ "${qemu[0]}" = qemu-system-x86_64 ]; then
	serial=(-serial "file:$out/console.log" -serial "file:$out/results.log")
else
	serial=(-serial "file:$out/console.log" -chardev "file,id=results,path=$out/results.log")
fi

# arm64: the device tree QEMU makes for this machine, with the heaps an
# embedded board would declare for bpbuf added (dt/bpbuf-heaps.dtsi).
dtb=()
if [ "${qemu[0]}" = qemu-system-aarch64 ]; then
	command -v dtc >/dev/null ||
		{ echo "run-vm.sh: arm64 needs dtc: apt-get install device-tree-compiler" >&2; exit 1; }
	"${qemu[@]}" -smp "$smp" -m "$mem" -nodefaults -display none \
		-machine dumpdtb="$out/virt.dtb" "${serial[@]}" </dev/null >"$out/dtb.log" 2>&1 &&
	dtc -q -I dtb -O dts -o "$out/virt.dts" "$out/virt.dtb" 2>>"$out/dtb.log" &&
	if [ "${noncoherent_pci:-0}" = 1 ]; then
		awk '/^\tpcie@/ { pcie = 1 } pcie && /dma-coherent;/ { next }
		     pcie && /^\t};/ { pcie = 0 } { print }' "$out/virt.dts" >"$out/virt-nc.dts" &&
		mv "$out/virt-nc.dts" "$out/virt.dts"
	fi &&
	cat "$(dirname "$0")/dt/bpbuf-heaps.dtsi" >>"$out/virt.dts" &&
	dtc -q -I dts -O dtb -o "$out/virt-bpbuf.dtb" "$out/virt.dts" 2>>"$out/dtb.log" ||
		{ echo "run-vm.sh: cannot make the device tree:" >&2; cat "$out/dtb.log" >&2; exit 1; }
	dtb=(-dtb "$out/virt-bpbuf.dtb")
fi

echo "run-vm.sh: booting $(basename "$kernel") ($arch, ${mem} MiB, $smp CPUs, cma=$cma," \
	"boot timeout ${boot_timeout}s, plan timeout ${timeout}s, idle timeout ${idle_timeout}s)" >&2
"${qemu[@]}" -smp "$smp" -m "$mem" "${dtb[@]}" \
	-nodefaults -display none -no-reboot \
	-kernel "$kernel" -initrd "$initramfs" -append "$cmdline" \
	"${serial[@]}" </dev/null >"$out/qemu.log" 2>&1 &
qemu_pid=$!
# Whatever ends this script (a signal, a failed command) ends QEMU with it.
trap '[ -z "$qemu_pid" ] || kill -KILL "$qemu_pid" 2>/dev/null || :; rm -f "$out"/disk-*.img' EXIT

# The watchdog: once a second, until QEMU exits or a bound is passed.
start=$(date +%s) hello_at= last_size=0 last_change=$start killed=
while kill -0 "$qemu_pid" 2>/dev/null; do
	now=$(date +%s)
	if [ -z "$hello_at" ]; then
		if grep -q '^@@rig hello' "$out/results.log"; then
			hello_at=$now last_change=$now
		elif [ $((now - start)) -ge "$boot_timeout" ]; then
			killed="boot: no hello from the guest within ${boot_timeout}s"
		fi
	else
		size=$(stat -c %s "$out/results.log")
		[ "$size" = "$last_size" ] || last_size=$size last_change=$now
		if [ $((now - hello_at)) -ge "$timeout" ]; then
			killed="plan: still running ${timeout}s after the guest's hello"
		elif [ "$idle_timeout" -gt 0 ] && [ $((now - last_change)) -ge "$idle_timeout" ]; then
			killed="idle: nothing on the results channel for ${idle_timeout}s"
		fi
	fi
	[ -z "$killed" ] || break
	sleep 1
done
if [ -n "$killed" ]; then
	echo "$killed" >"$out/killed"
	kill -TERM "$qemu_pid" 2>/dev/null || :
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		kill -0 "$qemu_pid" 2>/dev/null || break
		sleep 1
	done
	kill -KILL "$qemu_pid" 2>/dev/null || :
fi
status=0
wait "$qemu_pid" || status=$?
qemu_pid=
[ -z "$killed" ] || status=124
end=$(date +%s)
echo "$status" >"$out/qemu.status"
[ -z "$hello_at" ] || echo $((end - hello_at)) >"$out/plan.seconds"
[ -z "$hello_at" ] || echo $((end - last_change)) >"$out/silent.seconds"
echo "run-vm.sh: VM ended after $((end - start)) s, ${hello_at:+$((end - hello_at)) s after hello, }QEMU status $status${killed:+, killed ($killed)}" >&2
if [ "$status" != 0 ] && [ -z "$killed" ]; then
	cat "$out/qemu.log" >&2
fi
exit 0
