#!/bin/sh
# tap-join.sh LABEL FILE [LABEL FILE]...: the TAP streams of several VM runs
# (report.sh's) as one, renumbered, each result's name after its run's
# LABEL, with one plan at the end. A run whose stream lost its plan counts
# as one failed result. Exits 1 if any result failed.
set -u
[ $# -ge 2 ] && [ $(($# % 2)) = 0 ] || { echo "tap-join.sh: LABEL FILE pairs expected" >&2; exit 2; }
n=0 bad=0
while [ $# -gt 0 ]; do
	label=$1 file=$2
	shift 2
	out=$(awk -v label="$label" -v n="$n" '
		/^1\.\.[0-9]+/ { planned = 1; next }
		match($0, /^(not )?ok [0-9]+ /) {
			verdict = ($0 ~ /^not ok/) ? "not ok" : "ok"
			desc = substr($0, RLENGTH + 1); sub(/^- /, "", desc)
			n++; if (verdict == "not ok") bad++
			print verdict " " n " - " label ": " desc; next
		}
		{ print }
		END {
			if (!planned) { n++; bad++; print "not ok " n " - " label ": its results have no plan (the run did not finish)" }
			print "@@counts " n " " bad + 0
		}' "$file")
	printf '%s\n' "$out" | grep -v '^@@counts '
	counts=$(printf '%s\n' "$out" | sed -n 's/^@@counts //p')
	n=${counts% *}
	bad=$((bad + ${counts#* }))
done
echo "1..$n"
[ "$bad" = 0 ]
