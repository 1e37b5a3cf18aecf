#!/bin/sh
# On a kernel without CMA (Debian's stock amd64 kernel) bpbuf refuses to
# load, and says why and what to do; nothing of it is left behind.
# Documented in bpbuf(4), DIAGNOSTICS.
echo "1..4"
n=0
check() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fi; }

grep -q 'CmaTotal' /proc/meminfo && echo "# note: this kernel has CMA after all"
out=$(insmod /lib/modules/bpbuf.ko 2>&1)
status=$?
echo "# insmod: $out"
check "insmod fails" '[ "$status" != 0 ]'
msg=$(dmesg | grep 'bpbuf: ' | grep -v 'taints kernel\|module verification' | tail -n 1)
echo "# kernel log: $msg"
check "the kernel log says the kernel has no CMA" 'echo "$msg" | grep -q "without CMA"'
check "and names what to do" 'echo "$msg" | grep -q "CONFIG_DMA_CMA"'
check "no device node or module is left" '[ ! -e /dev/bpbuf ] && ! grep -q "^bpbuf " /proc/modules'
