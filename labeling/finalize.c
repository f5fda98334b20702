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
#include "labeling/db.h"
#include "labeling/finalize.h"
#include "labeling/lc_err.h"
#include "labeling/ledger.h"
#include "labeling/market.h"

const struct db_stmt finalize_stmts[] = {
	/*
	 * A finalization planned below, in the transaction of the vote that
	 * decided it (the task row is locked already) or of the batch
	 * re-estimation: the task final if it still has $15 votes (40001
	 * otherwise), its leases cancelled and votes settled, the posted
	 * movement (entries, and the balance changes queued), the voters'
	 * evidence queued, the leaf record queued.  It locks no row but the
	 * task's and its assignments'.  The caller holds the task row's lock
	 * from an earlier statement of its transaction (the vote's update,
	 * finalize_lock): this statement's snapshot must hold every lease a
	 * claim granted on the task, or a lease committed while it waited
	 * would stay active on a final task.  Parameters: task, project, final
	 * label, confidence, low, finalized_at, record, keys[], amounts[],
	 * causes[], voters[], d_alpha[], d_beta[], unverified, n_votes.
	 */
	{ "finalize_apply",
	    "WITH t AS (UPDATE tasks SET status = 'final', final_label = $3,"
	    " confidence = $4, low_confidence = $5, finalized_at = $6,"
	    " unverified = $14, need = 0, n_leases = 0 WHERE id = $1"
	    " AND status = 'open' AND n_votes = $15 RETURNING id),"
	    " a AS (UPDATE assignments SET status = CASE status WHEN 'active'"
	    " THEN 'cancelled' ELSE 'settled' END WHERE task_id = $1"
	    " AND status IN ('active', 'voted') AND EXISTS (SELECT 1 FROM t)),"
	    " m AS (SELECT nextval('ledger_movement_seq') AS id FROM t),"
	    " e AS (INSERT INTO ledger_entries (movement_id, account_key,"
	    " amount, cause, project_id, task_id) SELECT m.id, u.k, u.a, u.c,"
	    " $2, $1 FROM m, unnest($8::text[], $9::bigint[], $10::text[])"
	    " AS u(k, a, c) WHERE u.a <> 0),"
	    " q AS (INSERT INTO ledger_pending (account_key, amount)"
	    " SELECT u.k, sum(u.a) FROM t, unnest($8::text[], $9::bigint[])"
	    " AS u(k, a) GROUP BY u.k HAVING sum(u.a) <> 0),"
	    " r AS (INSERT INTO reputation_pending (account_id, project_id,"
	    " task_id, d_alpha, d_beta) SELECT u.v, $2, $1, u.a, u.b FROM t,"
	    " unnest($11::bigint[], $12::float8[], $13::float8[])"
	    " AS u(v, a, b) WHERE u.a <> 0 OR u.b <> 0),"
	    " l AS (INSERT INTO log_pending (task_id, project_id, record)"
	    " SELECT $1, $2, $7 FROM t)"
	    " SELECT lc_require(EXISTS (SELECT 1 FROM t), '40001',"
	    " 'the task changed since it was read')" },
	/* The task's row, locked for a finalize_apply that follows. */
	{ "finalize_lock", "SELECT 1 FROM tasks WHERE id = $1 FOR UPDATE" },
	{ NULL, NULL }
};

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

/*
 * The evidence the final gives its voters: none on a gold task (each
 * answer was judged when it came), by leave-one-out sureness in the live
 * market (reputation/live.h), else agreement weighted by the confidence.
 */
static int
finalize_evidence(const struct finalize_in *in, struct finalize_plan *out,
    const int *labels, const double *weights)
{
	size_t i;

	if (in->gold_label >= 0) {
		for (i = 0; i < in->n_voters; i++)
			out->d_alpha[i] = out->d_beta[i] = 0.0;
		return 0;
	}
	if (in->params->loo_evidence)
		return rep_reputation_evidence_loo(labels, weights,
		    in->n_voters, in->n_labels, out->final_label, in->params,
		    out->d_alpha, out->d_beta);
	return rep_reputation_evidence(labels, in->n_voters, in->n_labels,
	    out->final_label, out->confidence, false, in->params, out->d_alpha,
	    out->d_beta);
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
finalize_verified(const struct finalize_voter *v, int n_labels,
    const struct rep_params *p)
{
	return v->gold_right >= FINALIZE_VERIFIED_GOLD &&
	    !rep_gold_banned(v->gold_right, v->gold_wrong, n_labels, p);
}

int
finalize_decide(const struct rep_params *p, int n_labels, int gold_label,
    struct finalize_voter *voters, size_t n, double *post,
    struct rep_decision *d)
{
	struct rep_vote	 votes[LC_MAX_VOTES_PER_TASK] = { { 0 } };
	struct rep_voter rv;
	size_t		 i, n_w = 0, count[LC_MAX_LABELS];
	int		 k;

	if (n > LC_MAX_VOTES_PER_TASK || n_labels < LC_MIN_LABELS ||
	    n_labels > LC_MAX_LABELS || gold_label >= n_labels)
		return LC_ERR_INTERNAL;
	for (i = 0; i < n; i++) {
		if (voters[i].label < 0 || voters[i].label >= n_labels)
			return LC_ERR_INTERNAL;
		rv.alpha = voters[i].alpha;
		rv.beta = voters[i].beta;
		rv.stake = voters[i].stake_w;
		voters[i].weight = rep_gold_banned(voters[i].gold_right,
				       voters[i].gold_wrong, n_labels, p)
		    ? 0.0
		    : rep_vote_weight(&rv, n_labels, p);
		votes[i].label = voters[i].label;
		votes[i].weight = voters[i].weight;
		if (voters[i].weight > 0.0)
			n_w++;
	}
	/* The votes still to come may be the weightiest the market allows
	 * (accuracy_max, full stake): a task stops for futility only when
	 * even such votes could hardly overturn it — not when they are
	 * assumed as weak as the first voters, who may be the worst.  A task
	 * whose voters weigh nothing never stops so (finalize.h). */
	if (rep_posterior(votes, n, n_labels, NULL, post) != 0 ||
	    rep_finalize_decide_futile(post, n_labels, (int)n,
		gold_label < 0 && n_w > 0
		    ? rep_accuracy_logodds(p->accuracy_max, n_labels, p) /
			p->temperature
		    : 0.0,
		p, d) != 0)
		return LC_ERR_INTERNAL;
	/* Labels the weights cannot tell apart (voters who weigh nothing
	 * yet): the one with the most votes. */
	for (k = 0; k < n_labels; k++)
		count[k] = 0;
	for (i = 0; i < n; i++)
		count[voters[i].label]++;
	for (k = 0; k < n_labels; k++)
		if (post[k] >= post[d->label] - 1e-12 &&
		    count[k] > count[d->label])
			d->label = k;
	/* A control: its label is known, so it is only done when every
	 * answer it may take is in. */
	if (gold_label >= 0)
		d->state =
		    (int)n >= p->max_votes ? REP_TASK_FINAL : REP_TASK_OPEN;
	return 0;
}

int
finalize_plan(const struct finalize_in *in, struct finalize_plan *out)
{
	int	labels[LC_MAX_VOTES_PER_TASK];
	double	weights[LC_MAX_VOTES_PER_TASK];
	int64_t stakes[LC_MAX_VOTES_PER_TASK];
	char	reserved[LEDGER_KEY_LEN], escrow[LEDGER_KEY_LEN];
	int64_t paid, slashed;
	double	wmax;
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

	/* A final carried by no weight at all pays nobody in the live
	 * market (a control's right answers are paid all the same): the
	 * reward returns to the project. */
	for (wmax = 0.0, i = 0; i < n; i++)
		if (labels[i] == out->final_label && weights[i] > wmax)
			wmax = weights[i];
	if (!gold && !in->params->pay_unweighted && !(wmax > 0.0)) {
		for (i = 0; i < n; i++)
			out->shares[i] = 0;
		paid = 0;
	} else if (rep_reward_shares(labels, weights, n, out->final_label,
		       in->reward, out->shares, &paid) != 0)
		return LC_ERR_INTERNAL;
	if (rep_slash_amounts(labels, stakes, n, out->final_label,
		out->confidence, out->low_confidence, gold, in->params,
		out->slashes, &slashed) != 0 ||
	    finalize_evidence(in, out, labels, weights) != 0)
		return LC_ERR_INTERNAL;
	/* Supported by no labeler who has passed the project's controls. */
	out->unverified = !gold;
	for (i = 0; i < n && out->unverified; i++)
		if (labels[i] == out->final_label && weights[i] > 0.0 &&
		    finalize_verified(&in->voters[i], in->n_labels, in->params))
			out->unverified = 0;
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

int
finalize_apply_params(const struct finalize_in *in,
    const struct finalize_plan *plan, int n_votes,
    struct finalize_apply_params *f)
{
	const char *keys[FINALIZE_MAX_ENTRIES];
	int64_t	    ids[LC_MAX_VOTES_PER_TASK];
	size_t	    i, n = in->n_voters;

	for (i = 0; i < plan->n_entries; i++)
		keys[i] = plan->keys[i];
	for (i = 0; i < n; i++)
		ids[i] = in->voters[i].account_id;
	if (market_array_text(f->keys, sizeof(f->keys), keys,
		plan->n_entries) ||
	    market_array_i64(f->amounts, sizeof(f->amounts), plan->amounts,
		plan->n_entries) ||
	    market_array_text(f->causes, sizeof(f->causes), plan->causes,
		plan->n_entries) ||
	    market_array_i64(f->voters, sizeof(f->voters), ids, n) ||
	    market_array_f64(f->d_alpha, sizeof(f->d_alpha), plan->d_alpha,
		n) ||
	    market_array_f64(f->d_beta, sizeof(f->d_beta), plan->d_beta, n))
		return LC_ERR_INTERNAL;
	f->v[0] = market_i64(f->task, in->task_id);
	f->v[1] = market_i64(f->project, in->project_id);
	f->v[2] = market_i64(f->label, plan->final_label);
	f->v[3] = market_f64(f->conf, plan->confidence);
	f->v[4] = plan->low_confidence ? "true" : "false";
	f->v[5] = in->finalized_at;
	f->v[6] = plan->record;
	f->v[7] = f->keys;
	f->v[8] = f->amounts;
	f->v[9] = f->causes;
	f->v[10] = f->voters;
	f->v[11] = f->d_alpha;
	f->v[12] = f->d_beta;
	f->v[13] = plan->unverified ? "true" : "false";
	f->v[14] = market_i64(f->n_votes, n_votes);
	return 0;
}
