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

/* Fill one side of the index: rows by item (side 0) or by worker (1). */
struct build {
	const struct rep_batch *b;
	struct rep_vote_index  *ix;
	int			rc[2];
};

static void
build_side(void *arg, int side)
{
	struct build	       *bd = arg;
	const struct rep_batch *b = bd->b;
	size_t		       *start, *fill, j;
	uint32_t	       *votes;
	int			n_rows;

	start = side == 0 ? bd->ix->item_start : bd->ix->worker_start;
	votes = side == 0 ? bd->ix->item_votes : bd->ix->worker_votes;
	n_rows = side == 0 ? b->n_items : b->n_workers;
	for (j = 0; j < b->n_obs; j++)
		start[side == 0 ? b->obs[j].item : b->obs[j].worker]++;
	prefix_sums(start, n_rows);
	if ((fill = malloc(((size_t)n_rows + 1) * sizeof(size_t))) == NULL) {
		bd->rc[side] = REP_ERR_NOMEM;
		return;
	}
	memcpy(fill, start, (size_t)n_rows * sizeof(size_t));
	for (j = 0; j < b->n_obs; j++) {
		const struct rep_obs *o = &b->obs[j];
		uint32_t other = (uint32_t)(side == 0 ? o->worker : o->item);

		votes[fill[side == 0 ? o->item : o->worker]++] =
		    other << REP_INDEX_LABEL_BITS | (uint32_t)o->label;
	}
	free(fill);
	bd->rc[side] = REP_OK;
}

int
rep_vote_index_build(const struct rep_batch *b, const struct rep_parallel *par,
    struct rep_vote_index *ix)
{
	struct build bd = { b, ix, { REP_ERR_NOMEM, REP_ERR_NOMEM } };
	size_t	     n;

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
	    ix->item_votes != NULL && ix->worker_votes != NULL)
		rep_parallel_for(par, 2, build_side, &bd);
	if (bd.rc[0] != REP_OK || bd.rc[1] != REP_OK) {
		rep_vote_index_free(ix);
		return REP_ERR_NOMEM;
	}
	return REP_OK;
}
