/*
 * labeling/ledger.c — double-entry transfers between keyed ledger accounts.
 *
 * A transfer is a two-entry movement of lc_ledger_move() (sql/0004), the
 * one writer of the ledger: it locks the accounts in key order, refuses to
 * take an account below zero, and writes balances and entries together.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "labeling/db.h"
#include "labeling/lc_err.h"
#include "labeling/ledger.h"
#include "labeling/market.h"

const struct db_stmt ledger_stmts[] = {
	{ "ledger_open",
	    "INSERT INTO ledger_accounts (key, kind, account_id, project_id)"
	    " VALUES ($1, $2, NULLIF($3::bigint, 0), NULLIF($4::bigint, 0))"
	    " ON CONFLICT (key) DO NOTHING" },
	{ "ledger_open_account",
	    "INSERT INTO ledger_accounts (key, kind, account_id)"
	    " SELECT 'a/' || $1 || '/' || k, k, $1::bigint FROM unnest(ARRAY["
	    "'balance', 'stake', 'bond', 'unstaking', 'slashed']) AS k"
	    " ON CONFLICT (key) DO NOTHING" },
	{ "ledger_transfer",
	    "SELECT lc_ledger_move(NULLIF($5::bigint, 0), NULLIF($6::bigint, 0),"
	    " ARRAY[$1, $2], ARRAY[-$3::bigint, $3::bigint], ARRAY[$4, $4])" },
	{ "ledger_balance",
	    "SELECT balance FROM ledger_accounts WHERE key = $1" },
	/*
	 * A page of an account's entries, newest first, below id $3: each
	 * of its ledger accounts (ledger_accounts_account) read backwards
	 * through ledger_entries_account, $2 rows at most each, so a page
	 * costs the same however long the account's history.
	 */
	{ "ledger_history",
	    "SELECT e.id, e.amount, e.cause, l.kind, e.project_id, e.task_id, " SQL_TS(
		"e.created_at") " FROM ledger_accounts l, LATERAL (SELECT x.* FROM"
				" ledger_entries x WHERE x.account_key = l.key"
				" AND x.id < $3::bigint ORDER BY x.id DESC LIMIT $2) e"
				" WHERE l.account_id = $1"
				" ORDER BY e.id DESC LIMIT $2" },
	{ NULL, NULL }
};

void
ledger_key_account(char key[LEDGER_KEY_LEN], int64_t account_id,
    const char *kind)
{
	snprintf(key, LEDGER_KEY_LEN, "a/%" PRId64 "/%s", account_id, kind);
}

void
ledger_key_escrow(char key[LEDGER_KEY_LEN], int64_t project_id)
{
	snprintf(key, LEDGER_KEY_LEN, "p/%" PRId64 "/escrow", project_id);
}

void
ledger_key_reserved(char key[LEDGER_KEY_LEN], int64_t project_id)
{
	snprintf(key, LEDGER_KEY_LEN, "p/%" PRId64 "/reserved", project_id);
}

int
ledger_open_account(struct db *db, int64_t account_id)
{
	char	    a[24];
	const char *params[1] = { market_i64(a, account_id) };

	return db_exec(db, "ledger_open_account", 1, params, NULL);
}

int
ledger_open(struct db *db, const char *key, const char *kind,
    int64_t account_id, int64_t project_id)
{
	char	    a[24], p[24];
	const char *params[4] = { key, kind, market_i64(a, account_id),
		market_i64(p, project_id) };

	return db_exec(db, "ledger_open", 4, params, NULL);
}

int
ledger_transfer(struct db *db, const char *from, const char *to, int64_t amount,
    const char *cause, int64_t project_id, int64_t task_id)
{
	char	    am[24], p[24], t[24];
	const char *params[6];

	if (amount <= 0 || strcmp(from, to) == 0)
		return LC_ERR_INTERNAL;
	params[0] = from;
	params[1] = to;
	params[2] = market_i64(am, amount);
	params[3] = cause;
	params[4] = market_i64(p, project_id);
	params[5] = market_i64(t, task_id);
	return db_exec(db, "ledger_transfer", 6, params, NULL);
}

int
ledger_balance(struct db *db, const char *key, int64_t *out)
{
	PGresult   *res = NULL;
	const char *params[1] = { key };
	int	    rc;

	*out = 0;
	if ((rc = db_exec(db, "ledger_balance", 1, params, &res)) != 0)
		return rc;
	if (PQntuples(res) == 1)
		*out = db_int64(res, 0, 0);
	PQclear(res);
	return 0;
}

struct ledger_credit_arg {
	int64_t account_id;
	int64_t amount;
};

static int
ledger_credit_body(struct db *db, void *arg)
{
	struct ledger_credit_arg *a = arg;
	char			  key[LEDGER_KEY_LEN];
	int			  rc;

	ledger_key_account(key, a->account_id, "balance");
	if ((rc = ledger_open_account(db, a->account_id)) != 0)
		return rc;
	return ledger_transfer(db, "sys/mint", key, a->amount, "credit", 0, 0);
}

int
ledger_credit(struct db *db, int64_t account_id, int64_t amount, char *detail)
{
	struct ledger_credit_arg a = { account_id, amount };

	if (amount <= 0 || amount > INT64_C(1000000000000000))
		return market_fail(detail, LC_ERR_VALIDATION,
		    "amount must be between 1 and 10^15 micro-credits");
	return db_tx(db, ledger_credit_body, &a);
}

int
ledger_history(struct db *db, int64_t account_id, int limit, int64_t before,
    cJSON **out)
{
	PGresult   *res = NULL;
	cJSON	   *arr = NULL, *o;
	char	    a[24], l[24], b[24];
	const char *params[3] = { market_i64(a, account_id),
		market_i64(l, limit),
		market_i64(b, before > 0 ? before : INT64_MAX) };
	int	    rc, i;

	*out = NULL;
	if ((rc = db_exec(db, "ledger_history", 3, params, &res)) != 0)
		return rc;
	if ((arr = cJSON_CreateArray()) == NULL)
		goto nomem;
	for (i = 0; i < PQntuples(res); i++) {
		if ((o = cJSON_CreateObject()) == NULL)
			goto nomem;
		cJSON_AddItemToArray(arr, o);
		cJSON_AddNumberToObject(o, "id", (double)db_int64(res, i, 0));
		cJSON_AddNumberToObject(o, "amount",
		    (double)db_int64(res, i, 1));
		cJSON_AddStringToObject(o, "cause", db_text(res, i, 2));
		cJSON_AddStringToObject(o, "ledger", db_text(res, i, 3));
		if (db_text(res, i, 4) != NULL)
			cJSON_AddNumberToObject(o, "project",
			    (double)db_int64(res, i, 4));
		else
			cJSON_AddNullToObject(o, "project");
		if (db_text(res, i, 5) != NULL)
			cJSON_AddNumberToObject(o, "task",
			    (double)db_int64(res, i, 5));
		else
			cJSON_AddNullToObject(o, "task");
		cJSON_AddStringToObject(o, "time", db_text(res, i, 6));
	}
	PQclear(res);
	*out = arr;
	return 0;
nomem:
	PQclear(res);
	cJSON_Delete(arr);
	return LC_ERR_NOMEM;
}
