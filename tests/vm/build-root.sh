#!/bin/bash
# Make (or find in the cache) a Debian root of another release with the
# packages given, for building modules against that release's stock kernel
# with that release's own compiler: Debian 13's headers name gcc-14 and
# sid's gcc-16, and neither runs on Debian 12's C library. Prints the root's
# directory; tests/vm/in-root.sh runs commands in it.
#
#   build-root.sh SUITE PACKAGE...
#
# debootstrap (minbase, from the host's own Debian mirror) with the packages
# and what they depend on; nothing on the host changes. The root lives in
# $BPBUF_KERNEL_CACHE/roots (default /var/cache/bpbuf/kernels/roots), in a
# directory named by the suite and a hash of the package list, and is made
# again after 30 days, to follow the release's updates. Needs root.
set -euo pipefail
trap 'echo "build-root.sh: line $LINENO: \"$BASH_COMMAND\" failed (status $?)" >&2' ERR

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -ge 2 ] || { echo "usage: build-root.sh SUITE PACKAGE..." >&2; exit 2; }
suite=$1
shift
[ "$(id -u)" = 0 ] || { echo "build-root.sh: must run as root (debootstrap)" >&2; exit 1; }
command -v debootstrap >/dev/null ||
	{ echo "build-root.sh: no debootstrap (apt-get install debootstrap)" >&2; exit 1; }
# Bump when the recipe below changes in a way the hash cannot see.
recipe=1
packages=$(printf '%s\n' "$@" | sort -u | paste -sd, -)
arch=$(dpkg --print-architecture)
key=$(echo "recipe $recipe $suite $arch $packages" | sha256sum | cut -c1-12)
cache=${BPBUF_KERNEL_CACHE:-/var/cache/bpbuf/kernels}
dir=$cache/roots/$suite-$arch-$key

fresh() { [ -e "$dir/.complete" ] && [ -z "$(find "$dir/.complete" -mtime +30)" ]; }
if fresh; then
	echo "$dir"
	exit 0
fi
mkdir -p "$cache/roots"
exec 9>"$dir.lock"
flock 9
fresh && { echo "$dir"; exit 0; }

. "$here/debian-apt.sh"
mirror=$(debian_sources "$suite" "$arch" | awk -v s="$suite" '$4 == s { print $3; exit }')
[ -n "$mirror" ] || { echo "build-root.sh: no Debian mirror in the host's apt sources" >&2; exit 1; }
# Made beside and moved into place, so that a stale root is replaced only
# once it is whole; in-root.sh holds the lock shared while it uses a root,
# so the replacing (under the lock, exclusive) waits for its users.
new=$dir.new
remove_root() # DIR: also what a killed debootstrap left mounted in it
{
	awk -v r="$1" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/mounts |
		sort -r | while read -r m; do umount -l "$m"; done
	rm -rf --one-file-system "$1"
}
remove_root "$new"
mkdir -p "$new"
log=$dir.log
echo "build-root.sh: debootstrap $suite with $packages into $dir (log: $log)" >&2
start=$(date +%s)
debootstrap --variant=minbase --include="$packages" "$suite" "$new" "$mirror" >"$log" 2>&1 ||
	{ tail -n 20 "$log" >&2; remove_root "$new"; exit 1; }
# Its package cache is only what debootstrap downloaded.
rm -rf "$new"/var/cache/apt/archives/*.deb
touch "$new/.complete"
remove_root "$dir"
mv "$new" "$dir"
echo "build-root.sh: made in $(( $(date +%s) - start )) s" >&2
echo "$dir"
