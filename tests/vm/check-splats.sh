#!/bin/bash
# check-splats.sh CONSOLE_LOG: exit 1, printing the offending lines, if the
# kernel log holds any report that must fail a run: WARN, BUG, Oops, panic,
# KASAN, lockdep, RCU, hung tasks, kmemleak, DMA-API debug, UBSAN, an IOMMU
# fault (a device reached memory it was not given), or a debug facility
# switching itself off. Exit 0 and print nothing otherwise.
set -u
log=$1
[ -r "$log" ] || { echo "check-splats.sh: cannot read $log" >&2; exit 2; }

# Each pattern is an extended regex matched against a line with its printk
# timestamp removed. They are the headers the kernel prints for each kind of
# report (see lib/bug.c, kernel/panic.c, mm/kasan/report.c, kernel/locking/
# lockdep.c, mm/kmemleak.c, kernel/dma/debug.c, lib/ubsan.c).
patterns=(
	'^-+\[ cut here \]-+'
	'^WARNING: '
	'^BUG: '
	'^kernel BUG at '
	'^Oops'
	'Internal error: Oops'
	'^general protection fault'
	'^Unable to handle kernel'
	'Kernel panic'
	'^Call Trace:'
	'^Call trace:'
	'KASAN'
	'DEBUG_LOCKS_WARN_ON'
	'^INFO: '
	'suspicious RCU usage'
	'rcu_(sched|preempt).*(stall|detected stalls)'
	'blocked for more than [0-9]+ seconds'
	'kmemleak: .*(suspected memory leak|disabled|Cannot)'
	'^unreferenced object 0x'
	'DMA-API: '
	'UBSAN: '
	'page allocation failure'
	'Out of memory'
	'^list_(add|del) corruption'
	'Bad page (state|map)'
	# drivers/iommu/intel/dmar.c, drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.c
	'DMAR: \[[^]]+\] Request device'
	'DMAR: DRHD: handling fault status'
	'arm-smmu-v3 .*: event 0x[0-9a-f]+ received'
	'arm-smmu-v3 .*: event: F_[A-Z_]+ client'
	'arm-smmu-v3 .*: (unexpected PRI request|EVTQ overflow)'
)
# DMA-API debug announces itself at boot; those lines are not reports.
allow=(
	'DMA-API: preallocated [0-9]+ debug entries'
	'DMA-API: debugging enabled by kernel config'
)

strip() { sed -e 's/\r$//' -e 's/^\[ *[0-9]*\.[0-9]*\] //' -e 's/^<[0-9]>//' "$log"; }

# One report that is a known defect of a driver the tests use, not of
# bpbuf, is blanked out (its lines kept, empty, so line numbers hold):
# vivid's capture thread on 6.12 and 7.2 checks its deadline, then
# computes the timeout from jiffies read again, and a vCPU that stalls two
# ticks in between hands schedule_timeout() a negative value, which it
# reports with a stack (vivid-kthread-cap.c, vivid_thread_vid_cap(); seen
# under TCG). Only that whole block goes: the message, then the dump's
# header and frames, from a vivid- thread, with vivid_thread_vid_cap among
# the frames and no bpbuf frame; anything else in it keeps the block.
known_foreign() {
	awk '
	function flush(keep,   i) {
		for (i = 1; i <= n; i++)
			print (keep ? block[i] : "")
		n = 0
	}
	function part_of_dump(line) {
		return line ~ /^(CPU: |Tainted: |Hardware name: |Call [Tt]race:|Workqueue: )/ ||
		       line ~ /^ +[^ ]/ || line ~ /^ *<\/?TASK>/
	}
	n && !part_of_dump($0) {
		flush(!(comm && frame && !ours))
	}
	n && part_of_dump($0) {
		block[++n] = $0
		if ($0 ~ /^CPU: .* Comm: vivid-/) comm = 1
		if ($0 ~ /vivid_thread_vid_cap\+/) frame = 1
		if ($0 ~ /bpbuf/) ours = 1
		next
	}
	/^schedule_timeout: wrong timeout value / {
		n = 1; block[1] = $0; comm = frame = ours = 0
		next
	}
	{ print }
	END { if (n) flush(!(comm && frame && !ours)) }
	'
}
any=$(printf '%s\n' "${patterns[@]}" | paste -sd'|')
ok=$(printf '%s\n' "${allow[@]}" | paste -sd'|')
hits=$(strip | known_foreign | grep -En -- "$any" | grep -Ev -- "$ok")
[ -z "$hits" ] && exit 0
echo "$hits" | head -n 40
exit 1
