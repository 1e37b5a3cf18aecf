#!/bin/sh
# Install the Debian 12 packages bpbuf needs to build, test and demo itself:
# the one place where anything is installed (make check installs nothing).
# Asks apt only for what is missing, so a prepared machine needs no network.
# Prints a line per group of packages; apt's own output goes to the log
# ($BPBUF_DEPS_LOG, default /var/log/bpbuf-install-deps.log), whose tail is
# printed when an install fails.
# Not gcc-multilib: it conflicts with the arm64 cross compiler, and configure
# does its one job (see config/cc-m32.m4). No foreign architecture and no
# kernel headers package: the rig downloads and unpacks Debian's stock
# kernels itself (tests/vm/stock-kernel.sh), and builds for the kernels of
# other Debian releases in a root of that release (tests/vm/build-root.sh).
set -eu
groups="
build:build-essential,autoconf,automake,libtool,pkg-config
32-bit-and-arm64-compilers:gcc-12-multilib,libc6-dev-i386,gcc-aarch64-linux-gnu,libc6-dev-arm64-cross
kernel-build:linux-source-6.1,bc,bison,flex,libelf-dev,libssl-dev,dwarves,kmod,rsync,xz-utils,cpio
vm:qemu-system-x86,qemu-system-arm,busybox-static,e2fsprogs,device-tree-compiler
other-releases-build-roots:debootstrap
packaging-docs-and-benchmark:dkms,mandoc,libdrm-dev,gnuplot-nox,dt-schema
"
log=${BPBUF_DEPS_LOG:-/var/log/bpbuf-install-deps.log}
updated=
for group in $groups; do
	name=${group%%:*}
	missing=
	for p in $(echo "${group#*:}" | tr , ' '); do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing="$missing $p"
	done
	[ -n "$missing" ] || continue
	if [ "$(id -u)" != 0 ]; then
		echo "install-deps.sh: missing packages:$missing; run as root or install them" >&2
		exit 1
	fi
	echo "install-deps.sh: $name:$missing (log: $log)" >&2
	if [ -z "$updated" ]; then
		apt-get update -q >>"$log" 2>&1 || { tail -n 20 "$log" >&2; exit 1; }
		updated=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		$missing >>"$log" 2>&1 || {
		echo "install-deps.sh: installing$missing failed; the log's end:" >&2
		tail -n 20 "$log" >&2
		exit 1
	}
done
