/*
 * labeling/finalize.c — finalization of a task (finalize.h).
 *
 * Voters are read in account order with their stake rows locked (FOR
 * UPDATE OF the ledger account), so two finalizations touching the same
 * labelers lock them in the same order.  The reward is the project's
 * reward_per_task, or what is left in escrow if less; reputation/ splits it
 * exactly (Hamilton), so escrow paid equals the sum of the rewards.
 *
 * The leaf record is the canonical JSON of DESIGN.md, built with cJSON in
 * key order (cJSON escapes exactly the characters RFC 8785 §3.2.2.2 does,
 * with lower-case \u00xx), votes sorted by key.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "labeling/db.h"
#include "labeling/finalize.h"
#include "labeling/lc_err.h"
#include "labeling/ledger.h"
#include "labeling/limits.h"
#include "labeling/log_append.h"
#include "labeling/market.h"

const struct db_stmt finalize_stmts[] = {
	{ "finalize_voters",
	    "SELECT v.account_id, v.label, v.weight, v.public_key, v.signature,"
	    " r.alpha, r.beta, la.balance"
	    " FROM votes v"
	    " JOIN ledger_accounts la ON la.key = 'a/' || v.account_id ||"
	    " '/stake'"
	    " LEFT JOIN reputations r ON r.account_id = v.account_id"
	    " AND r.project_id = v.project_id"
	    " WHERE v.task_id = $1 ORDER BY v.account_id FOR UPDATE OF la" },
	/* The new (alpha, beta), and when $6 (it changed) a row of
	 * reputation_history for GET /v1/me/reputation: one round trip. */
	{ "finalize_reputation_upsert",
	    "WITH rep AS (INSERT INTO reputations"
	    " (account_id, project_id, alpha, beta)"
	    " VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, project_id)"
	    " DO UPDATE SET alpha = EXCLUDED.alpha, beta = EXCLUDED.beta)"
	    " INSERT INTO reputation_history"
	    " (account_id, project_id, alpha, beta, task_id)"
	    " SELECT $1::bigint, $2::bigint, $3::float8, $4::float8,"
	    " $5::bigint WHERE $6::boolean" },
	{ "finalize_task_update",
	    "UPDATE tasks SET status = 'final', final_label = $2,"
	    " confidence = $3, low_confidence = $4, finalized_at = now()"
	    " WHERE id = $1 RETURNING " SQL_TS("finalized_at") },
	{ "finalize_task_leaf",
	    "UPDATE tasks SET leaf_index = $2 WHERE id = $1" },
	{ "finalize_cancel_leases",
	    "UPDATE assignments SET status = 'cancelled' WHERE task_id = $1"
	    " AND status = 'active'" },
	{ NULL, NULL }
};

struct finalize_voter {
	int64_t	    account_id;
	int	    label;
	double	    weight;
	const char *key;
	const char *sig;
};

static int
finalize_key_cmp(const void *a, const void *b)
{
	const struct finalize_voter *x = a, *y = b;

	return strcmp(x->key, y->key);
}

/* The canonical leaf record; caller frees with cJSON_free(). */
static char *
finalize_leaf_record(const struct finalize_task *t, int final_label,
    int confidence_bp, struct finalize_voter *v, size_t n,
    const char *finalized_at)
{
	cJSON *o, *votes, *e;
	char  *text = NULL;
	size_t i;

	qsort(v, n, sizeof(*v), finalize_key_cmp);
	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddNumberToObject(o, "v", 1);
	market_json_i64(o, "project", t->project_id);
	market_json_i64(o, "task", t->task_id);
	cJSON_AddStringToObject(o, "data_sha256", t->data_sha256);
	cJSON_AddStringToObject(o, "label", t->labels[final_label]);
	market_json_i64(o, "confidence_bp", confidence_bp);
	if ((votes = cJSON_AddArrayToObject(o, "votes")) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		if ((e = cJSON_CreateObject()) == NULL)
			goto out;
		cJSON_AddItemToArray(votes, e);
		cJSON_AddStringToObject(e, "key", v[i].key);
		cJSON_AddStringToObject(e, "label", t->labels[v[i].label]);
		cJSON_AddStringToObject(e, "sig", v[i].sig);
	}
	cJSON_AddStringToObject(o, "finalized_at", finalized_at);
	text = cJSON_PrintUnformatted(o);
out:
	cJSON_Delete(o);
	return text;
}

int
finalize_task(struct db *db, const struct finalize_task *t)
{
	struct finalize_voter v[LC_MAX_VOTES_PER_TASK];
	struct rep_voter      rv[LC_MAX_VOTES_PER_TASK];
	struct rep_voter      rv0[LC_MAX_VOTES_PER_TASK];
	int		      labels[LC_MAX_VOTES_PER_TASK];
	double		      weights[LC_MAX_VOTES_PER_TASK];
	int64_t		      stakes[LC_MAX_VOTES_PER_TASK];
	int64_t		      shares[LC_MAX_VOTES_PER_TASK];
	int64_t		      slashes[LC_MAX_VOTES_PER_TASK];
	PGresult	     *res = NULL, *fin = NULL;
	char		      escrow[LEDGER_KEY_LEN], key[LEDGER_KEY_LEN];
	char		      a[24], p[24], x[32], y[32], c[32], l[24], tk[24];
	const char	     *params[6];
	char		     *record = NULL;
	int64_t		      reward, left, paid, slashed, leaf_index;
	double		      confidence;
	int		      rc, final_label, gold, low, bp;
	size_t		      i, n;

	gold = t->gold_label >= 0;
	final_label = gold ? t->gold_label : t->decision.label;
	confidence = t->post[final_label];
	low = !gold && t->decision.state == REP_TASK_FINAL_LOW_CONFIDENCE;

	params[0] = market_i64(a, t->task_id);
	if ((rc = db_exec(db, "finalize_voters", 1, params, &res)) != 0)
		return rc;
	n = (size_t)PQntuples(res);
	if (n == 0 || n > LC_MAX_VOTES_PER_TASK) {
		rc = LC_ERR_INTERNAL;
		goto out;
	}
	for (i = 0; i < n; i++) {
		v[i].account_id = db_int64(res, (int)i, 0);
		v[i].label = labels[i] = (int)db_int64(res, (int)i, 1);
		v[i].weight = weights[i] = db_double(res, (int)i, 2);
		v[i].key = db_text(res, (int)i, 3);
		v[i].sig = db_text(res, (int)i, 4);
		stakes[i] = db_int64(res, (int)i, 7);
		rep_voter_init(&rv[i], stakes[i], t->params);
		if (db_text(res, (int)i, 5) != NULL) {
			rv[i].alpha = db_double(res, (int)i, 5);
			rv[i].beta = db_double(res, (int)i, 6);
		}
		rv0[i] = rv[i];
	}

	/* Rewards: escrow -> agreeing voters' balances, by weight. */
	ledger_key_escrow(escrow, t->project_id);
	if ((rc = ledger_balance(db, escrow, &left)) != 0)
		goto out;
	reward = t->reward_per_task < left ? t->reward_per_task : left;
	if ((rc = rep_reward_shares(labels, weights, n, final_label, reward,
		 shares, &paid)) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (shares[i] <= 0)
			continue;
		ledger_key_account(key, v[i].account_id, "balance");
		if ((rc = ledger_transfer(db, escrow, key, shares[i], "reward",
			 t->project_id, t->task_id)) != 0)
			goto out;
	}

	/* Slashes: stake -> sys/slashed. */
	if ((rc = rep_slash_amounts(labels, stakes, n, final_label, confidence,
		 low, gold, t->params, slashes, &slashed)) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (slashes[i] <= 0)
			continue;
		ledger_key_account(key, v[i].account_id, "stake");
		if ((rc = ledger_transfer(db, key, "sys/slashed", slashes[i],
			 "slash", t->project_id, t->task_id)) != 0)
			goto out;
	}

	/* Reputations. */
	if ((rc = rep_reputation_update(rv, labels, n, t->n_labels, final_label,
		 confidence, gold, t->params)) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		params[0] = market_i64(a, v[i].account_id);
		params[1] = market_i64(p, t->project_id);
		params[2] = market_f64(x, rv[i].alpha);
		params[3] = market_f64(y, rv[i].beta);
		params[4] = market_i64(tk, t->task_id);
		params[5] =
		    (rv[i].alpha != rv0[i].alpha || rv[i].beta != rv0[i].beta)
		    ? "true"
		    : "false";
		if ((rc = db_exec(db, "finalize_reputation_upsert", 6, params,
			 NULL)) != 0)
			goto out;
	}

	/* The task's final state, then its leaf. */
	params[0] = market_i64(a, t->task_id);
	params[1] = market_i64(l, final_label);
	params[2] = market_f64(c, confidence);
	params[3] = low ? "true" : "false";
	if ((rc = db_exec(db, "finalize_task_update", 4, params, &fin)) != 0)
		goto out;
	if ((rc = db_exec(db, "finalize_cancel_leases", 1, params, NULL)) != 0)
		goto out;
	bp = rep_confidence_bp(confidence);
	record =
	    finalize_leaf_record(t, final_label, bp, v, n, db_text(fin, 0, 0));
	if (record == NULL) {
		rc = LC_ERR_NOMEM;
		goto out;
	}
	if ((rc = log_append(db, t->task_id, t->project_id, record,
		 strlen(record), &leaf_index)) != 0)
		goto out;
	params[1] = market_i64(l, leaf_index);
	rc = db_exec(db, "finalize_task_leaf", 2, params, NULL);
out:
	cJSON_free(record);
	PQclear(fin);
	PQclear(res);
	return rc;
}
