/*
 * labeling/auth.h — sign-in by Ed25519 challenge-response, and bearer
 * tokens.
 *
 * A client asks for a challenge for its public key, signs
 * "labelchain:login:v1\n<challenge>" (UTF-8, no trailing newline) and trades
 * challenge and signature for a session token.  Challenges are single use
 * (deleted by the login that uses them) and expire after
 * LC_CHALLENGE_TTL_S.  A key seen for the first time becomes a labeler.
 *
 * Tokens are "lc_" + 64 hex digits of randomness; only their SHA-256 is
 * stored.  Sessions expire after the configured TTL; operator-issued API
 * tokens (`labelctl account create`) do not.
 */
#ifndef LC_AUTH_H
#define LC_AUTH_H

#include <stdint.h>

struct db;

#define AUTH_TOKEN_LEN 67     /* "lc_" + 64 hex */
#define AUTH_CHALLENGE_LEN 64 /* hex of 32 random bytes */
#define AUTH_TS_LEN 40

struct auth_login_out {
	char	 token[AUTH_TOKEN_LEN + 1];
	char	 expires_at[AUTH_TS_LEN];
	int64_t	 account_id;
	unsigned roles;
};

/* Build the login message into buf; returns its length or -1. */
int auth_login_message(const char *challenge, char *buf, size_t len);

/* Verify a hex Ed25519 signature of msg by a hex public key: 0 or -1. */
int auth_verify_hex(const char *pk_hex, const char *sig_hex, const char *msg,
    size_t msg_len);

int auth_challenge_create(struct db *db, const char *public_key,
    char challenge[AUTH_CHALLENGE_LEN + 1], char expires_at[AUTH_TS_LEN],
    char *detail);

int auth_login(struct db *db, const char *public_key, const char *challenge,
    const char *signature, int session_ttl_s, struct auth_login_out *out,
    char *detail);

/* The SHA-256 a token is stored as; LC_ERR_UNAUTHORIZED if malformed. */
int auth_token_digest(const char *token, uint8_t out[32]);

/*
 * Resolve a bearer token: LC_ERR_UNAUTHORIZED when unknown or expired.
 * *valid_s gets the seconds the token is still valid (-1: no expiry).
 */
int auth_token_resolve(struct db *db, const char *token, int64_t *account_id,
    unsigned *roles, int64_t *valid_s);

/* Issue a token inside the caller's transaction; ttl_s 0 = no expiry. */
int auth_token_issue(struct db *db, int64_t account_id, const char *kind,
    int ttl_s, char token[AUTH_TOKEN_LEN + 1], char expires_at[AUTH_TS_LEN]);

/* Revoke the presented token. */
int auth_logout(struct db *db, const char *token);

#endif
