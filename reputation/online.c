/*
 * reputation/online.c — replay of the online market model over a batch
 * (see online.h).
 *
 * Votes are grouped by item once (counting sort into scratch arrays) so
 * that an item's voters can be updated when it finalizes; everything else
 * is the per-vote path of the market: weight, score, decide.
 */
#include <math.h>
#include <stdlib.h>

#include "reputation/finalize.h"
#include "reputation/online.h"
#include "reputation/posterior.h"
#include "reputation/update.h"

struct scratch {
	size_t	      *start;  /* n_items + 1: CSR offsets */
	size_t	      *order;  /* n_obs: vote indices by item */
	int	      *count;  /* n_items: votes used */
	unsigned char *closed; /* n_items */
	double	      *weight; /* n_obs: weight given, -1 unused */
};

static void
scratch_free(struct scratch *s)
{
	free(s->start);
	free(s->order);
	free(s->count);
	free(s->closed);
	free(s->weight);
}

static int
scratch_init(struct scratch *s, const struct rep_batch *b)
{
	size_t i, n_items = (size_t)b->n_items, *fill = NULL;

	s->start = calloc(n_items + 1, sizeof(*s->start));
	s->order = malloc((b->n_obs ? b->n_obs : 1) * sizeof(*s->order));
	s->count = calloc(n_items ? n_items : 1, sizeof(*s->count));
	s->closed = calloc(n_items ? n_items : 1, 1);
	s->weight = malloc((b->n_obs ? b->n_obs : 1) * sizeof(*s->weight));
	if (s->start == NULL || s->order == NULL || s->count == NULL ||
	    s->closed == NULL || s->weight == NULL)
		return REP_ERR_NOMEM;
	for (i = 0; i < b->n_obs; i++)
		s->start[b->obs[i].item + 1]++;
	for (i = 0; i < n_items; i++) {
		s->start[i + 1] += s->start[i];
	}
	if ((fill = malloc((n_items ? n_items : 1) * sizeof(*fill))) == NULL)
		return REP_ERR_NOMEM;
	for (i = 0; i < n_items; i++)
		fill[i] = s->start[i];
	for (i = 0; i < b->n_obs; i++)
		s->order[fill[b->obs[i].item]++] = i;
	free(fill);
	for (i = 0; i < b->n_obs; i++)
		s->weight[i] = -1.0;
	return REP_OK;
}

/* Close item i: posterior, decision, reputation update of its voters. */
static int
finalize_item(const struct rep_batch *b, struct scratch *s, size_t i,
    struct rep_voter *voters, const int *gold_label, bool forced,
    const struct rep_params *p, struct rep_online_out *out)
{
	struct rep_decision d;
	double		   *row = out->item_post + i * b->n_labels;
	size_t		    j;
	int		    rc, truth;

	if ((rc = rep_score_posterior(row, b->n_labels, row)) != 0)
		return rc;
	if ((rc = rep_finalize_decide(row, b->n_labels, s->count[i], p, &d)) !=
	    0)
		return rc;
	if (forced && d.state == REP_TASK_OPEN)
		d.state = REP_TASK_FINAL_LOW_CONFIDENCE;
	s->closed[i] = 1;
	if (out->item_state != NULL)
		out->item_state[i] = (int)d.state;
	truth = gold_label != NULL ? gold_label[i] : -1;
	for (j = s->start[i]; j < s->start[i + 1]; j++) {
		size_t v = s->order[j];
		int    label = b->obs[v].label;

		if (s->weight[v] < 0.0)
			continue;
		if (truth >= 0)
			rc = rep_reputation_update(&voters[b->obs[v].worker],
			    &label, 1, b->n_labels, truth, 1.0, true, p);
		else
			rc = rep_reputation_update(&voters[b->obs[v].worker],
			    &label, 1, b->n_labels, d.label, d.confidence,
			    false, p);
		if (rc != 0)
			return rc;
	}
	return REP_OK;
}

int
rep_online_replay(const struct rep_batch *b, struct rep_voter *voters,
    const int *gold_label, bool stop_at_target, const struct rep_params *p,
    struct rep_online_out *out)
{
	struct scratch	    s = { 0 };
	struct rep_decision d;
	double		    post[REP_MAX_LABELS];
	size_t		    i, K;
	int		    rc;

	if (rep_batch_check(b) != 0 || rep_params_check(p) != 0 ||
	    out == NULL || (out->item_post == NULL && b->n_items > 0) ||
	    (voters == NULL && b->n_workers > 0))
		return REP_ERR_INVALID;
	K = (size_t)b->n_labels;
	if (gold_label != NULL)
		for (i = 0; i < (size_t)b->n_items; i++)
			if (gold_label[i] < -1 || gold_label[i] >= b->n_labels)
				return REP_ERR_INVALID;
	if ((rc = scratch_init(&s, b)) != 0)
		goto fail;
	for (i = 0; i < (size_t)b->n_items; i++)
		rep_score_init(out->item_post + i * K, b->n_labels, NULL);
	out->votes_used = 0;
	for (i = 0; i < b->n_obs; i++) {
		const struct rep_obs *o = &b->obs[i];
		size_t		      it = (size_t)o->item;
		double		     *row = out->item_post + it * K;

		if (s.closed[it])
			continue;
		s.weight[i] =
		    rep_vote_weight(&voters[o->worker], b->n_labels, p);
		rep_score_add(row, b->n_labels, o->label, s.weight[i]);
		s.count[it]++;
		out->votes_used++;
		if (stop_at_target) {
			if ((rc = rep_score_posterior(row, b->n_labels,
				 post)) != 0)
				goto fail;
			if ((rc = rep_finalize_decide(post, b->n_labels,
				 s.count[it], p, &d)) != 0)
				goto fail;
			if (d.state != REP_TASK_OPEN) {
				if ((rc = finalize_item(b, &s, it, voters,
					 gold_label, false, p, out)) != 0)
					goto fail;
				continue;
			}
		}
		if (s.order[s.start[it + 1] - 1] == i &&
		    (rc = finalize_item(b, &s, it, voters, gold_label, true, p,
			 out)) != 0)
			goto fail;
	}
	/* Items without votes: uniform posterior, state open. */
	for (i = 0; i < (size_t)b->n_items; i++) {
		if (s.closed[i])
			continue;
		rep_score_posterior(out->item_post + i * K, b->n_labels,
		    out->item_post + i * K);
		if (out->item_state != NULL)
			out->item_state[i] = REP_TASK_OPEN;
	}
	for (i = 0; i < (size_t)b->n_items; i++)
		if (out->item_votes != NULL)
			out->item_votes[i] = s.count[i];
	for (i = 0; i < b->n_obs; i++)
		if (out->vote_weight != NULL)
			out->vote_weight[i] =
			    s.weight[i] < 0.0 ? 0.0 : s.weight[i];
	rc = REP_OK;
fail:
	scratch_free(&s);
	return rc;
}
