/*
 * labeling/auth.c — challenges, logins and bearer tokens (auth.h).
 *
 * The signature is checked before any write, so a bad signature leaves the
 * challenge usable; the login transaction then deletes the challenge (it
 * must exist, match the key and be unexpired), finds or creates the account
 * and stores the hash of a new session token.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "labeling/auth.h"
#include "labeling/db.h"
#include "labeling/lc_err.h"
#include "labeling/ledger.h"
#include "labeling/limits.h"
#include "labeling/market.h"

const struct db_stmt auth_stmts[] = {
	{ "auth_challenge_insert",
	    "WITH gc AS (DELETE FROM auth_challenges WHERE expires_at < now()"
	    " - interval '1 hour')"
	    " INSERT INTO auth_challenges (challenge, public_key, expires_at)"
	    " VALUES ($1, $2, now() + make_interval(secs => $3::int))"
	    " RETURNING " SQL_TS("expires_at") },
	{ "auth_challenge_take",
	    "DELETE FROM auth_challenges WHERE challenge = $1"
	    " AND public_key = $2 AND expires_at > now() RETURNING 1" },
	{ "auth_account_by_key",
	    "SELECT id, is_labeler, is_requester FROM accounts"
	    " WHERE public_key = $1" },
	{ "auth_account_insert_labeler",
	    "INSERT INTO accounts (public_key, is_labeler) VALUES ($1, true)"
	    " RETURNING id, is_labeler, is_requester" },
	{ "auth_token_insert",
	    "INSERT INTO auth_tokens (token_hash, account_id, kind, expires_at)"
	    " VALUES (decode($1, 'hex'), $2, $3, CASE WHEN $4::int > 0 THEN"
	    " now() + make_interval(secs => $4::int) END)"
	    " RETURNING " SQL_TS("expires_at") },
	{ "auth_token_resolve",
	    "SELECT a.id, a.is_labeler, a.is_requester,"
	    " coalesce(extract(epoch FROM t.expires_at - now())::bigint, -1)"
	    " FROM auth_tokens t JOIN accounts a ON a.id = t.account_id"
	    " WHERE t.token_hash = decode($1, 'hex')"
	    " AND (t.expires_at IS NULL OR t.expires_at > now())" },
	{ "auth_token_delete",
	    "DELETE FROM auth_tokens WHERE token_hash = decode($1, 'hex')" },
	{ NULL, NULL }
};

static unsigned
auth_roles(const PGresult *res, int row, int col)
{
	return (db_bool(res, row, col) ? ACCOUNT_ROLE_LABELER : 0) |
	    (db_bool(res, row, col + 1) ? ACCOUNT_ROLE_REQUESTER : 0);
}

int
auth_login_message(const char *challenge, char *buf, size_t len)
{
	int n;

	n = snprintf(buf, len, "labelchain:login:v1\n%s", challenge);
	return n < 0 || (size_t)n >= len ? -1 : n;
}

int
auth_verify_hex(const char *pk_hex, const char *sig_hex, const char *msg,
    size_t msg_len)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char sig[crypto_sign_BYTES];

	if (!market_is_hex(pk_hex, 2 * sizeof(pk)) ||
	    !market_is_hex(sig_hex, 2 * sizeof(sig)))
		return -1;
	if (sodium_hex2bin(pk, sizeof(pk), pk_hex, strlen(pk_hex), NULL, NULL,
		NULL) != 0 ||
	    sodium_hex2bin(sig, sizeof(sig), sig_hex, strlen(sig_hex), NULL,
		NULL, NULL) != 0)
		return -1;
	return crypto_sign_verify_detached(sig, (const unsigned char *)msg,
		   msg_len, pk) == 0
	    ? 0
	    : -1;
}

static void
auth_token_hash(const char *token, char hex[65])
{
	market_sha256_hex(token, strlen(token), hex);
}

int
auth_challenge_create(struct db *db, const char *public_key,
    char challenge[AUTH_CHALLENGE_LEN + 1], char expires_at[AUTH_TS_LEN],
    char *detail)
{
	unsigned char rnd[32];
	PGresult     *res = NULL;
	char	      ttl[24];
	const char   *params[3];
	int	      rc;

	if (!market_is_hex(public_key, 64))
		return market_fail(detail, LC_ERR_VALIDATION,
		    "public_key must be 64 lower-case hex digits");
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(challenge, AUTH_CHALLENGE_LEN + 1, rnd, sizeof(rnd));
	params[0] = challenge;
	params[1] = public_key;
	params[2] = market_i64(ttl, LC_CHALLENGE_TTL_S);
	if ((rc = db_exec(db, "auth_challenge_insert", 3, params, &res)) != 0)
		return rc;
	snprintf(expires_at, AUTH_TS_LEN, "%s", db_text(res, 0, 0));
	PQclear(res);
	return 0;
}

int
auth_token_issue(struct db *db, int64_t account_id, const char *kind, int ttl_s,
    char token[AUTH_TOKEN_LEN + 1], char expires_at[AUTH_TS_LEN])
{
	unsigned char rnd[32];
	PGresult     *res = NULL;
	char	      hash[65], id[24], ttl[24];
	const char   *params[4];
	int	      rc;

	memcpy(token, "lc_", 3);
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(token + 3, AUTH_TOKEN_LEN + 1 - 3, rnd, sizeof(rnd));
	auth_token_hash(token, hash);
	params[0] = hash;
	params[1] = market_i64(id, account_id);
	params[2] = kind;
	params[3] = market_i64(ttl, ttl_s);
	if ((rc = db_exec(db, "auth_token_insert", 4, params, &res)) != 0)
		return rc;
	if (expires_at != NULL)
		snprintf(expires_at, AUTH_TS_LEN, "%s",
		    db_text(res, 0, 0) ? db_text(res, 0, 0) : "");
	PQclear(res);
	return 0;
}

struct auth_login_arg {
	const char	      *public_key;
	const char	      *challenge;
	int		       ttl;
	struct auth_login_out *out;
	char		      *detail;
};

static int
auth_login_body(struct db *db, void *arg)
{
	struct auth_login_arg *a = arg;
	PGresult	      *res = NULL;
	const char	      *p2[2] = { a->challenge, a->public_key };
	int		       rc, created = 0;

	if ((rc = db_exec(db, "auth_challenge_take", 2, p2, &res)) != 0)
		return rc;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return market_fail(a->detail, LC_ERR_UNAUTHORIZED,
		    "unknown, used or expired challenge for this key");
	}
	PQclear(res);
	if ((rc = db_exec(db, "auth_account_by_key", 1, &a->public_key,
		 &res)) != 0)
		return rc;
	if (PQntuples(res) == 0) {
		PQclear(res);
		if ((rc = db_exec(db, "auth_account_insert_labeler", 1,
			 &a->public_key, &res)) != 0)
			return rc;
		created = 1;
	}
	a->out->account_id = db_int64(res, 0, 0);
	a->out->roles = auth_roles(res, 0, 1);
	PQclear(res);
	if (created && (rc = ledger_open_account(db, a->out->account_id)) != 0)
		return rc;
	return auth_token_issue(db, a->out->account_id, "session", a->ttl,
	    a->out->token, a->out->expires_at);
}

int
auth_login(struct db *db, const char *public_key, const char *challenge,
    const char *signature, int session_ttl_s, struct auth_login_out *out,
    char *detail)
{
	struct auth_login_arg a;
	char		      msg[128];
	int		      n;

	memset(out, 0, sizeof(*out));
	if (!market_is_hex(public_key, 64))
		return market_fail(detail, LC_ERR_VALIDATION,
		    "public_key must be 64 lower-case hex digits");
	if (!market_is_hex(challenge, AUTH_CHALLENGE_LEN))
		return market_fail(detail, LC_ERR_VALIDATION,
		    "challenge must be 64 lower-case hex digits");
	if (!market_is_hex(signature, 128))
		return market_fail(detail, LC_ERR_VALIDATION,
		    "signature must be 128 lower-case hex digits");
	n = auth_login_message(challenge, msg, sizeof(msg));
	if (n < 0 ||
	    auth_verify_hex(public_key, signature, msg, (size_t)n) != 0)
		return market_fail(detail, LC_ERR_BAD_SIGNATURE,
		    "the signature does not verify for this key and challenge");
	a.public_key = public_key;
	a.challenge = challenge;
	a.ttl = session_ttl_s;
	a.out = out;
	a.detail = detail;
	return db_tx(db, auth_login_body, &a);
}

static int
auth_token_form_ok(const char *token)
{
	return token != NULL && strlen(token) == AUTH_TOKEN_LEN &&
	    strncmp(token, "lc_", 3) == 0 && market_is_hex(token + 3, 64);
}

int
auth_token_digest(const char *token, uint8_t out[32])
{
	if (!auth_token_form_ok(token))
		return LC_ERR_UNAUTHORIZED;
	crypto_hash_sha256(out, (const unsigned char *)token, strlen(token));
	return 0;
}

int
auth_token_resolve(struct db *db, const char *token, int64_t *account_id,
    unsigned *roles, int64_t *valid_s)
{
	PGresult   *res = NULL;
	char	    hash[65];
	const char *params[1] = { hash };
	int	    rc;

	if (!auth_token_form_ok(token))
		return LC_ERR_UNAUTHORIZED;
	auth_token_hash(token, hash);
	if ((rc = db_exec(db, "auth_token_resolve", 1, params, &res)) != 0)
		return rc;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return LC_ERR_UNAUTHORIZED;
	}
	*account_id = db_int64(res, 0, 0);
	*roles = auth_roles(res, 0, 1);
	*valid_s = db_int64(res, 0, 3);
	PQclear(res);
	return 0;
}

int
auth_logout(struct db *db, const char *token)
{
	char	    hash[65];
	const char *params[1] = { hash };

	auth_token_hash(token, hash);
	return db_exec(db, "auth_token_delete", 1, params, NULL);
}
