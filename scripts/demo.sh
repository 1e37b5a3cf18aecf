#!/bin/sh
# The main job: boot the test kernel in QEMU, load bpbuf and show it working.
# Installs and builds what it needs first (see scripts/build.sh).
set -eu
cd "$(dirname "$0")/.."
scripts/build.sh
kernel=$(tests/vm/build-kernel.sh --print-dir)
out=tests/vm/out/demo
mkdir -p "$out"
echo "rig_step demo sh /rig/demo.sh" >"$out/plan-extra.sh"

status=0
# The bpbuf command and the demo's helper go to the VM's /tests (libtool
# wrappers are resolved, libbpbuf comes from --libdir).
tests/vm/run-tests.sh --linux-obj "$kernel/obj" --module driver/bpbuf.ko \
	--out "$out" --plan-extra "$out/plan-extra.sh" \
	--libdir libbpbuf/.libs --ship utils/bpbuf --ship tests/vm/demo/bpbuf-demo \
	--ship tests/dma/edu-demo --ship tests/media/vivid-demo --dma iommu \
	--file tests/vm/demo/guest-demo.sh:/rig/demo.sh >"$out/report.tap" || status=$?

echo
echo "----- inside the VM -----"
tr -d '\r' <"$out/results.log" | sed -n '/^@@rig begin demo$/,/^@@rig end demo/{/^@@rig/d;p}'
echo
echo "----- checks -----"
grep -E '^(not )?ok' "$out/report.tap"
echo
if [ "$status" = 0 ]; then
	echo "demo: all steps passed, no kernel splat (logs in $out)"
else
	echo "demo: FAILED (logs in $out: console.log is the kernel log)"
fi
exit "$status"
