// SPDX-License-Identifier: GPL-2.0-only
/*
 * Many processes at once, for a bounded time, each doing at random:
 * allocate, map, write a pattern, verify it, pass fds to each other
 * (SCM_RIGHTS over socketpairs), fork, exit, and being SIGKILLed by the
 * parent. At the end every buffer still alive (held by the parent through
 * the sockets' queues) must hold its pattern intact, and the heap must be
 * whole again. The rig's kmemleak scan at the end of the run covers leaks.
 *
 *   stress [SECONDS]  (or BPBUF_STRESS_SECONDS, default 40)
 *   BPBUF_STRESS_SEED (default 7), BPBUF_STRESS_PROCS (default 8)
 */
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "stress.h"

#define MAX_PROCS	32
#define MAX_HELD	12
#define MAX_KEPT	4
#define GOLDEN		0x9E3779B97F4A7C15ULL

struct stats {
	unsigned long allocs, enomem, maps, verifies, sends, recvs, forks;
	unsigned long exits, kills, child_kills, bad_patterns, bad_errors;
	unsigned long ops;
};

static struct stats *stats;
static int nprocs;
static int rx[MAX_PROCS], tx[MAX_PROCS];

#define COUNT(field) __atomic_add_fetch(&stats->field, 1, __ATOMIC_RELAXED)

/* Header: tag, size; then word k is tag ^ k * GOLDEN */
static void write_pattern(uint64_t *p, size_t size, uint64_t tag)
{
	size_t k, n = size / 8;

	p[0] = tag;
	p[1] = size;
	for (k = 2; k < n; k++)
		p[k] = tag ^ (k * GOLDEN);
}

static bool pattern_ok(const uint64_t *p, size_t size)
{
	uint64_t tag = p[0];
	size_t k, n = size / 8;

	if (p[1] != size)
		return false;
	for (k = 2; k < n; k++)
		if (p[k] != (tag ^ (k * GOLDEN)))
			return false;
	return true;
}

/* Map fd whole and check its pattern; false also counts the failure */
static bool verify_fd(int fd, const char *who)
{
	off_t size = lseek(fd, 0, SEEK_END);
	void *p;
	bool ok;

	if (size <= 0) {
		printf("# %s: lseek(%d): %s\n", who, fd, strerror(errno));
		COUNT(bad_errors);
		return false;
	}
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		if (errno == ENOMEM) /* page tables, vmas: not ours to judge */
			return true;
		printf("# %s: mmap %lld: %s\n", who, (long long)size, strerror(errno));
		COUNT(bad_errors);
		return false;
	}
	COUNT(maps);
	ok = pattern_ok(p, size);
	if (!ok) {
		printf("# %s: pattern broken in a %lld-byte buffer\n", who, (long long)size);
		COUNT(bad_patterns);
	}
	munmap(p, size);
	COUNT(verifies);
	return ok;
}

struct kept {
	void *p;
	size_t size;
};

struct worker {
	int id;
	uint64_t rng;
	int dev;
	int held[MAX_HELD];
	int nheld;
	struct kept kept[MAX_KEPT];
	int nkept;
	char name[32];
};

static void drop_held(struct worker *w, int i)
{
	close(w->held[i]);
	w->held[i] = w->held[--w->nheld];
}

static void add_held(struct worker *w, int fd)
{
	if (w->nheld == MAX_HELD)
		drop_held(w, (int)rng_below(&w->rng, MAX_HELD));
	w->held[w->nheld++] = fd;
}

static void do_alloc(struct worker *w)
{
	uint64_t pages = 1 + rng_below(&w->rng, 32), size;
	void *p;
	int fd, ret;

	if (!rng_below(&w->rng, 16))
		pages = (1 + rng_below(&w->rng, 4)) * (MIB / page_size());
	size = pages * page_size();
	ret = bp_alloc(w->dev, size, 0, BPBUF_ALLOC_CLOEXEC, &fd);
	if (ret == -ENOMEM) {
		COUNT(enomem);
		return;
	}
	if (ret) {
		printf("# %s: alloc %llu: %s\n", w->name, (unsigned long long)size, strerror(-ret));
		COUNT(bad_errors);
		return;
	}
	COUNT(allocs);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		close(fd);
		return;
	}
	COUNT(maps);
	write_pattern(p, size, rng_next(&w->rng));
	/* sometimes keep the mapping past the fd: release waits for munmap */
	if (w->nkept < MAX_KEPT && !rng_below(&w->rng, 4)) {
		w->kept[w->nkept].p = p;
		w->kept[w->nkept++].size = size;
		if (!rng_below(&w->rng, 2)) {
			close(fd);
			return;
		}
	} else {
		munmap(p, size);
	}
	add_held(w, fd);
}

static void do_unmap_kept(struct worker *w)
{
	int i;

	if (!w->nkept)
		return;
	i = (int)rng_below(&w->rng, w->nkept);
	if (!pattern_ok(w->kept[i].p, w->kept[i].size)) {
		printf("# %s: pattern broken in a kept mapping\n", w->name);
		COUNT(bad_patterns);
	}
	COUNT(verifies);
	munmap(w->kept[i].p, w->kept[i].size);
	w->kept[i] = w->kept[--w->nkept];
}

static void do_send(struct worker *w)
{
	int to = (int)rng_below(&w->rng, nprocs), i;

	if (!w->nheld)
		return;
	i = (int)rng_below(&w->rng, w->nheld);
	if (stress_send_fd(tx[to], w->held[i], MSG_DONTWAIT) == 0) {
		COUNT(sends);
		if (rng_below(&w->rng, 2))
			drop_held(w, i);
	}
}

static void do_recv(struct worker *w)
{
	int fd = stress_recv_fd(rx[w->id], MSG_DONTWAIT);

	if (fd < 0)
		return;
	COUNT(recvs);
	verify_fd(fd, w->name);
	add_held(w, fd);
}

static void worker_ops(struct worker *w, int nops);

static void do_fork(struct worker *w)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		snprintf(w->name, sizeof(w->name), "worker %d child", w->id);
		w->rng ^= (uint64_t)getpid() << 32;
		worker_ops(w, 1 + (int)rng_below(&w->rng, 8));
		_exit(0);
	}
	if (pid < 0)
		return;
	COUNT(forks);
	if (!rng_below(&w->rng, 3)) {
		usleep(rng_below(&w->rng, 2000));
		if (!kill(pid, SIGKILL))
			COUNT(child_kills);
	}
	waitpid(pid, &status, 0);
}

static void worker_ops(struct worker *w, int nops)
{
	int i;

	for (i = 0; i < nops; i++) {
		unsigned int r = (unsigned int)rng_below(&w->rng, 100);

		COUNT(ops);
		if (r < 25)
			do_alloc(w);
		else if (r < 45 && w->nheld)
			verify_fd(w->held[rng_below(&w->rng, w->nheld)], w->name);
		else if (r < 60)
			do_send(w);
		else if (r < 75)
			do_recv(w);
		else if (r < 83 && w->nheld)
			drop_held(w, (int)rng_below(&w->rng, w->nheld));
		else if (r < 93)
			do_unmap_kept(w);
		else if (r < 98)
			do_fork(w);
		else if (r < 99) {
			COUNT(exits);
			_exit(0);
		}
	}
}

static void worker(int id, uint64_t seed)
{
	struct worker w = { .id = id, .rng = seed | 1 };

	snprintf(w.name, sizeof(w.name), "worker %d", id);
	w.dev = bp_open();
	if (w.dev < 0) {
		COUNT(bad_errors);
		_exit(1);
	}
	for (;;)
		worker_ops(&w, 1000);
}

static pid_t spawn(int id, uint64_t *rng)
{
	uint64_t seed = rng_next(rng);
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		worker(id, seed);
	return pid;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) :
			 num_from_env("BPBUF_STRESS_SECONDS", 40);
	uint64_t seed = seed_from_env("BPBUF_STRESS_SEED", 7), rng;
	pid_t pids[MAX_PROCS];
	unsigned long survivors = 0, bad_survivors = 0, respawns = 0;
	double end;
	int i, dev, status;

	nprocs = (int)num_from_env("BPBUF_STRESS_PROCS", 8);
	if (nprocs < 2 || nprocs > MAX_PROCS)
		nprocs = 8;
	tap_plan(4);
	printf("# seed %llu (BPBUF_STRESS_SEED), %d processes, %.0f s\n",
	       (unsigned long long)seed, nprocs, seconds);
	rng = seed | 1;
	dev = bp_open();
	if (dev < 0) {
		tap_ok(false, "open %s: %s", BPBUF_NODE, strerror(errno));
		return 1;
	}
	stats = mmap(NULL, sizeof(*stats), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (stats == MAP_FAILED)
		return 1;
	for (i = 0; i < nprocs; i++) {
		int sv[2];

		if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv))
			return 1;
		rx[i] = sv[0];
		tx[i] = sv[1];
	}
	for (i = 0; i < nprocs; i++)
		pids[i] = spawn(i, &rng);

	end = now_s() + seconds;
	while (now_s() < end) {
		pid_t pid;

		usleep(20000 + rng_below(&rng, 200000));
		/* workers that exited on their own come back */
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			for (i = 0; i < nprocs; i++)
				if (pids[i] == pid) {
					pids[i] = spawn(i, &rng);
					respawns++;
				}
		}
		i = (int)rng_below(&rng, nprocs);
		if (!kill(pids[i], SIGKILL)) {
			stats->kills++;
			waitpid(pids[i], &status, 0);
			pids[i] = spawn(i, &rng);
			respawns++;
		}
	}
	for (i = 0; i < nprocs; i++) {
		if (!kill(pids[i], SIGKILL))
			stats->kills++;
		waitpid(pids[i], &status, 0);
	}

	/* what is left in flight survived everyone: check it all */
	for (i = 0; i < nprocs; i++) {
		int fd;

		while ((fd = stress_recv_fd(rx[i], MSG_DONTWAIT)) >= 0) {
			survivors++;
			if (!verify_fd(fd, "survivor"))
				bad_survivors++;
			close(fd);
		}
		close(rx[i]);
		close(tx[i]);
	}

	printf("# ops %lu, allocs %lu (ENOMEM %lu), maps %lu, verifies %lu, fds passed %lu, received %lu\n",
	       stats->ops, stats->allocs, stats->enomem, stats->maps,
	       stats->verifies, stats->sends, stats->recvs);
	printf("# forks %lu, exits %lu, processes killed %lu (workers) + %lu (forked children), respawns %lu\n",
	       stats->forks, stats->exits, stats->kills, stats->child_kills, respawns);
	tap_ok(stats->allocs > 100 && stats->sends > 10 && stats->kills > 10,
	       "stress ran: %lu allocs, %lu fds passed, %lu processes killed",
	       stats->allocs, stats->sends, stats->kills + stats->child_kills);
	tap_ok(stats->bad_patterns == 0 && bad_survivors == 0,
	       "every pattern intact (%lu broken during the run, %lu of %lu survivors)",
	       stats->bad_patterns, bad_survivors, survivors);
	tap_ok(stats->bad_errors == 0, "no unexpected error (%lu)", stats->bad_errors);
	tap_heap_whole(dev, "at the end");
	close(dev);
	return tap_exit();
}
