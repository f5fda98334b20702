/*
 * reputation/vote_index.c — votes grouped by item and by worker (see
 * vote_index.h).
 */
#include <stdlib.h>
#include <string.h>

#include "reputation/params.h"
#include "reputation/vote_index.h"

void
rep_vote_index_free(struct rep_vote_index *ix)
{
	if (ix == NULL)
		return;
	free(ix->item_start);
	free(ix->item_votes);
	free(ix->worker_start);
	free(ix->worker_votes);
	memset(ix, 0, sizeof(*ix));
}

/* Counts to row starts: start[r] = Σ_{r' < r} count[r'], in place. */
static void
prefix_sums(size_t *start, int n_rows)
{
	size_t sum = 0, c;
	int    r;

	for (r = 0; r <= n_rows; r++) {
		c = start[r];
		start[r] = sum;
		sum += c;
	}
}

int
rep_vote_index_build(const struct rep_batch *b, struct rep_vote_index *ix)
{
	size_t *fill_i = NULL, *fill_w = NULL, j, n;
	int	rc = REP_ERR_NOMEM;

	if (ix == NULL)
		return REP_ERR_INVALID;
	memset(ix, 0, sizeof(*ix));
	if (rep_batch_check(b) != 0 || b->n_items > REP_INDEX_MAX ||
	    b->n_workers > REP_INDEX_MAX || b->n_obs >= UINT32_MAX)
		return REP_ERR_INVALID;
	n = b->n_obs;
	ix->n_items = b->n_items;
	ix->n_workers = b->n_workers;
	ix->n_labels = b->n_labels;
	ix->n_obs = n;
	ix->item_start = calloc((size_t)b->n_items + 1, sizeof(size_t));
	ix->worker_start = calloc((size_t)b->n_workers + 1, sizeof(size_t));
	ix->item_votes = malloc((n ? n : 1) * sizeof(uint32_t));
	ix->worker_votes = malloc((n ? n : 1) * sizeof(uint32_t));
	if (ix->item_start == NULL || ix->worker_start == NULL ||
	    ix->item_votes == NULL || ix->worker_votes == NULL)
		goto fail;
	for (j = 0; j < n; j++) {
		ix->item_start[b->obs[j].item]++;
		ix->worker_start[b->obs[j].worker]++;
	}
	prefix_sums(ix->item_start, b->n_items);
	prefix_sums(ix->worker_start, b->n_workers);
	fill_i = malloc(((size_t)b->n_items + 1) * sizeof(size_t));
	fill_w = malloc(((size_t)b->n_workers + 1) * sizeof(size_t));
	if (fill_i == NULL || fill_w == NULL)
		goto fail;
	memcpy(fill_i, ix->item_start, (size_t)b->n_items * sizeof(size_t));
	memcpy(fill_w, ix->worker_start, (size_t)b->n_workers * sizeof(size_t));
	for (j = 0; j < n; j++) {
		const struct rep_obs *o = &b->obs[j];

		ix->item_votes[fill_i[o->item]++] = (uint32_t)o->worker
			<< REP_INDEX_LABEL_BITS |
		    (uint32_t)o->label;
		ix->worker_votes[fill_w[o->worker]++] = (uint32_t)o->item
			<< REP_INDEX_LABEL_BITS |
		    (uint32_t)o->label;
	}
	free(fill_i);
	free(fill_w);
	return REP_OK;
fail:
	free(fill_i);
	free(fill_w);
	rep_vote_index_free(ix);
	return rc;
}
