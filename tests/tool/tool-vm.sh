#!/bin/sh
# The bpbuf command in the VM, as root with the module loaded: its output,
# its exit statuses, alloc -- COMMAND handing a working fd to the command
# (and the buffer living exactly as long as the fd), --hold until a signal,
# and what an unprivileged user sees. Prints TAP. Run by the VM rig, which
# puts the tool and tool-helper beside this script.
dir=$(dirname "$0")
bpbuf=$dir/bpbuf
helper=$dir/tool-helper
tmp=${TMPDIR:-/tmp}/tool-vm.$$
mkdir -p "$tmp" || exit 1
trap 'rm -rf "$tmp"' EXIT

if [ ! -x "$bpbuf" ] || [ ! -x "$helper" ]; then
	echo "1..0 # SKIP $bpbuf or $helper not shipped to the VM"
	exit 0
fi

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok()
{
	n=$((n + 1)) failed=1
	echo "not ok $n - $1"
	shift
	for f in "$@"; do [ -f "$f" ] && sed "s|^|# $(basename "$f"): |" "$f"; done
	return 0
}
# run CMD...: its stdout in $tmp/out, stderr in $tmp/err, status in $st
run() { "$@" >"$tmp/out" 2>"$tmp/err"; st=$?; }
# expect DESC STATUS [GREP-PATTERN-FOR-STDOUT [GREP-PATTERN-FOR-STDERR]]
expect()
{
	desc=$1 want=$2 out_re=${3:-} err_re=${4:-} why=
	[ "$st" = "$want" ] || why="status $st, not $want"
	[ -z "$out_re" ] || grep -Eq -e "$out_re" "$tmp/out" || why="$why; stdout lacks /$out_re/"
	[ -z "$err_re" ] || grep -Eq -e "$err_re" "$tmp/err" || why="$why; stderr lacks /$err_re/"
	if [ -z "$why" ]; then ok "$desc"; else not_ok "$desc: ${why#; }" "$tmp/out" "$tmp/err"; fi
}
live_buffers() { "$bpbuf" info | sed -n 's/^live buffers: *//p'; }
# Sizes round up to the kernel's page (4 KiB, or 16 KiB on arm64-16k).
page=$(( $(awk '/^KernelPageSize:/ { print $2; exit }' /proc/self/smaps) + 0 ))
[ "$page" -gt 0 ] || { echo "Bail out! no KernelPageSize in /proc/self/smaps"; exit 1; }
page=$((page * 1024))
pages_of() { echo $(( ($1 + page - 1) / page * page )); }

echo "1..43"

run "$bpbuf" --version
expect "--version" 0 '^bpbuf [0-9]'
run "$bpbuf"
expect "no arguments: usage error" 2 '' '^bpbuf: no command given$'

# info
base_live=$(live_buffers)
run "$bpbuf" info
expect "info: heap size" 0 '^heap size: +64 MiB \(67108864 bytes\)$'
expect "info: free and largest free extent" 0 '^largest free: +[0-9.]+ [KMG]iB \([0-9]+ bytes\)$'
expect "info: DMA bits" 0 '^DMA bits: +(3[2-9]|[4-6][0-9])$'
expect "info: the driver" 0 '^driver: +bpbuf [0-9]+\.[0-9]+\.[0-9]+ \([0-9]{8}\)$'
expect "info: the heaps table lists the default heap" 0 '^  0 +default +(cma|movable) +64 MiB +[0-9.]+ [KMG]iB +[0-9.]+ [KMG]iB +[0-9]+ +(3[2-9]|[4-6][0-9]) +(yes|no) +no +cached(,wc)?(,uncached)? \(cached\) +(0x[0-9a-f]+-0x[0-9a-f]+|-)$'
run "$bpbuf" info --json
expect "info --json: heap object" 0 '^\{"heap":\{"size":67108864,"free":[0-9]+,"largest_free":[0-9]+,'
expect "info --json: heaps array" 0 '"heaps":\[\{"id":0,"name":"default","source":"(cma|movable)","size":67108864,"free":[0-9]+,'
run "$bpbuf" alloc 1M --name tool-vm-live -- "$bpbuf" info
expect "info: lists a live buffer with its size and name" 0 '^1 MiB +0x[0-9a-f]+ +[0-9]+ +bpbuf .* tool-vm-live$'
run "$bpbuf" alloc 3M --name tool-vm-json -- "$bpbuf" info --json
expect "info --json: lists a live buffer" 0 '\{"size":3145728,"bus_addr":"0x[0-9a-f]+",.*"name":"tool-vm-json","importers":\[\]\}'
[ "$(live_buffers)" = "$base_live" ] && ok "the buffers are gone after their commands" ||
	not_ok "the buffers are gone after their commands (live: $(live_buffers), before: $base_live)"

# alloc -- COMMAND
run "$bpbuf" alloc 1M --fill 0xab -- sh -c "$bpbuf addr --fd \$BPBUF_FD"
expect "alloc -- bpbuf addr: bus address" 0 '^bus_addr: 0x[0-9a-f]{16}$'
expect "alloc -- bpbuf addr: size" 0 '^size: +1048576 \(1 MiB\)$'
run "$bpbuf" alloc 1M --fill 0xab -- "$helper" check-fill 0xab
expect "alloc --fill: the command maps the fd and sees the fill byte" 0 '^tool-helper: 1048576 bytes of 0xab$'
run "$bpbuf" alloc 10000 -- "$helper" check-fill 0
expect "alloc: rounded to pages, zeroed without --fill" 0 "^tool-helper: $(pages_of 10000) bytes of 0\$"
run "$bpbuf" alloc 4K -- sh -c 'exit 7'
expect "alloc -- COMMAND: its exit status" 7
run "$bpbuf" alloc 4K -- false
expect "alloc -- false: 1" 1
run "$bpbuf" alloc 4K -- sh -c 'kill -TERM $$'
expect "alloc -- COMMAND killed by SIGTERM: 143" 143
run "$bpbuf" alloc 4K -- /nonexistent/command
expect "alloc -- missing command: 127" 127 '' '^bpbuf: cannot run /nonexistent/command: No such file or directory$'
# the command passes the fd on: the buffer lives until the last holder, a
# child left blocked on a FIFO until the check is done (no timing involved)
mkfifo "$tmp/release"
run "$bpbuf" alloc 2M -- sh -c "cat '$tmp/release' >/dev/null & exit 0"
live=$(live_buffers)
if [ "$st" = 0 ] && [ "$live" = "$((base_live + 1))" ]; then
	ok "alloc: the buffer outlives the tool while a child of COMMAND holds the fd"
else
	not_ok "alloc: the buffer outlives the tool while a child of COMMAND holds the fd (status $st, live $live)"
fi
echo >"$tmp/release"
i=0
while [ "$(live_buffers)" != "$base_live" ] && [ $i -lt 150 ]; do sleep 0.2; i=$((i + 1)); done
[ "$(live_buffers)" = "$base_live" ] && ok "alloc: ... and is freed when that child exits" ||
	not_ok "alloc: ... and is freed when that child exits (live $(live_buffers) after 30 s)"

# alloc --heap: by name or id
run "$bpbuf" alloc 1M --heap default -- "$helper" check-fill 0
expect "alloc --heap default" 0 '^tool-helper: 1048576 bytes of 0$'
run "$bpbuf" alloc 1M --heap 0
expect "alloc --heap 0: the default heap by id" 0 '^size: +1048576 \(1 MiB\)$'
run "$bpbuf" alloc 1M --heap nosuch
expect "alloc --heap nosuch: no such heap" 1 '' "^bpbuf: no heap named nosuch \('bpbuf info' lists the heaps\)$"

# alloc --cpu: the buffer's CPU mode, among those the default heap allows
cpu_modes=$("$bpbuf" info --json |
	sed -n 's/.*"heaps":\[{"id":0,"name":"default"[^}]*"cpu_modes":\[\([^]]*\)\].*/\1/p' | tr -d '"')
run "$bpbuf" alloc 1M --cpu cached
expect "alloc --cpu cached" 0 '^cpu_mode: cached$'
run "$bpbuf" alloc 4K --cpu bogus
expect "alloc --cpu bogus: usage error" 2 '' "^bpbuf: invalid CPU mode 'bogus': cached, wc or uncached$"
case ,$cpu_modes, in
*,wc,*)
	run "$bpbuf" alloc 1M --cpu wc --fill 0x5a -- "$helper" check-fill 0x5a
	expect "alloc --cpu wc --fill: written through a write-combined mapping" 0 '^tool-helper: 1048576 bytes of 0x5a$' ;;
*)
	run "$bpbuf" alloc 1M --cpu wc
	expect "alloc --cpu wc where the kernel has none: refused" 1 '' "^bpbuf: cannot allocate a buffer mapped wc from this heap: Operation not supported" ;;
esac
case ,$cpu_modes, in
*,uncached,*)
	run "$bpbuf" alloc 64K --cpu uncached --fill 0x33 --name tool-vm-uc -- "$bpbuf" info
	expect "alloc --cpu uncached: info lists the buffer's mode" 0 ' uncached +tool-vm-uc$' ;;
*)
	run "$bpbuf" alloc 64K --cpu uncached
	expect "alloc --cpu uncached where the kernel has none: refused" 1 '' "^bpbuf: cannot allocate a buffer mapped uncached from this heap: Operation not supported" ;;
esac

# alloc without a command
run "$bpbuf" alloc 64K --align 2M
expect "alloc without a command: fd, size, bus address" 0 '^bus_addr: 0x[0-9a-f]*[02468ace]00000$'
run "$bpbuf" alloc 1G
expect "alloc: more than the heap" 1 '' '^bpbuf: cannot allocate 1 GiB: Cannot allocate memory \(largest free extent: '
run "$bpbuf" alloc 0
expect "alloc 0: usage error" 2 '' "^bpbuf: invalid size '0': must be greater than zero$"

# --hold: until SIGINT or SIGTERM
for sig in INT TERM; do
	"$bpbuf" alloc 2M --name "tool-vm-hold" --hold >"$tmp/hold" 2>&1 &
	pid=$!
	i=0
	while ! grep -q '^holding' "$tmp/hold" && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
	held=$(live_buffers)
	kill -$sig $pid
	wait $pid
	st=$?
	if [ "$st" = 0 ] && [ "$held" = "$((base_live + 1))" ] &&
		grep -q '^size: *2097152 (2 MiB)$' "$tmp/hold" &&
		grep -q '^bus_addr: 0x' "$tmp/hold" && grep -q '^fd: *[0-9]' "$tmp/hold" &&
		[ "$(live_buffers)" = "$base_live" ]; then
		ok "alloc --hold: holds the buffer until SIG$sig, then frees it"
	else
		not_ok "alloc --hold: holds the buffer until SIG$sig (status $st, live while held $held)" "$tmp/hold"
	fi
done

# addr --device: the mapping lasts as long as the command, so it must hold
run "$bpbuf" alloc 8K -- sh -c "$bpbuf addr --fd \$BPBUF_FD --device 00:01.0"
expect "addr --device alone: usage error" 2 '' '^bpbuf: --device needs --hold or a command: the mapping lasts as long as bpbuf addr runs$'
run "$bpbuf" alloc 8K -- sh -c "$bpbuf addr --fd \$BPBUF_FD --hold"
expect "addr --hold without --device: usage error" 2 '' '^bpbuf: --hold needs --device DEV$'
run "$bpbuf" alloc 8K -- sh -c "$bpbuf addr --fd \$BPBUF_FD --device platform:bpbuf-no-such-device -- true"
expect "addr --device: a device that is not there" 1 '' '^bpbuf: cannot map fd [0-9]+ for platform:bpbuf-no-such-device: no such device$'
# addr on what is not a bpbuf buffer
run "$bpbuf" addr --fd 0 </dev/null
expect "addr: fd 0 is /dev/null" 1 '' '^bpbuf: fd 0: not a dma-buf$'
run "$bpbuf" addr --fd 9 9<&-
expect "addr: a closed fd" 1 '' '^bpbuf: fd 9: Bad file descriptor$'
run "$bpbuf" alloc 8K -- sh -c "$bpbuf addr --json --fd \$BPBUF_FD"
expect "addr --json" 0 '^\{"fd":[0-9]+,"bus_addr":"0x[0-9a-f]{16}","size":'"$(pages_of 8192)"'\}$'

# an unprivileged user (the node opened up for it): no bus addresses, no list
mode=$(stat -c %a /dev/bpbuf)
chmod 0666 /dev/bpbuf
# an initramfs staged in a mktemp -d directory has / at 0700: nobody could
# run anything
chmod go+x /
run "$helper" as-nobody "$bpbuf" info
expect "info as a user: heap figures without the buffer list" 0 '^buffers: not available: (cannot read .*: Permission denied|debugfs is not mounted)'
run "$helper" as-nobody "$bpbuf" alloc 1M
expect "alloc as a user: no bus address" 0 '^bus_addr: not available \(Operation not permitted\)$'
run "$helper" as-nobody "$bpbuf" alloc 1M -- sh -c "$bpbuf addr --fd \$BPBUF_FD"
expect "addr as a user: EPERM" 1 '' '^bpbuf: cannot read the bus address of fd [0-9]+: Operation not permitted'
chmod "$mode" /dev/bpbuf

exit $failed
