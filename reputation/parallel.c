/*
 * reputation/parallel.c — the serial fallback of the caller's parallel for
 * (see parallel.h).
 */
#include <stddef.h>

#include "reputation/parallel.h"

void
rep_parallel_for(const struct rep_parallel *par, int n_blocks, rep_block_fn fn,
    void *arg)
{
	int b;

	if (par != NULL && par->run != NULL) {
		par->run(par->ctx, n_blocks, fn, arg);
		return;
	}
	for (b = 0; b < n_blocks; b++)
		fn(arg, b);
}
