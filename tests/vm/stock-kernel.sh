#!/bin/bash
# Fetch Debian's own stock kernel for ARCH (amd64 or arm64), the one users
# run, and lay it out for the VM rig. Prints the directory, which holds:
#   vmlinuz            the kernel image QEMU boots
#   modroot/lib/modules/VERSION   its modules, for modprobe in the VM
#   build              the headers tree modules build against
#   busybox            (arm64) a static busybox of that architecture
#   version            the kernel release, e.g. 6.1.0-56-arm64
#
#   stock-kernel.sh amd64|arm64
#
# Packages come from Debian's archive with apt-get download and are unpacked,
# not installed, except the amd64 headers, which DKMS wants installed anyway
# and which bring the arch-independent -common tree and linux-kbuild-6.1 (the
# host's scripts/ that cross builds use too). Kept in $BPBUF_KERNEL_CACHE
# (default /var/cache/bpbuf/kernels) under the package version.
set -euo pipefail

arch=${1:?usage: stock-kernel.sh amd64|arm64}
case $arch in amd64|arm64) ;; *) echo "stock-kernel.sh: amd64 or arm64" >&2; exit 2 ;; esac

# The ABI name of Debian's current 6.1 kernel, e.g. 6.1.0-56.
abi=$(apt-cache depends linux-image-amd64 | sed -n 's/.*Depends: linux-image-\(6\.1\.[0-9]*-[0-9]*\)-amd64$/\1/p' | head -n 1)
[ -n "$abi" ] || { echo "stock-kernel.sh: cannot tell Debian's kernel version (apt-get update?)" >&2; exit 1; }
release=$abi-$arch
pkgver=$(apt-cache show "linux-image-$release" 2>/dev/null | sed -n 's/^Version: //p' | head -n 1)

cache=${BPBUF_KERNEL_CACHE:-/var/cache/bpbuf/kernels}
dir=$cache/debian-$release-$pkgver
if [ -e "$dir/.complete" ]; then
	echo "$dir"
	exit 0
fi
mkdir -p "$cache"
exec 9>"$dir.lock"
flock 9
[ -e "$dir/.complete" ] && { echo "$dir"; exit 0; }

if [ "$arch" = arm64 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
	dpkg --add-architecture arm64
	apt-get update -q >&2
fi
# The headers' Makefile includes /usr/src/linux-headers-$abi-common and their
# scripts/ is linux-kbuild-6.1's: both come with the amd64 headers package.
if ! dpkg-query -W -f='${Status}' "linux-headers-$abi-amd64" 2>/dev/null | grep -q 'ok installed'; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		"linux-headers-$abi-amd64" >&2
fi

rm -rf "$dir"
mkdir -p "$dir/debs" "$dir/root"
pkgs=("linux-image-$release:$arch")
[ "$arch" = arm64 ] && pkgs+=("linux-headers-$release:arm64" "busybox-static:arm64")
echo "stock-kernel.sh: downloading ${pkgs[*]}" >&2
(cd "$dir/debs" && apt-get download "${pkgs[@]}" >&2)
for deb in "$dir"/debs/*.deb; do
	dpkg-deb -x "$deb" "$dir/root"
done

ln -s "root/boot/vmlinuz-$release" "$dir/vmlinuz"
mkdir -p "$dir/modroot/lib"
ln -s "../../root/lib/modules" "$dir/modroot/lib/modules"
if [ "$arch" = amd64 ]; then
	ln -s "/usr/src/linux-headers-$release" "$dir/build"
else
	hdr=$dir/root/usr/src/linux-headers-$release
	ln -sfn /usr/lib/linux-kbuild-6.1/scripts "$hdr/scripts"
	ln -sfn /usr/lib/linux-kbuild-6.1/tools "$hdr/tools"
	ln -s "root/usr/src/linux-headers-$release" "$dir/build"
	ln -s root/bin/busybox "$dir/busybox"
fi
# The image's modules want depmod's index for modprobe.
depmod -b "$dir/root" "$release"
echo "$release" >"$dir/version"
rm -rf "$dir/debs"
touch "$dir/.complete"
echo "$dir"
