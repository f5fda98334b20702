/*
 * labeling/assignment.c — task claims, skips and the lease sweep
 * (assignment.h).
 *
 * All three are one call each of a function of sql/0004_money_path.sql,
 * which is where their locking is explained; this file passes parameters
 * and turns the functions' result codes into the market's errors.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "labeling/assignment.h"
#include "labeling/db.h"
#include "labeling/lc_err.h"
#include "labeling/limits.h"
#include "labeling/market.h"
#include "reputation/reputation.h"

/* Result codes of lc_claim() and lc_skip(). */
enum {
	CLAIM_LEASED = 0,
	CLAIM_NO_TASK = 1,
	CLAIM_NO_PROJECT = 2,
	CLAIM_NOT_OPEN = 3,
	CLAIM_LOW_STAKE = 4,
	CLAIM_BONDED = 5,
	CLAIM_UNQUALIFIED = 6,
};
enum { SKIP_DONE = 0, SKIP_NOT_FOUND = 2, SKIP_OTHERS = 3, SKIP_STATE = 4 };

/* Columns of lc_claim()'s result. */
enum {
	CL_CODE,
	CL_ASSIGNMENT,
	CL_TASK,
	CL_DATA,
	CL_EXPIRES,
	CL_LABELS,
	CL_INSTRUCTIONS,
	CL_STATUS,
	CL_MIN_STAKE,
	CL_STAKE,
	CL_BONDED,
};

const struct db_stmt assignment_stmts[] = {
	{ "assignment_claim",
	    "SELECT code, assignment_id, task_id, data, " SQL_TS(
		"expires_at") ", labels, instructions, project_status,"
			      " min_stake, stake, bonded"
			      " FROM lc_claim($1, $2, $3, $4, $5, $6, $7, $8, $9,"
			      " $10, $11, $12, $13)" },
	{ "assignment_skip", "SELECT code, status FROM lc_skip($1, $2)" },
	{ "assignment_sweep", "SELECT lc_sweep_leases(NULL, $1)" },
	{ NULL, NULL }
};

void
claim_free(struct claim *c)
{
	if (c == NULL)
		return;
	PQclear(c->res);
	memset(c, 0, sizeof(*c));
}

double
assignment_draw(void)
{
	return (double)randombytes_uniform(1000000000) / 1e9;
}

const char *
assignment_claim_sql(const struct claim_in *in, int wait,
    struct claim_params *out)
{
	struct rep_params rp;

	rep_params_live(&rp);
	out->v[0] = market_i64(out->buf[0], in->account_id);
	out->v[1] = market_i64(out->buf[1], in->project_id);
	out->v[2] = market_i64(out->buf[2], in->lease_s);
	out->v[3] = market_f64(out->buf[3], in->gold_draw);
	out->v[4] = market_i64(out->buf[4], LC_MAX_LEASES_PER_LABELER);
	out->v[5] = market_i64(out->buf[5], rep_bond_bp(&rp));
	out->v[6] = wait ? "true" : "false";
	out->v[7] = market_f64(out->buf[7], in->fresh_draw);
	out->v[8] = market_i64(out->buf[8], rp.gold_ban_min);
	out->v[9] = market_f64(out->buf[9], rp.gold_ban_z);
	out->v[10] = market_f64(out->buf[10], rp.credible_z);
	out->v[11] = market_f64(out->buf[11], rp.qualify_margin);
	out->v[12] = market_f64(out->buf[12], rp.qualify_evidence);
	return "assignment_claim";
}

int
assignment_claim_result(PGresult *res, int64_t project_id, struct claim *out,
    char *detail)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (PQntuples(res) != 1) {
		PQclear(res);
		return LC_ERR_INTERNAL;
	}
	switch (db_int64(res, 0, CL_CODE)) {
	case CLAIM_LEASED:
		out->res = res;
		out->assignment_id = db_int64(res, 0, CL_ASSIGNMENT);
		out->project_id = project_id;
		out->task_id = db_int64(res, 0, CL_TASK);
		out->data = db_text(res, 0, CL_DATA);
		out->expires_at = db_text(res, 0, CL_EXPIRES);
		out->labels = db_text(res, 0, CL_LABELS);
		out->instructions = db_text(res, 0, CL_INSTRUCTIONS);
		return 0;
	case CLAIM_NO_TASK:
		rc = 1;
		break;
	case CLAIM_NO_PROJECT:
		rc = market_fail(detail, LC_ERR_NOT_FOUND,
		    "no project %" PRId64, project_id);
		break;
	case CLAIM_NOT_OPEN:
		rc = market_fail(detail, LC_ERR_STATE, "the project is %s",
		    db_text(res, 0, CL_STATUS));
		break;
	case CLAIM_LOW_STAKE:
		rc = market_fail(detail, LC_ERR_STAKE,
		    "this project needs a stake of %" PRId64
		    " micro-credits; yours is %" PRId64,
		    db_int64(res, 0, CL_MIN_STAKE),
		    db_int64(res, 0, CL_STAKE) + db_int64(res, 0, CL_BONDED));
		break;
	case CLAIM_BONDED:
		rc = market_fail(detail, LC_ERR_STAKE,
		    "%" PRId64 " of your stake is bonded by your open votes "
		    "until their tasks are final, and the %" PRId64
		    " left cannot back another vote: stake more or wait",
		    db_int64(res, 0, CL_BONDED), db_int64(res, 0, CL_STAKE));
		break;
	case CLAIM_UNQUALIFIED:
		rc = market_fail(detail, LC_ERR_UNQUALIFIED,
		    "your answers in this project are known to be no better "
		    "than at random, or failed its controls: it offers you "
		    "no more tasks");
		break;
	default:
		rc = LC_ERR_INTERNAL;
		break;
	}
	PQclear(res);
	return rc;
}

int
assignment_claim(struct db *db, const struct claim_in *in, struct claim *out,
    char *detail)
{
	struct claim_params cp;
	PGresult	   *res = NULL;
	const char	   *name;
	int		    rc, attempt;

	memset(out, 0, sizeof(*out));
	name = assignment_claim_sql(in, 1, &cp);
	/* One statement, its own transaction: retried only on a deadlock. */
	for (attempt = 0; attempt < LC_DB_TX_RETRIES; attempt++) {
		rc = db_exec(db, name, ASSIGNMENT_CLAIM_PARAMS, cp.v, &res);
		if (rc != LC_ERR_RETRY)
			break;
	}
	if (rc != 0)
		return rc;
	return assignment_claim_result(res, in->project_id, out, detail);
}

int
assignment_skip(struct db *db, int64_t account_id, int64_t assignment_id,
    char *detail)
{
	PGresult   *res = NULL;
	char	    a[24], s[24];
	const char *params[2] = { market_i64(a, account_id),
		market_i64(s, assignment_id) };
	int	    rc;

	if ((rc = db_exec(db, "assignment_skip", 2, params, &res)) != 0)
		return rc;
	switch (db_int64(res, 0, 0)) {
	case SKIP_DONE:
		rc = 0;
		break;
	case SKIP_NOT_FOUND:
		rc = market_fail(detail, LC_ERR_NOT_FOUND,
		    "no assignment %" PRId64, assignment_id);
		break;
	case SKIP_OTHERS:
		rc = market_fail(detail, LC_ERR_FORBIDDEN,
		    "assignment %" PRId64 " belongs to another labeler",
		    assignment_id);
		break;
	case SKIP_STATE:
		rc = market_fail(detail, LC_ERR_STATE,
		    "assignment %" PRId64 " is %s", assignment_id,
		    db_text(res, 0, 1));
		break;
	default:
		rc = LC_ERR_INTERNAL;
		break;
	}
	PQclear(res);
	return rc;
}

int
assignment_sweep_expired(struct db *db, int limit, int *swept)
{
	PGresult   *res = NULL;
	char	    l[24];
	const char *params[1] = { market_i64(l, limit) };
	int	    rc;

	*swept = 0;
	if ((rc = db_exec(db, "assignment_sweep", 1, params, &res)) != 0)
		return rc;
	*swept = (int)db_int64(res, 0, 0);
	PQclear(res);
	return 0;
}
