# mmap + first touch against size, from results.csv (scripts/bench.sh):
# scenario 2 (1 to 64 MiB) and the scale part's scenario 8 (256 MiB, 1 GiB).
# gnuplot -e "csv='results.csv'; out='touch.png'" plot-touch.gp
set datafile separator ","
set terminal pngcairo size 900,600
set output out
set title "bpbuf: mmap + first touch (one write per 4 KiB), median"
set logscale xy
set xlabel "buffer size (bytes)"
set ylabel "milliseconds"
set key top left
set grid
f(who) = sprintf("< awk -F, '($1==\"touch\" || $1==\"big_touch\") && $2==\"%s\" && $4==\"median_ms\"' %s", who, csv)
plot f("bpbuf") using 3:5 with linespoints lw 2 title "bpbuf (PMD/PUD entries where the kernel has them)", \
     f("bpbuf-4k") using 3:5 with linespoints lw 2 dt 3 title "bpbuf, 4 KiB entries only", \
     f("cma-heap") using 3:5 with linespoints title "CMA heap", \
     f("system-heap") using 3:5 with linespoints title "system heap", \
     f("udmabuf") using 3:5 with linespoints title "udmabuf", \
     f("writes-only") using 3:5 with linespoints dt 2 title "the writes alone (mapped already)"
