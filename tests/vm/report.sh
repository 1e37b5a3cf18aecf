#!/bin/bash
# report.sh DIR [--require STEP]... : judge a VM run that run-vm.sh left in
# DIR. Prints one TAP stream on stdout: every result of every step (the
# kselftest programs' own results renumbered, one line for other steps),
# then whether the VM finished, whether each required step ran, and whether
# the kernel log is free of splats. Exit 0 only if all of it passed.
set -u
dir=$1
shift
required=()
while [ $# -gt 0 ]; do
	case $1 in
	--require) required+=("$2"); shift 2 ;;
	*) echo "report.sh: unknown argument: $1" >&2; exit 2 ;;
	esac
done
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
results=$dir/results.log
touch "$results"

# Steps: framed by "@@rig begin NAME" and "@@rig end NAME status=N|skip=WHY".
# Returns the number of results printed in the first line of its output.
tap=$(tr -d '\r' <"$results" | awk -v required="${required[*]}" '
function flush_step(endline,    status, skip, i, m, desc, n, plan, bad) {
	status = endline; sub(/.*status=/, "", status)
	skip = ""
	if (endline ~ / skip=/) { skip = endline; sub(/.* skip=/, "", skip) }
	seen[step] = 1
	if (skip != "") { emit("ok", step " # SKIP " skip); return }
	plan = -1; n = 0; bad = 0; running = ""
	for (i = 1; i <= nlines; i++) {
		if (lines[i] ~ /^1\.\.[0-9]+/) { plan = lines[i]; sub(/^1\.\./, "", plan); plan += 0 }
		# the kselftest harness names the test it starts; that of 6.1
		# leaves that name out of a skipped result: put it back
		else if (lines[i] ~ /^#  RUN  /) { running = lines[i]; sub(/^#  RUN +/, "", running); sub(/ \.\.\.$/, "", running) }
		else if (match(lines[i], /^(not )?ok [0-9]+ /)) {
			desc = substr(lines[i], RLENGTH + 1)
			sub(/^- /, "", desc)
			if (desc ~ /^# SKIP/ && running != "") desc = running " " desc
			running = ""
			n++
			if (lines[i] ~ /^not ok/) { bad++; emit("not ok", step ": " desc); diag_step() }
			else emit("ok", step ": " desc)
		}
	}
	if (plan >= 0) {
		if (n != plan) {
			emit("not ok", step ": " n " of " plan " planned results (crashed or hung?)")
			diag_step()
		} else if (status != 0 && status != 4 && bad == 0) {
			emit("not ok", step ": exited with status " status " although every test passed")
			diag_step()
		}
		return
	}
	if (status == 0) emit("ok", step)
	else { emit("not ok", step " (exit status " status ")"); diag_step() }
}
function emit(result, desc) { out[++count] = result " " count " - " desc }
function diag_step(    i) {
	for (i = 1; i <= nlines && i <= 60; i++) diag[count] = diag[count] "# " lines[i] "\n"
}
/^@@rig begin / { step = $3; nlines = 0; instep = 1; next }
/^@@rig end /   { if (instep) flush_step($0); instep = 0; next }
/^@@rig done/   { done = 1; next }
/^@@rig hello/  { hello = 1; next }
instep          { lines[++nlines] = $0 }
END {
	if (instep) {
		emit("not ok", step ": never finished (the VM died or hung inside it)")
		diag_step()
	}
	n = split(required, req, " ")
	for (i = 1; i <= n; i++)
		if (!(req[i] in seen)) emit("not ok", "required step " req[i] " ran")
	# Numbers, never empty: a run killed before its first step has none.
	print (count + 0) " " (done ? 1 : 0) " " (hello ? 1 : 0)
	for (i = 1; i <= count; i++) { print out[i]; if (i in diag) printf "%s", diag[i] }
}')

read -r count done hello rest <<<"$(head -n 1 <<<"$tap")"
# Anything but three numbers means the line above is broken: fail the run.
if ! [[ "$count $done $hello" =~ ^[0-9]+\ [01]\ [01]$ ]] || [ -n "$rest" ]; then
	echo "not ok 1 - report.sh could not read the run's summary: '$(head -n 1 <<<"$tap")'"
	echo "1..1"
	exit 1
fi
body=$(tail -n +2 <<<"$tap")
[ -n "$body" ] && echo "$body"

n=$count
fail=0
grep -q '^not ok' <<<"$body" && fail=1

status=$(cat "$dir/qemu.status" 2>/dev/null || echo missing)
n=$((n + 1))
if [ "$done" = 1 ]; then
	echo "ok $n - VM ran the whole plan"
else
	fail=1
	killed=$(cat "$dir/killed" 2>/dev/null || :)
	case $status in
	124|137) why="killed at the timeout (hung?)${killed:+: $killed}" ;;
	0) why="the VM stopped before the end (panic or crash?)" ;;
	*) why="QEMU exited with status $status" ;;
	esac
	[ "$hello" = 1 ] || why="$why; the guest never started the plan"
	echo "not ok $n - VM ran the whole plan: $why"
	tail -n 30 "$dir/console.log" 2>/dev/null | sed 's/^/# console: /'
fi

n=$((n + 1))
if splats=$("$here/check-splats.sh" "$dir/console.log"); then
	echo "ok $n - kernel log has no splat"
else
	fail=1
	echo "not ok $n - kernel log has no splat"
	sed 's/^/# /' <<<"$splats"
fi
echo "1..$n"
# Where the time went, for whoever keeps the suite within its budget: the
# slowest steps, from the guest's "rig: step" lines and the kernel's
# printk timestamps (run-vm.sh boots with printk.time=1)
grep -a 'rig: step ' "$dir/console.log" 2>/dev/null |
	sed -n 's/^.*\[ *\([0-9][0-9.]*\)\].*rig: step \([^ ]*\).*/\1 \2/p' |
	awk 'NR > 1 { printf "%d %s\n", $1 - t + 0.5, name } { t = $1; name = $2 }' |
	sort -rn | head -n 8 | awk '{ s = s (s ? ", " : "") $2 " " $1 " s" } END { if (s) print "# slowest steps: " s }'
exit "$fail"
