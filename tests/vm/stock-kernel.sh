#!/bin/bash
# Fetch Debian's own stock kernel for ARCH (amd64 or arm64), the one users
# run, and lay it out for the VM rig. Prints the directory, which holds:
#   vmlinuz            the kernel image QEMU boots
#   modroot/lib/modules/VERSION   its modules, for modprobe in the VM
#   build              the headers tree modules build against
#   busybox            (arm64) a static busybox of that architecture
#   version            the kernel release, e.g. 6.1.0-57-arm64
#
#   stock-kernel.sh [--suite bookworm|trixie|sid] [--flavour FLAVOUR] amd64|arm64
#
# The suite is Debian's release (default bookworm, Debian 12); the flavour
# is the kernel's (default the architecture's own; arm64-16k for arm64's
# 16 KiB pages).
#
# Every package (image, headers, the -common headers, the host's
# linux-kbuild, busybox) comes from Debian's archive with apt-get download
# through a private apt state (debian-apt.sh) and is unpacked into the cache,
# never installed: the host needs no foreign architecture and no headers
# package, and nothing outside $BPBUF_KERNEL_CACHE (default
# /var/cache/bpbuf/kernels) changes. Kept there under the package version.
set -euo pipefail
trap 'echo "stock-kernel.sh: line $LINENO: \"$BASH_COMMAND\" failed (status $?)" >&2' ERR

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/debian-apt.sh"
suite=bookworm flavour=
while [ $# -gt 1 ]; do
	case $1 in
	--suite) suite=$2; shift 2 ;;
	--flavour) flavour=$2; shift 2 ;;
	*) echo "stock-kernel.sh: unknown argument: $1" >&2; exit 2 ;;
	esac
done
arch=${1:?usage: stock-kernel.sh [--suite SUITE] [--flavour FLAVOUR] amd64|arm64}
case $arch in amd64|arm64) ;; *) echo "stock-kernel.sh: amd64 or arm64" >&2; exit 2 ;; esac
flavour=${flavour:-$arch}
host_arch=$(dpkg --print-architecture)

debian_apt "$suite" "$arch"
target_apt=("${APT_OPTS[@]}")
debian_apt "$suite" "$host_arch"
host_apt=("${APT_OPTS[@]}")

# The ABI name of Debian's current kernel of that flavour, e.g. 6.1.0-57
# (Debian 12) or 6.12.118+deb13 (Debian 13).
abi=$(apt-cache "${target_apt[@]}" depends "linux-image-$flavour" |
	sed -n "s/.*Depends: linux-image-\([0-9][^ ]*\)-$flavour\$/\1/p" | head -n 1)
[ -n "$abi" ] || { echo "stock-kernel.sh: no linux-image-$flavour in Debian $suite for $arch" >&2; exit 1; }
release=$abi-$flavour
pkgver=$(apt-cache "${target_apt[@]}" show "linux-image-$release" | sed -n 's/^Version: //p' | head -n 1)
# The headers' scripts/ are linux-kbuild-X.Y's, built for the host.
kbuild=$(apt-cache "${target_apt[@]}" depends "linux-headers-$release" |
	sed -n 's/.*Depends: \(linux-kbuild-[^ ]*\)$/\1/p' | head -n 1)
[ -n "$pkgver" ] && [ -n "$kbuild" ] ||
	{ echo "stock-kernel.sh: cannot read linux-image-$release's version or its kbuild package" >&2; exit 1; }

cache=${BPBUF_KERNEL_CACHE:-/var/cache/bpbuf/kernels}
dir=$cache/debian-$release-$pkgver
if [ -e "$dir/.complete" ]; then
	echo "$dir"
	exit 0
fi
exec 9>"$dir.lock"
flock 9
[ -e "$dir/.complete" ] && { echo "$dir"; exit 0; }

rm -rf "$dir"
mkdir -p "$dir/debs" "$dir/root"
pkgs=("linux-image-$release" "linux-headers-$release" "linux-headers-$abi-common")
# sid splits the image: linux-image-X only depends on linux-binary-X (the
# kernel), linux-modules-X and linux-base-X, which are taken too.
pkgs+=($(apt-cache "${target_apt[@]}" depends "linux-image-$release" |
	sed -n "s/^ *Depends: \(linux-[a-z]*-$release\)\$/\1/p" | sort -u))
[ "$arch" = arm64 ] && pkgs+=(busybox-static)
echo "stock-kernel.sh: downloading ${pkgs[*]} ($arch) and $kbuild ($host_arch)" >&2
(cd "$dir/debs" && apt-get "${target_apt[@]}" download "${pkgs[@]}" >&2 &&
	apt-get "${host_apt[@]}" download "$kbuild" >&2)
for deb in "$dir"/debs/*.deb; do
	dpkg-deb -x "$deb" "$dir/root"
done

hdr=$dir/root/usr/src/linux-headers-$release
# The headers' Makefile includes the -common tree by its installed path, and
# their scripts/ and tools/ are relative links into the unpacked kbuild.
# sid's also names itself as KBUILD_OUTPUT.
sed -i -e "s|^include /usr/src/|include $dir/root/usr/src/|" \
	-e "s|^KBUILD_OUTPUT=/usr/src/|KBUILD_OUTPUT=$dir/root/usr/src/|" "$hdr/Makefile"
[ -x "$hdr/scripts/basic/fixdep" ] ||
	{ echo "stock-kernel.sh: $hdr/scripts does not lead to $kbuild's tools" >&2; exit 1; }
# Debian 13's packages keep modules and busybox under /usr (merged /usr).
if [ ! -e "$dir/root/lib/modules" ] && [ -d "$dir/root/usr/lib/modules" ]; then
	mkdir -p "$dir/root/lib"
	ln -s ../usr/lib/modules "$dir/root/lib/modules"
fi
[ -e "$dir/root/bin" ] || [ ! -d "$dir/root/usr/bin" ] || ln -s usr/bin "$dir/root/bin"
# The image: /boot/vmlinuz-VERSION, or (sid) /usr/lib/modules/VERSION/vmlinuz.
image=
for f in "boot/vmlinuz-$release" "lib/modules/$release/vmlinuz"; do
	[ -e "$dir/root/$f" ] && { image=$f; break; }
done
[ -n "$image" ] || { echo "stock-kernel.sh: no kernel image in ${pkgs[*]}" >&2; exit 1; }
[ -d "$dir/root/lib/modules/$release/kernel" ] ||
	{ echo "stock-kernel.sh: no modules (lib/modules/$release/kernel) in ${pkgs[*]}" >&2; exit 1; }
ln -s "root/$image" "$dir/vmlinuz"
ln -s "root/usr/src/linux-headers-$release" "$dir/build"
mkdir -p "$dir/modroot/lib"
ln -s "../../root/lib/modules" "$dir/modroot/lib/modules"
[ "$arch" = arm64 ] && ln -s root/bin/busybox "$dir/busybox"
# Debian 13's modules are xz-compressed; busybox's insmod and modprobe hand
# the kernel a module's bytes, so they get them uncompressed.
find "$dir/root/lib/modules/" -name '*.ko.xz' -exec xz -d {} +
# The image's modules want depmod's index for modprobe.
depmod -b "$dir/root" "$release"
echo "$release" >"$dir/version"
rm -rf "$dir/debs"
touch "$dir/.complete"
echo "$dir"
