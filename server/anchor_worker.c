/*
 * server/anchor_worker.c — the anchoring worker's thread (see
 * anchor_worker.h): the clock, leadership, the chain (anchor/rpc.h) and the
 * database (server/anchor_store.h).  Every choice is anchor_decide()'s
 * (anchor/decide.h); this file only gathers what it needs, carries out
 * what it says, and reports alerts and metrics.
 *
 * One tick (every half second while leader):
 *
 *   1. the chain: head and base fee, suggested tip, the sender's mined and
 *	pending nonces and balance (anchor/rpc.h);
 *   2. the database: the open anchor, read by column name into a struct
 *	anchor_row; with one open, the receipt of any of its attempts and the
 *	canonical block at the receipt's height; with none, the log and the
 *	last anchor, and when an anchor is due the root and a gas estimate;
 *   3. anchor_decide() → one action, carried out: every write is one
 *	transaction (db_pipeline_tx), and a transaction is signed and stored
 *	before it is broadcast, so a crash re-sends the same bytes.
 *
 * How the node answered the last broadcast is remembered for the next tick
 * (keyed by anchor id and transaction hash): that is the only state the
 * thread keeps besides its metrics.
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
#include "anchor/decide.h"
#include "anchor/evm_key.h"
#include "anchor/evm_tx.h"
#include "anchor/hex.h"
#include "anchor/keccak.h"
#include "anchor/merkle.h"
#include "anchor/rpc.h"
#include "labeling/db.h"
#include "labeling/lc_err.h"
#include "labeling/log.h"
#include "labeling/log_store.h"
#include "server/anchor_store.h"
#include "server/anchor_worker.h"
#include "server/metrics.h"
#include "server/server.h"

#define ANCHOR_TICK_MS 500
#define ANCHOR_RPC_CONNECT_MS 2000
#define ANCHOR_RPC_TIMEOUT_MS 3000
/* Unmined for this many anchor intervals (at least ANCHOR_STUCK_MIN_S):
 * replace with higher fees. */
#define ANCHOR_STUCK_INTERVALS 3
#define ANCHOR_STUCK_MIN_S 5
#define ANCHOR_DEFAULT_GAS 30000
#define ANCHOR_MAX_ATTEMPTS_READ 64
/* A persisting alert or outage is logged again this often. */
#define ANCHOR_REPEAT_LOG_S 30

struct anchor_worker {
	struct server	     *srv;
	pthread_t	      thread;
	pthread_mutex_t	      lock;
	pthread_cond_t	      cond;
	int		      stopping;
	struct evm_key	     *key; /* never logged */
	uint8_t		      sender[EVM_ADDRESS_LEN];
	char		      sender_hex[43];
	uint8_t		      to[EVM_ADDRESS_LEN];
	char		      to_hex[43];
	struct db	     *db;
	struct rpc_client    *rpc;
	struct merkle_hasher *hasher;
	uint64_t	      chain_id; /* 0 until read */
	struct anchor_policy  policy;
	/* The node's answer to the last broadcast, for the next tick. */
	int64_t		 send_id;
	uint8_t		 send_hash[ANCHOR_HASH_LEN];
	enum anchor_send last_send;
	/* What has been logged: alerts and outages at warn, then again every
	 * ANCHOR_REPEAT_LOG_S while they last. */
	enum anchor_alert alert;
	time_t		  alert_since, alert_logged;
	time_t		  down_since, down_logged;
	/* Metrics. */
	atomic_int    leader, chain_up, alert_now;
	atomic_ullong head, log_size, last_size, confirmed_size;
	atomic_llong  confirmed_at; /* unix time; 0: none yet */
	atomic_llong  lead_at;	    /* unix time this instance began leading */
	atomic_ullong open_size, open_attempts, open_max_fee;
	atomic_int    open_status;
	atomic_ullong sent_total, rebroadcast_total, replaced_total;
	atomic_ullong reorgs_total, confirmed_total, failed_total;
	atomic_ullong rpc_errors_total;
	atomic_ullong alerts_total[ANCHOR_ALERT_MAX];
};

static int
aw_rpc_failed(struct anchor_worker *w, int rc)
{
	atomic_fetch_add(&w->rpc_errors_total, 1);
	lc_debug("event=anchor_rpc_failed code=%s reason=%s error=\"%s\"",
	    anchor_strerror(rc),
	    rpc_reason_name(rpc_last_error(w->rpc)->reason),
	    rpc_last_error(w->rpc)->message);
	return LC_ERR_CHAIN;
}

/* --- the chain ---------------------------------------------------------- */

static int
aw_chain_load(struct anchor_worker *w, struct anchor_chain_view *cv)
{
	struct rpc_block blk;
	int		 rc;

	memset(cv, 0, sizeof(*cv));
	if ((rc = rpc_get_block_by_number(w->rpc, "latest", 0, &blk)) != 0)
		return aw_rpc_failed(w, rc);
	cv->head = blk.number;
	cv->base_fee = blk.has_base_fee ? blk.base_fee_per_gas : 0;
	/* No suggestion (an old node): anchor_decide() uses its default. */
	rc = rpc_max_priority_fee_per_gas(w->rpc, &cv->tip);
	if (rc == ANCHOR_ETRANSPORT)
		return aw_rpc_failed(w, rc);
	if (rc != 0)
		cv->tip = 0;
	if ((rc = rpc_get_transaction_count(w->rpc, w->sender, "latest",
		 &cv->nonce_latest)) != 0 ||
	    (rc = rpc_get_transaction_count(w->rpc, w->sender, "pending",
		 &cv->nonce_pending)) != 0 ||
	    (rc = rpc_get_balance(w->rpc, w->sender, &cv->balance)) != 0)
		return aw_rpc_failed(w, rc);
	return 0;
}

/* The receipt of any attempt of the open anchor, newest first, and the
 * canonical block at its height. */
static int
aw_receipt_load(struct anchor_worker *w, const struct anchor_open_row *o,
    struct anchor_chain_view *cv)
{
	struct rpc_receipt rr;
	struct rpc_block   blk;
	uint8_t		   hashes[ANCHOR_MAX_ATTEMPTS_READ][ANCHOR_HASH_LEN];
	int		   i, n, rc;

	if ((rc = anchor_store_attempts(w->db, o, hashes,
		 ANCHOR_MAX_ATTEMPTS_READ, &n)) != 0)
		return rc;
	for (i = 0; i < n; i++) {
		rc = rpc_get_transaction_receipt(w->rpc, hashes[i], &rr);
		if (rc == ANCHOR_ENULL)
			continue;
		if (rc != 0)
			break;
		cv->has_receipt = 1;
		cv->receipt.status = rr.status;
		cv->receipt.block_number = rr.block_number;
		memcpy(cv->receipt.block_hash, rr.block_hash, ANCHOR_HASH_LEN);
		memcpy(cv->receipt.tx_hash, rr.tx_hash, ANCHOR_HASH_LEN);
		cv->receipt.gas_used = rr.gas_used;
		cv->receipt.effective_gas_price = rr.effective_gas_price;
		break;
	}
	if (rc != 0 && rc != ANCHOR_ENULL)
		return aw_rpc_failed(w, rc);
	if (!cv->has_receipt)
		return 0;
	rc = rpc_get_block_by_number(w->rpc, NULL, cv->receipt.block_number,
	    &blk);
	if (rc == 0) {
		cv->has_block_at_receipt = 1;
		memcpy(cv->block_hash_at_receipt, blk.hash, ANCHOR_HASH_LEN);
	} else if (rc != ANCHOR_ENULL)
		return aw_rpc_failed(w, rc);
	return 0;
}

/* When an anchor is due: its root, and whether the node would run it. */
static int
aw_estimate(struct anchor_worker *w, uint64_t size, uint8_t root[32],
    struct anchor_chain_view *cv)
{
	struct merkle_store ms;
	uint8_t		    data[EVM_ANCHOR_DATA_LEN];
	int		    rc;

	log_store_init(&ms, w->db);
	if ((rc = merkle_root(w->hasher, &ms, size, root)) != 0) {
		lc_warn("event=anchor_root_failed tree_size=%" PRIu64
			" error=\"%s\"",
		    size, anchor_strerror(rc));
		return LC_ERR_INTERNAL;
	}
	evm_anchor_calldata_encode(root, size, data);
	rc = rpc_estimate_gas(w->rpc, w->sender, w->to, data, sizeof(data),
	    &cv->gas_estimate);
	if (rc == ANCHOR_ERPC &&
	    rpc_last_error(w->rpc)->reason == RPC_REASON_CALL_FAILS) {
		cv->estimate_fails = 1;
		lc_debug("event=anchor_estimate_fails error=\"%s\"",
		    rpc_last_error(w->rpc)->message);
	} else if (rc == ANCHOR_ETRANSPORT)
		return aw_rpc_failed(w, rc);
	else if (rc != 0)
		cv->gas_estimate = 0; /* the policy's default gas */
	cv->has_estimate = 1;
	return 0;
}

/* --- carrying out an action --------------------------------------------- */

/* Sign the anchor of (root, size) with the action's nonce, gas and fees. */
static int
aw_sign(struct anchor_worker *w, const uint8_t root[32], uint64_t size,
    const struct anchor_action *a, char *raw_hex, size_t raw_hex_len,
    char hash_hex[65])
{
	struct evm_tx tx;
	uint8_t	      data[EVM_ANCHOR_DATA_LEN];
	uint8_t	      raw[ANCHOR_MAX_RAW_TX], hash[EVM_HASH_LEN];
	size_t	      raw_len;

	evm_anchor_calldata_encode(root, size, data);
	memset(&tx, 0, sizeof(tx));
	tx.chain_id = w->chain_id;
	tx.nonce = a->nonce;
	tx.max_priority_fee_per_gas = a->max_priority_fee;
	tx.max_fee_per_gas = a->max_fee;
	tx.gas_limit = a->gas_limit;
	memcpy(tx.to, w->to, EVM_ADDRESS_LEN);
	tx.data = data;
	tx.data_len = sizeof(data);
	if (evm_tx_sign(&tx, w->key, raw, sizeof(raw), &raw_len, hash) != 0 ||
	    anchor_hex_encode(raw, raw_len, raw_hex, raw_hex_len) != 0 ||
	    anchor_hex_encode(hash, EVM_HASH_LEN, hash_hex, 65) != 0)
		return LC_ERR_INTERNAL;
	return 0;
}

static enum anchor_send
aw_send_outcome(enum rpc_reason r)
{
	switch (r) {
	case RPC_REASON_KNOWN:
		return ANCHOR_SEND_OK;
	case RPC_REASON_NONCE_LOW:
		return ANCHOR_SEND_NONCE_LOW;
	case RPC_REASON_UNDERPRICED:
		return ANCHOR_SEND_UNDERPRICED;
	case RPC_REASON_FUNDS:
		return ANCHOR_SEND_FUNDS;
	case RPC_REASON_TIMEOUT:
	case RPC_REASON_UNREACHABLE:
		return ANCHOR_SEND_UNREACHABLE;
	default:
		return ANCHOR_SEND_REFUSED;
	}
}

/* Broadcast the stored transaction; remember the answer; a pending row the
 * node accepted becomes sent. */
static int
aw_send(struct anchor_worker *w, struct anchor_open_row *o)
{
	uint8_t		 raw[ANCHOR_MAX_RAW_TX], hash[EVM_HASH_LEN];
	size_t		 raw_len;
	enum anchor_send s;
	int		 rc;

	if (anchor_hex_decode_var(o->raw_hex, strlen(o->raw_hex), raw,
		sizeof(raw), &raw_len) != 0)
		return LC_ERR_INTERNAL;
	rc = rpc_send_raw_transaction(w->rpc, raw, raw_len, hash);
	s = rc == 0 ? ANCHOR_SEND_OK
		    : aw_send_outcome(rpc_last_error(w->rpc)->reason);
	w->send_id = o->row.id;
	memcpy(w->send_hash, o->row.tx_hash, ANCHOR_HASH_LEN);
	w->last_send = s;
	if (s == ANCHOR_SEND_UNREACHABLE)
		return aw_rpc_failed(w, rc);
	if (s != ANCHOR_SEND_OK) {
		lc_debug("event=anchor_send_refused tree_size=%" PRIu64
			 " reason=%s error=\"%s\"",
		    o->row.tree_size,
		    rpc_reason_name(rpc_last_error(w->rpc)->reason),
		    rpc_last_error(w->rpc)->message);
		return 0;
	}
	if (o->row.status != ANCHOR_STATUS_PENDING) {
		atomic_fetch_add(&w->rebroadcast_total, 1);
		return 0;
	}
	if ((rc = anchor_store_mark_sent(w->db, o)) != 0)
		return rc;
	atomic_fetch_add(&w->sent_total, 1);
	lc_info("event=anchor_sent tree_size=%" PRIu64 " nonce=%" PRIu64
		" attempt=%d",
	    o->row.tree_size, o->row.nonce, o->row.attempts);
	return 0;
}

static int
aw_create(struct anchor_worker *w, const uint8_t root[32],
    const struct anchor_action *a)
{
	struct anchor_open_row o;
	struct anchor_new      n;
	char		       raw_hex[2 * ANCHOR_MAX_RAW_TX + 1], hash_hex[65];
	int		       rc, found;

	if ((rc = aw_sign(w, root, a->tree_size, a, raw_hex, sizeof(raw_hex),
		 hash_hex)) != 0)
		return rc;
	n = (struct anchor_new){ w->chain_id, w->sender_hex, w->to_hex, root, a,
		raw_hex, hash_hex };
	if ((rc = anchor_store_create(w->db, &n)) != 0)
		return rc == LC_ERR_CONFLICT ? 0 : rc; /* another leader */
	lc_info("event=anchor_recorded tree_size=%" PRIu64 " nonce=%" PRIu64
		" tx=0x%s gas=%" PRIu64 " max_fee=%" PRIu64
		" max_priority_fee=%" PRIu64,
	    a->tree_size, a->nonce, hash_hex, a->gas_limit, a->max_fee,
	    a->max_priority_fee);
	/* Broadcast only now that the row is durable. */
	if ((rc = anchor_store_open(w->db, &o, &found)) != 0 || !found)
		return rc;
	return aw_send(w, &o);
}

/* Re-sign the open anchor (new nonce or new fees), store, then send. */
static int
aw_bump(struct anchor_worker *w, struct anchor_open_row *o,
    const struct anchor_action *a)
{
	char raw_hex[2 * ANCHOR_MAX_RAW_TX + 1], hash_hex[65];
	int  rc;

	if ((rc = aw_sign(w, o->row.root, o->row.tree_size, a, raw_hex,
		 sizeof(raw_hex), hash_hex)) != 0 ||
	    (rc = anchor_store_replace(w->db, o, a, raw_hex, hash_hex)) != 0)
		return rc;
	atomic_fetch_add(&w->replaced_total, 1);
	lc_info("event=anchor_replaced tree_size=%" PRIu64 " nonce=%" PRIu64
		" tx=0x%s max_priority_fee=%" PRIu64 " max_fee=%" PRIu64
		" attempt=%d reason=%s",
	    o->row.tree_size, a->nonce, hash_hex, a->max_priority_fee,
	    a->max_fee, o->row.attempts, anchor_alert_name(a->alert));
	return aw_send(w, o);
}

/* MINED, CONFIRM, FAILED: record the receipt, then the new status. */
static int
aw_record_receipt(struct anchor_worker *w, const struct anchor_open_row *o,
    const struct anchor_chain_view *cv, const struct anchor_action *a)
{
	const struct anchor_receipt *r = &cv->receipt;
	char			     th[65];
	int			     rc;

	if ((rc = anchor_store_receipt(w->db, o, r, a)) != 0)
		return rc;
	anchor_hex_encode(r->tx_hash, ANCHOR_HASH_LEN, th, sizeof(th));
	if (a->act == ANCHOR_ACT_CONFIRM) {
		atomic_fetch_add(&w->confirmed_total, 1);
		atomic_store(&w->confirmed_size, o->row.tree_size);
		lc_info("event=anchor_confirmed tree_size=%" PRIu64
			" block=%" PRIu64 " confirmations=%" PRIu64 " tx=0x%s",
		    o->row.tree_size, r->block_number, a->confirmations, th);
	} else if (a->act == ANCHOR_ACT_FAILED) {
		atomic_fetch_add(&w->failed_total, 1);
		lc_error("event=anchor_reverted tree_size=%" PRIu64
			 " block=%" PRIu64 " tx=0x%s gas_used=%" PRIu64
			 " hint=\"the size is anchored again; check the anchor "
			 "address\"",
		    o->row.tree_size, r->block_number, th, r->gas_used);
	} else if (o->row.status != ANCHOR_STATUS_MINED)
		lc_info("event=anchor_mined tree_size=%" PRIu64
			" block=%" PRIu64 " tx=0x%s gas_used=%" PRIu64,
		    o->row.tree_size, r->block_number, th, r->gas_used);
	return 0;
}

static int
aw_reorged(struct anchor_worker *w, struct anchor_open_row *o)
{
	int rc;

	if ((rc = anchor_store_reorged(w->db, o)) != 0)
		return rc;
	atomic_fetch_add(&w->reorgs_total, 1);
	lc_warn("event=anchor_reorged tree_size=%" PRIu64 " block=%" PRIu64,
	    o->row.tree_size, o->row.block_number);
	return aw_send(w, o);
}

/* Alerts at warn (a revert at error) when they start, again every
 * ANCHOR_REPEAT_LOG_S while they last, and at info when they clear. */
static void
aw_alert(struct anchor_worker *w, const struct anchor_action *a,
    const struct anchor_open_row *o, const struct anchor_chain_view *cv)
{
	time_t now = time(NULL);

	atomic_store(&w->alert_now, (int)a->alert);
	if (a->alert == ANCHOR_ALERT_NONE) {
		if (w->alert != ANCHOR_ALERT_NONE)
			lc_info("event=anchor_alert_cleared reason=%s "
				"lasted_s=%lld",
			    anchor_alert_name(w->alert),
			    (long long)(now - w->alert_since));
		w->alert = ANCHOR_ALERT_NONE;
		return;
	}
	if (a->alert != w->alert) {
		w->alert = a->alert;
		w->alert_since = now;
		w->alert_logged = 0;
		atomic_fetch_add(&w->alerts_total[a->alert], 1);
	} else if (a->act == ANCHOR_ACT_BUMP || a->act == ANCHOR_ACT_CREATE)
		atomic_fetch_add(&w->alerts_total[a->alert], 1);
	if (a->alert == ANCHOR_ALERT_REVERTED)
		return; /* logged at error by aw_record_receipt() */
	if (w->alert_logged != 0 &&
	    now - w->alert_logged < ANCHOR_REPEAT_LOG_S &&
	    a->act != ANCHOR_ACT_BUMP && a->act != ANCHOR_ACT_CREATE)
		return;
	w->alert_logged = now;
	lc_warn("event=anchor_alert reason=%s action=%s tree_size=%" PRIu64
		" nonce=%" PRIu64 " chain_nonce=%" PRIu64 " attempts=%d "
		"max_fee=%" PRIu64 " fee_ceiling=%" PRIu64 " base_fee=%" PRIu64
		" balance=%" PRIu64 " since_s=%lld",
	    anchor_alert_name(a->alert), anchor_act_name(a->act),
	    o ? o->row.tree_size : a->tree_size, o ? o->row.nonce : a->nonce,
	    cv->nonce_pending, o ? o->row.attempts : 0,
	    o ? o->row.max_fee : a->max_fee, w->policy.max_fee_ceiling,
	    cv->base_fee, cv->balance, (long long)(now - w->alert_since));
}

static int
aw_tick(struct anchor_worker *w)
{
	struct anchor_chain_view cv;
	struct anchor_log_view	 lv;
	struct anchor_action	 a;
	struct anchor_open_row	 o;
	uint8_t			 root[32];
	uint64_t		 confirmed_size = 0;
	int64_t			 confirmed_at = 0;
	int			 rc = 0, rc2, found;

	/* The chain id (the nonce counter is per chain), then the database:
	 * the metrics of what waits stay current while the chain is down. */
	if (w->chain_id == 0 && (rc = rpc_chain_id(w->rpc, &w->chain_id)) != 0)
		w->chain_id = 0;
	if ((rc2 = anchor_store_log(w->db, w->sender_hex, w->chain_id, &lv,
		 &confirmed_size, &confirmed_at)) != 0)
		return rc2;
	atomic_store(&w->log_size, lv.log_size);
	atomic_store(&w->last_size, lv.last_size);
	atomic_store(&w->confirmed_size, confirmed_size);
	atomic_store(&w->confirmed_at, confirmed_at);
	if (w->chain_id == 0)
		return aw_rpc_failed(w, rc);
	if ((rc = aw_chain_load(w, &cv)) != 0)
		return rc;
	atomic_store(&w->head, cv.head);
	if ((rc = anchor_store_head(w->db, cv.head)) != 0 ||
	    (rc = anchor_store_open(w->db, &o, &found)) != 0)
		return rc;
	if (found) {
		if ((rc = aw_receipt_load(w, &o, &cv)) != 0)
			return rc;
		if (w->send_id == o.row.id &&
		    memcmp(w->send_hash, o.row.tx_hash, ANCHOR_HASH_LEN) == 0)
			cv.last_send = w->last_send;
		atomic_store(&w->open_size, o.row.tree_size);
		atomic_store(&w->open_attempts,
		    (unsigned long long)o.row.attempts);
		atomic_store(&w->open_max_fee, o.row.max_fee);
		atomic_store(&w->open_status, (int)o.row.status);
	} else {
		atomic_store(&w->open_size, 0);
		atomic_store(&w->open_attempts, 0);
		atomic_store(&w->open_max_fee, 0);
		atomic_store(&w->open_status, 0);
		if (anchor_due(&lv, &w->policy) &&
		    (rc = aw_estimate(w, lv.log_size, root, &cv)) != 0)
			return rc;
	}
	anchor_decide(found ? &o.row : NULL, &lv, &cv, &w->policy, &a);
	aw_alert(w, &a, found ? &o : NULL, &cv);
	switch (a.act) {
	case ANCHOR_ACT_IDLE:
	case ANCHOR_ACT_WAIT:
		return 0;
	case ANCHOR_ACT_CREATE:
		return aw_create(w, root, &a);
	case ANCHOR_ACT_SEND:
		return aw_send(w, &o);
	case ANCHOR_ACT_BUMP:
		return aw_bump(w, &o, &a);
	case ANCHOR_ACT_MINED:
	case ANCHOR_ACT_CONFIRM:
	case ANCHOR_ACT_FAILED:
		return aw_record_receipt(w, &o, &cv, &a);
	case ANCHOR_ACT_REORGED:
		return aw_reorged(w, &o);
	}
	return LC_ERR_INTERNAL;
}

/* Connect, try to become leader; 1 when this instance leads. */
static int
aw_lead(struct anchor_worker *w)
{
	int lead;

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
	if (anchor_store_try_lock(w->db, ANCHOR_LOCK_KEY, &lead) != 0)
		return 0;
	if (lead) {
		atomic_store(&w->leader, 1);
		w->chain_id = 0;
		atomic_store(&w->lead_at, (long long)time(NULL));
		lc_info("event=anchor_leader sender=%s", w->sender_hex);
	}
	return lead;
}

/* A failing tick is an outage: warn when it starts and every
 * ANCHOR_REPEAT_LOG_S while it lasts, info when it ends. */
static void
aw_outage(struct anchor_worker *w, int rc)
{
	time_t now = time(NULL);

	if (rc == 0) {
		if (w->down_since != 0)
			lc_info("event=anchor_recovered down_s=%lld",
			    (long long)(now - w->down_since));
		w->down_since = 0;
		atomic_store(&w->chain_up, 1);
		return;
	}
	if (rc == LC_ERR_CHAIN)
		atomic_store(&w->chain_up, 0);
	if (w->down_since == 0) {
		w->down_since = now;
		w->down_logged = 0;
	}
	if (w->down_logged != 0 && now - w->down_logged < ANCHOR_REPEAT_LOG_S)
		return;
	w->down_logged = now;
	lc_warn("event=anchor_tick_failed code=%s down_s=%lld error=\"%s\"",
	    lc_err_info(rc)->symbol, (long long)(now - w->down_since),
	    rc == LC_ERR_CHAIN ? rpc_last_error(w->rpc)->message : "");
}

static void *
aw_main(void *arg)
{
	struct anchor_worker *w = arg;
	struct timespec	      until;

	lc_log_set_request_id("anchor");
	pthread_mutex_lock(&w->lock);
	while (!w->stopping) {
		pthread_mutex_unlock(&w->lock);
		if (aw_lead(w))
			aw_outage(w, aw_tick(w));
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
	unsigned long long    log_size, confirmed;
	long long	      since, now = (long long)time(NULL);
	int		      i, alert;

	log_size = atomic_load(&w->log_size);
	confirmed = atomic_load(&w->confirmed_size);
	/* Since the last confirmation, or since leading when there is none. */
	since = atomic_load(&w->confirmed_at);
	if (since == 0)
		since = atomic_load(&w->lead_at);
	since = atomic_load(&w->leader) && since > 0 && now > since
	    ? now - since
	    : 0;
	metrics_printf(b,
	    "# HELP labelchain_anchor_leader 1 when this instance is the "
	    "anchoring leader.\n# TYPE labelchain_anchor_leader gauge\n"
	    "labelchain_anchor_leader %d\n"
	    "# HELP labelchain_anchor_chain_up 0 while the leader's ticks fail "
	    "on the chain.\n# TYPE labelchain_anchor_chain_up gauge\n"
	    "labelchain_anchor_chain_up %d\n"
	    "# TYPE labelchain_anchor_chain_head gauge\n"
	    "labelchain_anchor_chain_head %llu\n"
	    "# TYPE labelchain_anchor_log_size gauge\n"
	    "labelchain_anchor_log_size %llu\n"
	    "# TYPE labelchain_anchor_last_tree_size gauge\n"
	    "labelchain_anchor_last_tree_size %llu\n"
	    "# TYPE labelchain_anchor_confirmed_tree_size gauge\n"
	    "labelchain_anchor_confirmed_tree_size %llu\n"
	    "# HELP labelchain_anchor_leaves_waiting Log entries not yet under "
	    "a confirmed anchor.\n# TYPE labelchain_anchor_leaves_waiting "
	    "gauge\nlabelchain_anchor_leaves_waiting %llu\n"
	    "# HELP labelchain_anchor_seconds_since_confirmed Since the last "
	    "confirmed anchor (since leading, when none).\n"
	    "# TYPE labelchain_anchor_seconds_since_confirmed gauge\n"
	    "labelchain_anchor_seconds_since_confirmed %lld\n"
	    "# HELP labelchain_anchor_open_status 0 none, 1 pending, 2 sent, "
	    "3 mined.\n# TYPE labelchain_anchor_open_status gauge\n"
	    "labelchain_anchor_open_status %d\n"
	    "# TYPE labelchain_anchor_open_tree_size gauge\n"
	    "labelchain_anchor_open_tree_size %llu\n"
	    "# HELP labelchain_anchor_open_attempts Signed attempts of the "
	    "open anchor.\n# TYPE labelchain_anchor_open_attempts gauge\n"
	    "labelchain_anchor_open_attempts %llu\n"
	    "# TYPE labelchain_anchor_open_max_fee gauge\n"
	    "labelchain_anchor_open_max_fee %llu\n"
	    "# TYPE labelchain_anchor_max_fee_ceiling gauge\n"
	    "labelchain_anchor_max_fee_ceiling %llu\n"
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
	    "# TYPE labelchain_anchor_failed_total counter\n"
	    "labelchain_anchor_failed_total %llu\n"
	    "# TYPE labelchain_anchor_rpc_errors_total counter\n"
	    "labelchain_anchor_rpc_errors_total %llu\n",
	    atomic_load(&w->leader), atomic_load(&w->chain_up),
	    atomic_load(&w->head), log_size, atomic_load(&w->last_size),
	    confirmed, log_size > confirmed ? log_size - confirmed : 0, since,
	    atomic_load(&w->open_status), atomic_load(&w->open_size),
	    atomic_load(&w->open_attempts), atomic_load(&w->open_max_fee),
	    (unsigned long long)w->policy.max_fee_ceiling,
	    atomic_load(&w->sent_total), atomic_load(&w->rebroadcast_total),
	    atomic_load(&w->replaced_total), atomic_load(&w->reorgs_total),
	    atomic_load(&w->confirmed_total), atomic_load(&w->failed_total),
	    atomic_load(&w->rpc_errors_total));
	alert = atomic_load(&w->alert_now);
	metrics_printf(b,
	    "# HELP labelchain_anchor_alert 1 for the reason the worker is "
	    "not making progress now.\n# TYPE labelchain_anchor_alert gauge\n");
	for (i = 1; i < ANCHOR_ALERT_MAX; i++)
		metrics_printf(b, "labelchain_anchor_alert{reason=\"%s\"} %d\n",
		    anchor_alert_name((enum anchor_alert)i), alert == i);
	metrics_printf(b, "# TYPE labelchain_anchor_alerts_total counter\n");
	for (i = 1; i < ANCHOR_ALERT_MAX; i++)
		metrics_printf(b,
		    "labelchain_anchor_alerts_total{reason=\"%s\"} %llu\n",
		    anchor_alert_name((enum anchor_alert)i),
		    atomic_load(&w->alerts_total[i]));
}

int
anchor_worker_start(struct server *srv, struct anchor_worker **out)
{
	struct anchor_worker *w;
	const char	     *to;
	int64_t		      stuck;

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
	evm_key_address(w->key, w->sender);
	w->sender_hex[0] = '0';
	w->sender_hex[1] = 'x';
	anchor_hex_encode(w->sender, EVM_ADDRESS_LEN, w->sender_hex + 2,
	    sizeof(w->sender_hex) - 2);
	to = srv->cfg.anchor_address && srv->cfg.anchor_address[0]
	    ? srv->cfg.anchor_address
	    : w->sender_hex;
	if (anchor_hex_decode(to, strlen(to), w->to, EVM_ADDRESS_LEN) != 0) {
		lc_error("event=anchor_start_failed reason=anchor_address");
		goto fail;
	}
	w->to_hex[0] = '0';
	w->to_hex[1] = 'x';
	anchor_hex_encode(w->to, EVM_ADDRESS_LEN, w->to_hex + 2,
	    sizeof(w->to_hex) - 2);
	stuck = (int64_t)srv->cfg.anchor_interval_s * ANCHOR_STUCK_INTERVALS;
	w->policy.interval_s = srv->cfg.anchor_interval_s;
	w->policy.max_pending = (uint64_t)srv->cfg.anchor_max_pending;
	w->policy.confirmations = (uint64_t)srv->cfg.anchor_confirmations;
	w->policy.stuck_s =
	    stuck < ANCHOR_STUCK_MIN_S ? ANCHOR_STUCK_MIN_S : stuck;
	w->policy.max_fee_ceiling = (uint64_t)srv->cfg.anchor_max_fee;
	w->policy.default_gas = ANCHOR_DEFAULT_GAS;
	atomic_store(&w->chain_up, 1);
	if (rpc_client_create(srv->cfg.rpc_url, ANCHOR_RPC_CONNECT_MS,
		ANCHOR_RPC_TIMEOUT_MS, &w->rpc) != 0 ||
	    merkle_hasher_create(&w->hasher) != 0)
		goto fail;
	if (pthread_create(&w->thread, NULL, aw_main, w) != 0)
		goto fail;
	metrics_register(aw_metrics, w);
	lc_info("event=anchor_worker_started sender=%s to=%s interval=%d "
		"confirmations=%d max_fee=%" PRIu64,
	    w->sender_hex, w->to_hex, srv->cfg.anchor_interval_s,
	    srv->cfg.anchor_confirmations, w->policy.max_fee_ceiling);
	*out = w;
	return 0;
fail:
	evm_key_free(w->key);
	rpc_client_free(w->rpc);
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
	rpc_client_free(w->rpc);
	merkle_hasher_free(w->hasher);
	evm_key_free(w->key);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w);
}
