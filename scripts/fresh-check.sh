#!/bin/bash
# Run one of the README's two commands as a new user would, on a machine
# where nothing was ever installed: a pristine Debian root made with
# debootstrap (minbase: only what every Debian system has), the committed
# HEAD of this repository cloned into it, and the command run inside as
# root (chroot with /proc, /sys and /dev; QEMU's TCG needs no more).
# Prints the command's closing line and how long it took; exits with the
# command's status.
#
#   scripts/fresh-check.sh [--suite bookworm|trixie] [--share-cache] [demo|test]
#
# --share-cache lets the root read the host's kernel cache (/var/cache/bpbuf)
# through an overlay, so kernels built or fetched before are not built
# again; what the run writes stays in the overlay and the host's cache is
# never changed. Without it (the default) the run is cold: it builds
# everything the README says it builds. The root, the overlay and the log
# are kept in $BPBUF_FRESH_DIR (default /var/tmp/bpbuf-fresh)/SUITE-demo or
# SUITE-test until the next run of the same. Needs root; installs
# debootstrap if it is missing.
# The README runs it as "sh scripts/fresh-check.sh": it needs bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -euo pipefail
trap 'echo "fresh-check.sh: line $LINENO: \"$BASH_COMMAND\" failed (status $?)" >&2' ERR

top=$(cd "$(dirname "$0")/.." && pwd)
suite=bookworm share=0 what=test
usage() { sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0"; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
	case $1 in
	--suite) suite=$2; shift 2 ;;
	--share-cache) share=1; shift ;;
	demo|test) what=$1; shift ;;
	-h|--help) usage 0 ;;
	*) echo "fresh-check.sh: unknown argument: $1" >&2; usage 2 >&2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "fresh-check.sh: must run as root (debootstrap, chroot)" >&2; exit 2; }

work=${BPBUF_FRESH_DIR:-/var/tmp/bpbuf-fresh}/$suite-$what
root=$work/root
log=$work/$what.log

# Whatever an earlier run left mounted goes first, then the old root.
unmount_all()
{
	local m
	for m in $(awk -v r="$root" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/mounts | sort -r); do
		umount -l "$m" 2>/dev/null || :
	done
}
unmount_all
trap unmount_all EXIT
rm -rf "$work"
mkdir -p "$work"

if ! command -v debootstrap >/dev/null; then
	echo "fresh-check.sh: installing debootstrap" >&2
	apt-get update -q >"$work/apt.log" 2>&1 &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >>"$work/apt.log" 2>&1 ||
		{ tail -n 20 "$work/apt.log" >&2; exit 1; }
fi

. "$top/tests/vm/debian-apt.sh"
sources=$(debian_sources "$suite" "$(dpkg --print-architecture)")
mirror=$(sed -n '1s/^deb \[[^]]*\] \([^ ]*\) .*/\1/p' <<<"$sources")
[ -n "$mirror" ] || { echo "fresh-check.sh: no Debian mirror in the host's apt sources" >&2; exit 1; }

if [ -n "$(git -C "$top" status --porcelain --untracked-files=no)" ]; then
	echo "fresh-check.sh: the work tree has uncommitted changes; they are not in the check" >&2
fi
head=$(git -C "$top" rev-parse --short HEAD)
start=$(date +%s)
echo "fresh-check.sh: debootstrap $suite into $root (log: $work/debootstrap.log)" >&2
debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
	{ tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
# A new machine's apt sources: the release with its updates and security.
echo "$sources" | sed 's/^deb \[[^]]*\] /deb /' >"$root/etc/apt/sources.list"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# And its apt settings that no package owns, which a new machine of this
# kind has too: how it reaches its archive (here a registry whose sid is
# served past its Release file's Valid-Until).
for f in /etc/apt/apt.conf.d/*; do
	dpkg -S "$f" >/dev/null 2>&1 || cp "$f" "$root/etc/apt/apt.conf.d/"
done
# Packages start no services in a chroot (as in Debian's container images).
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
git clone -q --no-hardlinks "$top" "$root/root/bpbuf"

# The root is a mount of its own, private, as a machine's / is: mount
# namespaces made inside it (tests/vm/in-root.sh) need / to be a mount
# point, and nothing mounted in it may reach the host.
mount --bind "$root" "$root"
mount --make-private "$root"
# /dev and /sys with what is mounted below them (/dev/pts, /dev/shm), as
# slaves, so that nothing done to them in the root reaches the host's.
mount -t proc proc "$root/proc"
for d in sys dev; do
	mount --rbind "/$d" "$root/$d"
	mount --make-rslave "$root/$d"
done
if [ "$share" = 1 ] && [ -d /var/cache/bpbuf ]; then
	mkdir -p "$work/cache-upper" "$work/cache-work" "$root/var/cache/bpbuf"
	mount -t overlay overlay -o "lowerdir=/var/cache/bpbuf,upperdir=$work/cache-upper,workdir=$work/cache-work" \
		"$root/var/cache/bpbuf"
	echo "fresh-check.sh: the host's kernel cache is shared (read-only, through an overlay)" >&2
fi

case $what in
test) command="sh scripts/test.sh" ;;
demo) command="sh scripts/demo.sh" ;;
esac
echo "fresh-check.sh: running '$command' at $head in the $suite root (log: $log)" >&2
status=0
chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	LANG=C.UTF-8 TERM=dumb CI=true \
	/bin/sh -c "cd /root/bpbuf && $command" </dev/null >"$log" 2>&1 || status=$?
elapsed=$(( $(date +%s) - start ))

if [ "$what" = test ]; then
	closing=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1 || :)
else
	closing=$(grep -E '^demo: ' "$log" | tail -n 1 || :)
fi
[ "$status" = 0 ] || tail -n 40 "$log" | sed 's/^/fresh-check.sh: | /' >&2
echo "fresh-check.sh: $suite $what at $head: exit status $status in ${elapsed} s (debootstrap included)${closing:+: $closing}"
exit "$status"
