/*
 * server/h_account.c — sign-in and the caller's own account:
 * /v1/auth/challenge, /v1/auth/login, /v1/auth/logout, /v1/me,
 * /v1/me/ledger, /v1/me/reputation, /v1/me/stake, /v1/me/unstake.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "labeling/account.h"
#include "labeling/auth.h"
#include "labeling/lc_err.h"
#include "labeling/ledger.h"
#include "labeling/limits.h"
#include "labeling/market.h"
#include "server/auth_cache.h"
#include "server/handlers.h"
#include "server/server.h"

int
h_param_id(struct http_req *req, int i, int64_t *out)
{
	if (i >= req->nparams || market_parse_id(req->params[i], out) != 0)
		return http_fail(req, LC_ERR_NOT_FOUND, "no such id \"%.40s\"",
		    i < req->nparams ? req->params[i] : "");
	return 0;
}

int
h_reply(struct http_req *req, struct http_resp *resp, int rc, int status,
    cJSON *out)
{
	if (rc != 0) {
		cJSON_Delete(out);
		return rc;
	}
	return http_reply_json(resp, status, out);
}

int
h_auth_challenge(struct http_req *req, struct http_resp *resp)
{
	cJSON	   *body = NULL, *out;
	struct db  *db;
	const char *pk;
	char	    ch[AUTH_CHALLENGE_LEN + 1], exp[AUTH_TS_LEN];
	int	    rc;

	if ((rc = http_json_body(req, &body)) != 0)
		return rc;
	rc = LC_ERR_VALIDATION;
	if ((pk = market_json_get_str(body, "public_key", 64, req->detail)) ==
	    NULL)
		goto out;
	if ((rc = http_req_db(req, &db)) != 0)
		goto out;
	if ((rc = auth_challenge_create(db, pk, ch, exp, req->detail)) != 0)
		goto out;
	rc = LC_ERR_NOMEM;
	if ((out = cJSON_CreateObject()) == NULL)
		goto out;
	cJSON_AddStringToObject(out, "challenge", ch);
	cJSON_AddStringToObject(out, "expires_at", exp);
	rc = http_reply_json(resp, 200, out);
out:
	cJSON_Delete(body);
	return rc;
}

int
h_auth_login(struct http_req *req, struct http_resp *resp)
{
	struct auth_login_out lo;
	cJSON		     *body = NULL, *out, *acct, *roles;
	struct db	     *db;
	const char	     *pk, *ch, *sig;
	int		      rc;

	if ((rc = http_json_body(req, &body)) != 0)
		return rc;
	rc = LC_ERR_VALIDATION;
	if ((pk = market_json_get_str(body, "public_key", 64, req->detail)) ==
		NULL ||
	    (ch = market_json_get_str(body, "challenge", 64, req->detail)) ==
		NULL ||
	    (sig = market_json_get_str(body, "signature", 128, req->detail)) ==
		NULL)
		goto out;
	if ((rc = http_req_db(req, &db)) != 0)
		goto out;
	if ((rc = auth_login(db, pk, ch, sig, req->srv->cfg.session_ttl_s, &lo,
		 req->detail)) != 0)
		goto out;
	rc = LC_ERR_NOMEM;
	if ((out = cJSON_CreateObject()) == NULL)
		goto out;
	cJSON_AddStringToObject(out, "token", lo.token);
	cJSON_AddStringToObject(out, "expires_at", lo.expires_at);
	acct = cJSON_AddObjectToObject(out, "account");
	roles = acct ? cJSON_AddArrayToObject(acct, "roles") : NULL;
	if (roles == NULL) {
		cJSON_Delete(out);
		goto out;
	}
	market_json_i64(acct, "id", lo.account_id);
	if (lo.roles & ACCOUNT_ROLE_LABELER)
		cJSON_AddItemToArray(roles, cJSON_CreateString("labeler"));
	if (lo.roles & ACCOUNT_ROLE_REQUESTER)
		cJSON_AddItemToArray(roles, cJSON_CreateString("requester"));
	rc = http_reply_json(resp, 200, out);
out:
	cJSON_Delete(body);
	return rc;
}

int
h_auth_logout(struct http_req *req, struct http_resp *resp)
{
	struct db  *db;
	const char *h = http_header(req, "Authorization");
	uint8_t	    digest[32];
	int	    rc;

	if ((rc = http_req_db(req, &db)) != 0)
		return rc;
	h += 7; /* authenticated: "Bearer " is there */
	while (*h == ' ')
		h++;
	if ((rc = auth_logout(db, h)) != 0)
		return rc;
	if (auth_token_digest(h, digest) == 0)
		auth_cache_forget(req->srv->auth_cache, digest);
	resp->status = 204;
	return 0;
}

int
h_me(struct http_req *req, struct http_resp *resp)
{
	struct db *db;
	cJSON	  *out = NULL;
	int	   rc;

	if ((rc = http_req_db(req, &db)) != 0)
		return rc;
	rc = account_me(db, req->account_id, &out);
	return h_reply(req, resp, rc, 200, out);
}

int
h_me_ledger(struct http_req *req, struct http_resp *resp)
{
	struct db  *db;
	cJSON	   *out = NULL;
	const char *q;
	int64_t	    before = 0, limit = 100;
	int	    rc;

	if ((q = http_query(req, "before")) != NULL &&
	    market_parse_id(q, &before) != 0)
		return http_fail(req, LC_ERR_VALIDATION,
		    "before must be a positive integer");
	if ((q = http_query(req, "limit")) != NULL &&
	    (market_parse_id(q, &limit) != 0 || limit > LC_LEDGER_PAGE))
		return http_fail(req, LC_ERR_VALIDATION,
		    "limit must be between 1 and %d", LC_LEDGER_PAGE);
	if ((rc = http_req_db(req, &db)) != 0)
		return rc;
	rc = ledger_history(db, req->account_id, (int)limit, before, &out);
	return h_reply(req, resp, rc, 200, out);
}

int
h_me_reputation(struct http_req *req, struct http_resp *resp)
{
	struct db  *db;
	cJSON	   *out = NULL;
	const char *q;
	int64_t	    project = 0, limit = LC_REP_HISTORY_DEFAULT;
	int	    rc;

	if ((q = http_query(req, "project")) != NULL &&
	    market_parse_id(q, &project) != 0)
		return http_fail(req, LC_ERR_VALIDATION,
		    "project must be a positive integer");
	if ((q = http_query(req, "limit")) != NULL &&
	    (market_parse_id(q, &limit) != 0 || limit > LC_REP_HISTORY_MAX))
		return http_fail(req, LC_ERR_VALIDATION,
		    "limit must be between 1 and %d", LC_REP_HISTORY_MAX);
	if ((rc = http_req_db(req, &db)) != 0)
		return rc;
	rc = account_reputation_history(db, req->account_id, project,
	    (int)limit, &out);
	return h_reply(req, resp, rc, 200, out);
}

static int
h_stake_move(struct http_req *req, struct http_resp *resp, int unstake)
{
	struct db *db;
	cJSON	  *body = NULL, *out = NULL;
	int64_t	   amount;
	int	   rc;

	if ((rc = http_json_body(req, &body)) != 0)
		return rc;
	if ((rc = market_json_get_i64(body, "amount", 1, LC_MAX_AMOUNT, &amount,
		 req->detail)) != 0)
		goto out;
	if ((rc = http_req_db(req, &db)) != 0)
		goto out;
	if (unstake)
		rc = account_unstake(db, req->account_id, amount,
		    req->srv->cfg.unstake_cooldown_s, &out, req->detail);
	else
		rc = account_stake(db, req->account_id, amount, &out,
		    req->detail);
	rc = h_reply(req, resp, rc, unstake ? 202 : 200, out);
out:
	cJSON_Delete(body);
	return rc;
}

int
h_me_stake(struct http_req *req, struct http_resp *resp)
{
	return h_stake_move(req, resp, 0);
}

int
h_me_unstake(struct http_req *req, struct http_resp *resp)
{
	return h_stake_move(req, resp, 1);
}
