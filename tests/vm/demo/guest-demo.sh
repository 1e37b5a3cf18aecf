# The demo, run inside the VM after bpbuf.ko is loaded (see scripts/demo.sh).
say() { printf '\n=== %s\n' "$*"; }

say "kernel $(uname -r), CMA on the command line: $(grep -o 'cma=[^ ]*' /proc/cmdline)"
grep -E '^Cma(Total|Free)' /proc/meminfo

say "the module is loaded"
grep '^bpbuf ' /proc/modules
dmesg | grep 'bpbuf:'

say "its device node: root and the bpbuf group only"
ls -l /dev/bpbuf
