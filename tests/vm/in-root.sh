#!/bin/bash
# Run a command in a root made by build-root.sh, with the host's directories
# given visible at the same paths inside it, so that file names mean the
# same on both sides (the build tree, the kernel cache).
#
#   in-root.sh ROOT DIR... -- COMMAND [ARG...]
#
# The mounts live in a private mount namespace and vanish with the command;
# the root itself is never changed by them. The environment is the
# caller's, but for PATH, which is the root's own. Needs root.
set -euo pipefail

if [ "${1:-}" != --in-namespace ]; then
	exec unshare --mount --propagation private "$0" --in-namespace "$@"
fi
shift
root=$1
shift
[ -e "$root/.complete" ] || { echo "in-root.sh: $root is not a root made by build-root.sh" >&2; exit 1; }
# Shared: build-root.sh replaces a stale root only when no one is in it.
exec 8<"$root.lock"
flock -s 8
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	dir=$(cd "$1" && pwd -P)
	mkdir -p "$root$dir"
	mount --bind "$dir" "$root$dir"
	shift
done
[ "${1:-}" = -- ] && [ $# -ge 2 ] || { echo "usage: in-root.sh ROOT DIR... -- COMMAND [ARG...]" >&2; exit 2; }
shift
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
cwd=$(pwd -P)
exec chroot "$root" /usr/bin/env PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	/bin/sh -c 'cd "$1" 2>/dev/null || cd /; shift; exec "$@"' sh "$cwd" "$@"
