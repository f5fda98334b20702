/*
 * cli/pool.h — a small fixed pool of pthreads that runs the blocks of
 * reputation/'s batch estimators (struct rep_parallel, parallel.h).
 *
 * pool_create() starts n_threads - 1 threads (the caller's thread is the
 * n-th); each rep_parallel run hands out blocks through an atomic counter
 * and returns when all are done.  With n_threads = 1 no thread is started
 * and blocks run in order on the caller's thread.
 *
 * Ownership: pool_create() allocates the pool; pool_free() stops and joins
 * its threads and releases it (pool_free(NULL) is a no-op).
 */
#ifndef LC_CLI_POOL_H
#define LC_CLI_POOL_H

#include "reputation/parallel.h"

#define POOL_MAX_THREADS 64

struct pool;

/* 0, or -1 (out of memory, or a thread could not be started). */
int  pool_create(int n_threads, struct pool **out);
void pool_free(struct pool *p);

/* The struct rep_parallel that runs on this pool (valid while it lives). */
const struct rep_parallel *pool_parallel(struct pool *p);

/*
 * The processors online, clamped to [1, POOL_MAX_THREADS].  Not less the
 * load average: on the shared 2-core bench host, two threads took a third
 * less time than one when the other core had room and were within the
 * run-to-run noise of one thread when it was busy; and the load average
 * counts the caller's own runs of the last minute, so it turned a quiet
 * host's second core off (bench/aggregation/RESULTS.md, threads.sh).
 */
int pool_default_threads(void);

#endif
