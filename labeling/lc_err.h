/*
 * labeling/lc_err.h — the one error registry of labelchain.
 *
 * Every domain function returns 0 on success or a negative LC_ERR_* code.
 * The table below is append-only: the numeric code, the HTTP status the REST
 * layer answers with, the stable problem `type` (RFC 9457 §3.1.1, relative to
 * https://labelchain.dev/problems/) and a short human title.  server/ renders
 * problem+json from it and nothing else; labelctl prints the title.
 */
#ifndef LC_ERR_H
#define LC_ERR_H

/*      symbol                  code  http  type                     title */
#define LC_ERR_TABLE(X) \
	X(LC_ERR_INTERNAL, -1, 500, "internal", "Internal error") \
	X(LC_ERR_NOMEM, -2, 503, "out-of-memory", "Out of memory") \
	X(LC_ERR_DB, -3, 503, "database-unavailable", "Database unavailable") \
	X(LC_ERR_RETRY, -4, 503, "retry", "Conflict, retry the request") \
	X(LC_ERR_NOT_FOUND, -5, 404, "not-found", "Not found") \
	X(LC_ERR_BAD_REQUEST, -6, 400, "bad-request", "Bad request") \
	X(LC_ERR_BAD_JSON, -7, 400, "bad-json", "Malformed JSON") \
	X(LC_ERR_VALIDATION, -8, 422, "validation", "Invalid field") \
	X(LC_ERR_UNAUTHORIZED, -9, 401, "unauthorized", \
	    "Authentication required") \
	X(LC_ERR_FORBIDDEN, -10, 403, "forbidden", "Not allowed") \
	X(LC_ERR_CONFLICT, -11, 409, "conflict", "Conflict") \
	X(LC_ERR_TOO_LARGE, -12, 413, "payload-too-large", \
	    "Request body too large") \
	X(LC_ERR_METHOD, -13, 405, "method-not-allowed", "Method not allowed") \
	X(LC_ERR_MEDIA_TYPE, -14, 415, "unsupported-media-type", \
	    "Unsupported media type") \
	X(LC_ERR_BAD_SIGNATURE, -15, 401, "bad-signature", \
	    "Signature does not verify") \
	X(LC_ERR_EXPIRED, -16, 410, "expired", "Expired") \
	X(LC_ERR_FUNDS, -17, 409, "insufficient-funds", "Insufficient funds") \
	X(LC_ERR_STAKE, -18, 403, "insufficient-stake", "Insufficient stake") \
	X(LC_ERR_NOT_READY, -19, 503, "not-ready", "Not ready") \
	X(LC_ERR_MIGRATION, -20, 500, "migration", "Migration problem") \
	X(LC_ERR_CHAIN, -21, 502, "chain-unavailable", \
	    "Chain RPC unavailable") \
	X(LC_ERR_RATE_LIMIT, -22, 429, "rate-limited", "Too many requests") \
	X(LC_ERR_STATE, -23, 409, "invalid-state", \
	    "Invalid state for this operation") \
	X(LC_ERR_UNQUALIFIED, -25, 403, "unqualified", \
	    "No better than chance here") \
	X(LC_ERR_BAD_VOTE_SIGNATURE, -24, 422, "bad-vote-signature", \
	    "Vote signature does not verify")

enum lc_err {
	LC_OK = 0,
#define LC_ERR_ENUM(sym, code, http, type, title) sym = (code),
	LC_ERR_TABLE(LC_ERR_ENUM)
#undef LC_ERR_ENUM
};

struct lc_err_info {
	int	    code;
	int	    http_status;
	const char *symbol;
	const char *type;
	const char *title;
};

/* Never NULL: unknown codes map to LC_ERR_INTERNAL's entry. */
const struct lc_err_info *lc_err_info(int code);

#endif
