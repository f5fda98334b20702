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

/*
 * The item side: a stable counting sort of the batch by item.  Returns 0 or
 * REP_ERR_NOMEM.
 */
static int
build_items(const struct rep_batch *b, struct rep_vote_index *ix)
{
	size_t *fill, j;

	for (j = 0; j < b->n_obs; j++)
		ix->item_start[b->obs[j].item]++;
	prefix_sums(ix->item_start, b->n_items);
	if ((fill = malloc(((size_t)b->n_items + 1) * sizeof(size_t))) == NULL)
		return REP_ERR_NOMEM;
	memcpy(fill, ix->item_start, (size_t)b->n_items * sizeof(size_t));
	for (j = 0; j < b->n_obs; j++) {
		const struct rep_obs *o = &b->obs[j];

		ix->item_votes[fill[o->item]++] = (uint32_t)o->worker
			<< REP_INDEX_LABEL_BITS |
		    (uint32_t)o->label;
	}
	free(fill);
	return REP_OK;
}

/*
 * The worker side, from the item side: each worker's votes by item (then
 * batch order), the order in which an item-major pass meets them.
 */
static int
build_workers(const struct rep_batch *b, struct rep_vote_index *ix)
{
	size_t	*fill, j;
	uint32_t v;
	int	 i;

	for (j = 0; j < b->n_obs; j++)
		ix->worker_start[b->obs[j].worker]++;
	prefix_sums(ix->worker_start, b->n_workers);
	if ((fill = malloc(((size_t)b->n_workers + 1) * sizeof(size_t))) ==
	    NULL)
		return REP_ERR_NOMEM;
	memcpy(fill, ix->worker_start, (size_t)b->n_workers * sizeof(size_t));
	for (i = 0; i < b->n_items; i++)
		for (j = ix->item_start[i]; j < ix->item_start[i + 1]; j++) {
			v = ix->item_votes[j];
			ix->worker_votes[fill[v >> REP_INDEX_LABEL_BITS]++] =
			    (uint32_t)i << REP_INDEX_LABEL_BITS |
			    (v & REP_INDEX_LABEL_MASK);
		}
	free(fill);
	return REP_OK;
}

int
rep_vote_index_build(const struct rep_batch *b, struct rep_vote_index *ix)
{
	size_t n;
	int    rc = REP_ERR_NOMEM;

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
	if (ix->item_start != NULL && ix->worker_start != NULL &&
	    ix->item_votes != NULL && ix->worker_votes != NULL &&
	    (rc = build_items(b, ix)) == REP_OK)
		rc = build_workers(b, ix);
	if (rc != REP_OK)
		rep_vote_index_free(ix);
	return rc;
}
