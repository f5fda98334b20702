/*
 * labeling/finalize.c — the plan of a task's finalization (finalize.h).
 *
 * Pure apart from allocating the leaf record: reputation/ does the
 * arithmetic (reward split, slashes, reputation updates), anchor/leaf.c the
 * canonical record; this file turns their numbers into one ledger
 * movement.  Exactness: the shares sum to what was paid (Hamilton's
 * method), paid plus returned is the reward reserved for the task, and every slash and release
 * comes out of the bond or stake it is credited from, so the movement sums
 * to zero by construction — and lc_ledger_move() checks it again.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchor/anchor_err.h"
#include "anchor/leaf.h"
#include "labeling/finalize.h"
#include "labeling/lc_err.h"
#include "labeling/ledger.h"

/* Append one entry to the plan's movement (amount 0 is left out). */
static void
finalize_entry(struct finalize_plan *p, const char *key, int64_t amount,
    const char *cause)
{
	if (amount == 0)
		return;
	snprintf(p->keys[p->n_entries], LEDGER_KEY_LEN, "%s", key);
	p->amounts[p->n_entries] = amount;
	p->causes[p->n_entries] = cause;
	p->n_entries++;
}

static void
finalize_voter_entries(struct finalize_plan *p, const struct finalize_voter *v,
    int64_t share, int64_t slash)
{
	char bal[LEDGER_KEY_LEN], bond[LEDGER_KEY_LEN], stake[LEDGER_KEY_LEN];
	char sink[LEDGER_KEY_LEN];

	ledger_key_account(bal, v->account_id, "balance");
	ledger_key_account(bond, v->account_id, "bond");
	ledger_key_account(stake, v->account_id, "stake");
	ledger_key_account(sink, v->account_id, "slashed");
	finalize_entry(p, bal, share, "reward");
	finalize_entry(p, bond, -slash, "slash");
	finalize_entry(p, sink, slash, "slash");
	if (v->bond > slash) {
		finalize_entry(p, bond, -(v->bond - slash), "unbond");
		finalize_entry(p, stake, v->bond - slash, "unbond");
	}
}

static int
finalize_record(const struct finalize_in *in, struct finalize_plan *out)
{
	struct leaf_vote   votes[LC_MAX_VOTES_PER_TASK];
	struct leaf_record r;
	size_t		   i;
	int		   rc;

	for (i = 0; i < in->n_voters; i++) {
		votes[i].key = in->voters[i].public_key;
		votes[i].label = in->labels[in->voters[i].label];
		votes[i].sig = in->voters[i].signature;
	}
	memset(&r, 0, sizeof(r));
	r.project = in->project_id;
	r.task = in->task_id;
	r.data_sha256 = in->data_sha256;
	r.label = in->labels[out->final_label];
	r.confidence_bp = (uint32_t)rep_confidence_bp(out->confidence);
	r.votes = votes;
	r.n_votes = in->n_voters;
	r.finalized_at = in->finalized_at;
	rc = leaf_record_json_alloc(&r, &out->record, &out->record_len);
	if (rc == ANCHOR_ENOMEM)
		return LC_ERR_NOMEM;
	return rc == 0 ? 0 : LC_ERR_INTERNAL;
}

int
finalize_plan(const struct finalize_in *in, struct finalize_plan *out)
{
	int	labels[LC_MAX_VOTES_PER_TASK];
	double	weights[LC_MAX_VOTES_PER_TASK];
	int64_t stakes[LC_MAX_VOTES_PER_TASK];
	char	reserved[LEDGER_KEY_LEN], escrow[LEDGER_KEY_LEN];
	int64_t paid, slashed;
	size_t	i, n = in->n_voters;
	bool	gold = in->gold_label >= 0;
	int	rc;

	memset(out, 0, sizeof(*out));
	if (n == 0 || n > LC_MAX_VOTES_PER_TASK || in->reward < 0 ||
	    in->gold_label >= in->n_labels)
		return LC_ERR_INTERNAL;
	out->final_label = gold ? in->gold_label : in->decision.label;
	out->confidence = in->post[out->final_label];
	out->low_confidence =
	    !gold && in->decision.state == REP_TASK_FINAL_LOW_CONFIDENCE;
	for (i = 0; i < n; i++) {
		if (in->voters[i].label < 0 ||
		    in->voters[i].label >= in->n_labels ||
		    in->voters[i].bond < 0 || in->voters[i].stake_w < 0)
			return LC_ERR_INTERNAL;
		labels[i] = in->voters[i].label;
		weights[i] = in->voters[i].weight;
		stakes[i] = in->voters[i].stake_w;
	}

	if (rep_reward_shares(labels, weights, n, out->final_label, in->reward,
		out->shares, &paid) != 0 ||
	    rep_slash_amounts(labels, stakes, n, out->final_label,
		out->confidence, out->low_confidence, gold, in->params,
		out->slashes, &slashed) != 0 ||
	    rep_reputation_evidence(labels, n, in->n_labels, out->final_label,
		out->confidence, gold, in->params, out->d_alpha,
		out->d_beta) != 0)
		return LC_ERR_INTERNAL;
	for (i = 0; i < n; i++) {
		/* A slash never exceeds the bond it is taken from: the posted
		 * movement may debit only what was reserved for it. */
		if (out->slashes[i] > in->voters[i].bond)
			return LC_ERR_INTERNAL;
		finalize_voter_entries(out, &in->voters[i], out->shares[i],
		    out->slashes[i]);
	}
	ledger_key_reserved(reserved, in->project_id);
	ledger_key_escrow(escrow, in->project_id);
	finalize_entry(out, reserved, -paid, "reward");
	finalize_entry(out, reserved, -(in->reward - paid), "return");
	finalize_entry(out, escrow, in->reward - paid, "return");

	if ((rc = finalize_record(in, out)) != 0)
		return rc;
	return 0;
}

void
finalize_plan_free(struct finalize_plan *plan)
{
	if (plan == NULL)
		return;
	free(plan->record);
	plan->record = NULL;
}
