/*
 * server/anchor_worker.c — the anchoring worker (see anchor_worker.h).
 *
 * One tick (every half second while leader):
 *
 *   1. eth_blockNumber, recorded as the head confirmations are counted from.
 *   2. If an anchor is open (pending / sent / mined), follow it:
 *	pending	 → broadcast the stored raw transaction → sent;
 *	sent	 → receipt of any of its attempts? → mined; else rebroadcast
 *		   the stored bytes (revives a dropped one), and when stuck
 *		   (ANCHOR_STUCK_INTERVALS intervals, at least
 *		   ANCHOR_STUCK_MIN_S seconds) replace them at the same nonce
 *		   with both fees raised by 12.5%;
 *	mined	 → no receipt any more → sent again (reorg); N confirmations
 *		   and the block hash at its height still the receipt's →
 *		   confirmed.
 *   3. Otherwise, when the log has grown and the interval has passed (or
 *	anchor_max_pending leaves wait, or `labelctl anchor now` asked), sign
 *	an anchor of (size, root), store row + raw transaction + the next
 *	nonce in one database transaction, and only then broadcast.
 *
 * Only one anchor is open at a time, so nonces are consecutive and a tree
 * size is anchored once (tree_size is UNIQUE as well).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "anchor/anchor_err.h"
#include "anchor/evm_key.h"
#include "anchor/evm_tx.h"
#include "anchor/hex.h"
#include "anchor/keccak.h"
#include "anchor/merkle.h"
#include "labeling/db.h"
#include "labeling/lc_err.h"
#include "labeling/log.h"
#include "labeling/log_store.h"
#include "server/anchor_chain.h"
#include "server/anchor_worker.h"
#include "server/metrics.h"
#include "server/server.h"

#define ANCHOR_TICK_MS 500
#define ANCHOR_RPC_TIMEOUT_MS 3000
/* Unmined for this many anchor intervals (at least ANCHOR_STUCK_MIN_S):
 * replace with higher fees. */
#define ANCHOR_STUCK_INTERVALS 3
#define ANCHOR_STUCK_MIN_S 5
#define ANCHOR_DEFAULT_TIP 1000000000ULL /* 1 gwei when the node has none */

struct anchor_worker {
	struct server	     *srv;
	pthread_t	      thread;
	pthread_mutex_t	      lock;
	pthread_cond_t	      cond;
	int		      stopping;
	struct evm_key	     *key; /* never logged */
	char		      sender[43];
	uint8_t		      to[20];
	char		      to_hex[43];
	struct db	     *db;
	struct chain_rpc     *rpc;
	struct merkle_hasher *hasher;
	uint64_t	      chain_id; /* 0 until read */
	/* Metrics. */
	atomic_int    leader;
	atomic_ullong head, log_size, last_size, confirmed_size;
	atomic_ullong sent_total, rebroadcast_total, replaced_total;
	atomic_ullong reorgs_total, confirmed_total, rpc_errors_total;
	atomic_ullong open_anchor_size;
	atomic_int    open_status; /* 0 none 1 pending 2 sent 3 mined */
};

/* The open anchor as read from the database. */
struct anchor_row {
	char	 id[24];
	uint64_t tree_size, nonce, gas, tip, max_fee;
	char	 root[65];
	char	 raw[2 * CHAIN_MAX_RAW_TX + 1];
	char	 tx_hash[65];
	char	 status[16];
	char	 block_hash[65];
	uint64_t block_number;
	int64_t	 age_s;
};

static void
aw_i64(char *buf, size_t n, uint64_t v)
{
	snprintf(buf, n, "%" PRIu64, v);
}

static int
aw_row_load(struct anchor_worker *w, struct anchor_row *r, int *found)
{
	PGresult *res = NULL;
	int	  rc;

	*found = 0;
	if ((rc = db_exec(w->db, "anchor_open", 0, NULL, &res)) != 0)
		return rc;
	if (PQntuples(res) == 1) {
		*found = 1;
		snprintf(r->id, sizeof(r->id), "%s", db_text(res, 0, 0));
		r->tree_size = (uint64_t)db_int64(res, 0, 1);
		snprintf(r->root, sizeof(r->root), "%s", db_text(res, 0, 2));
		r->nonce = (uint64_t)db_int64(res, 0, 6);
		r->gas = (uint64_t)db_int64(res, 0, 7);
		r->tip = (uint64_t)db_int64(res, 0, 8);
		r->max_fee = (uint64_t)db_int64(res, 0, 9);
		snprintf(r->raw, sizeof(r->raw), "%s", db_text(res, 0, 10));
		snprintf(r->tx_hash, sizeof(r->tx_hash), "%s",
		    db_text(res, 0, 11));
		snprintf(r->status, sizeof(r->status), "%s",
		    db_text(res, 0, 12));
		r->block_number = (uint64_t)db_int64(res, 0, 13);
		snprintf(r->block_hash, sizeof(r->block_hash), "%s",
		    db_text(res, 0, 14) ? db_text(res, 0, 14) : "");
		r->age_s = db_int64(res, 0, 15);
	}
	PQclear(res);
	return 0;
}

/* Suggested fees: tip from eth_maxPriorityFeePerGas, max = 2·base + tip. */
static int
aw_fees(struct anchor_worker *w, uint64_t *tip, uint64_t *max_fee)
{
	cJSON	*blk = NULL;
	uint64_t base = 0;
	int	 rc;

	if (chain_rpc_quantity(w->rpc, "eth_maxPriorityFeePerGas", "[]", tip) !=
	    0)
		*tip = ANCHOR_DEFAULT_TIP;
	rc = chain_rpc_call(w->rpc, "eth_getBlockByNumber",
	    "[\"latest\",false]", &blk, NULL, 0);
	if (rc != 0)
		return rc;
	(void)chain_json_quantity(blk, "baseFeePerGas", &base);
	cJSON_Delete(blk);
	*max_fee = 2 * base + *tip;
	return 0;
}

/* Sign the anchor of (root, size) at nonce with the given fees into hex
 * raw and hash strings (sizes 2 * CHAIN_MAX_RAW_TX + 1 and 65). */
static int
aw_sign(struct anchor_worker *w, const char *root_hex, uint64_t size,
    uint64_t nonce, uint64_t tip, uint64_t max_fee, uint64_t gas, char *raw_hex,
    char *hash_hex)
{
	struct evm_tx tx;
	uint8_t	      root[32], data[EVM_ANCHOR_DATA_LEN];
	uint8_t	      raw[CHAIN_MAX_RAW_TX], hash[EVM_HASH_LEN];
	size_t	      raw_len;

	if (log_store_unhex(root_hex, root, 32) != 0)
		return LC_ERR_INTERNAL;
	evm_anchor_calldata_encode(root, size, data);
	memset(&tx, 0, sizeof(tx));
	tx.chain_id = w->chain_id;
	tx.nonce = nonce;
	tx.max_priority_fee_per_gas = tip;
	tx.max_fee_per_gas = max_fee;
	tx.gas_limit = gas;
	memcpy(tx.to, w->to, 20);
	tx.data = data;
	tx.data_len = sizeof(data);
	if (evm_tx_sign(&tx, w->key, raw, sizeof(raw), &raw_len, hash) != 0)
		return LC_ERR_INTERNAL;
	anchor_hex_encode(raw, raw_len, raw_hex, 2 * CHAIN_MAX_RAW_TX + 1);
	anchor_hex_encode(hash, EVM_HASH_LEN, hash_hex, 65);
	return 0;
}

struct aw_create {
	struct anchor_worker *w;
	uint64_t	      size, chain_nonce, gas, tip, max_fee;
	char		      root[65];
	char		      raw[2 * CHAIN_MAX_RAW_TX + 1];
	char		      hash[65];
	uint64_t	      nonce;
};

/* Body of the transaction that records a new anchor: idempotent (signing is
 * deterministic, RFC 6979), no chain call. */
static int
aw_create_body(struct db *db, void *arg)
{
	struct aw_create *c = arg;
	PGresult	 *res = NULL;
	char		  size_s[24], chain_s[24], nonce_s[24], gas_s[24];
	char		  tip_s[24], fee_s[24], next_s[24], id[24];
	const char	 *p[11];
	int		  rc;

	aw_i64(chain_s, sizeof(chain_s), c->w->chain_id);
	p[0] = c->w->sender;
	p[1] = chain_s;
	if ((rc = db_exec(db, "anchor_nonce_get", 2, p, &res)) != 0)
		return rc;
	c->nonce = c->chain_nonce;
	if (PQntuples(res) == 1 && (uint64_t)db_int64(res, 0, 0) > c->nonce)
		c->nonce = (uint64_t)db_int64(res, 0, 0);
	PQclear(res);

	if ((rc = aw_sign(c->w, c->root, c->size, c->nonce, c->tip, c->max_fee,
		 c->gas, c->raw, c->hash)) != 0)
		return rc;

	aw_i64(size_s, sizeof(size_s), c->size);
	aw_i64(nonce_s, sizeof(nonce_s), c->nonce);
	aw_i64(gas_s, sizeof(gas_s), c->gas);
	aw_i64(tip_s, sizeof(tip_s), c->tip);
	aw_i64(fee_s, sizeof(fee_s), c->max_fee);
	p[0] = size_s;
	p[1] = c->root;
	p[2] = chain_s;
	p[3] = c->w->sender;
	p[4] = c->w->to_hex;
	p[5] = nonce_s;
	p[6] = gas_s;
	p[7] = tip_s;
	p[8] = fee_s;
	p[9] = c->raw;
	p[10] = c->hash;
	if ((rc = db_exec(db, "anchor_insert", 11, p, &res)) != 0)
		return rc;
	snprintf(id, sizeof(id), "%s", db_text(res, 0, 0));
	PQclear(res);
	p[0] = c->hash;
	p[1] = id;
	p[2] = c->raw;
	p[3] = tip_s;
	p[4] = fee_s;
	if ((rc = db_exec(db, "anchor_tx_insert", 5, p, NULL)) != 0)
		return rc;
	aw_i64(next_s, sizeof(next_s), c->nonce + 1);
	p[0] = c->w->sender;
	p[1] = chain_s;
	p[2] = next_s;
	return db_exec(db, "anchor_nonce_set", 3, p, NULL);
}

/* Broadcast the stored raw transaction.  Returns 0 when the node has it
 * (accepted, or "already known"), 1 when the nonce is used (look up the
 * receipt), 2 when it is underpriced (replace), or a negative code. */
static int
aw_broadcast(struct anchor_worker *w, const struct anchor_row *r)
{
	cJSON *res = NULL;
	char   params[2 * CHAIN_MAX_RAW_TX + 16], err[256];
	int    rc;

	snprintf(params, sizeof(params), "[\"0x%s\"]", r->raw);
	rc = chain_rpc_call(w->rpc, "eth_sendRawTransaction", params, &res, err,
	    sizeof(err));
	cJSON_Delete(res);
	if (rc == 0)
		return 0;
	if (rc != ANCHOR_ERPC) {
		atomic_fetch_add(&w->rpc_errors_total, 1);
		return LC_ERR_CHAIN;
	}
	if (strcasestr(err, "already known") != NULL ||
	    strcasestr(err, "already imported") != NULL ||
	    strcasestr(err, "known transaction") != NULL)
		return 0;
	if (strcasestr(err, "nonce too low") != NULL)
		return 1;
	if (strcasestr(err, "underpriced") != NULL ||
	    strcasestr(err, "base fee") != NULL ||
	    strcasestr(err, "fee cap") != NULL)
		return 2;
	lc_warn("event=anchor_send_refused tree_size=%" PRIu64 " error=\"%s\"",
	    r->tree_size, err);
	return LC_ERR_CHAIN;
}

/* Re-sign the open anchor at nonce with fees raised by at least 12.5%
 * (or the node's current suggestion, if higher); store, then status
 * pending — the next step broadcasts. */
static int
aw_replace(struct anchor_worker *w, struct anchor_row *r, uint64_t nonce)
{
	uint64_t    tip, max_fee;
	char	    tip_s[24], fee_s[24], nonce_s[24], hash_s[65];
	const char *p[6];
	int	    rc;

	if ((rc = aw_fees(w, &tip, &max_fee)) != 0) {
		atomic_fetch_add(&w->rpc_errors_total, 1);
		return LC_ERR_CHAIN;
	}
	if (tip < r->tip + r->tip / 8 + 1)
		tip = r->tip + r->tip / 8 + 1;
	if (max_fee < r->max_fee + r->max_fee / 8 + 1)
		max_fee = r->max_fee + r->max_fee / 8 + 1;
	if (max_fee < tip)
		max_fee = tip;
	if ((rc = aw_sign(w, r->root, r->tree_size, nonce, tip, max_fee, r->gas,
		 r->raw, hash_s)) != 0)
		return rc;
	aw_i64(tip_s, sizeof(tip_s), tip);
	aw_i64(fee_s, sizeof(fee_s), max_fee);
	aw_i64(nonce_s, sizeof(nonce_s), nonce);
	/* Attempt first (so its receipt is looked up), then the row. */
	p[0] = hash_s;
	p[1] = r->id;
	p[2] = r->raw;
	p[3] = tip_s;
	p[4] = fee_s;
	if ((rc = db_exec(w->db, "anchor_tx_insert", 5, p, NULL)) != 0)
		return rc;
	p[0] = r->id;
	p[1] = r->raw;
	p[2] = hash_s;
	p[3] = tip_s;
	p[4] = fee_s;
	p[5] = nonce_s;
	if ((rc = db_exec(w->db, "anchor_replace", 6, p, NULL)) != 0)
		return rc;
	atomic_fetch_add(&w->replaced_total, 1);
	lc_info("event=anchor_replaced tree_size=%" PRIu64 " nonce=%" PRIu64
		" tx=0x%s max_priority_fee=%" PRIu64 " max_fee=%" PRIu64,
	    r->tree_size, nonce, hash_s, tip, max_fee);
	snprintf(r->tx_hash, sizeof(r->tx_hash), "%s", hash_s);
	snprintf(r->status, sizeof(r->status), "pending");
	r->tip = tip;
	r->max_fee = max_fee;
	r->nonce = nonce;
	return 0;
}

static int
aw_receipt(struct anchor_worker *w, const struct anchor_row *r, cJSON **rcpt);

/* Send a pending row.  "Nonce too low" means one of our attempts was mined
 * (a crash after sending, before recording it: mark it sent, the next tick
 * follows the receipt) or, with no receipt of ours, that another
 * transaction of this key took the nonce: re-sign at the pending nonce. */
static int
aw_send_pending(struct anchor_worker *w, struct anchor_row *r)
{
	cJSON	   *rcpt = NULL;
	uint64_t    nonce;
	char	    params[96];
	const char *p[1] = { r->id };
	int	    rc;

	rc = aw_broadcast(w, r);
	if (rc == 1) {
		int have = aw_receipt(w, r, &rcpt);

		cJSON_Delete(rcpt);
		if (have == 0)
			rc = 0;
		else if (have != ANCHOR_ENULL)
			return have;
	}
	if (rc == 1) {
		snprintf(params, sizeof(params), "[\"%s\",\"pending\"]",
		    w->sender);
		if (chain_rpc_quantity(w->rpc, "eth_getTransactionCount",
			params, &nonce) != 0)
			return LC_ERR_CHAIN;
		lc_warn("event=anchor_nonce_taken tree_size=%" PRIu64
			" nonce=%" PRIu64 " new_nonce=%" PRIu64,
		    r->tree_size, r->nonce, nonce);
		if ((rc = aw_replace(w, r, nonce)) != 0)
			return rc;
		rc = aw_broadcast(w, r);
	} else if (rc == 2) {
		if ((rc = aw_replace(w, r, r->nonce)) != 0)
			return rc;
		rc = aw_broadcast(w, r);
	}
	if (rc < 0)
		return rc;
	if (rc == 0 && strcmp(r->status, "pending") == 0) {
		if ((rc = db_exec(w->db, "anchor_mark_sent", 1, p, NULL)) != 0)
			return rc;
		atomic_fetch_add(&w->sent_total, 1);
		lc_info("event=anchor_sent tree_size=%" PRIu64 " nonce=%" PRIu64
			" tx=0x%s",
		    r->tree_size, r->nonce, r->tx_hash);
		snprintf(r->status, sizeof(r->status), "sent");
	}
	return 0;
}

/* The receipt of any attempt of the anchor: 0 and *rcpt, ANCHOR_ENULL if
 * none has one, or an error. */
static int
aw_receipt(struct anchor_worker *w, const struct anchor_row *r, cJSON **rcpt)
{
	PGresult   *res = NULL;
	const char *p[1] = { r->id };
	char	    params[96];
	int	    i, rc, out = ANCHOR_ENULL;

	*rcpt = NULL;
	if ((rc = db_exec(w->db, "anchor_tx_hashes", 1, p, &res)) != 0)
		return rc;
	for (i = 0; i < PQntuples(res); i++) {
		snprintf(params, sizeof(params), "[\"0x%s\"]",
		    db_text(res, i, 0));
		rc = chain_rpc_call(w->rpc, "eth_getTransactionReceipt", params,
		    rcpt, NULL, 0);
		if (rc == 0) {
			out = 0;
			break;
		}
		if (rc != ANCHOR_ENULL) {
			atomic_fetch_add(&w->rpc_errors_total, 1);
			out = LC_ERR_CHAIN;
			break;
		}
	}
	PQclear(res);
	return out;
}

static int64_t
aw_stuck_s(const struct anchor_worker *w)
{
	int64_t s =
	    (int64_t)w->srv->cfg.anchor_interval_s * ANCHOR_STUCK_INTERVALS;

	return s < ANCHOR_STUCK_MIN_S ? ANCHOR_STUCK_MIN_S : s;
}

static int
aw_follow(struct anchor_worker *w, struct anchor_row *r, uint64_t head)
{
	cJSON	   *rcpt = NULL, *blk = NULL;
	const char *bh, *th, *st;
	uint64_t    bn, gas_used = 0, price = 0, conf;
	char	    bn_s[24], conf_s[24], gu_s[24], pr_s[24], params[64];
	const char *p[7];
	int	    rc;

	if (strcmp(r->status, "pending") == 0)
		return aw_send_pending(w, r);
	rc = aw_receipt(w, r, &rcpt);
	if (rc == ANCHOR_ENULL) {
		p[0] = r->id;
		if (strcmp(r->status, "mined") == 0) {
			/* Its block left the canonical chain. */
			if ((rc = db_exec(w->db, "anchor_mark_reorged", 1, p,
				 NULL)) != 0)
				return rc;
			atomic_fetch_add(&w->reorgs_total, 1);
			lc_warn("event=anchor_reorged tree_size=%" PRIu64
				" block=%" PRIu64 " tx=0x%s",
			    r->tree_size, r->block_number, r->tx_hash);
			snprintf(r->status, sizeof(r->status), "sent");
			r->age_s = 0;
		}
		if (r->age_s >= aw_stuck_s(w)) {
			if ((rc = aw_replace(w, r, r->nonce)) != 0)
				return rc;
			return aw_send_pending(w, r);
		}
		/* Dropped or not yet seen: rebroadcasting the same bytes is
		 * harmless ("already known") and revives a dropped one. */
		rc = aw_broadcast(w, r);
		if (rc == 0)
			atomic_fetch_add(&w->rebroadcast_total, 1);
		else if (rc == 2) {
			if ((rc = aw_replace(w, r, r->nonce)) != 0)
				return rc;
			return aw_send_pending(w, r);
		}
		return rc < 0 ? rc : 0;
	}
	if (rc != 0)
		return rc;
	bh = chain_json_string(rcpt, "blockHash");
	th = chain_json_string(rcpt, "transactionHash");
	st = chain_json_string(rcpt, "status");
	if (bh == NULL || th == NULL ||
	    chain_json_quantity(rcpt, "blockNumber", &bn) != 0) {
		rc = LC_ERR_CHAIN;
		goto out;
	}
	(void)chain_json_quantity(rcpt, "gasUsed", &gas_used);
	(void)chain_json_quantity(rcpt, "effectiveGasPrice", &price);
	if (st != NULL && strcmp(st, "0x1") != 0) {
		p[0] = r->id;
		rc = db_exec(w->db, "anchor_mark_failed", 1, p, NULL);
		lc_error("event=anchor_reverted tree_size=%" PRIu64 " tx=%s",
		    r->tree_size, th);
		goto out;
	}
	conf = head >= bn ? head - bn + 1 : 0;
	aw_i64(bn_s, sizeof(bn_s), bn);
	aw_i64(conf_s, sizeof(conf_s), conf);
	aw_i64(gu_s, sizeof(gu_s), gas_used);
	aw_i64(pr_s, sizeof(pr_s), price);
	p[0] = r->id;
	p[1] = th + 2;
	p[2] = bn_s;
	p[3] = bh + 2;
	p[4] = conf_s;
	p[5] = gu_s;
	p[6] = pr_s;
	if ((rc = db_exec(w->db, "anchor_mark_mined", 7, p, NULL)) != 0)
		goto out;
	if (strcmp(r->status, "mined") != 0)
		lc_info("event=anchor_mined tree_size=%" PRIu64
			" block=%" PRIu64 " tx=%s gas_used=%" PRIu64,
		    r->tree_size, bn, th, gas_used);
	if (conf < (uint64_t)w->srv->cfg.anchor_confirmations)
		goto out;
	/* Final only if the block at that height is still the receipt's. */
	snprintf(params, sizeof(params), "[\"0x%" PRIx64 "\",false]", bn);
	if ((rc = chain_rpc_call(w->rpc, "eth_getBlockByNumber", params, &blk,
		 NULL, 0)) != 0) {
		rc = rc == ANCHOR_ENULL ? 0 : LC_ERR_CHAIN;
		goto out;
	}
	if (chain_json_string(blk, "hash") == NULL ||
	    strcasecmp(chain_json_string(blk, "hash"), bh) != 0)
		goto out; /* reorg in progress: the next tick sees it */
	p[1] = conf_s;
	if ((rc = db_exec(w->db, "anchor_mark_confirmed", 2, p, NULL)) != 0)
		goto out;
	atomic_fetch_add(&w->confirmed_total, 1);
	atomic_store(&w->confirmed_size, r->tree_size);
	lc_info("event=anchor_confirmed tree_size=%" PRIu64 " block=%" PRIu64
		" confirmations=%" PRIu64 " tx=%s",
	    r->tree_size, bn, conf, th);
out:
	cJSON_Delete(blk);
	cJSON_Delete(rcpt);
	return rc;
}

static int
aw_maybe_create(struct anchor_worker *w)
{
	struct merkle_store ms;
	struct aw_create    c;
	struct anchor_row   r;
	PGresult	   *res = NULL;
	uint8_t		    root[32], data[EVM_ANCHOR_DATA_LEN];
	uint64_t	    size, last;
	int64_t		    since;
	int		    requested, rc, found;
	char		    params[256], datahex[2 * sizeof(data) + 1];

	if ((rc = log_store_size(w->db, &size)) != 0)
		return rc;
	atomic_store(&w->log_size, size);
	if ((rc = db_exec(w->db, "anchor_last", 0, NULL, &res)) != 0)
		return rc;
	last = (uint64_t)db_int64(res, 0, 0);
	since = db_int64(res, 0, 1);
	requested = db_bool(res, 0, 2);
	PQclear(res);
	atomic_store(&w->last_size, last);
	if (size <= last)
		return 0;
	if (!requested && since < w->srv->cfg.anchor_interval_s &&
	    size - last < (uint64_t)w->srv->cfg.anchor_max_pending)
		return 0;

	memset(&c, 0, sizeof(c));
	c.w = w;
	c.size = size;
	log_store_init(&ms, w->db);
	if ((rc = merkle_root(w->hasher, &ms, size, root)) != 0) {
		lc_warn("event=anchor_root_failed tree_size=%" PRIu64
			" error=\"%s\"",
		    size, anchor_strerror(rc));
		return LC_ERR_INTERNAL;
	}
	anchor_hex_encode(root, 32, c.root, sizeof(c.root));
	if (aw_fees(w, &c.tip, &c.max_fee) != 0)
		goto chain_down;
	evm_anchor_calldata_encode(root, size, data);
	anchor_hex_encode(data, sizeof(data), datahex, sizeof(datahex));
	snprintf(params, sizeof(params),
	    "[{\"from\":\"%s\",\"to\":\"%s\",\"data\":\"0x%s\"}]", w->sender,
	    w->to_hex, datahex);
	if (chain_rpc_quantity(w->rpc, "eth_estimateGas", params, &c.gas) != 0)
		c.gas = 30000;
	else
		c.gas += c.gas / 10;
	snprintf(params, sizeof(params), "[\"%s\",\"pending\"]", w->sender);
	if (chain_rpc_quantity(w->rpc, "eth_getTransactionCount", params,
		&c.chain_nonce) != 0)
		goto chain_down;
	if ((rc = db_tx(w->db, aw_create_body, &c)) != 0) {
		if (rc == LC_ERR_CONFLICT) /* another leader got there */
			return 0;
		return rc;
	}
	lc_info("event=anchor_recorded tree_size=%" PRIu64
		" root=%s nonce=%" PRIu64 " tx=0x%s gas=%" PRIu64
		" max_fee=%" PRIu64,
	    size, c.root, c.nonce, c.hash, c.gas, c.max_fee);
	/* Broadcast only now that the row is durable. */
	if ((rc = aw_row_load(w, &r, &found)) != 0 || !found)
		return rc;
	return aw_send_pending(w, &r);
chain_down:
	atomic_fetch_add(&w->rpc_errors_total, 1);
	return LC_ERR_CHAIN;
}

static int
aw_tick(struct anchor_worker *w)
{
	struct anchor_row r;
	uint64_t	  head;
	char		  head_s[24];
	const char	 *p[1] = { head_s };
	int		  rc, found;

	if (w->chain_id == 0 &&
	    chain_rpc_quantity(w->rpc, "eth_chainId", "[]", &w->chain_id) !=
		0) {
		w->chain_id = 0;
		atomic_fetch_add(&w->rpc_errors_total, 1);
		return LC_ERR_CHAIN;
	}
	if (chain_rpc_quantity(w->rpc, "eth_blockNumber", "[]", &head) != 0) {
		atomic_fetch_add(&w->rpc_errors_total, 1);
		return LC_ERR_CHAIN;
	}
	atomic_store(&w->head, head);
	aw_i64(head_s, sizeof(head_s), head);
	if ((rc = db_exec(w->db, "anchor_head_set", 1, p, NULL)) != 0)
		return rc;
	if ((rc = aw_row_load(w, &r, &found)) != 0)
		return rc;
	if (found) {
		atomic_store(&w->open_anchor_size, r.tree_size);
		atomic_store(&w->open_status,
		    strcmp(r.status, "pending") == 0	? 1
			: strcmp(r.status, "sent") == 0 ? 2
							: 3);
		return aw_follow(w, &r, head);
	}
	atomic_store(&w->open_anchor_size, 0);
	atomic_store(&w->open_status, 0);
	return aw_maybe_create(w);
}

/* Connect, try to become leader; 1 when this instance leads. */
static int
aw_lead(struct anchor_worker *w)
{
	PGresult   *res = NULL;
	char	    key[24];
	const char *p[1] = { key };
	int	    lead;

	if (w->db != NULL && !db_ok(w->db)) {
		db_close(w->db);
		w->db = NULL;
		if (atomic_exchange(&w->leader, 0))
			lc_warn("event=anchor_leader_lost reason=db");
	}
	if (w->db == NULL &&
	    db_open(w->srv->cfg.database_url, 1, &w->db) != 0) {
		w->db = NULL;
		return 0;
	}
	if (atomic_load(&w->leader))
		return 1;
	snprintf(key, sizeof(key), "%lld", (long long)ANCHOR_LOCK_KEY);
	if (db_exec(w->db, "anchor_try_lock", 1, p, &res) != 0)
		return 0;
	lead = db_bool(res, 0, 0);
	PQclear(res);
	if (lead) {
		atomic_store(&w->leader, 1);
		w->chain_id = 0;
		lc_info("event=anchor_leader sender=%s", w->sender);
	}
	return lead;
}

static void *
aw_main(void *arg)
{
	struct anchor_worker *w = arg;
	struct timespec	      until;
	int		      rc;

	lc_log_set_request_id("anchor");
	pthread_mutex_lock(&w->lock);
	while (!w->stopping) {
		pthread_mutex_unlock(&w->lock);
		if (aw_lead(w) && (rc = aw_tick(w)) != 0)
			lc_debug("event=anchor_tick_failed code=%s",
			    lc_err_info(rc)->symbol);
		pthread_mutex_lock(&w->lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += ANCHOR_TICK_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!w->stopping &&
		    pthread_cond_timedwait(&w->cond, &w->lock, &until) !=
			ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static void
aw_metrics(struct metrics_buf *b, void *arg)
{
	struct anchor_worker *w = arg;

	metrics_printf(b,
	    "# HELP labelchain_anchor_leader 1 when this instance is the "
	    "anchoring leader.\n# TYPE labelchain_anchor_leader gauge\n"
	    "labelchain_anchor_leader %d\n"
	    "# TYPE labelchain_anchor_chain_head gauge\n"
	    "labelchain_anchor_chain_head %llu\n"
	    "# TYPE labelchain_anchor_log_size gauge\n"
	    "labelchain_anchor_log_size %llu\n"
	    "# TYPE labelchain_anchor_last_tree_size gauge\n"
	    "labelchain_anchor_last_tree_size %llu\n"
	    "# TYPE labelchain_anchor_confirmed_tree_size gauge\n"
	    "labelchain_anchor_confirmed_tree_size %llu\n"
	    "# HELP labelchain_anchor_open_status 0 none, 1 pending, 2 sent, "
	    "3 mined.\n# TYPE labelchain_anchor_open_status gauge\n"
	    "labelchain_anchor_open_status %d\n"
	    "labelchain_anchor_open_tree_size %llu\n"
	    "# TYPE labelchain_anchor_sent_total counter\n"
	    "labelchain_anchor_sent_total %llu\n"
	    "# TYPE labelchain_anchor_rebroadcast_total counter\n"
	    "labelchain_anchor_rebroadcast_total %llu\n"
	    "# TYPE labelchain_anchor_replaced_total counter\n"
	    "labelchain_anchor_replaced_total %llu\n"
	    "# TYPE labelchain_anchor_reorgs_total counter\n"
	    "labelchain_anchor_reorgs_total %llu\n"
	    "# TYPE labelchain_anchor_confirmed_total counter\n"
	    "labelchain_anchor_confirmed_total %llu\n"
	    "# TYPE labelchain_anchor_rpc_errors_total counter\n"
	    "labelchain_anchor_rpc_errors_total %llu\n",
	    atomic_load(&w->leader), atomic_load(&w->head),
	    atomic_load(&w->log_size), atomic_load(&w->last_size),
	    atomic_load(&w->confirmed_size), atomic_load(&w->open_status),
	    atomic_load(&w->open_anchor_size), atomic_load(&w->sent_total),
	    atomic_load(&w->rebroadcast_total), atomic_load(&w->replaced_total),
	    atomic_load(&w->reorgs_total), atomic_load(&w->confirmed_total),
	    atomic_load(&w->rpc_errors_total));
}

int
anchor_worker_start(struct server *srv, struct anchor_worker **out)
{
	struct anchor_worker *w;
	const char	     *to;

	*out = NULL;
	if (srv->cfg.rpc_url == NULL || srv->cfg.rpc_url[0] == '\0') {
		lc_info("event=anchor_disabled reason=no_rpc_url");
		return 0;
	}
	if (keccak256_selftest() != 0) {
		lc_error("event=anchor_start_failed reason=keccak_selftest");
		return LC_ERR_INTERNAL;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return LC_ERR_NOMEM;
	w->srv = srv;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	if (srv->cfg.chain_key_file == NULL ||
	    evm_key_from_file(srv->cfg.chain_key_file, &w->key) != 0) {
		lc_error("event=anchor_start_failed reason=key file=\"%s\" "
			 "hint=\"0x-hex secp256k1 key, mode 0600\"",
		    srv->cfg.chain_key_file ? srv->cfg.chain_key_file : "");
		goto fail;
	}
	/* Addresses are stored and compared in lower case (no EIP-55). */
	evm_key_address(w->key, w->to);
	w->sender[0] = '0';
	w->sender[1] = 'x';
	anchor_hex_encode(w->to, 20, w->sender + 2, sizeof(w->sender) - 2);
	to = srv->cfg.anchor_address && srv->cfg.anchor_address[0]
	    ? srv->cfg.anchor_address
	    : w->sender;
	if (anchor_hex_decode(to, strlen(to), w->to, 20) != 0) {
		lc_error("event=anchor_start_failed reason=anchor_address");
		goto fail;
	}
	w->to_hex[0] = '0';
	w->to_hex[1] = 'x';
	anchor_hex_encode(w->to, 20, w->to_hex + 2, sizeof(w->to_hex) - 2);
	if (chain_rpc_create(srv->cfg.rpc_url, ANCHOR_RPC_TIMEOUT_MS,
		&w->rpc) != 0 ||
	    merkle_hasher_create(&w->hasher) != 0)
		goto fail;
	if (pthread_create(&w->thread, NULL, aw_main, w) != 0)
		goto fail;
	metrics_register(aw_metrics, w);
	lc_info("event=anchor_worker_started sender=%s to=%s interval=%d "
		"confirmations=%d",
	    w->sender, w->to_hex, srv->cfg.anchor_interval_s,
	    srv->cfg.anchor_confirmations);
	*out = w;
	return 0;
fail:
	evm_key_free(w->key);
	chain_rpc_free(w->rpc);
	merkle_hasher_free(w->hasher);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w);
	return LC_ERR_INTERNAL;
}

void
anchor_worker_stop(struct anchor_worker *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = 1;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	db_close(w->db);
	chain_rpc_free(w->rpc);
	merkle_hasher_free(w->hasher);
	evm_key_free(w->key);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w);
}
