#!/bin/sh
# Install the Debian 12 packages bpbuf needs to build, test and demo itself.
# Asks apt only for what is missing, so a prepared machine needs no network.
# Not gcc-multilib: it conflicts with the arm64 cross compiler, and configure
# does its one job (see config/cc-m32.m4).
set -eu
packages="
	build-essential autoconf automake libtool pkg-config
	gcc-12-multilib libc6-dev-i386 gcc-aarch64-linux-gnu libc6-dev-arm64-cross
	linux-source-6.1 bc bison flex libelf-dev libssl-dev dwarves kmod rsync xz-utils
	qemu-system-x86 qemu-system-arm busybox-static cpio dkms
	mandoc libdrm-dev gnuplot-nox
	linux-headers-amd64
"
missing=
for p in $packages; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "install-deps.sh: missing packages:$missing; run as root or install them" >&2
	exit 1
fi
echo "install-deps.sh: installing$missing" >&2
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
