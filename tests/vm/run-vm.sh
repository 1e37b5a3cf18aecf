#!/bin/bash
# Boot a kernel and an initramfs under QEMU (TCG) and collect what it says.
#
#   run-vm.sh --kernel IMAGE --initramfs CPIO --out DIR
#             [--arch x86_64|arm64] [--mem MiB] [--smp N] [--cma SIZE]
#             [--timeout SECONDS] [--append "ARGS"]
#
# DIR gets console.log (the kernel log, from the console), results.log (the
# guest's results channel, see guest/lib.sh) and qemu.status (QEMU's exit
# status; 124 means the run was killed at --timeout). Judging the run is
# report.sh's job; this script fails only when QEMU cannot start.
set -euo pipefail

arch=$(uname -m) kernel= initramfs= out= mem=3072 smp=2 cma=256M timeout=900 append=
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
	--append) append=$2; shift 2 ;;
	*) echo "run-vm.sh: unknown argument: $1" >&2; exit 2 ;;
	esac
done
[ -n "$kernel" ] && [ -n "$initramfs" ] && [ -n "$out" ] ||
	{ echo "run-vm.sh: --kernel, --initramfs and --out are required" >&2; exit 2; }

# panic=-1 turns a panic into a reboot, and -no-reboot turns that into QEMU
# exiting, so a dead kernel ends the run at once instead of at the timeout.
cmdline="cma=$cma panic=-1 printk.devkmsg=on $append"
case $arch in
x86_64)
	# No LA57: with 5-level paging this KASAN kernel reports a wild access
	# from an early timer interrupt in identify_cpu, now and then, before
	# any test has run (kernel 6.1.192 under TCG).
	qemu=(qemu-system-x86_64 -accel tcg -M pc -cpu max,la57=off)
	# TCG's TSC drifts against jiffies and the watchdog drops it, leaving a
	# 4 ms clock; trust it, so that timings in the VM mean something.
	cmdline="console=ttyS0 rig.results=/dev/ttyS1 tsc=reliable $cmdline"
	;;
arm64|aarch64)
	# virt has one UART; the results travel on a virtio console.
	qemu=(qemu-system-aarch64 -accel tcg -M virt -cpu max
	      -device virtio-serial-device -device virtconsole,chardev=results)
	cmdline="console=ttyAMA0 rig.results=/dev/hvc0 rig.preload=virtio_mmio,virtio_console $cmdline"
	;;
*) echo "run-vm.sh: unsupported architecture $arch" >&2; exit 2 ;;
esac
command -v "${qemu[0]}" >/dev/null ||
	{ echo "run-vm.sh: ${qemu[0]} is missing: apt-get install qemu-system" >&2; exit 1; }

mkdir -p "$out"
rm -f "$out/console.log" "$out/results.log" "$out/qemu.status"
if [ "${qemu[0]}" = qemu-system-x86_64 ]; then
	serial=(-serial "file:$out/console.log" -serial "file:$out/results.log")
else
	serial=(-serial "file:$out/console.log" -chardev "file,id=results,path=$out/results.log")
fi

echo "run-vm.sh: booting $(basename "$kernel") ($arch, ${mem} MiB, $smp CPUs, cma=$cma, timeout ${timeout}s)" >&2
start=$(date +%s)
status=0
timeout --kill-after=10 "$timeout" "${qemu[@]}" -smp "$smp" -m "$mem" \
	-nodefaults -display none -no-reboot \
	-kernel "$kernel" -initrd "$initramfs" -append "$cmdline" \
	"${serial[@]}" </dev/null >"$out/qemu.log" 2>&1 || status=$?
echo "$status" >"$out/qemu.status"
echo "run-vm.sh: VM ended after $(( $(date +%s) - start )) s (QEMU status $status)" >&2
if [ "$status" != 0 ] && [ "$status" != 124 ] && [ "$status" != 137 ]; then
	cat "$out/qemu.log" >&2
fi
exit 0
