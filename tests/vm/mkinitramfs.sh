#!/bin/bash
# Make the initramfs a test VM boots from.
#
#   mkinitramfs.sh --out FILE --plan PLAN.sh [--module KO]... [--bin FILE]...
#                  [--file SRC:DEST]... [--modroot DIR] [--busybox PATH]
#                  [--sysroot DIR] [--libdir DIR]... [--kmod NAME]...
#
# It holds busybox (static), /init and /rig/lib.sh from guest/, the plan (a
# shell fragment of rig_step lines, run by /init as /rig/plan.sh), modules in
# /lib/modules (and from DIR/lib/modules/VERSION, a modules_install tree, the
# --kmod modules with what they depend on, or all of them without --kmod, for
# modprobe), test programs in /tests, and every shared library those
# programs need, found from their ELF headers (so cross-built programs work
# too; --sysroot names where a foreign architecture's libraries live, and
# --libdir adds a directory to search, such as an uninstalled libtool
# library's .libs). A libtool wrapper script stands for the program it wraps;
# a shell script is copied as it is.
set -euo pipefail
trap 'echo "mkinitramfs.sh: line $LINENO: \"$BASH_COMMAND\" failed (status $?)" >&2' ERR

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out= plan= busybox=/bin/busybox sysroot= modroot=
modules=() bins=() files=() extra_libdirs=() kmods=()
while [ $# -gt 0 ]; do
	case $1 in
	--out) out=$2; shift 2 ;;
	--plan) plan=$2; shift 2 ;;
	--module) modules+=("$2"); shift 2 ;;
	--bin) bins+=("$2"); shift 2 ;;
	--file) files+=("$2"); shift 2 ;;
	--busybox) busybox=$2; shift 2 ;;
	--sysroot) sysroot=$2; shift 2 ;;
	--modroot) modroot=$2; shift 2 ;;
	--libdir) extra_libdirs+=("$(cd "$2" && pwd)"); shift 2 ;;
	--kmod) kmods+=("$2"); shift 2 ;;
	*) echo "mkinitramfs.sh: unknown argument: $1" >&2; exit 2 ;;
	esac
done
[ -n "$out" ] && [ -n "$plan" ] || { echo "mkinitramfs.sh: --out and --plan are required" >&2; exit 2; }
if [ ! -x "$busybox" ] || LC_ALL=C readelf -l "$busybox" | grep -q INTERP; then
	echo "mkinitramfs.sh: $busybox is not a static busybox: apt-get install busybox-static" >&2
	exit 1
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
# mktemp makes it 0700; as / it must let other users in (permission tests).
chmod 755 "$stage"
mkdir -p "$stage"/{bin,rig,tests,lib/modules,root,etc}
install -m755 "$busybox" "$stage/bin/busybox"
install -m755 "$here/guest/init" "$stage/init"
install -m644 "$here/guest/lib.sh" "$stage/rig/lib.sh"
install -m644 "$plan" "$stage/rig/plan.sh"
# Users for the permission tests: root, and nobody in no group of ours.
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$stage/etc/passwd"
printf 'root:x:0:\nbpbuf:x:900:\nnogroup:x:65534:\n' >"$stage/etc/group"

for m in "${modules[@]}"; do
	install -m644 "$m" "$stage/lib/modules/"
done
# copy_kmods VERSION-DIR: the --kmod modules and their dependencies, by
# modules.dep, and the index files modprobe reads; a module built into the
# kernel (modules.builtin) needs nothing.
copy_kmods()
{
	local from=$1 to=$stage/lib/modules/$(basename "$1") name path
	mkdir -p "$to"
	cp "$from"/modules.* "$to/"
	for name in "${kmods[@]}"; do
		path=$(awk -v n="$name" -F: '{ m = $1; sub(/.*\//, "", m); sub(/\.ko.*/, "", m);
			gsub(/-/, "_", m); k = n; gsub(/-/, "_", k) } m == k { print $0; exit }' "$from/modules.dep")
		if [ -z "$path" ]; then
			# Built into this kernel (Debian 13's arm64 virtio_console):
			# nothing to copy, and nothing for modprobe to do.
			grep -q "/${name//_/[-_]}\.ko" "$from/modules.builtin" 2>/dev/null && continue
			echo "mkinitramfs.sh: no module $name in $from" >&2
			return 1
		fi
		for f in ${path/:/ }; do
			mkdir -p "$to/$(dirname "$f")"
			cp "$from/$f" "$to/$f"
		done
	done
}
if [ -n "$modroot" ]; then
	if [ ${#kmods[@]} = 0 ]; then
		cp -a "$modroot/lib/modules/." "$stage/lib/modules/"
	else
		for v in "$modroot"/lib/modules/*/; do copy_kmods "${v%/}"; done
	fi
fi
for f in "${files[@]}"; do
	mkdir -p "$stage/$(dirname "${f#*:}")"
	cp -L "${f%%:*}" "$stage/${f#*:}"
done

# Library directories by ELF machine, as the dynamic loader would search them.
libdirs_for()
{
	case $(LC_ALL=C readelf -h "$1" | sed -n 's/^ *Machine: *//p') in
	*X86-64*) echo "$sysroot/lib/x86_64-linux-gnu" "$sysroot/usr/lib/x86_64-linux-gnu" "$sysroot/lib64" ;;
	*80386*) echo "$sysroot/lib/i386-linux-gnu" "$sysroot/usr/lib/i386-linux-gnu" \
		"$sysroot/lib32" "$sysroot/usr/lib32" "$sysroot/lib" ;;
	*AArch64*) echo "$sysroot/lib" "$sysroot/usr/lib" \
		"$sysroot/lib/aarch64-linux-gnu" "$sysroot/usr/lib/aarch64-linux-gnu" \
		/usr/aarch64-linux-gnu/lib ;;
	*) echo "mkinitramfs.sh: $1: unknown ELF machine" >&2; return 1 ;;
	esac
}

declare -A copied=()
# copy_with_libs FILE DEST: FILE to DEST in the image, then its interpreter
# and every library it needs, at the paths the loader will look in.
copy_with_libs()
{
	local file=$1 dest=$2 interp needed lib dir found
	mkdir -p "$stage/$(dirname "$dest")"
	cp -L "$file" "$stage/$dest"
	interp=$(LC_ALL=C readelf -l "$file" 2>/dev/null |
		sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
	if [ -n "$interp" ] && [ -z "${copied[$interp]:-}" ]; then
		copied[$interp]=1
		mkdir -p "$stage/$(dirname "$interp")"
		cp -L "$sysroot$interp" "$stage/$interp" 2>/dev/null || cp -L "$interp" "$stage/$interp"
	fi
	local dirs
	dirs="$(LC_ALL=C readelf -d "$file" | sed -n 's/.*(R\(UN\)\{0,1\}PATH).*\[\(.*\)\]/\2/p' | tr : ' ') ${extra_libdirs[*]} $(libdirs_for "$file")"
	for needed in $(LC_ALL=C readelf -d "$file" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		found=
		for dir in $dirs; do
			if [ -e "$dir/$needed" ]; then found=$dir/$needed; break; fi
		done
		[ -n "$found" ] || { echo "mkinitramfs.sh: $file needs $needed, not found in: $dirs" >&2; return 1; }
		# Keep the directory: RUNPATH and the loader's defaults both find it.
		# An uninstalled library goes where the loader looks by default.
		lib=${found#"$sysroot"}
		for dir in "${extra_libdirs[@]}"; do
			[ "$(dirname "$found")" = "$dir" ] && lib=/usr/lib/$needed
		done
		[ -n "${copied[$lib]:-}" ] && continue
		copied[$lib]=1
		copy_with_libs "$found" "$lib"
	done
}

for b in "${bins[@]}"; do
	dest=/tests/$(basename "$b")
	if grep -q 'libtool wrapper' "$b" 2>/dev/null && [ -x "$(dirname "$b")/.libs/$(basename "$b")" ]; then
		b=$(dirname "$b")/.libs/$(basename "$b")
	fi
	if LC_ALL=C readelf -h "$b" >/dev/null 2>&1; then
		copy_with_libs "$b" "$dest"
	else
		install -m755 "$b" "$stage$dest"
	fi
done

(cd "$stage" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet --owner=0:0) >"$out"
echo "mkinitramfs.sh: $out: $(du -h "$out" | cut -f1), ${#bins[@]} programs, ${#modules[@]} modules" >&2
