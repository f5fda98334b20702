/*
 * reputation/obs.c — validation of a batch of votes (see obs.h).
 */
#include "reputation/obs.h"
#include "reputation/params.h"

int
rep_batch_check(const struct rep_batch *b)
{
	size_t i;

	if (b == NULL || b->n_items < 0 || b->n_workers < 0 ||
	    b->n_labels < REP_MIN_LABELS || b->n_labels > REP_MAX_LABELS ||
	    (b->obs == NULL && b->n_obs > 0))
		return REP_ERR_INVALID;
	for (i = 0; i < b->n_obs; i++)
		if (b->obs[i].item < 0 || b->obs[i].item >= b->n_items ||
		    b->obs[i].worker < 0 || b->obs[i].worker >= b->n_workers ||
		    b->obs[i].label < 0 || b->obs[i].label >= b->n_labels)
			return REP_ERR_INVALID;
	return REP_OK;
}
