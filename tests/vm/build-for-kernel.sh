#!/bin/bash
# Build bpbuf, its tests included, for another kernel: a copy of the
# distribution (make distdir, so only what the tarball ships is used) is
# configured with the given arguments and built. Prints the copy's path.
#
#   build-for-kernel.sh [--root ROOT] TOP_BUILDDIR OUT_DIR [CONFIGURE-ARGS...]
#
# --root: configure and build in that Debian root (stock-build-root.sh), the
# kernel's own release, with OUT_DIR, TOP_BUILDDIR and the kernel cache
# visible at their paths (in-root.sh).
set -euo pipefail
trap 'echo "build-for-kernel.sh: line $LINENO: \"$BASH_COMMAND\" failed (status $?)" >&2' ERR
# Called from make check: nothing of the outer build may leak in (MAKEFLAGS
# carries its command-line variables, CC would override a cross compiler).
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES CC CFLAGS M32_CFLAGS \
	LINUX_OBJ VM_TEST_PROGS VM_TEST_FILES top_srcdir top_builddir
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
in_root=()
if [ "${1:-}" = --root ]; then
	cache=${BPBUF_KERNEL_CACHE:-/var/cache/bpbuf/kernels}
	mkdir -p "$4"
	in_root=("$here/in-root.sh" "$2" "$3" "$4" "$cache" --)
	shift 2
fi
top=$1 out=$2
shift 2
rm -rf "$out/src"
mkdir -p "$out"
make -s -C "$top" distdir distdir="$out/src" >"$out/build.log" 2>&1
cd "$out/src"
${in_root[@]+"${in_root[@]}"} ./configure "$@" >>"$out/build.log" 2>&1 ||
	{ tail -n 20 "$out/build.log" >&2; exit 1; }
# What the VM runs, not the host tests (tests/local.mk's vm-programs).
${in_root[@]+"${in_root[@]}"} sh -c 'make -j"$1" all && make -j"$1" vm-programs' sh "$(nproc)" \
	>>"$out/build.log" 2>&1 ||
	{ tail -n 20 "$out/build.log" >&2; exit 1; }
echo "$out/src"
