#!/bin/sh
# Build bpbuf against the test kernel (built once, then taken from the cache):
# the common first half of test.sh and demo.sh.
#   scripts/build.sh [--flavour debug|bench]
set -eu
cd "$(dirname "$0")/.."
flavour=debug
[ "${1:-}" = --flavour ] && flavour=$2
scripts/install-deps.sh
kernel=$(tests/vm/build-kernel.sh --flavour "$flavour" | tail -n 1)
[ -x configure ] || ./autogen.sh
# Reconfigure when the kernel differs from the one configured last time.
if ! grep -qF "LINUX_OBJ='$kernel/obj'" config.status 2>/dev/null; then
	./configure --with-linux="$kernel/src" --with-linux-obj="$kernel/obj"
fi
make -j"$(nproc)"
