/*
 * cli/pool.c — the pthread pool behind rep_parallel (see pool.h).
 *
 * A job is published under the mutex with a new generation number; idle
 * threads wake on the condition variable, take blocks from an atomic
 * counter until none is left, and the last one out signals the caller.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/pool.h"

struct pool {
	struct rep_parallel par;
	pthread_t	    thread[POOL_MAX_THREADS];
	int		    n_started;
	pthread_mutex_t	    mu;
	pthread_cond_t	    wake, done;
	unsigned long	    generation;
	bool		    stop;
	/* The current job. */
	rep_block_fn fn;
	void	    *arg;
	int	     n_blocks;
	atomic_int   next;
	int	     busy; /* helper threads still on the job */
};

static void
work(struct pool *p)
{
	int b;

	while ((b = atomic_fetch_add(&p->next, 1)) < p->n_blocks)
		p->fn(p->arg, b);
}

static void *
helper(void *arg)
{
	struct pool  *p = arg;
	unsigned long seen = 0;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->stop && p->generation == seen)
			pthread_cond_wait(&p->wake, &p->mu);
		if (p->stop)
			break;
		seen = p->generation;
		pthread_mutex_unlock(&p->mu);
		work(p);
		pthread_mutex_lock(&p->mu);
		if (--p->busy == 0)
			pthread_cond_signal(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static void
pool_run(void *ctx, int n_blocks, rep_block_fn fn, void *arg)
{
	struct pool *p = ctx;
	int	     b;

	if (p->n_started == 0 || n_blocks < 2) {
		for (b = 0; b < n_blocks; b++)
			fn(arg, b);
		return;
	}
	pthread_mutex_lock(&p->mu);
	p->fn = fn;
	p->arg = arg;
	p->n_blocks = n_blocks;
	atomic_store(&p->next, 0);
	p->busy = p->n_started;
	p->generation++;
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->mu);
	work(p);
	pthread_mutex_lock(&p->mu);
	while (p->busy > 0)
		pthread_cond_wait(&p->done, &p->mu);
	pthread_mutex_unlock(&p->mu);
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
	pthread_cond_destroy(&p->done);
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
	pthread_cond_init(&p->done, NULL);
	atomic_init(&p->next, 0);
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
