# Steps of a VM run, sourced by /init. Each step writes to the results
# channel (fd 3, ttyS1):
#   @@rig begin NAME
#   ...its output (TAP for kselftest programs)...
#   @@rig end NAME status=N
# The host's report.sh turns that into one TAP stream. A step never ends the
# run: a failed step is recorded and the next one runs.

# Whether the run scans for leaks: where the kernel has kmemleak, unless
# the command line says rig.kmemleak=off (the rig's own self-test, whose
# runs test the rig, not the kernel).
rig_scans_leaks()
{
	[ -w /sys/kernel/debug/kmemleak ] && ! grep -qw 'rig\.kmemleak=off' /proc/cmdline
}

rig_start()
{
	# The channel is named on the kernel command line by run-vm.sh.
	channel=$(sed -n 's/.*rig\.results=\([^ ]*\).*/\1/p' /proc/cmdline)
	stty -F "${channel:=/dev/ttyS1}" raw -echo 2>/dev/null
	exec 3>"$channel"
	echo "@@rig hello $(uname -r)" >&3
	# Leaks from boot are the kernel's, not ours: report only what the run adds.
	# The run's own scan at the end finds every leak: the kernel's scans
	# every 10 minutes would only take CPU from the steps.
	if rig_scans_leaks; then
		echo scan >/sys/kernel/debug/kmemleak
		echo clear >/sys/kernel/debug/kmemleak
		echo scan=off >/sys/kernel/debug/kmemleak
	fi
	echo "rig: kernel $(uname -r), cmdline: $(cat /proc/cmdline)" >/dev/kmsg
}

# rig_step NAME COMMAND [ARGS...]: run COMMAND, its output is the step's.
rig_step()
{
	name=$1
	shift
	echo "rig: step $name" >/dev/kmsg
	echo "@@rig begin $name" >&3
	"$@" >&3 2>&1 </dev/null
	status=$?
	echo "@@rig end $name status=$status" >&3
	return 0
}

# rig_skip NAME REASON: a step that cannot run here.
rig_skip()
{
	echo "@@rig begin $1" >&3
	echo "@@rig end $1 skip=$2" >&3
}

# rig_kunit_tap SUITE RESULTS: KUnit's KTAP results of SUITE as the step's
# TAP (tests/host/kunit-tap.test runs it on made-up results). Fails when
# there is no plan.
rig_kunit_tap()
{
	# One level down: the suite's plan and cases become the step's; a
	# parameterised case's own results stay indented, as diagnostics.
	awk -v suite="$1" '
		NR <= 2 && (/^KTAP version/ || /^1\.\.1$/) { next }
		{ line = $0; if (substr(line, 1, 4) == "    ") line = substr(line, 5) }
		/^(not )?ok [0-9]+ / {
			verdict = $0; sub(/ [0-9]+ .*/, "", verdict)
			print verdict " " n " - suite " suite " (KUnit verdict)"
			next
		}
		!planned && line ~ /^1\.\.[0-9]+$/ {
			n = substr(line, 4) + 1; print "1.." n; planned = 1; next
		}
		line ~ /^(not )?ok [0-9]+ / { cases++ }
		{ print line }
		END {
			if (!planned) {
				print "1..1"
				print "not ok 1 - no plan in the results of " suite
				exit 1
			}
			if (cases < n - 1)
				print "# the results name " cases " of " n - 1 " cases: a kernel may keep only part of a case'"'"'s log (6.1: 512 bytes), so a failing case'"'"'s messages can push its result out; the console log has them all"
		}
	' "$2"
}

# rig_kunit MODULE SUITE: load a KUnit test module, whose suite runs as it
# loads, and print its results (<debugfs>/kunit/SUITE/results) as TAP: one
# result per case, and one for KUnit's verdict on the whole suite. The
# module is unloaded after. A module that does not load, or a suite that
# left no results or no plan, is a failed step. Its parameters, if any, are
# in BPBUF_KUNIT_<suite> (the rig's line depth: test-lib.sh set_depth).
rig_kunit()
{
	module=$1 suite=$2
	results=/sys/kernel/debug/kunit/$suite/results
	eval "params=\${BPBUF_KUNIT_$suite:-}"
	# KUnit itself, where the kernel has it as a module
	[ -d /sys/module/kunit ] || modprobe kunit 2>/dev/null
	[ -z "$params" ] || echo "# $module $params"
	# shellcheck disable=SC2086 # one word per parameter
	if ! insmod "$module" $params; then
		echo "1..1"
		echo "not ok 1 - insmod $module"
		return 1
	fi
	if [ ! -r "$results" ]; then
		echo "1..1"
		echo "not ok 1 - KUnit suite $suite left no $results"
		rmmod "$module"
		return 1
	fi
	rig_kunit_tap "$suite" "$results"
	status=$?
	rmmod "$module" || status=1
	return $status
}

rig_kmemleak()
{
	f=/sys/kernel/debug/kmemleak
	if [ ! -e $f ]; then
		echo "no kmemleak in this kernel"
		return 0
	fi
	# An object must stay unreferenced for 5 s before kmemleak calls it a
	# leak; scan twice so that a pointer just being moved is not reported.
	sleep 6
	echo scan >$f
	echo scan >$f
	report=$(cat $f)
	[ -z "$report" ] && return 0
	echo "$report"
	return 1
}

rig_finish()
{
	if rig_scans_leaks; then
		rig_step kmemleak rig_kmemleak
	fi
	echo "@@rig done" >&3
	# Closing the last descriptor of ttyS1 waits for its output to drain.
	exec 3>&-
	echo "rig: done" >/dev/kmsg
	reboot -f
}
