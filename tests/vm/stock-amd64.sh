#!/bin/bash
# Debian's own amd64 kernel has no CMA. bpbuf builds against its headers
# package, and in that kernel refuses to load, saying why (bpbuf(4)).
#
#   stock-amd64.sh SUITE    (run by tests/vm/stock-*amd64.test)
set -u
. "$top_srcdir/tests/vm/test-lib.sh"
suite=$1
vm_test_needs qemu-system-x86_64
vm=$top_srcdir/tests/vm
out=$top_builddir/tests/vm/out/stock-$suite-amd64

helper stock "fetching Debian $suite's amd64 kernel" "$vm/stock-kernel.sh" --suite "$suite" amd64
helper src "building bpbuf for Debian $suite's amd64 kernel" "$vm/build-for-kernel.sh" "$top_builddir" "$out" \
	--with-linux-obj="$stock/build" --with-kselftest="${KSELFTEST_DIR:-}"
cd "$src"
exec "$vm/run-tests.sh" --no-load --kernel "$stock/vmlinuz" \
	--linux-obj "$stock/build" --modroot "$stock/modroot" \
	--module driver/bpbuf.ko --out "$out/run" "$vm/stock/no-cma.sh"
