/*
 * anchor/anchor_err.h — error codes of the anchor/ part.
 *
 * Every function of anchor/ returns 0 on success and one of these negative
 * codes on failure, so that the server maps them to problem details once, in
 * one table.  The codes are stable: new ones are appended, never renumbered.
 * The one exception is merkle's node-store callback: a negative code it
 * returns is passed through unchanged (see merkle.h), so a store may return
 * the project's own lc_err codes.
 *
 * Pure: no I/O, no allocation.
 */
#ifndef ANCHOR_ANCHOR_ERR_H
#define ANCHOR_ANCHOR_ERR_H

enum anchor_err {
	ANCHOR_OK = 0,
	ANCHOR_EINVAL = -1,	/* bad argument or malformed input */
	ANCHOR_ENOMEM = -2,	/* allocation failed */
	ANCHOR_ESTORE = -3,	/* node store has no such node */
	ANCHOR_ECRYPTO = -4,	/* OpenSSL / secp256k1 failure */
	ANCHOR_ENOSPC = -5,	/* caller's buffer is too small */
	ANCHOR_EVERIFY = -6,	/* a proof or signature did not verify */
	ANCHOR_ETRANSPORT = -7, /* RPC: connection, timeout, HTTP status */
	ANCHOR_ERPC = -8,	/* RPC: the node answered with an error */
	ANCHOR_ENULL = -9,	/* RPC: the result is null (not found) */
	ANCHOR_EPARSE = -10,	/* RPC: malformed JSON-RPC response */
	ANCHOR_EKEY = -11,	/* key file unusable (mode, format) */
};

/* A static, human-readable name for code; never NULL. */
const char *anchor_strerror(int code);

#endif /* ANCHOR_ANCHOR_ERR_H */
