#!/bin/bash
# Build bpbuf, its tests included, for another kernel: a copy of the
# distribution (make distdir, so only what the tarball ships is used) is
# configured with the given arguments and built. Prints the copy's path.
#
#   build-for-kernel.sh TOP_BUILDDIR OUT_DIR [CONFIGURE-ARGS...]
set -euo pipefail
trap 'echo "build-for-kernel.sh: line $LINENO: \"$BASH_COMMAND\" failed (status $?)" >&2' ERR
# Called from make check: nothing of the outer build may leak in (MAKEFLAGS
# carries its command-line variables, CC would override a cross compiler).
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES CC CFLAGS M32_CFLAGS \
	LINUX_OBJ VM_TEST_PROGS VM_TEST_FILES top_srcdir top_builddir
top=$1 out=$2
shift 2
rm -rf "$out/src"
mkdir -p "$out"
make -s -C "$top" distdir distdir="$out/src" >"$out/build.log" 2>&1
cd "$out/src"
./configure "$@" >>"$out/build.log" 2>&1 ||
	{ tail -n 20 "$out/build.log" >&2; exit 1; }
# make check with no TESTS builds the test programs and runs nothing.
make -j"$(nproc)" all >>"$out/build.log" 2>&1 &&
	make -j"$(nproc)" check TESTS= >>"$out/build.log" 2>&1 ||
	{ tail -n 20 "$out/build.log" >&2; exit 1; }
echo "$out/src"
