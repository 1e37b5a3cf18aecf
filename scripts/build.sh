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
# autogen's and configure's chatter go to build.log; configure's summary
# and any failure's tail are printed.
if [ ! -x configure ]; then
	echo "build.sh: autogen.sh (log: build.log)"
	./autogen.sh >build.log 2>&1 || { tail -n 20 build.log >&2; exit 1; }
fi
# Reconfigure when the kernel differs from the one configured last time.
if ! grep -qF "LINUX_OBJ='$kernel/obj'" config.status 2>/dev/null; then
	echo "build.sh: configure for $kernel (log: config.log)"
	./configure --with-linux="$kernel/src" --with-linux-obj="$kernel/obj" >>build.log 2>&1 ||
		{ tail -n 20 build.log >&2; exit 1; }
	sed -n '/^  bpbuf /,$p' build.log
fi
make -j"$(nproc)"
