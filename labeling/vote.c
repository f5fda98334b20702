/*
 * labeling/vote.c — signed votes (vote.h).
 *
 * A vote is four steps a reader can check one at a time:
 *
 *   1. vote_read()    one statement: the lease, the voter (key, free and
 *                     bonded stake, reputation), the project, the task and
 *                     every vote on it so far, in one snapshot;
 *   2. vote_check()   the lease is the caller's and live, the label is the
 *                     project's, the signature verifies — before any
 *                     transaction;
 *   3. vote_decide()  pure: the stake the vote is weighted with and the
 *                     bond it holds, its weight, the task's posterior and
 *                     the finalization rule, and when final the plan of
 *                     finalize.h;
 *   4. vote_apply()   one pipelined transaction: the vote's statement,
 *                     the finalization's when final, then lc_claim when
 *                     the next task was asked for.
 *
 * Step 4 refuses (40001) when the task got another vote since step 1, or a
 * voter's reputation changed, and (LC001) when the stake to bond has been
 * unstaked meanwhile: the vote is then computed again from a fresh read.
 * The transaction never waits on the network, and the locks it takes are
 * those of the lock order written down in labeling/project.c: its task,
 * then the task's assignments, then the voter's stake row; a finalization
 * also checks the task's project (KEY SHARE), which never waits on an
 * owner operation, and a "next" claim takes the voter's claim lock last.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labeling/auth.h"
#include "labeling/db.h"
#include "labeling/finalize.h"
#include "labeling/lc_err.h"
#include "labeling/limits.h"
#include "labeling/market.h"
#include "labeling/vote.h"
#include "reputation/reputation.h"

/* Columns of vote_context: the lease, voter, project and task, repeated on
 * every row, then one vote of the task per row (NULL when none). */
enum {
	VC_TASK,
	VC_PROJECT,
	VC_ACCOUNT,
	VC_STATUS,
	VC_LIVE,
	VC_KEY,
	VC_P_STATUS,
	VC_LABELS,
	VC_MIN_VOTES,
	VC_MAX_VOTES,
	VC_CONFIDENCE,
	VC_STAKE_REF,
	VC_T_STATUS,
	VC_N_VOTES,
	VC_GOLD,
	VC_DATA_SHA,
	VC_REWARD,
	VC_FREE,
	VC_BONDED,
	VC_ALPHA,
	VC_BETA,
	VC_NOW,
	VC_V_ACCOUNT,
	VC_V_LABEL,
	VC_V_WEIGHT,
	VC_V_STAKE_W,
	VC_V_BOND,
	VC_V_KEY,
	VC_V_SIG,
	VC_V_ALPHA,
	VC_V_BETA,
	VC_GOLD_RIGHT,
	VC_GOLD_WRONG,
	VC_V_GOLD_RIGHT,
	VC_V_GOLD_WRONG,
	VC_TEMPERATURE,
	VC_FUTILITY,
};

const struct db_stmt vote_stmts[] = {
	{ "vote_context",
	    "SELECT a.task_id, a.project_id, a.account_id, a.status,"
	    " a.expires_at > now(), acc.public_key,"
	    " p.status, array_to_string(p.labels, E'\\n'), p.min_votes,"
	    " p.max_votes, p.confidence, p.stake_ref,"
	    " t.status, t.n_votes, t.gold_label, t.data_sha256,"
	    " CASE WHEN t.funded THEN p.reward_per_task ELSE 0 END,"
	    " (SELECT balance FROM ledger_accounts"
	    " WHERE key = 'a/' || a.account_id || '/stake'),"
	    " (SELECT balance FROM ledger_accounts"
	    " WHERE key = 'a/' || a.account_id || '/bond'),"
	    " r.alpha, r.beta, " SQL_TS(
		"now()") ","
			 " v.account_id, v.label, v.weight, v.stake_w, v.bond,"
			 " v.public_key, v.signature, vr.alpha, vr.beta,"
			 " coalesce(r.gold_right, 0), coalesce(r.gold_wrong, 0),"
			 " vr.gold_right, vr.gold_wrong, p.temperature,"
			 " p.futility"
			 " FROM assignments a"
			 " JOIN accounts acc ON acc.id = a.account_id"
			 " JOIN projects p ON p.id = a.project_id"
			 " JOIN tasks t ON t.id = a.task_id"
			 " LEFT JOIN reputations r ON r.account_id = a.account_id"
			 " AND r.project_id = a.project_id"
			 " LEFT JOIN votes v ON v.task_id = a.task_id"
			 " LEFT JOIN reputations vr ON vr.account_id = v.account_id"
			 " AND vr.project_id = a.project_id"
			 " WHERE a.id = $1 ORDER BY v.account_id" },
	/*
	 * One vote, computed from a read of the task at n_votes = $5: the
	 * task first (40001 if another vote came in between), then the lease
	 * (LC003 expired, LC002 given up), the vote row, and the bond: the
	 * debit of the voter's free stake applied now and checked (LC001),
	 * the credit of the bond account posted.  Lock order: task,
	 * assignment, the voter's stake row.  Parameters: assignment,
	 * account, task, project, n_votes, need, label, public key,
	 * signature, weight, stake weighted with, bond, alpha, beta, and
	 * the evidence of a gold answer (d_alpha, d_beta, right 1 / wrong
	 * -1 / none 0), queued with the vote.
	 */
	{ "vote_apply",
	    "WITH t AS (UPDATE tasks SET n_votes = n_votes + 1, need = $6,"
	    " n_leases = n_leases - 1 WHERE id = $3 AND status = 'open'"
	    " AND n_votes = $5 RETURNING id),"
	    " a AS (UPDATE assignments SET status = 'voted' WHERE id = $1"
	    " AND account_id = $2 AND task_id = $3 AND status = 'active'"
	    " AND expires_at > now() AND EXISTS (SELECT 1 FROM t)"
	    " RETURNING id),"
	    " v AS (INSERT INTO votes (project_id, task_id, assignment_id,"
	    " account_id, label, public_key, signature, weight, stake_w, bond,"
	    " alpha, beta) SELECT $4, $3, a.id, $2, $7, $8, $9, $10, $11,"
	    " $12, $13, $14 FROM a),"
	    " s AS (UPDATE ledger_accounts SET balance = balance - $12::bigint"
	    " WHERE key = 'a/' || $2 || '/stake' AND $12::bigint > 0"
	    " AND balance >= $12::bigint AND EXISTS (SELECT 1 FROM a)"
	    " RETURNING 1),"
	    " m AS (SELECT nextval('ledger_movement_seq') AS id FROM s),"
	    " e AS (INSERT INTO ledger_entries (movement_id, account_key,"
	    " amount, cause, project_id, task_id) SELECT m.id, x.k, x.a,"
	    " 'bond', $4, $3 FROM m, (VALUES ('a/' || $2 || '/stake',"
	    " -$12::bigint), ('a/' || $2 || '/bond', $12::bigint)) AS x(k, a)),"
	    " q AS (INSERT INTO ledger_pending (account_key, amount)"
	    " SELECT 'a/' || $2 || '/bond', $12::bigint FROM s),"
	    " g AS (INSERT INTO reputation_pending (account_id, project_id,"
	    " task_id, d_alpha, d_beta, gold) SELECT $2, $4, $3, $15, $16, $17"
	    " FROM a WHERE $17::int <> 0)"
	    " SELECT lc_require(EXISTS (SELECT 1 FROM t), '40001',"
	    " 'the task changed since it was read'),"
	    " CASE WHEN EXISTS (SELECT 1 FROM t) AND NOT EXISTS (SELECT 1"
	    " FROM a) THEN lc_lease_refused($1) END,"
	    " lc_require($12::bigint = 0 OR EXISTS (SELECT 1 FROM s), 'LC001',"
	    " 'the free stake no longer holds the bond')" },
	{ NULL, NULL }
};

/* Everything step 1 reads; strings point into res. */
struct vote_ctx {
	PGresult	 *res;
	int64_t		  task_id;
	int64_t		  project_id;
	int64_t		  account_id;
	const char	 *status; /* of the lease */
	int		  live;
	const char	 *public_key;
	const char	 *project_status;
	char		  labels_buf[LC_MAX_LABELS * (LC_MAX_LABEL_BYTES + 1)];
	const char	 *labels[LC_MAX_LABELS];
	int		  n_labels;
	struct rep_params rp;
	const char	 *task_status;
	int		  n_votes;
	int		  gold_label; /* -1: none */
	const char	 *data_sha256;
	int64_t		  reward;
	int64_t		  free_stake;
	int64_t		  bonded;
	double		  alpha; /* the voter's reputation (the prior */
	double		  beta;	 /* when it has none yet) */
	int		  gold_right, gold_wrong; /* its gold record */
	const char	 *now;
	/* votes so far, then room for this one */
	struct finalize_voter voters[LC_MAX_VOTES_PER_TASK];
	size_t		      n_prev;
};

/* What step 3 decides. */
struct vote_decision {
	int		     label;
	int64_t		     stake_w;
	int64_t		     bond;
	double		     weight;
	double		     alpha, beta; /* the voter's belief now */
	int		     gold;	  /* 1 right, -1 wrong, 0 not gold */
	double		     g_alpha, g_beta; /* a gold answer's evidence */
	int		     need; /* labelers the task still wants */
	int		     final;
	double		     post[LC_MAX_LABELS]; /* the task's posterior */
	struct finalize_in   fin; /* when final: what the plan is of */
	struct finalize_plan plan;
};

void
vote_result_free(struct vote_result *r)
{
	if (r == NULL)
		return;
	claim_free(&r->next);
	r->has_next = 0;
}

int
vote_message(int64_t assignment_id, int64_t task_id, const char *label,
    char *buf, size_t len)
{
	int n;

	n = snprintf(buf, len,
	    "labelchain:vote:v1\n%" PRId64 "\n%" PRId64 "\n%s", assignment_id,
	    task_id, label);
	return n < 0 || (size_t)n >= len ? -1 : n;
}

/* A reputation column, or the prior when the voter has none yet. */
static double
vote_belief(const PGresult *res, int row, int col, double prior)
{
	return db_text(res, row, col) != NULL ? db_double(res, row, col)
					      : prior;
}

/* Step 1. */
static int
vote_read(struct db *db, int64_t assignment_id, struct vote_ctx *c,
    char *detail)
{
	PGresult   *res = NULL;
	char	    id[24];
	const char *params[1] = { market_i64(id, assignment_id) };
	int	    rc, i, rows;

	memset(c, 0, sizeof(*c));
	if ((rc = db_exec(db, "vote_context", 1, params, &res)) != 0)
		return rc;
	c->res = res;
	if ((rows = PQntuples(res)) == 0)
		return market_fail(detail, LC_ERR_NOT_FOUND,
		    "no assignment %" PRId64, assignment_id);
	c->task_id = db_int64(res, 0, VC_TASK);
	c->project_id = db_int64(res, 0, VC_PROJECT);
	c->account_id = db_int64(res, 0, VC_ACCOUNT);
	c->status = db_text(res, 0, VC_STATUS);
	c->live = db_bool(res, 0, VC_LIVE);
	c->public_key = db_text(res, 0, VC_KEY);
	c->project_status = db_text(res, 0, VC_P_STATUS);
	if (market_split_labels(c->labels_buf, sizeof(c->labels_buf),
		db_text(res, 0, VC_LABELS), c->labels, &c->n_labels) != 0)
		return LC_ERR_INTERNAL;
	rep_params_live(&c->rp);
	c->rp.min_votes = (int)db_int64(res, 0, VC_MIN_VOTES);
	c->rp.max_votes = (int)db_int64(res, 0, VC_MAX_VOTES);
	c->rp.confidence = db_double(res, 0, VC_CONFIDENCE);
	c->rp.stake_ref = (double)db_int64(res, 0, VC_STAKE_REF);
	c->rp.temperature = db_double(res, 0, VC_TEMPERATURE);
	c->rp.futility = db_double(res, 0, VC_FUTILITY);
	c->task_status = db_text(res, 0, VC_T_STATUS);
	c->n_votes = (int)db_int64(res, 0, VC_N_VOTES);
	c->gold_label = db_text(res, 0, VC_GOLD) != NULL
	    ? (int)db_int64(res, 0, VC_GOLD)
	    : -1;
	c->data_sha256 = db_text(res, 0, VC_DATA_SHA);
	c->reward = db_int64(res, 0, VC_REWARD);
	c->free_stake = db_int64(res, 0, VC_FREE);
	c->bonded = db_int64(res, 0, VC_BONDED);
	c->alpha = vote_belief(res, 0, VC_ALPHA, c->rp.prior_alpha);
	c->beta = vote_belief(res, 0, VC_BETA, c->rp.prior_beta);
	c->gold_right = (int)db_int64(res, 0, VC_GOLD_RIGHT);
	c->gold_wrong = (int)db_int64(res, 0, VC_GOLD_WRONG);
	c->now = db_text(res, 0, VC_NOW);
	for (i = 0; i < rows; i++) {
		struct finalize_voter *v = &c->voters[c->n_prev];

		if (db_text(res, i, VC_V_ACCOUNT) == NULL)
			continue; /* the task has no vote yet */
		if (c->n_prev == LC_MAX_VOTES_PER_TASK - 1)
			return LC_ERR_INTERNAL; /* max_votes <= the limit */
		v->account_id = db_int64(res, i, VC_V_ACCOUNT);
		v->label = (int)db_int64(res, i, VC_V_LABEL);
		v->weight = db_double(res, i, VC_V_WEIGHT);
		v->stake_w = db_int64(res, i, VC_V_STAKE_W);
		v->bond = db_int64(res, i, VC_V_BOND);
		v->public_key = db_text(res, i, VC_V_KEY);
		v->signature = db_text(res, i, VC_V_SIG);
		v->alpha = vote_belief(res, i, VC_V_ALPHA, c->rp.prior_alpha);
		v->beta = vote_belief(res, i, VC_V_BETA, c->rp.prior_beta);
		if (db_text(res, i, VC_V_GOLD_RIGHT) != NULL) {
			v->gold_right = (int)db_int64(res, i, VC_V_GOLD_RIGHT);
			v->gold_wrong = (int)db_int64(res, i, VC_V_GOLD_WRONG);
		}
		if (v->label < 0 || v->label >= c->n_labels)
			return LC_ERR_INTERNAL;
		c->n_prev++;
	}
	if ((size_t)c->n_votes != c->n_prev)
		return LC_ERR_INTERNAL; /* counter and rows disagree */
	return 0;
}

/* Step 2: everything that can refuse the vote before a transaction. */
static int
vote_check(const struct vote_ctx *c, const struct vote_in *in, int *label,
    char *detail)
{
	char msg[64 + LC_MAX_LABEL_BYTES];
	int  k, len;

	if (c->account_id != in->account_id)
		return market_fail(detail, LC_ERR_FORBIDDEN,
		    "assignment %" PRId64 " belongs to another labeler",
		    in->assignment_id);
	if (strcmp(c->status, "voted") == 0 ||
	    strcmp(c->status, "settled") == 0)
		return market_fail(detail, LC_ERR_CONFLICT,
		    "assignment %" PRId64 " already has a vote",
		    in->assignment_id);
	if (strcmp(c->status, "expired") == 0 ||
	    (strcmp(c->status, "active") == 0 && !c->live))
		return market_fail(detail, LC_ERR_EXPIRED,
		    "the lease of assignment %" PRId64 " has expired",
		    in->assignment_id);
	if (strcmp(c->status, "cancelled") == 0 &&
	    strcmp(c->task_status, "open") != 0)
		return market_fail(detail, LC_ERR_STATE,
		    "task %" PRId64 " became %s while you held it (its leases "
		    "were cancelled): no vote is needed",
		    c->task_id, c->task_status);
	if (strcmp(c->status, "active") != 0)
		return market_fail(detail, LC_ERR_STATE,
		    "assignment %" PRId64 " is %s", in->assignment_id,
		    c->status);
	if (strcmp(c->project_status, "closed") == 0)
		return market_fail(detail, LC_ERR_STATE,
		    "the project is closed");
	if (strcmp(c->task_status, "open") != 0)
		return market_fail(detail, LC_ERR_STATE,
		    "task %" PRId64 " is already %s", c->task_id,
		    c->task_status);
	if (c->public_key == NULL)
		return market_fail(detail, LC_ERR_FORBIDDEN,
		    "this account has no signing key");
	for (k = 0; k < c->n_labels; k++)
		if (strcmp(c->labels[k], in->label) == 0)
			break;
	if (k == c->n_labels)
		return market_fail(detail, LC_ERR_VALIDATION,
		    "\"%.64s\" is not a label of this project", in->label);
	len = vote_message(in->assignment_id, c->task_id, in->label, msg,
	    sizeof(msg));
	if (len < 0 ||
	    auth_verify_hex(c->public_key, in->signature, msg, (size_t)len) !=
		0)
		return market_fail(detail, LC_ERR_BAD_VOTE_SIGNATURE,
		    "the signature does not verify: sign \"labelchain:vote:v1"
		    "\\n%" PRId64 "\\n%" PRId64 "\\n<label>\" with your key",
		    in->assignment_id, c->task_id);
	*label = k;
	return 0;
}

/* Step 3. */
static int
vote_decide(struct vote_ctx *c, const struct vote_in *in, int label,
    struct vote_decision *d)
{
	struct rep_decision    rd;
	struct finalize_in     fi;
	struct finalize_voter *v;
	double		      *post = d->post;
	size_t		       n = c->n_prev;
	int		       n_after = (int)n + 1;

	memset(d, 0, sizeof(*d));
	d->label = label;
	d->alpha = c->alpha;
	d->beta = c->beta;
	d->stake_w = rep_vote_stake(c->free_stake, c->bonded, &c->rp, &d->bond);

	/* A control's answer is judged now, not when the task is final. */
	if (c->gold_label >= 0) {
		d->gold = label == c->gold_label ? 1 : -1;
		if (rep_reputation_evidence(&label, 1, c->n_labels,
			c->gold_label, 0.0, true, &c->rp, &d->g_alpha,
			&d->g_beta) != 0)
			return LC_ERR_INTERNAL;
	}

	/* Every vote, this one included, weighed with what is known now. */
	v = &c->voters[n];
	memset(v, 0, sizeof(*v));
	v->account_id = in->account_id;
	v->label = label;
	v->stake_w = d->stake_w;
	v->bond = d->bond;
	v->public_key = c->public_key;
	v->signature = in->signature;
	v->alpha = d->alpha;
	v->beta = d->beta;
	v->gold_right = c->gold_right;
	v->gold_wrong = c->gold_wrong;
	if (finalize_decide(&c->rp, c->n_labels, c->gold_label, c->voters,
		n + 1, post, &rd) != 0)
		return LC_ERR_INTERNAL;
	d->weight = v->weight;
	d->need = c->rp.min_votes - n_after > 1 ? c->rp.min_votes - n_after : 1;
	if (d->need > c->rp.max_votes - n_after)
		d->need = c->rp.max_votes - n_after;
	if (rd.state == REP_TASK_OPEN)
		return 0;

	/* Final: this vote's bond is released by the same transaction. */
	d->final = 1;
	d->need = 0;
	memset(&fi, 0, sizeof(fi));
	fi.task_id = c->task_id;
	fi.project_id = c->project_id;
	fi.n_labels = c->n_labels;
	fi.labels = c->labels;
	fi.gold_label = c->gold_label;
	fi.data_sha256 = c->data_sha256;
	fi.reward = c->reward;
	fi.post = post;
	fi.decision = rd;
	fi.params = &c->rp;
	fi.finalized_at = c->now;
	fi.voters = c->voters;
	fi.n_voters = n + 1;
	d->fin = fi;
	return finalize_plan(&fi, &d->plan);
}

/* Step 4. */
static int
vote_apply(struct db *db, const struct vote_ctx *c, const struct vote_in *in,
    const struct vote_decision *d, struct vote_result *out, char *detail)
{
	struct finalize_apply_params *f = NULL;
	struct claim_params	      cp;
	struct claim_in		      ci;
	struct db_step		      steps[3];
	PGresult		     *next = NULL;
	char			      s[15][32];
	const char		     *vp[17];
	int			      n = 0, rc;

	vp[0] = market_i64(s[0], in->assignment_id);
	vp[1] = market_i64(s[1], in->account_id);
	vp[2] = market_i64(s[2], c->task_id);
	vp[3] = market_i64(s[3], c->project_id);
	vp[4] = market_i64(s[4], c->n_votes);
	vp[5] = market_i64(s[5], d->need);
	vp[6] = market_i64(s[6], d->label);
	vp[7] = c->public_key;
	vp[8] = in->signature;
	vp[9] = market_f64(s[7], d->weight);
	vp[10] = market_i64(s[8], d->stake_w);
	vp[11] = market_i64(s[9], d->bond);
	vp[12] = market_f64(s[10], d->alpha);
	vp[13] = market_f64(s[11], d->beta);
	vp[14] = market_f64(s[12], d->g_alpha);
	vp[15] = market_f64(s[13], d->g_beta);
	vp[16] = market_i64(s[14], d->gold);
	steps[n++] = (struct db_step){ "vote_apply",
		(int)(sizeof(vp) / sizeof(vp[0])), vp, NULL };
	if (d->final) {
		if ((f = malloc(sizeof(*f))) == NULL)
			return LC_ERR_NOMEM;
		if ((rc = finalize_apply_params(&d->fin, &d->plan,
			 c->n_votes + 1, f)) != 0)
			goto out;
		steps[n++] = (struct db_step){ "finalize_apply",
			FINALIZE_APPLY_PARAMS, f->v, NULL };
	}
	if (in->want_next) {
		ci.account_id = in->account_id;
		ci.project_id = c->project_id;
		ci.lease_s = in->lease_s;
		ci.gold_draw = assignment_draw();
		ci.fresh_draw = assignment_draw();
		steps[n] = (struct db_step){ assignment_claim_sql(&ci, 0, &cp),
			ASSIGNMENT_CLAIM_PARAMS, cp.v, &next };
		n++;
	}
	if ((rc = db_pipeline_tx(db, steps, n)) != 0)
		goto out;
	out->task_id = c->task_id;
	out->n_votes = c->n_votes + 1;
	out->final = d->final;
	if (next != NULL) {
		/* Any answer but a lease (no task, paused, bonded) is null. */
		if (assignment_claim_result(next, c->project_id, &out->next,
			detail) == 0)
			out->has_next = 1;
		detail[0] = '\0';
	}
out:
	free(f);
	return rc;
}

int
vote_submit(struct db *db, const struct vote_in *in, struct vote_result *out,
    char *detail)
{
	struct vote_ctx	    *c;
	struct vote_decision d;
	int		     rc = 0, attempt, label = 0;

	memset(out, 0, sizeof(*out));
	if (in->label == NULL || in->label[0] == '\0' ||
	    strlen(in->label) > LC_MAX_LABEL_BYTES)
		return market_fail(detail, LC_ERR_VALIDATION,
		    "label must be one of the project's labels");
	if (!market_is_hex(in->signature, 128))
		return market_fail(detail, LC_ERR_VALIDATION,
		    "signature must be 128 lower-case hex digits");
	if ((c = malloc(sizeof(*c))) == NULL)
		return LC_ERR_NOMEM;
	for (attempt = 0; attempt < LC_DB_TX_RETRIES; attempt++) {
		if ((rc = vote_read(db, in->assignment_id, c, detail)) == 0 &&
		    (rc = vote_check(c, in, &label, detail)) == 0 &&
		    (rc = vote_decide(c, in, label, &d)) == 0) {
			rc = vote_apply(db, c, in, &d, out, detail);
			finalize_plan_free(&d.plan);
		}
		PQclear(c->res);
		c->res = NULL;
		/* Contended, or the stake to bond went away: read again. */
		if (rc != LC_ERR_RETRY && rc != LC_ERR_FUNDS)
			break;
	}
	free(c);
	if (rc == LC_ERR_FUNDS)
		rc = LC_ERR_RETRY;
	if (rc == LC_ERR_RETRY)
		market_fail(detail, rc,
		    "the task is busy; send the same vote again");
	return rc;
}
