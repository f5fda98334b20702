/*
 * reputation/parallel.h — how the batch estimators use more than one core
 * without the library starting a thread.
 *
 * The estimators split each pass into fixed blocks (of items or of
 * workers) and ask the caller to run them: struct rep_parallel is a
 * "parallel for" the caller provides (cli/pool.c runs it on pthreads).
 * Every block writes only its own outputs and its own partial sums, and
 * partial sums are added in block order afterwards, so the result is the
 * same bit for bit whatever the number of threads, or none.
 *
 * Pure: no threads, no I/O, no globals, no allocation.
 */
#ifndef REP_PARALLEL_H
#define REP_PARALLEL_H

typedef void (*rep_block_fn)(void *arg, int block);

struct rep_parallel {
	/*
	 * Run fn(arg, b) once for every b in [0, n_blocks), in any order and
	 * on any threads, and return when all have returned.
	 */
	void (*run)(void *ctx, int n_blocks, rep_block_fn fn, void *arg);
	void *ctx;
};

/* fn over [0, n_blocks): through par->run, or here in order when par is NULL. */
void rep_parallel_for(const struct rep_parallel *par, int n_blocks,
    rep_block_fn fn, void *arg);

#endif
