#!/bin/bash
# The build root for modules of a stock kernel from another Debian release
# than the host's: the compiler its headers name (.kernelvariables: Debian
# 13's say gcc-14, sid's gcc-16), the libraries its linux-kbuild tools need,
# and what bpbuf's build and tests use besides (cross compiler and C library
# for arm64; 32-bit multilib, dkms and libdrm, which the tests that share
# buffers with vgem link against, for amd64: an amd64 root has no arm64
# libdrm, as the host has none). Prints the root's
# directory (build-root.sh makes it), or nothing when the kernel is the
# host's own release's: the host's compiler is the kernel's then.
#
#   stock-build-root.sh STOCK_DIR SUITE ARCH
#
# STOCK_DIR is what stock-kernel.sh printed for that SUITE and ARCH.
set -euo pipefail
trap 'echo "stock-build-root.sh: line $LINENO: \"$BASH_COMMAND\" failed (status $?)" >&2' ERR

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/debian-apt.sh"
[ $# = 3 ] || { echo "usage: stock-build-root.sh STOCK_DIR SUITE ARCH" >&2; exit 2; }
stock=$1 suite=$2 arch=$3
[ "$suite" != "$(debian_host_suite)" ] || exit 0

gcc=$(sed -n 's/^CC *=.*[^a-z0-9-]\(gcc-[0-9][0-9]*\)$/\1/p' "$stock/build/.kernelvariables")
[ -n "$gcc" ] || { echo "stock-build-root.sh: $stock/build/.kernelvariables names no gcc-N" >&2; exit 1; }
# The linux-kbuild package stock-kernel.sh unpacked, by its doc directory.
kbuild=$(ls "$stock/root/usr/share/doc" | grep -x 'linux-kbuild-.*' | head -n 1)
[ -n "$kbuild" ] || { echo "stock-build-root.sh: no linux-kbuild unpacked in $stock" >&2; exit 1; }
debian_apt "$suite" "$(dpkg --print-architecture)"
kbuild_libs=$(apt-cache "${APT_OPTS[@]}" depends "$kbuild" | sed -n 's/^  Depends: \([^ <]*\)$/\1/p')
[ -n "$kbuild_libs" ] || { echo "stock-build-root.sh: no dependencies found for '$kbuild'" >&2; exit 1; }

packages=(make gcc "$gcc" libc6-dev $kbuild_libs)
case $arch in
arm64) packages+=(gcc-aarch64-linux-gnu "$gcc-aarch64-linux-gnu" libc6-dev-arm64-cross) ;;
amd64) packages+=(gcc-multilib dkms pkg-config libdrm-dev) ;;
esac
exec "$here/build-root.sh" "$suite" "${packages[@]}"
