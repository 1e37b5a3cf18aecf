# Latency of alloc+close against size, from results.csv (scripts/bench.sh).
# gnuplot -e "csv='results.csv'; out='latency.png'" plot.gp
set datafile separator ","
set terminal pngcairo size 900,600
set output out
set title "bpbuf: alloc+close latency (median) against the kernel's allocators"
set logscale xy
set xlabel "buffer size (bytes)"
set ylabel "microseconds"
set key top left
set grid
f(who) = sprintf("< awk -F, '$1==\"latency\" && $2==\"%s\" && $4==\"median_us\"' %s", who, csv)
# 1b: buffers written before close
g(who) = sprintf("< awk -F, '$1==\"reuse\" && $2==\"%s\" && $4==\"median_us\"' %s", who, csv)
plot f("bpbuf") using 3:5 with linespoints lw 2 title "bpbuf", \
     g("bpbuf-idle") using 3:5 with linespoints lw 2 dt 3 title "bpbuf, written, zeroer idle (1b)", \
     g("bpbuf-b2b") using 3:5 with linespoints lw 2 dt 4 title "bpbuf, written, back to back (1b)", \
     f("cma-heap") using 3:5 with linespoints title "CMA heap", \
     f("system-heap") using 3:5 with linespoints title "system heap", \
     f("udmabuf") using 3:5 with linespoints title "udmabuf", \
     sprintf("< awk -F, '$1==\"floor\"' %s", csv) using 3:5 with linespoints dt 2 title "memset floor"
