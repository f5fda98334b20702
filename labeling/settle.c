/*
 * labeling/settle.c — the settlers (settle.h).
 *
 * settle_reputations(): the queued rows are taken oldest first; the beliefs
 * they change are read and locked in (account, project) order (the lock
 * order of sql/0004_money_path.sql), the evidence is added one row at a
 * time in queue order with rep_reputation_add() — the same function the
 * offline replay uses —, a gold answer counted in the labeler's gold
 * record, and the new beliefs and their history rows are written with one
 * statement each.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "labeling/db.h"
#include "labeling/lc_err.h"
#include "labeling/market.h"
#include "labeling/settle.h"
#include "reputation/reputation.h"

const struct db_stmt settle_stmts[] = { { "settle_ledger",
					    "SELECT lc_ledger_settle($1)" },
	{ "settle_progress", "SELECT lc_progress_settle($1)" },
	{ "settle_rep_lock",
	    "SELECT pg_try_advisory_xact_lock(" SETTLE_REP_LOCK ")" },
	{ "settle_rep_take",
	    "WITH d AS (DELETE FROM reputation_pending WHERE seq IN (SELECT seq"
	    " FROM reputation_pending ORDER BY seq LIMIT $1)"
	    " RETURNING seq, account_id, project_id, task_id, d_alpha, d_beta,"
	    " gold)"
	    " SELECT * FROM d ORDER BY seq" },
	{ "settle_rep_read",
	    "SELECT r.account_id, r.project_id, r.alpha, r.beta,"
	    " r.gold_right, r.gold_wrong FROM reputations r JOIN (SELECT DISTINCT * FROM"
	    " unnest($1::bigint[], $2::bigint[])) AS u(a, p)"
	    " ON r.account_id = u.a AND r.project_id = u.p"
	    " ORDER BY r.account_id, r.project_id FOR UPDATE OF r" },
	{ "settle_rep_write",
	    "INSERT INTO reputations (account_id, project_id, alpha, beta,"
	    " gold_right, gold_wrong) SELECT * FROM unnest($1::bigint[],"
	    " $2::bigint[], $3::float8[], $4::float8[], $5::int[], $6::int[])"
	    " ON CONFLICT (account_id, project_id) DO UPDATE"
	    " SET alpha = EXCLUDED.alpha, beta = EXCLUDED.beta,"
	    " gold_right = EXCLUDED.gold_right,"
	    " gold_wrong = EXCLUDED.gold_wrong" },
	{ "settle_rep_history",
	    "INSERT INTO reputation_history (account_id, project_id, alpha,"
	    " beta, task_id) SELECT * FROM unnest($1::bigint[], $2::bigint[],"
	    " $3::float8[], $4::float8[], $5::bigint[])" },
	{ NULL, NULL } };

int
settle_ledger(struct db *db, int limit, int *applied)
{
	PGresult   *res = NULL;
	char	    l[24];
	const char *params[1] = { market_i64(l, limit) };
	int	    rc;

	*applied = 0;
	if ((rc = db_exec(db, "settle_ledger", 1, params, &res)) != 0)
		return rc;
	*applied = (int)db_int64(res, 0, 0);
	PQclear(res);
	return 0;
}

int
settle_progress(struct db *db, int limit, int *applied)
{
	PGresult   *res = NULL;
	char	    l[24];
	const char *params[1] = { market_i64(l, limit) };
	int	    rc;

	*applied = 0;
	if ((rc = db_exec(db, "settle_progress", 1, params, &res)) != 0)
		return rc;
	*applied = (int)db_int64(res, 0, 0);
	PQclear(res);
	return 0;
}

/* One labeler's belief in one project, as the batch changes it. */
struct settle_belief {
	int64_t		 account_id, project_id;
	struct rep_voter v;
	int64_t		 gold_right, gold_wrong;
};

struct settle_batch {
	int    limit;
	int    applied;
	size_t n_rows, n_beliefs;
	/* per queued row, in queue order */
	int64_t *acct, *proj, *task, *gold;
	double	*alpha, *beta; /* after the row */
	/* per belief */
	struct settle_belief *b;
	int64_t		     *b_acct, *b_proj, *b_right, *b_wrong;
	double		     *b_alpha, *b_beta;
};

/* The belief of (account, project) in the batch, created at the prior. */
static struct settle_belief *
settle_find(struct settle_batch *s, int64_t account, int64_t project,
    const struct rep_params *p)
{
	size_t i;

	for (i = 0; i < s->n_beliefs; i++)
		if (s->b[i].account_id == account &&
		    s->b[i].project_id == project)
			return &s->b[i];
	s->b[i].account_id = account;
	s->b[i].project_id = project;
	s->b[i].gold_right = s->b[i].gold_wrong = 0;
	rep_voter_init(&s->b[i].v, 0, p);
	s->n_beliefs++;
	return &s->b[i];
}

/*
 * Send arrays of the batch as array literals: i1, i2, f1, f2, then i3 and
 * i4 when not NULL; 0 or an lc_err.
 */
static int
settle_exec_arrays(struct db *db, const char *stmt, size_t n, const int64_t *i1,
    const int64_t *i2, const double *f1, const double *f2, const int64_t *i3,
    const int64_t *i4)
{
	const char *params[6];
	char	   *buf[6] = { NULL };
	size_t	    cap = n * 34 + 8, k;
	int	    rc = LC_ERR_NOMEM, np = 4 + (i3 != NULL) + (i4 != NULL);

	for (k = 0; k < (size_t)np; k++)
		if ((buf[k] = malloc(cap)) == NULL)
			goto out;
	rc = LC_ERR_INTERNAL;
	if (market_array_i64(buf[0], cap, i1, n) ||
	    market_array_i64(buf[1], cap, i2, n) ||
	    market_array_f64(buf[2], cap, f1, n) ||
	    market_array_f64(buf[3], cap, f2, n) ||
	    (i3 != NULL && market_array_i64(buf[4], cap, i3, n)) ||
	    (i4 != NULL && market_array_i64(buf[5], cap, i4, n)))
		goto out;
	for (k = 0; k < (size_t)np; k++)
		params[k] = buf[k];
	rc = db_exec(db, stmt, np, params, NULL);
out:
	for (k = 0; k < 6; k++)
		free(buf[k]);
	return rc;
}

static int
settle_rep_body(struct db *db, void *arg)
{
	struct settle_batch  *s = arg;
	struct settle_belief *x;
	struct rep_params     p;
	PGresult	     *res = NULL, *cur = NULL;
	char		      lim[24], *a = NULL, *b = NULL;
	const char	     *params[2] = { market_i64(lim, s->limit), NULL };
	size_t		      i, cap;
	int		      rc, r;

	s->applied = 0;
	s->n_beliefs = 0;
	rep_params_live(&p);
	if ((rc = db_exec(db, "settle_rep_lock", 0, NULL, &res)) != 0)
		return rc;
	r = db_bool(res, 0, 0);
	PQclear(res);
	res = NULL;
	if (!r)
		return 0; /* another instance is settling */
	if ((rc = db_exec(db, "settle_rep_take", 1, params, &res)) != 0)
		return rc;
	if ((s->n_rows = (size_t)PQntuples(res)) == 0)
		goto out;
	for (i = 0; i < s->n_rows; i++) {
		s->acct[i] = db_int64(res, (int)i, 1);
		s->proj[i] = db_int64(res, (int)i, 2);
		s->task[i] = db_int64(res, (int)i, 3);
		s->alpha[i] = db_double(res, (int)i, 4); /* evidence, for now */
		s->beta[i] = db_double(res, (int)i, 5);
		s->gold[i] = db_int64(res, (int)i, 6);
	}
	/* The current beliefs, locked in (account, project) order. */
	cap = s->n_rows * 21 + 8;
	rc = LC_ERR_NOMEM;
	if ((a = malloc(cap)) == NULL || (b = malloc(cap)) == NULL)
		goto out;
	rc = LC_ERR_INTERNAL;
	if (market_array_i64(a, cap, s->acct, s->n_rows) != 0 ||
	    market_array_i64(b, cap, s->proj, s->n_rows) != 0)
		goto out;
	params[0] = a;
	params[1] = b;
	if ((rc = db_exec(db, "settle_rep_read", 2, params, &cur)) != 0)
		goto out;
	for (r = 0; r < PQntuples(cur); r++) {
		x = settle_find(s, db_int64(cur, r, 0), db_int64(cur, r, 1),
		    &p);
		x->v.alpha = db_double(cur, r, 2);
		x->v.beta = db_double(cur, r, 3);
		x->gold_right = db_int64(cur, r, 4);
		x->gold_wrong = db_int64(cur, r, 5);
	}
	/* Fold the evidence in, in queue order. */
	for (i = 0; i < s->n_rows; i++) {
		x = settle_find(s, s->acct[i], s->proj[i], &p);
		if (rep_reputation_add(&x->v, s->alpha[i], s->beta[i], &p) !=
		    0) {
			rc = LC_ERR_INTERNAL;
			goto out;
		}
		s->alpha[i] = x->v.alpha;
		s->beta[i] = x->v.beta;
		x->gold_right += s->gold[i] > 0;
		x->gold_wrong += s->gold[i] < 0;
	}
	for (i = 0; i < s->n_beliefs; i++) {
		s->b_acct[i] = s->b[i].account_id;
		s->b_proj[i] = s->b[i].project_id;
		s->b_alpha[i] = s->b[i].v.alpha;
		s->b_beta[i] = s->b[i].v.beta;
		s->b_right[i] = s->b[i].gold_right;
		s->b_wrong[i] = s->b[i].gold_wrong;
	}
	if ((rc = settle_exec_arrays(db, "settle_rep_write", s->n_beliefs,
		 s->b_acct, s->b_proj, s->b_alpha, s->b_beta, s->b_right,
		 s->b_wrong)) != 0 ||
	    (rc = settle_exec_arrays(db, "settle_rep_history", s->n_rows,
		 s->acct, s->proj, s->alpha, s->beta, s->task, NULL)) != 0)
		goto out;
	s->applied = (int)s->n_rows;
out:
	free(a);
	free(b);
	PQclear(cur);
	PQclear(res);
	return rc;
}

int
settle_reputations(struct db *db, int limit, int *applied)
{
	struct settle_batch s;
	size_t		    n = (size_t)limit;
	int		    rc = LC_ERR_NOMEM;

	*applied = 0;
	if (limit < 1 || limit > SETTLE_BATCH)
		return LC_ERR_INTERNAL;
	memset(&s, 0, sizeof(s));
	s.limit = limit;
	s.acct = calloc(n, sizeof(*s.acct));
	s.proj = calloc(n, sizeof(*s.proj));
	s.task = calloc(n, sizeof(*s.task));
	s.gold = calloc(n, sizeof(*s.gold));
	s.alpha = calloc(n, sizeof(*s.alpha));
	s.beta = calloc(n, sizeof(*s.beta));
	s.b = calloc(n, sizeof(*s.b));
	s.b_acct = calloc(n, sizeof(*s.b_acct));
	s.b_proj = calloc(n, sizeof(*s.b_proj));
	s.b_right = calloc(n, sizeof(*s.b_right));
	s.b_wrong = calloc(n, sizeof(*s.b_wrong));
	s.b_alpha = calloc(n, sizeof(*s.b_alpha));
	s.b_beta = calloc(n, sizeof(*s.b_beta));
	if (s.acct && s.proj && s.task && s.gold && s.alpha && s.beta && s.b &&
	    s.b_acct && s.b_proj && s.b_right && s.b_wrong && s.b_alpha &&
	    s.b_beta) {
		rc = db_tx(db, settle_rep_body, &s);
		if (rc == 0)
			*applied = s.applied;
	}
	free(s.acct);
	free(s.proj);
	free(s.task);
	free(s.gold);
	free(s.alpha);
	free(s.beta);
	free(s.b);
	free(s.b_acct);
	free(s.b_proj);
	free(s.b_right);
	free(s.b_wrong);
	free(s.b_alpha);
	free(s.b_beta);
	return rc;
}
