#!/bin/bash
# Run test programs inside a VM against bpbuf.ko and print one TAP stream.
#
#   run-tests.sh --linux-obj DIR --module bpbuf.ko --out DIR
#                [--insmod-args "ARGS"] [--timeout S] [--cma SIZE]
#                [--plan-extra FILE] [--file SRC:DEST]... [--libdir DIR]...
#                [--ship PROGRAM]... [PROGRAM...]
#
# The VM boots DIR/arch/x86/boot/bzImage (the kernel the module was built
# against), loads bpbuf.ko (and vgem, an importer, when the kernel has it as a
# module), runs each PROGRAM as a step, unloads bpbuf, and ends with a
# kmemleak scan where the kernel has kmemleak. The exit status is report.sh's:
# 0 only when every result passed, the VM finished and the log has no splat.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
linux_obj= module= out= insmod_args= timeout=${BPBUF_VM_TIMEOUT:-1200} cma=256M
plan_extra= files=() shipped=()
while [ $# -gt 0 ]; do
	case $1 in
	--linux-obj) linux_obj=$2; shift 2 ;;
	--module) module=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--insmod-args) insmod_args=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--cma) cma=$2; shift 2 ;;
	--plan-extra) plan_extra=$2; shift 2 ;;
	--file) files+=(--file "$2"); shift 2 ;;
	--libdir) files+=(--libdir "$2"); shift 2 ;;
	--ship) shipped+=(--bin "$2"); shift 2 ;;
	--) shift; break ;;
	-*) echo "run-tests.sh: unknown argument: $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ -n "$linux_obj" ] && [ -n "$module" ] && [ -n "$out" ] ||
	{ echo "run-tests.sh: --linux-obj, --module and --out are required" >&2; exit 2; }

mkdir -p "$out"
out=$(cd "$out" && pwd)
plan=$out/plan.sh
modules=("$module")
{
	echo "# made by run-tests.sh"
	echo "rig_step insmod-bpbuf insmod /lib/modules/$(basename "$module") $insmod_args"
	# The kernel's own modules, vgem (an importer) among them, as
	# modules_install lays them out, so that modprobe resolves dependencies.
	rm -rf "$out/modroot"
	if grep -qx 'CONFIG_DRM_VGEM=m' "$linux_obj/.config"; then
		make -s -C "$linux_obj" INSTALL_MOD_PATH="$out/modroot" modules_install >&2
		echo "rig_step modprobe-vgem modprobe vgem"
	fi
	for prog in "$@"; do
		echo "rig_step $(basename "$prog") /tests/$(basename "$prog")"
	done
	[ -n "$plan_extra" ] && cat "$plan_extra"
	echo "rig_step rmmod-bpbuf rmmod bpbuf"
} >"$plan"

bins=()
for prog in "$@"; do bins+=(--bin "$prog"); done
mods=()
for m in "${modules[@]}"; do mods+=(--module "$m"); done
[ -d "$out/modroot/lib/modules" ] && mods+=(--modroot "$out/modroot")
"$here/mkinitramfs.sh" --out "$out/initramfs.cpio" --plan "$plan" "${mods[@]}" "${bins[@]}" "${shipped[@]}" "${files[@]}"

"$here/run-vm.sh" --kernel "$linux_obj/arch/x86/boot/bzImage" \
	--initramfs "$out/initramfs.cpio" --out "$out" --cma "$cma" --timeout "$timeout"

# A kernel built with kmemleak must have been scanned.
require=()
grep -qx 'CONFIG_DEBUG_KMEMLEAK=y' "$linux_obj/.config" && require+=(--require kmemleak)
echo "run-tests.sh: logs in $out (console.log, results.log)" >&2
exec "$here/report.sh" "$out" "${require[@]}"
