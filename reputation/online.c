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

#include "reputation/dawid_skene.h"
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
	/* Batch pass (stop_at_target and batch_interval > 0 only). */
	struct rep_obs	   *coll;      /* n_obs: votes collected so far */
	double		   *n_answers; /* n_workers: their number */
	struct rep_ds_model ds;	       /* over coll */
};

static void
scratch_free(struct scratch *s)
{
	free(s->start);
	free(s->order);
	free(s->count);
	free(s->closed);
	free(s->weight);
	free(s->coll);
	free(s->n_answers);
	free(s->ds.class_prior);
	free(s->ds.confusion);
	free(s->ds.item_post);
}

static int
scratch_init(struct scratch *s, const struct rep_batch *b, bool batch)
{
	size_t i, n_items = (size_t)b->n_items, *fill = NULL;
	size_t K = (size_t)b->n_labels, n_workers = (size_t)b->n_workers;

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
	if (!batch)
		return REP_OK;
	s->coll = malloc((b->n_obs ? b->n_obs : 1) * sizeof(*s->coll));
	s->n_answers = malloc((n_workers ? n_workers : 1) * sizeof(double));
	s->ds.class_prior = malloc(K * sizeof(double));
	s->ds.confusion =
	    malloc((n_workers ? n_workers : 1) * K * K * sizeof(double));
	s->ds.item_post = malloc((n_items ? n_items : 1) * K * sizeof(double));
	if (s->coll == NULL || s->n_answers == NULL ||
	    s->ds.class_prior == NULL || s->ds.confusion == NULL ||
	    s->ds.item_post == NULL)
		return REP_ERR_NOMEM;
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

/*
 * The market's batch pass over the votes counted so far (those before
 * index upto): Dawid-Skene EM over the votes on items that have at least
 * two of them (a lone vote says nothing about its voter: EM would simply
 * agree with it), each voter seen there recalibrated to Beta(prior_alpha +
 * a n, prior_beta + (1 - a) n) where a is its DS accuracy and n its number
 * of votes, and every open item re-scored with its voters' new weights
 * (its decision is taken, as in the market, when its next vote arrives).
 */
static int
batch_pass(const struct rep_batch *b, struct scratch *s, size_t upto,
    struct rep_voter *voters, const struct rep_params *p,
    struct rep_online_out *out)
{
	struct rep_batch sub = *b;
	size_t		 K = (size_t)b->n_labels, i, j, n = 0;
	int		 rc, w;

	for (w = 0; w < b->n_workers; w++)
		s->n_answers[w] = 0.0;
	for (i = 0; i < upto; i++)
		if (s->weight[i] >= 0.0 && s->count[b->obs[i].item] >= 2) {
			s->coll[n++] = b->obs[i];
			s->n_answers[b->obs[i].worker] += 1.0;
		}
	if (n == 0)
		return REP_OK;
	sub.obs = s->coll;
	sub.n_obs = n;
	if ((rc = rep_ds_run(&sub, NULL, p, &s->ds)) != 0)
		return rc;
	for (w = 0; w < b->n_workers; w++) {
		double a, m = s->n_answers[w];

		if (m <= 0.0)
			continue;
		a = rep_ds_worker_accuracy(&s->ds, b->n_labels, w);
		if (!(a >= 0.0 && a <= 1.0))
			continue;
		/* Shrunk to the prior: in (0, 1) as both priors are > 0. */
		a = (p->prior_alpha + a * m) /
		    (p->prior_alpha + p->prior_beta + m);
		if ((rc = rep_reputation_recalibrate(&voters[w], a, m, p)) != 0)
			return rc;
	}
	for (i = 0; i < (size_t)b->n_items; i++) {
		double *row = out->item_post + i * K;

		if (s->closed[i] || s->count[i] == 0)
			continue;
		rep_score_init(row, b->n_labels, NULL);
		for (j = s->start[i]; j < s->start[i + 1]; j++) {
			size_t v = s->order[j];

			if (v >= upto)
				break;
			if (s->weight[v] < 0.0)
				continue;
			s->weight[v] =
			    rep_vote_weight(&voters[b->obs[v].worker],
				b->n_labels, p);
			rep_score_add(row, b->n_labels, b->obs[v].label,
			    s->weight[v]);
		}
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
	size_t		    i, K, step = 0, next_pass = 0;
	int		    rc;
	bool		    batch;

	if (rep_batch_check(b) != 0 || rep_params_check(p) != 0 ||
	    out == NULL || (out->item_post == NULL && b->n_items > 0) ||
	    (voters == NULL && b->n_workers > 0))
		return REP_ERR_INVALID;
	K = (size_t)b->n_labels;
	if (gold_label != NULL)
		for (i = 0; i < (size_t)b->n_items; i++)
			if (gold_label[i] < -1 || gold_label[i] >= b->n_labels)
				return REP_ERR_INVALID;
	batch = stop_at_target && p->batch_interval > 0.0 && b->n_items > 0;
	if (batch) {
		double x = ceil(p->batch_interval * b->n_items);

		step = x < (double)b->n_obs ? (size_t)x : b->n_obs;
		if (step == 0)
			step = 1;
		next_pass = step;
	}
	if ((rc = scratch_init(&s, b, batch)) != 0)
		goto fail;
	for (i = 0; i < (size_t)b->n_items; i++)
		rep_score_init(out->item_post + i * K, b->n_labels, NULL);
	out->votes_used = 0;
	for (i = 0; i < b->n_obs; i++) {
		const struct rep_obs *o = &b->obs[i];
		size_t		      it = (size_t)o->item;
		double		     *row = out->item_post + it * K;

		if (batch && out->votes_used >= next_pass) {
			if ((rc = batch_pass(b, &s, i, voters, p, out)) != 0)
				goto fail;
			next_pass = out->votes_used + step;
		}
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
