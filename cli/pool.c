/*
 * cli/pool.c — the pthread pool behind rep_parallel (see pool.h).
 *
 * A job is published under the mutex with a new generation number and
 * idle threads wake on a condition variable.  Blocks are handed out by one
 * atomic ticket holding the generation (high 32 bits) and the next block
 * (low 32 bits), so a thread that wakes late, after its job is over, finds
 * a ticket of another generation and claims nothing.  The caller works
 * too and waits only for the blocks to be done, never for a thread to turn
 * up: on a busy host a helper that is not scheduled in time costs nothing
 * but its share of the work.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/pool.h"

struct pool {
	struct rep_parallel par;
	pthread_t	    thread[POOL_MAX_THREADS];
	int		    n_started;
	pthread_mutex_t	    mu;
	pthread_cond_t	    wake, done_cv;
	uint32_t	    generation;
	bool		    stop;
	/* The current job. */
	rep_block_fn	 fn;
	void		*arg;
	int		 n_blocks;
	_Atomic uint64_t ticket; /* generation << 32 | next block */
	atomic_int	 done;	 /* blocks finished */
};

/* Claim and run blocks of job gen until none is left. */
static void
work(struct pool *p, uint32_t gen, rep_block_fn fn, void *arg, int n_blocks)
{
	uint64_t t;

	for (;;) {
		t = atomic_load(&p->ticket);
		if ((uint32_t)(t >> 32) != gen ||
		    (int)(t & UINT32_MAX) >= n_blocks)
			return;
		if (!atomic_compare_exchange_weak(&p->ticket, &t, t + 1))
			continue;
		fn(arg, (int)(t & UINT32_MAX));
		if (atomic_fetch_add(&p->done, 1) + 1 == n_blocks) {
			pthread_mutex_lock(&p->mu);
			pthread_cond_signal(&p->done_cv);
			pthread_mutex_unlock(&p->mu);
		}
	}
}

static void *
helper(void *arg)
{
	struct pool *p = arg;
	rep_block_fn fn;
	void	    *fn_arg;
	uint32_t     seen = 0;
	int	     n_blocks;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->stop && p->generation == seen)
			pthread_cond_wait(&p->wake, &p->mu);
		if (p->stop)
			break;
		seen = p->generation;
		fn = p->fn;
		fn_arg = p->arg;
		n_blocks = p->n_blocks;
		pthread_mutex_unlock(&p->mu);
		work(p, seen, fn, fn_arg, n_blocks);
		pthread_mutex_lock(&p->mu);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static void
pool_run(void *ctx, int n_blocks, rep_block_fn fn, void *arg)
{
	struct pool *p = ctx;
	uint32_t     gen;
	int	     b;

	if (p->n_started == 0 || n_blocks < 2) {
		for (b = 0; b < n_blocks; b++)
			fn(arg, b);
		return;
	}
	pthread_mutex_lock(&p->mu);
	gen = ++p->generation;
	p->fn = fn;
	p->arg = arg;
	p->n_blocks = n_blocks;
	atomic_store(&p->done, 0);
	atomic_store(&p->ticket, (uint64_t)gen << 32);
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->mu);
	work(p, gen, fn, arg, n_blocks);
	if (atomic_load(&p->done) < n_blocks) {
		pthread_mutex_lock(&p->mu);
		while (atomic_load(&p->done) < n_blocks)
			pthread_cond_wait(&p->done_cv, &p->mu);
		pthread_mutex_unlock(&p->mu);
	}
}

void
pool_free(struct pool *p)
{
	int i;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->n_started; i++)
		pthread_join(p->thread[i], NULL);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->wake);
	pthread_cond_destroy(&p->done_cv);
	free(p);
}

int
pool_create(int n_threads, struct pool **out)
{
	struct pool *p;

	*out = NULL;
	if (n_threads < 1)
		n_threads = 1;
	if (n_threads > POOL_MAX_THREADS)
		n_threads = POOL_MAX_THREADS;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return -1;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->wake, NULL);
	pthread_cond_init(&p->done_cv, NULL);
	atomic_init(&p->ticket, 0);
	atomic_init(&p->done, 0);
	p->par.run = pool_run;
	p->par.ctx = p;
	while (p->n_started < n_threads - 1) {
		if (pthread_create(&p->thread[p->n_started], NULL, helper, p) !=
		    0) {
			pool_free(p);
			return -1;
		}
		p->n_started++;
	}
	*out = p;
	return 0;
}

const struct rep_parallel *
pool_parallel(struct pool *p)
{
	return &p->par;
}

int
pool_default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > POOL_MAX_THREADS ? POOL_MAX_THREADS : (int)n;
}
