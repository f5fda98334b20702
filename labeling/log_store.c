/*
 * labeling/log_store.c — PostgreSQL-backed Merkle node store and the SQL of
 * the log and its anchors (see log_store.h).
 *
 * Hashes travel as lower-case hex text (encode/decode in SQL), so every
 * parameter and result stays in libpq's text format.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "anchor/anchor_err.h"
#include "anchor/hex.h"
#include "labeling/lc_err.h"
#include "labeling/log_store.h"

/* Confirmations of a confirmed anchor grow with the chain head the leader
 * last saw (anchor_control.chain_head), computed here when read.  Columns
 * are named: readers decode them by name (labeling/proof.c). */
#define ANCHOR_COLS \
	"id, tree_size, encode(root, 'hex') AS root, chain_id, " \
	"encode(tx_hash, 'hex') AS tx_hash, block_number, " \
	"CASE WHEN status = 'confirmed' THEN greatest(confirmations, " \
	"(SELECT chain_head FROM anchor_control) - block_number + 1) " \
	"ELSE confirmations END AS confirmations, status, nonce, attempts, " \
	"gas_used, effective_gas_price, reorgs, created_at, confirmed_at "

const struct db_stmt log_store_stmts[] = {
	{ "log_node_get",
	    "SELECT encode(hash, 'hex') FROM merkle_nodes "
	    "WHERE level = $1 AND idx = $2" },
	{ "log_size", "SELECT size FROM log_head" },
	/* One index probe per node (LATERAL): never a scan of the log. */
	{ "log_nodes_get",
	    "SELECT w.level, w.idx, encode(n.hash, 'hex') "
	    "FROM unnest($1::int[], $2::bigint[]) AS w(level, idx), "
	    "LATERAL (SELECT hash FROM merkle_nodes WHERE level = w.level "
	    "AND idx = w.idx) n" },
	{ "log_leaf_by_task",
	    "SELECT l.leaf_index, l.record, encode(l.leaf_hash, 'hex') "
	    "AS leaf_hash, p.owner_id FROM log_leaves l JOIN projects p "
	    "ON p.id = l.project_id WHERE l.task_id = $1" },
	/* A final label waiting for the sequencer (log_sequencer.h). */
	{ "log_pending_by_task",
	    "SELECT p.owner_id FROM log_pending l JOIN projects p "
	    "ON p.id = l.project_id WHERE l.task_id = $1" },
	/* The latest confirmed anchor covering leaf $1. */
	{ "anchor_covering",
	    "SELECT " ANCHOR_COLS "FROM anchors WHERE status = 'confirmed' "
	    "AND tree_size > $1 ORDER BY tree_size DESC LIMIT 1" },
	{ "anchor_list",
	    /* A page, newest first, before anchor id $2 (the primary key). */
	    "SELECT " ANCHOR_COLS "FROM anchors WHERE id < $2 ORDER BY id DESC "
	    "LIMIT $1" },
	{ "anchor_by_size",
	    "SELECT " ANCHOR_COLS "FROM anchors WHERE tree_size = $1" },
	{ "anchor_status_counts",
	    "SELECT status, count(*) FROM anchors GROUP BY status "
	    "ORDER BY status" },
	/* The worker's statements. */
	/* The worker's statements.  Columns are named: the worker reads them
	 * by name into a struct anchor_row (server/anchor_worker.c). */
	{ "anchor_open",
	    "SELECT id, tree_size, encode(root, 'hex') AS root, nonce, "
	    "gas_limit, max_priority_fee, max_fee, "
	    "encode(raw_tx, 'hex') AS raw_tx, encode(tx_hash, 'hex') AS tx_hash, "
	    "status, attempts, block_number, "
	    "encode(block_hash, 'hex') AS block_hash, "
	    "extract(epoch FROM now() - coalesce(sent_at, created_at))::bigint "
	    "AS age_s FROM anchors WHERE status IN ('pending', 'sent', 'mined') "
	    "ORDER BY id LIMIT 1" },
	/* Largest anchored size (a failed anchor does not count: its size is
	 * anchored again), seconds since the last anchor row of any status,
	 * whether `labelctl anchor now` asked for one since, the nonce
	 * counter, and the last confirmation. */
	{ "anchor_last",
	    "SELECT coalesce(max(tree_size) FILTER (WHERE status <> 'failed'), "
	    "0) AS last_size, "
	    "coalesce(extract(epoch FROM now() - max(created_at))::bigint, "
	    "1000000000) AS since_s, "
	    "coalesce((SELECT requested_at FROM anchor_control) > "
	    "coalesce(max(created_at), '-infinity'), false) AS requested, "
	    "(SELECT next_nonce FROM anchor_nonces WHERE sender = $1 "
	    "AND chain_id = $2) AS next_nonce, "
	    "coalesce(max(tree_size) FILTER (WHERE status = 'confirmed'), 0) "
	    "AS confirmed_size, "
	    "extract(epoch FROM max(confirmed_at))::bigint AS confirmed_at "
	    "FROM anchors" },
	{ "anchor_nonce_set",
	    "INSERT INTO anchor_nonces (sender, chain_id, next_nonce) "
	    "VALUES ($1, $2, $3) ON CONFLICT (sender) DO UPDATE "
	    "SET chain_id = $2, next_nonce = $3" },
	{ "anchor_insert",
	    "INSERT INTO anchors (tree_size, root, chain_id, sender, "
	    "to_address, nonce, gas_limit, max_priority_fee, max_fee, raw_tx, "
	    "tx_hash) VALUES ($1, decode($2, 'hex'), $3, $4, $5, $6, $7, $8, "
	    "$9, decode($10, 'hex'), decode($11, 'hex')) RETURNING id" },
	/* Record the attempt a row now holds (after anchor_insert or
	 * anchor_replace in the same transaction). */
	{ "anchor_tx_record",
	    "INSERT INTO anchor_txs (tx_hash, anchor_id, raw_tx, "
	    "max_priority_fee, max_fee) SELECT tx_hash, id, raw_tx, "
	    "max_priority_fee, max_fee FROM anchors WHERE tx_hash = "
	    "decode($1, 'hex') ON CONFLICT DO NOTHING" },
	{ "anchor_tx_hashes",
	    "SELECT encode(tx_hash, 'hex') FROM anchor_txs WHERE anchor_id = $1 "
	    "ORDER BY created_at DESC" },
	{ "anchor_replace",
	    "UPDATE anchors SET raw_tx = decode($2, 'hex'), "
	    "tx_hash = decode($3, 'hex'), max_priority_fee = $4, max_fee = $5, "
	    "nonce = $6, attempts = attempts + 1, status = 'pending', "
	    "block_number = NULL, block_hash = NULL, confirmations = 0, "
	    "updated_at = now() WHERE id = $1" },
	{ "anchor_mark_sent",
	    "UPDATE anchors SET status = 'sent', sent_at = now(), "
	    "updated_at = now() WHERE id = $1 AND status = 'pending'" },
	{ "anchor_mark_mined",
	    "UPDATE anchors SET status = 'mined', tx_hash = decode($2, 'hex'), "
	    "raw_tx = coalesce((SELECT raw_tx FROM anchor_txs WHERE tx_hash = "
	    "decode($2, 'hex')), raw_tx), block_number = $3, "
	    "block_hash = decode($4, 'hex'), confirmations = $5, gas_used = $6, "
	    "effective_gas_price = $7, mined_at = coalesce(mined_at, now()), "
	    "updated_at = now() WHERE id = $1" },
	{ "anchor_mark_confirmed",
	    "UPDATE anchors SET status = 'confirmed', confirmations = $2, "
	    "confirmed_at = now(), updated_at = now() WHERE id = $1" },
	{ "anchor_mark_reorged",
	    "UPDATE anchors SET status = 'sent', block_number = NULL, "
	    "block_hash = NULL, confirmations = 0, reorgs = reorgs + 1, "
	    "sent_at = now(), updated_at = now() WHERE id = $1" },
	{ "anchor_mark_failed",
	    "UPDATE anchors SET status = 'failed', updated_at = now() "
	    "WHERE id = $1" },
	{ "anchor_head_set",
	    "UPDATE anchor_control SET chain_head = $1, chain_head_at = now()" },
	{ "anchor_try_lock", "SELECT pg_try_advisory_lock($1::bigint)" },
	{ "anchor_request",
	    "UPDATE anchor_control SET requested_at = now() RETURNING "
	    "requested_at" },
	{ NULL, NULL },
};

/* Strict: exactly 2n hex digits, nothing else (no sign, no blanks, no
 * "0x": with it the digits are 2n - 2, which anchor_hex_decode refuses). */
int
log_store_unhex(const char *hex, uint8_t *out, size_t n)
{
	if (hex == NULL || strlen(hex) != 2 * n ||
	    anchor_hex_decode(hex, 2 * n, out, n) != 0)
		return LC_ERR_INTERNAL;
	return 0;
}

static int
log_store_get_node(void *ctx, unsigned level, uint64_t index,
    uint8_t out[MERKLE_HASH_LEN])
{
	struct db  *db = ctx;
	PGresult   *res = NULL;
	char	    l[16], i[24];
	const char *params[2] = { l, i };
	int	    rc;

	snprintf(l, sizeof(l), "%u", level);
	snprintf(i, sizeof(i), "%" PRIu64, index);
	if ((rc = db_exec(db, "log_node_get", 2, params, &res)) != 0)
		return rc;
	if (PQntuples(res) != 1)
		rc = ANCHOR_ESTORE;
	else
		rc = log_store_unhex(PQgetvalue(res, 0, 0), out,
		    MERKLE_HASH_LEN);
	PQclear(res);
	return rc;
}

void
log_store_init(struct merkle_store *ms, struct db *db)
{
	ms->get_node = log_store_get_node;
	ms->ctx = db;
}

int
log_store_size(struct db *db, uint64_t *size)
{
	PGresult *res = NULL;
	int	  rc;

	if ((rc = db_exec(db, "log_size", 0, NULL, &res)) != 0)
		return rc;
	*size = (uint64_t)db_int64(res, 0, 0);
	PQclear(res);
	return 0;
}

static int
log_store_cache_get(void *ctx, unsigned level, uint64_t index,
    uint8_t out[MERKLE_HASH_LEN])
{
	struct log_store_cache *c = ctx;
	size_t			i;

	for (i = 0; i < c->n; i++)
		if (c->nodes[i].level == level && c->nodes[i].index == index)
			break;
	if (c->recording) {
		if (i == c->n && c->n < LOG_STORE_CACHE_MAX) {
			c->nodes[c->n].level = level;
			c->nodes[c->n].index = index;
			c->nodes[c->n].have = 0;
			c->n++;
		}
		memset(out, 0, MERKLE_HASH_LEN);
		return 0;
	}
	if (i < c->n && c->nodes[i].have) {
		memcpy(out, c->nodes[i].hash, MERKLE_HASH_LEN);
		return 0;
	}
	return log_store_get_node(c->db, level, index, out);
}

void
log_store_cache_init(struct log_store_cache *c, struct db *db,
    struct merkle_store *ms)
{
	c->db = db;
	c->recording = 1;
	c->n = 0;
	ms->get_node = log_store_cache_get;
	ms->ctx = c;
}

int
log_store_cache_fetch(struct log_store_cache *c)
{
	PGresult   *res = NULL;
	char	    levels[LOG_STORE_CACHE_MAX * 4 + 3];
	char	    idx[LOG_STORE_CACHE_MAX * 21 + 3];
	const char *p[2] = { levels, idx };
	size_t	    i, ll = 0, il = 0;
	int	    r, j, rc;

	c->recording = 0;
	if (c->n == 0)
		return 0;
	levels[ll++] = '{';
	idx[il++] = '{';
	for (i = 0; i < c->n; i++) {
		ll += (size_t)snprintf(levels + ll, sizeof(levels) - ll, "%s%u",
		    i ? "," : "", c->nodes[i].level);
		il += (size_t)snprintf(idx + il, sizeof(idx) - il, "%s%" PRIu64,
		    i ? "," : "", c->nodes[i].index);
	}
	snprintf(levels + ll, sizeof(levels) - ll, "}");
	snprintf(idx + il, sizeof(idx) - il, "}");
	if ((rc = db_exec(c->db, "log_nodes_get", 2, p, &res)) != 0)
		return rc;
	for (r = 0; r < PQntuples(res); r++) {
		unsigned level = (unsigned)db_int64(res, r, 0);
		uint64_t index = (uint64_t)db_int64(res, r, 1);

		for (j = 0; j < (int)c->n; j++)
			if (c->nodes[j].level == level &&
			    c->nodes[j].index == index &&
			    log_store_unhex(db_text(res, r, 2),
				c->nodes[j].hash, MERKLE_HASH_LEN) == 0)
				c->nodes[j].have = 1;
	}
	PQclear(res);
	return 0;
}
