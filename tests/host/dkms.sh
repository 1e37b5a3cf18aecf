#!/bin/bash
# DKMS builds the module from the release tree against Debian SUITE's amd64
# headers (unpacked by stock-kernel.sh into the kernel cache; nothing is
# installed or loaded), using the dkms.conf that ships in the tarball. Its
# source, build and install trees are private, in the build tree, so the
# system's /usr/src and /var/lib/dkms stay as they are. For another release
# than the host's, dkms and the compiler are that release's, in a root made
# by tests/vm/stock-build-root.sh.
#
#   dkms.sh SUITE     (run by tests/host/dkms-SUITE.test)
set -u
unset MAKEFLAGS MFLAGS MAKELEVEL CC
suite=$1
skip() { echo "1..0 # SKIP $1"; exit 0; }
vm=$top_srcdir/tests/vm
. "$vm/debian-apt.sh"
in_root=()
if [ "$suite" = "$(debian_host_suite)" ]; then
	command -v dkms >/dev/null || skip "dkms is not installed (apt-get install dkms)"
else
	[ "$(id -u)" = 0 ] || skip "Debian $suite's headers want Debian $suite's dkms and compiler, in a root made by debootstrap: run as root"
fi

tree=$top_builddir/tests/host/dkms-$suite
rm -rf "$tree"
mkdir -p "$tree/source" "$tree/dkms" "$tree/install"
echo "1..5"
if stock=$("$vm/stock-kernel.sh" --suite "$suite" amd64 2>"$tree/stock.log") &&
   root=$("$vm/stock-build-root.sh" "$stock" "$suite" amd64 2>>"$tree/stock.log"); then
	kver=$(cat "$stock/version")
	echo "ok 1 - Debian $suite's amd64 headers, $kver${root:+, built in $root}"
	[ -z "$root" ] || in_root=("$vm/in-root.sh" "$root" "$tree" "${BPBUF_KERNEL_CACHE:-/var/cache/bpbuf/kernels}" --)
else
	echo "not ok 1 - Debian $suite's amd64 headers and their compiler"
	sed 's/^/# /' "$tree/stock.log"
	exit 1
fi

version=0.0.dkmscheck
# dkms on the private trees, output to dkms.log. Its module signing key too
# (dkms makes one in /var/lib/dkms when it finds none).
dkms_in_tree() # COMMAND ARGS...
{
	mok_signing_key=$tree/mok.key mok_certificate=$tree/mok.pub \
	${in_root[@]+"${in_root[@]}"} dkms "$@" -m bpbuf -v "$version" --dkmstree "$tree/dkms" \
		--sourcetree "$tree/source" --installtree "$tree/install" >"$tree/dkms.log" 2>&1
}
make -s -C "$top_builddir" distdir distdir="$tree/source/bpbuf-$version" >/dev/null 2>&1
sed -i "s/^PACKAGE_VERSION=.*/PACKAGE_VERSION=\"$version\"/" "$tree/source/bpbuf-$version/dkms.conf"
if dkms_in_tree add; then
	echo "ok 2 - dkms add"
else
	echo "not ok 2 - dkms add"; sed 's/^/# /' "$tree/dkms.log"
fi
if dkms_in_tree build -k "$kver" --kernelsourcedir "$stock/build"; then
	echo "ok 3 - dkms build for $kver"
else
	echo "not ok 3 - dkms build for $kver"
	sed 's/^/# /' "$tree/dkms.log" | tail -n 15
	tail -n 25 "$tree/dkms/bpbuf/$version/build/make.log" 2>/dev/null | sed 's/^/# make.log: /'
fi
ko=$(find "$tree/dkms/bpbuf/$version/$kver" -name 'bpbuf.ko*' 2>/dev/null | head -n 1)
if [ -n "$ko" ]; then
	echo "ok 4 - the module is built ($ko)"
else
	echo "not ok 4 - the module is built"
fi
magic=$(modinfo -F vermagic "$ko" 2>/dev/null)
case $magic in
"$kver "*) echo "ok 5 - it is built for $kver" ;;
*) echo "not ok 5 - it is built for $kver (vermagic: $magic)" ;;
esac
