/*
 * labeling/log_append.c — the append half of the label log (log_append.h).
 *
 * RFC 6962 §2.1 / RFC 9162 §2.1.  Appending leaf n completes node (0, n);
 * while the completed node is a right child (its index is odd) it combines
 * with its stored left sibling into the parent one level up, which is
 * complete too.  So one append writes 1 + (trailing one bits of n) nodes
 * and reads as many siblings: O(log n).
 *
 * The node arithmetic duplicates merkle_append() of anchor/merkle.h in a
 * dozen lines because anchor/libmerkle.a is not in the build yet; once it
 * is, log_append_nodes() should call merkle_append() with a get_node
 * callback reading merkle_nodes, and tests/unit/test_market_log.c already
 * checks the roots against a naive recompute.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "labeling/db.h"
#include "labeling/lc_err.h"
#include "labeling/log_append.h"
#include "labeling/market.h"

const struct db_stmt log_append_stmts[] = {
	{ "market_log_head_lock", "SELECT size FROM log_head FOR UPDATE" },
	{ "market_log_head_set", "UPDATE log_head SET size = $1" },
	{ "market_log_leaf_insert",
	    "INSERT INTO log_leaves (leaf_index, task_id, project_id, record,"
	    " leaf_hash) VALUES ($1, $2, $3, $4, decode($5, 'hex'))" },
	{ "market_log_node_get",
	    "SELECT encode(hash, 'hex') FROM merkle_nodes"
	    " WHERE level = $1 AND idx = $2" },
	{ "market_log_node_insert",
	    "INSERT INTO merkle_nodes (level, idx, hash)"
	    " VALUES ($1, $2, decode($3, 'hex'))" },
	{ NULL, NULL }
};

void
log_leaf_hash(const void *record, size_t len, unsigned char out[LOG_HASH_LEN])
{
	crypto_hash_sha256_state st;
	const unsigned char	 zero = 0x00;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &zero, 1);
	crypto_hash_sha256_update(&st, record, len);
	crypto_hash_sha256_final(&st, out);
}

void
log_node_hash(const unsigned char left[LOG_HASH_LEN],
    const unsigned char right[LOG_HASH_LEN], unsigned char out[LOG_HASH_LEN])
{
	crypto_hash_sha256_state st;
	const unsigned char	 one = 0x01;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &one, 1);
	crypto_hash_sha256_update(&st, left, LOG_HASH_LEN);
	crypto_hash_sha256_update(&st, right, LOG_HASH_LEN);
	crypto_hash_sha256_final(&st, out);
}

static int
log_node_put(struct db *db, unsigned level, int64_t idx,
    const unsigned char hash[LOG_HASH_LEN])
{
	char	    l[24], i[24], hex[2 * LOG_HASH_LEN + 1];
	const char *params[3];

	sodium_bin2hex(hex, sizeof(hex), hash, LOG_HASH_LEN);
	params[0] = market_i64(l, level);
	params[1] = market_i64(i, idx);
	params[2] = hex;
	return db_exec(db, "market_log_node_insert", 3, params, NULL);
}

/* Store node (0, n) and every ancestor leaf n completes. */
static int
log_append_nodes(struct db *db, int64_t n, const unsigned char leaf[32])
{
	PGresult     *res = NULL;
	unsigned char cur[LOG_HASH_LEN], left[LOG_HASH_LEN];
	char	      l[24], i[24];
	const char   *params[2];
	unsigned      level = 0;
	int64_t	      idx = n;
	int	      rc;

	memcpy(cur, leaf, LOG_HASH_LEN);
	if ((rc = log_node_put(db, 0, idx, cur)) != 0)
		return rc;
	while (idx & 1) {
		params[0] = market_i64(l, level);
		params[1] = market_i64(i, idx - 1);
		if ((rc = db_exec(db, "market_log_node_get", 2, params,
			 &res)) != 0)
			return rc;
		if (PQntuples(res) != 1 ||
		    sodium_hex2bin(left, sizeof(left), db_text(res, 0, 0),
			2 * LOG_HASH_LEN, NULL, NULL, NULL) != 0) {
			PQclear(res);
			return LC_ERR_INTERNAL; /* the log is damaged */
		}
		PQclear(res);
		log_node_hash(left, cur, cur);
		level++;
		idx >>= 1;
		if ((rc = log_node_put(db, level, idx, cur)) != 0)
			return rc;
	}
	return 0;
}

int
log_append(struct db *db, int64_t task_id, int64_t project_id,
    const char *record, size_t record_len, int64_t *leaf_index)
{
	PGresult     *res = NULL;
	unsigned char leaf[LOG_HASH_LEN];
	char	      hex[2 * LOG_HASH_LEN + 1], n[24], t[24], p[24], s[24];
	const char   *params[5];
	int64_t	      size;
	int	      rc;

	if ((rc = db_exec(db, "market_log_head_lock", 0, NULL, &res)) != 0)
		return rc;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return LC_ERR_INTERNAL;
	}
	size = db_int64(res, 0, 0);
	PQclear(res);
	log_leaf_hash(record, record_len, leaf);
	sodium_bin2hex(hex, sizeof(hex), leaf, sizeof(leaf));
	params[0] = market_i64(n, size);
	params[1] = market_i64(t, task_id);
	params[2] = market_i64(p, project_id);
	params[3] = record;
	params[4] = hex;
	if ((rc = db_exec(db, "market_log_leaf_insert", 5, params, NULL)) != 0)
		return rc;
	if ((rc = log_append_nodes(db, size, leaf)) != 0)
		return rc;
	params[0] = market_i64(s, size + 1);
	if ((rc = db_exec(db, "market_log_head_set", 1, params, NULL)) != 0)
		return rc;
	*leaf_index = size;
	return 0;
}
