dist_man_MANS += man/bpbuf.4
