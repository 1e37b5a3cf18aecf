#!/bin/bash
# Build (or find in the cache) the x86_64 test kernel from Debian's own
# kernel source package of a kernel line and the config fragments beside
# this script.
#
#   build-kernel.sh [--line 6.1|6.12|7.2] [--flavour debug|bench]
#                   [--print-dir] [--jobs N]
#
# 6.1 (the default) is Debian 12's linux-source-6.1, installed by
# scripts/install-deps.sh; 6.12 is Debian 13's linux-source-6.12 and 7.2 is
# sid's linux-source-7.2, downloaded through a private apt state
# (debian-apt.sh) into the cache, not installed.
#
# debug: base.config + debug.config (KASAN, lockdep, kmemleak, DMA-API debug,
#        fault injection) + media.config (vivid): what the tests run on.
# bench: base.config alone, for benchmarks that debug options would distort.
# A line adds kconfig/LINE/FLAVOUR.config where it exists: the options that
# only some lines' Kconfig has.
#
# The build lives outside the clone, in $BPBUF_KERNEL_CACHE (default
# /var/cache/bpbuf/kernels), in a directory named by a hash of the fragments,
# the source package version and the compiler, so reruns and CI on the same
# machine reuse it and any change to those inputs builds anew. The last line
# printed is that directory: src/ (source), obj/ (the O= build, what modules
# build against), obj/arch/x86/boot/bzImage (what QEMU boots).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
flavour=debug line=6.1
print_only=0
jobs=$(nproc)
# Bump when the build recipe below changes in a way the hash cannot see.
recipe=1

usage() { sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0"; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
	case $1 in
	--flavour) flavour=$2; shift 2 ;;
	--flavour=*) flavour=${1#*=}; shift ;;
	--line) line=$2; shift 2 ;;
	--print-dir) print_only=1; shift ;;
	--jobs) jobs=$2; shift 2 ;;
	-h|--help) usage 0 ;;
	*) echo "build-kernel.sh: unknown argument: $1" >&2; usage 2 >&2 ;;
	esac
done

case $flavour in
debug) fragments=("$here/kconfig/base.config" "$here/kconfig/debug.config" "$here/kconfig/media.config") ;;
bench) fragments=("$here/kconfig/base.config") ;;
*) echo "build-kernel.sh: unknown flavour '$flavour' (debug or bench)" >&2; exit 2 ;;
esac
case $line in
6.1) suite= ;;
6.12) suite=trixie ;;
7.2) suite=sid ;;
*) echo "build-kernel.sh: unknown kernel line '$line' (6.1, 6.12 or 7.2)" >&2; exit 2 ;;
esac
[ -r "$here/kconfig/$line/$flavour.config" ] && fragments+=("$here/kconfig/$line/$flavour.config")

cache=${BPBUF_KERNEL_CACHE:-/var/cache/bpbuf/kernels}
if [ -z "$suite" ]; then
	tarball=/usr/src/linux-source-6.1.tar.xz
	if [ ! -r "$tarball" ]; then
		echo "build-kernel.sh: $tarball is missing: apt-get install linux-source-6.1" >&2
		exit 1
	fi
	src_version=$(dpkg-query -W -f='${Version}' linux-source-6.1)
else
	. "$here/debian-apt.sh"
	debian_apt "$suite" amd64
	src_version=$(apt-cache "${APT_OPTS[@]}" policy "linux-source-$line" | sed -n 's/^ *Candidate: //p')
	[ -n "$src_version" ] && [ "$src_version" != "(none)" ] ||
		{ echo "build-kernel.sh: no linux-source-$line in Debian $suite" >&2; exit 1; }
	tarball=$cache/sources/linux-source-$line-$src_version.tar.xz
fi
cc_version=$(gcc -dumpfullversion)
key=$( { echo "recipe $recipe flavour $flavour"
	 echo "source $src_version gcc $cc_version"
	 cat "${fragments[@]}"; } | sha256sum | cut -c1-16)

dir=$cache/linux-$src_version-$flavour-$key

if [ "$print_only" = 1 ] || [ -e "$dir/.complete" ]; then
	echo "$dir"
	exit 0
fi

mkdir -p "$cache"
# One builder per directory; a second caller waits and then reuses the result.
exec 9>"$dir.lock"
flock 9
if [ -e "$dir/.complete" ]; then
	echo "$dir"
	exit 0
fi

rm -rf "$dir"
mkdir -p "$dir/src" "$dir/obj"
log=$dir/build.log
echo "build-kernel.sh: building the $flavour kernel in $dir (log: $log)" >&2
start=$(date +%s)

# On failure leave the log for a look, but never a directory that looks done.
trap 'echo "build-kernel.sh: line $LINENO: \"$BASH_COMMAND\" failed; see $log" >&2; tail -n 30 "$log" >&2' ERR

if [ ! -r "$tarball" ]; then
	echo "build-kernel.sh: downloading linux-source-$line $src_version" >&2
	# In this build's own directory: another flavour may be fetching too.
	mkdir -p "$dir/deb" "$cache/sources"
	(cd "$dir/deb" && apt-get "${APT_OPTS[@]}" download "linux-source-$line=$src_version" >>"$log" 2>&1)
	dpkg-deb --fsys-tarfile "$dir/deb/linux-source-${line}_"*"_all.deb" |
		tar -xO "./usr/src/linux-source-$line.tar.xz" >"$tarball.$$"
	mv "$tarball.$$" "$tarball"
	rm -rf "$dir/deb"
fi
tar -xf "$tarball" -C "$dir/src" --strip-components=1
kmake() { make -C "$dir/src" O="$dir/obj" "$@" >>"$log" 2>&1; }
kmake tinyconfig
"$dir/src/scripts/kconfig/merge_config.sh" -m -O "$dir/obj" \
	"$dir/obj/.config" "${fragments[@]}" >>"$log" 2>&1
kmake olddefconfig

# A fragment line that Kconfig dropped (a missing dependency) would leave the
# kernel quietly without the feature: refuse it instead.
missing=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=*)
		grep -qxF -- "$line" "$dir/obj/.config" || {
			echo "build-kernel.sh: not in the final .config: $line" >&2
			missing=1
		} ;;
	"# CONFIG_"*" is not set")
		sym=${line#\# }; sym=${sym%% *}
		if grep -q "^$sym=" "$dir/obj/.config"; then
			echo "build-kernel.sh: set although the fragment unsets it: $sym" >&2
			missing=1
		fi ;;
	esac
done < <(cat "${fragments[@]}")
[ "$missing" = 0 ] || { echo "build-kernel.sh: fix the fragment" >&2; exit 1; }

kmake -j"$jobs" bzImage modules
kmake headers_install INSTALL_HDR_PATH="$dir/uapi"

touch "$dir/.complete"
echo "build-kernel.sh: built in $(( $(date +%s) - start )) s" >&2
echo "$dir"
