/*
 * labeling/account.c — accounts, stake and the /v1/me view (account.h).
 *
 * A labeler's stake, free and bonded together, is capped at
 * LC_MAX_STAKE_TOTAL, the reputation library's own cap (REP_MAX_STAKE):
 * the stake call that would pass it is refused, so that no vote is ever
 * weighted with, bonded from or slashed on a figure outside the library's
 * range.
 *
 * Unstaking is two movements: stake -> unstaking now, unstaking -> balance
 * once release_at has passed.  The second happens lazily, in the first
 * transaction of the account that notices it (me, stake, unstake), so no
 * background job is needed and nothing is released twice (the request row
 * is locked and flagged in the same transaction).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "labeling/account.h"
#include "labeling/db.h"
#include "labeling/lc_err.h"
#include "labeling/ledger.h"
#include "labeling/limits.h"
#include "labeling/market.h"
#include "reputation/params.h"

/* A stake the market accepts is one the reputation library can weigh. */
_Static_assert(LC_MAX_STAKE_TOTAL <= REP_MAX_STAKE,
    "LC_MAX_STAKE_TOTAL exceeds the reputation library's stake cap");

const struct db_stmt account_stmts[] = {
	{ "account_insert",
	    "INSERT INTO accounts (name, is_labeler, is_requester)"
	    " VALUES ($1, $2, $3) RETURNING id" },
	{ "account_by_id", "SELECT id FROM accounts WHERE id = $1::bigint" },
	{ "account_by_ref",
	    "SELECT id FROM accounts WHERE name = $1 OR public_key = $1" },
	{ "account_get",
	    "SELECT id, name, public_key, is_labeler, is_requester,"
	    " lc_balance('a/' || a.id || '/balance'),"
	    " lc_balance('a/' || a.id || '/stake'),"
	    " lc_balance('a/' || a.id || '/unstaking'),"
	    " lc_balance('a/' || a.id || '/bond'),"
	    " lc_balance('a/' || a.id || '/slashed'),"
	    /* Earned: every reward paid to the balance, read from the index
	     * ledger_entries_reward_account alone. */
	    " (SELECT coalesce(sum(amount), 0) FROM ledger_entries"
	    " WHERE account_key = 'a/' || a.id || '/balance'"
	    " AND cause = 'reward')"
	    " FROM accounts a WHERE id = $1" },
	/* The open votes holding bonds, newest first; served by the partial
	 * index assignments_voted, so bounded by what the bonds allow. */
	{ "account_bonds",
	    "SELECT v.task_id, v.project_id, v.bond, " SQL_TS(
		"v.created_at") ", count(*) OVER ()"
				" FROM assignments a JOIN votes v ON v.assignment_id = a.id"
				" WHERE a.account_id = $1 AND a.status = 'voted' AND v.bond > 0"
				" ORDER BY v.id DESC LIMIT $2" },
	{ "account_reputations",
	    "SELECT project_id, alpha, beta FROM reputations"
	    " WHERE account_id = $1 ORDER BY project_id" },
	{ "account_pending_unstakes",
	    "SELECT amount, " SQL_TS(
		"release_at") " FROM unstake_requests"
			      " WHERE account_id = $1 AND NOT released ORDER BY release_at, id" },
	{ "account_reputation_history",
	    "SELECT project_id, alpha, beta, task_id, " SQL_TS(
		"created_at") " FROM (SELECT id, project_id, alpha, beta, task_id, created_at"
			      " FROM reputation_history WHERE account_id = $1"
			      " AND ($2::bigint = 0 OR project_id = $2::bigint)"
			      " ORDER BY created_at DESC, id DESC LIMIT $3) h"
			      " ORDER BY created_at, id" },
	{ "account_matured_unstakes",
	    "UPDATE unstake_requests SET released = true"
	    " WHERE id IN (SELECT id FROM unstake_requests WHERE account_id = $1"
	    " AND NOT released AND release_at <= now() FOR UPDATE)"
	    " RETURNING amount" },
	/* The stake that backs the account's votes: free plus bonded. */
	{ "account_stake_total",
	    "SELECT lc_balance('a/' || $1::bigint || '/stake') +"
	    " lc_balance('a/' || $1::bigint || '/bond')" },
	{ "account_unstake_insert",
	    "INSERT INTO unstake_requests (account_id, amount, release_at)"
	    " VALUES ($1, $2, now() + make_interval(secs => $3::int))"
	    " RETURNING " SQL_TS("release_at") },
	{ NULL, NULL }
};

struct account_create_arg {
	const char *name;
	unsigned    roles;
	int64_t	   *id;
	char	   *token;
};

static int
account_create_body(struct db *db, void *arg)
{
	struct account_create_arg *a = arg;
	PGresult		  *res = NULL;
	const char		  *params[3];
	int			   rc;

	params[0] = a->name;
	params[1] = (a->roles & ACCOUNT_ROLE_LABELER) ? "true" : "false";
	params[2] = (a->roles & ACCOUNT_ROLE_REQUESTER) ? "true" : "false";
	if ((rc = db_exec(db, "account_insert", 3, params, &res)) != 0)
		return rc;
	*a->id = db_int64(res, 0, 0);
	PQclear(res);
	if ((rc = ledger_open_account(db, *a->id)) != 0)
		return rc;
	return auth_token_issue(db, *a->id, "api", 0, a->token, NULL);
}

int
account_create(struct db *db, const char *name, unsigned roles, int64_t *id,
    char token[AUTH_TOKEN_LEN + 1], char *detail)
{
	struct account_create_arg a = { name, roles, id, token };
	int			  rc;

	if (name == NULL || name[0] == '\0' || strlen(name) > LC_MAX_NAME_BYTES)
		return market_fail(detail, LC_ERR_VALIDATION,
		    "the name must hold 1 to %d bytes", LC_MAX_NAME_BYTES);
	if (roles == 0)
		return market_fail(detail, LC_ERR_VALIDATION, "no role");
	rc = db_tx(db, account_create_body, &a);
	if (rc == LC_ERR_CONFLICT)
		market_fail(detail, rc, "an account named \"%s\" exists", name);
	return rc;
}

int
account_resolve(struct db *db, const char *ref, int64_t *id)
{
	PGresult *res = NULL;
	int64_t	  n;
	int	  rc;

	if (market_parse_id(ref, &n) == 0) {
		if ((rc = db_exec(db, "account_by_id", 1, &ref, &res)) != 0)
			return rc;
		if (PQntuples(res) == 1)
			goto found;
		PQclear(res);
	}
	if ((rc = db_exec(db, "account_by_ref", 1, &ref, &res)) != 0)
		return rc;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return LC_ERR_NOT_FOUND;
	}
found:
	*id = db_int64(res, 0, 0);
	PQclear(res);
	return 0;
}

/* Move every matured unstake of the account to its balance. */
static int
account_release_matured(struct db *db, int64_t account_id)
{
	PGresult   *res = NULL;
	char	    id[24], from[LEDGER_KEY_LEN], to[LEDGER_KEY_LEN];
	const char *params[1] = { market_i64(id, account_id) };
	int	    rc, i;

	if ((rc = db_exec(db, "account_matured_unstakes", 1, params, &res)) !=
	    0)
		return rc;
	ledger_key_account(from, account_id, "unstaking");
	ledger_key_account(to, account_id, "balance");
	for (i = 0; i < PQntuples(res); i++)
		if ((rc = ledger_transfer(db, from, to, db_int64(res, i, 0),
			 "release", 0, 0)) != 0)
			break;
	PQclear(res);
	return rc;
}

/*
 * o.bonds: {votes, items: [{task, project, amount, since}]} — the open
 * votes whose bonds make up o.bonded, each released when its task is
 * final; items lists the newest LC_BONDS_LISTED.
 */
static int
account_me_bonds(struct db *db, const char *const params[1], cJSON *o)
{
	PGresult   *res = NULL;
	cJSON	   *b, *arr, *r;
	char	    lim[24];
	const char *p[2] = { params[0], market_i64(lim, LC_BONDS_LISTED) };
	int	    rc, i;

	if ((rc = db_exec(db, "account_bonds", 2, p, &res)) != 0)
		return rc;
	rc = LC_ERR_NOMEM;
	if ((b = cJSON_AddObjectToObject(o, "bonds")) == NULL)
		goto out;
	market_json_i64(b, "votes", PQntuples(res) ? db_int64(res, 0, 4) : 0);
	if ((arr = cJSON_AddArrayToObject(b, "items")) == NULL)
		goto out;
	for (i = 0; i < PQntuples(res); i++) {
		if ((r = cJSON_CreateObject()) == NULL)
			goto out;
		cJSON_AddItemToArray(arr, r);
		market_json_i64(r, "task", db_int64(res, i, 0));
		market_json_i64(r, "project", db_int64(res, i, 1));
		market_json_i64(r, "amount", db_int64(res, i, 2));
		cJSON_AddStringToObject(r, "since", db_text(res, i, 3));
	}
	rc = 0;
out:
	PQclear(res);
	return rc;
}

struct account_me_arg {
	int64_t account_id;
	cJSON  *out;
};

/* o.unstaking_releases: the pending unstakes, soonest first. */
/*
 * Append {project, alpha, beta, accuracy} from columns 0..2 of row i to
 * arr; the object (owned by arr) or NULL when out of memory.
 */
static cJSON *
account_rep_row(const PGresult *res, int i, cJSON *arr)
{
	cJSON *r;
	double al = db_double(res, i, 1), be = db_double(res, i, 2);

	if ((r = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddItemToArray(arr, r);
	market_json_i64(r, "project", db_int64(res, i, 0));
	cJSON_AddNumberToObject(r, "alpha", al);
	cJSON_AddNumberToObject(r, "beta", be);
	cJSON_AddNumberToObject(r, "accuracy", al / (al + be));
	return r;
}

static int
account_me_releases(struct db *db, const char *const params[1], cJSON *o)
{
	PGresult *res = NULL;
	cJSON	 *arr, *r;
	int	  rc, i;

	if ((rc = db_exec(db, "account_pending_unstakes", 1, params, &res)) !=
	    0)
		return rc;
	rc = LC_ERR_NOMEM;
	if ((arr = cJSON_AddArrayToObject(o, "unstaking_releases")) == NULL)
		goto out;
	for (i = 0; i < PQntuples(res); i++) {
		if ((r = cJSON_CreateObject()) == NULL)
			goto out;
		cJSON_AddItemToArray(arr, r);
		market_json_i64(r, "amount", db_int64(res, i, 0));
		cJSON_AddStringToObject(r, "release_at", db_text(res, i, 1));
	}
	rc = 0;
out:
	PQclear(res);
	return rc;
}

static int
account_me_body(struct db *db, void *arg)
{
	struct account_me_arg *a = arg;
	PGresult	      *res = NULL;
	cJSON		      *o = NULL, *roles, *reps;
	char		       id[24];
	const char	      *params[1] = { market_i64(id, a->account_id) };
	int		       rc, i;

	cJSON_Delete(a->out);
	a->out = NULL;
	if ((rc = account_release_matured(db, a->account_id)) != 0)
		return rc;
	if ((rc = db_exec(db, "account_get", 1, params, &res)) != 0)
		return rc;
	if (PQntuples(res) != 1) {
		rc = LC_ERR_NOT_FOUND;
		goto fail;
	}
	rc = LC_ERR_NOMEM;
	if ((o = cJSON_CreateObject()) == NULL)
		goto fail;
	market_json_i64(o, "id", db_int64(res, 0, 0));
	if (db_text(res, 0, 1) != NULL)
		cJSON_AddStringToObject(o, "name", db_text(res, 0, 1));
	else
		cJSON_AddNullToObject(o, "name");
	if ((roles = cJSON_AddArrayToObject(o, "roles")) == NULL)
		goto fail;
	if (db_bool(res, 0, 3))
		cJSON_AddItemToArray(roles, cJSON_CreateString("labeler"));
	if (db_bool(res, 0, 4))
		cJSON_AddItemToArray(roles, cJSON_CreateString("requester"));
	if (db_text(res, 0, 2) != NULL)
		cJSON_AddStringToObject(o, "public_key", db_text(res, 0, 2));
	else
		cJSON_AddNullToObject(o, "public_key");
	market_json_i64(o, "balance", db_int64(res, 0, 5));
	/* stake = free + bonded: what backs the account's votes. */
	market_json_i64(o, "stake", db_int64(res, 0, 6) + db_int64(res, 0, 8));
	market_json_i64(o, "stake_free", db_int64(res, 0, 6));
	market_json_i64(o, "bonded", db_int64(res, 0, 8));
	market_json_i64(o, "unstaking", db_int64(res, 0, 7));
	market_json_i64(o, "slashed", db_int64(res, 0, 9));
	market_json_i64(o, "earned", db_int64(res, 0, 10));
	PQclear(res);
	res = NULL;
	if ((rc = db_exec(db, "account_reputations", 1, params, &res)) != 0)
		goto fail;
	rc = LC_ERR_NOMEM;
	if ((reps = cJSON_AddArrayToObject(o, "reputation")) == NULL)
		goto fail;
	for (i = 0; i < PQntuples(res); i++)
		if (account_rep_row(res, i, reps) == NULL)
			goto fail;
	PQclear(res);
	res = NULL;
	if ((rc = account_me_releases(db, params, o)) != 0)
		goto fail;
	if ((rc = account_me_bonds(db, params, o)) != 0)
		goto fail;
	a->out = o;
	return 0;
fail:
	PQclear(res);
	cJSON_Delete(o);
	return rc;
}

int
account_me(struct db *db, int64_t account_id, cJSON **out)
{
	struct account_me_arg a = { account_id, NULL };
	int		      rc;

	*out = NULL;
	rc = db_tx(db, account_me_body, &a);
	if (rc != 0) {
		cJSON_Delete(a.out);
		return rc;
	}
	*out = a.out;
	return 0;
}

int
account_reputation_history(struct db *db, int64_t account_id,
    int64_t project_id, int limit, cJSON **out)
{
	PGresult   *res = NULL;
	cJSON	   *arr = NULL, *r;
	char	    a[24], p[24], l[24];
	const char *params[3] = { market_i64(a, account_id),
		market_i64(p, project_id), market_i64(l, limit) };
	int	    rc, i;

	*out = NULL;
	if (limit < 1 || limit > LC_REP_HISTORY_MAX || project_id < 0)
		return LC_ERR_VALIDATION;
	if ((rc = db_exec(db, "account_reputation_history", 3, params, &res)) !=
	    0)
		return rc;
	rc = LC_ERR_NOMEM;
	if ((arr = cJSON_CreateArray()) == NULL)
		goto fail;
	for (i = 0; i < PQntuples(res); i++) {
		if ((r = account_rep_row(res, i, arr)) == NULL)
			goto fail;
		/* No task: a recalibration by the batch re-estimation. */
		if (db_text(res, i, 3) != NULL)
			market_json_i64(r, "task", db_int64(res, i, 3));
		else
			cJSON_AddNullToObject(r, "task");
		cJSON_AddStringToObject(r, "time", db_text(res, i, 4));
	}
	PQclear(res);
	*out = arr;
	return 0;
fail:
	PQclear(res);
	cJSON_Delete(arr);
	return rc;
}

struct account_stake_arg {
	int64_t account_id;
	int64_t amount;
	int	cooldown_s;
	int	unstake;
	int64_t total; /* the stake after a refused stake call */
	char	release_at[AUTH_TS_LEN];
};

/*
 * Refuse (LC_ERR_VALIDATION, a->total set) a stake that leaves free plus
 * bonded above LC_MAX_STAKE_TOTAL.  Checked after the transfer, in its
 * transaction: the transfer holds the account's stake row, and what a
 * vote or a finalization moves between stake and bond leaves the sum as
 * it is (a slash only lowers it), so the check sees every stake call
 * before it and none after.
 */
static int
account_stake_capped(struct db *db, struct account_stake_arg *a)
{
	PGresult   *res = NULL;
	char	    id[24];
	const char *params[1] = { market_i64(id, a->account_id) };
	int	    rc;

	if ((rc = db_exec(db, "account_stake_total", 1, params, &res)) != 0)
		return rc;
	a->total = db_int64(res, 0, 0);
	PQclear(res);
	return a->total > LC_MAX_STAKE_TOTAL ? LC_ERR_VALIDATION : 0;
}

static int
account_stake_body(struct db *db, void *arg)
{
	struct account_stake_arg *a = arg;
	PGresult		 *res = NULL;
	char			  bal[LEDGER_KEY_LEN], stk[LEDGER_KEY_LEN];
	char			  uns[LEDGER_KEY_LEN];
	char			  id[24], am[24], cd[24];
	const char		 *params[3];
	int			  rc;

	if ((rc = account_release_matured(db, a->account_id)) != 0)
		return rc;
	ledger_key_account(bal, a->account_id, "balance");
	ledger_key_account(stk, a->account_id, "stake");
	ledger_key_account(uns, a->account_id, "unstaking");
	if (!a->unstake) {
		if ((rc = ledger_transfer(db, bal, stk, a->amount, "stake", 0,
			 0)) != 0)
			return rc;
		return account_stake_capped(db, a);
	}
	if ((rc = ledger_transfer(db, stk, uns, a->amount, "unstake", 0, 0)) !=
	    0)
		return rc;
	params[0] = market_i64(id, a->account_id);
	params[1] = market_i64(am, a->amount);
	params[2] = market_i64(cd, a->cooldown_s);
	if ((rc = db_exec(db, "account_unstake_insert", 3, params, &res)) != 0)
		return rc;
	snprintf(a->release_at, sizeof(a->release_at), "%s",
	    db_text(res, 0, 0));
	PQclear(res);
	return 0;
}

/*
 * Say why an unstake was refused: only free stake can be unstaked; what
 * open votes hold stays bonded until their tasks are final.
 */
static int
account_unstake_refused(struct db *db, int64_t account_id, char *detail)
{
	PGresult   *res = NULL;
	char	    id[24], lim[24];
	const char *params[2] = { market_i64(id, account_id),
		market_i64(lim, 1) };
	int64_t	    free = 0, bonded = 0, votes = 0, since_ok;
	char	    since[AUTH_TS_LEN] = "";
	int	    rc;

	if ((rc = db_exec(db, "account_get", 1, params, &res)) != 0)
		return rc;
	if (PQntuples(res) == 1) {
		free = db_int64(res, 0, 6);
		bonded = db_int64(res, 0, 8);
	}
	PQclear(res);
	if ((rc = db_exec(db, "account_bonds", 2, params, &res)) != 0)
		return rc;
	since_ok = PQntuples(res) == 1;
	if (since_ok) {
		votes = db_int64(res, 0, 4);
		snprintf(since, sizeof(since), "%s", db_text(res, 0, 3));
	}
	PQclear(res);
	if (bonded == 0)
		return market_fail(detail, LC_ERR_FUNDS,
		    "you can unstake at most %" PRId64 " micro-credits", free);
	return market_fail(detail, LC_ERR_FUNDS,
	    "you can unstake at most %" PRId64 " micro-credits now: %" PRId64
	    " more is bonded by your %" PRId64 " open votes (newest %s) "
	    "until their tasks are final",
	    free, bonded, votes, since);
}

static int
account_stake_move(struct db *db, int64_t account_id, int64_t amount,
    int unstake, int cooldown_s, cJSON **out, char *detail)
{
	struct account_stake_arg a;
	int			 rc;

	*out = NULL;
	memset(&a, 0, sizeof(a));
	a.account_id = account_id;
	a.amount = amount;
	a.unstake = unstake;
	a.cooldown_s = cooldown_s;
	if (amount <= 0 || amount > LC_MAX_AMOUNT)
		return market_fail(detail, LC_ERR_VALIDATION,
		    "amount must be between 1 and %" PRId64, LC_MAX_AMOUNT);
	rc = db_tx(db, account_stake_body, &a);
	if (rc == LC_ERR_FUNDS && unstake)
		return account_unstake_refused(db, account_id, detail);
	if (rc == LC_ERR_FUNDS)
		return market_fail(detail, rc,
		    "the balance is smaller than the amount");
	if (rc == LC_ERR_VALIDATION && a.total > LC_MAX_STAKE_TOTAL)
		return market_fail(detail, rc,
		    "a stake (free and bonded together) may not exceed %" PRId64
		    " micro-credits, the reputation library's cap; this one "
		    "would make yours %" PRId64 ", so you can stake %" PRId64
		    " more at most",
		    LC_MAX_STAKE_TOTAL, a.total,
		    LC_MAX_STAKE_TOTAL - (a.total - amount) > 0
			? LC_MAX_STAKE_TOTAL - (a.total - amount)
			: 0);
	if (rc != 0)
		return rc;
	if (!unstake)
		return account_me(db, account_id, out);
	if ((*out = cJSON_CreateObject()) == NULL)
		return LC_ERR_NOMEM;
	market_json_i64(*out, "amount", amount);
	cJSON_AddStringToObject(*out, "release_at", a.release_at);
	return 0;
}

int
account_stake(struct db *db, int64_t account_id, int64_t amount, cJSON **out,
    char *detail)
{
	return account_stake_move(db, account_id, amount, 0, 0, out, detail);
}

int
account_unstake(struct db *db, int64_t account_id, int64_t amount,
    int cooldown_s, cJSON **out, char *detail)
{
	return account_stake_move(db, account_id, amount, 1, cooldown_s, out,
	    detail);
}
