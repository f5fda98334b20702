/*
 * anchor/decide.h — what the anchoring worker does next, as a pure function.
 *
 * The worker (server/anchor_worker.c) reads the open anchor row and a view
 * of the chain, asks anchor_decide() for one action, performs it, and
 * comes back half a second later.  Everything that is a choice lives here:
 * when to anchor, at which nonce, with which fees, when a transaction is
 * stuck, when a receipt is final, what a reorg, a revert or a refusal of
 * the node means.  The thread around it only does I/O, so this file is
 * tested by a table of cases (tests/unit/test_anchor_decide.c).
 *
 * Fees follow EIP-1559: max fee = 2 · base fee + tip for a fresh
 * transaction, never above the operator's ceiling (--anchor-max-fee).  A
 * replacement at the same nonce raises both fees by at least 12.5 %
 * (geth wants 10 %); when that would pass the ceiling the worker waits and
 * alerts instead.  Every fee computation saturates: no overflow.
 *
 * The nonce of a new anchor is the chain's pending count: the database's
 * counter only serves to notice a gap.  An open anchor whose nonce is above
 * the chain's pending count sits behind a hole that is never filled, and is
 * re-signed at the first free nonce.
 *
 * Pure: no I/O, no clock (ages come in as arguments), no allocation.
 */
#ifndef ANCHOR_DECIDE_H
#define ANCHOR_DECIDE_H

#include <stdint.h>

#define ANCHOR_HASH_LEN 32
/* Replacement bump: new fee ≥ old + old / 8 + 1 (12.5 %). */
#define ANCHOR_BUMP_DIV 8
/* Tip when the node suggests none. */
#define ANCHOR_DEFAULT_TIP 1000000000ULL
/* Gas limit = estimate + estimate / 10. */
#define ANCHOR_GAS_MARGIN_DIV 10

enum anchor_status {
	ANCHOR_STATUS_PENDING = 1, /* signed and stored, not yet accepted */
	ANCHOR_STATUS_SENT,	   /* accepted by the node */
	ANCHOR_STATUS_MINED,	   /* receipt seen, not yet final */
	ANCHOR_STATUS_CONFIRMED,
	ANCHOR_STATUS_FAILED, /* the transaction reverted */
};

/* Parse "pending", "sent", … ; 0 or -1. */
int	    anchor_status_parse(const char *s, enum anchor_status *out);
const char *anchor_status_name(enum anchor_status s);

/* One row of the anchors table, as the worker reads it. */
struct anchor_row {
	int64_t		   id;
	uint64_t	   tree_size;
	uint8_t		   root[ANCHOR_HASH_LEN];
	uint64_t	   nonce;
	uint64_t	   gas_limit;
	uint64_t	   max_priority_fee;	     /* wei per gas */
	uint64_t	   max_fee;		     /* wei per gas */
	uint8_t		   tx_hash[ANCHOR_HASH_LEN]; /* latest attempt */
	enum anchor_status status;
	int		   attempts;
	int		   has_block;
	uint64_t	   block_number;
	uint8_t		   block_hash[ANCHOR_HASH_LEN];
	int64_t		   age_s; /* since sent (or created while pending) */
};

/* How the node answered the last broadcast of the open anchor's latest
 * attempt (the worker remembers it between ticks). */
enum anchor_send {
	ANCHOR_SEND_NONE = 0,	 /* not tried since the row last changed */
	ANCHOR_SEND_OK,		 /* accepted or already known */
	ANCHOR_SEND_NONCE_LOW,	 /* the nonce is used */
	ANCHOR_SEND_UNDERPRICED, /* replacement underpriced, below base fee */
	ANCHOR_SEND_FUNDS,	 /* balance < gas · max fee */
	ANCHOR_SEND_REFUSED,	 /* any other refusal */
	ANCHOR_SEND_UNREACHABLE, /* timeout or transport error */
};

struct anchor_receipt {
	int	 status; /* 1 success, 0 reverted */
	uint64_t block_number;
	uint8_t	 block_hash[ANCHOR_HASH_LEN];
	uint8_t	 tx_hash[ANCHOR_HASH_LEN];
	uint64_t gas_used;
	uint64_t effective_gas_price;
};

/* The chain as the worker saw it this tick. */
struct anchor_chain_view {
	uint64_t head;		/* latest block number */
	uint64_t base_fee;	/* of the latest block; 0 before London */
	uint64_t tip;		/* suggested priority fee; 0: none */
	uint64_t nonce_latest;	/* mined transactions of the sender */
	uint64_t nonce_pending; /* … plus those the node can mine next */
	uint64_t balance;	/* wei, saturated at UINT64_MAX */
	/* Open anchor only: */
	int		      has_receipt; /* of any of its attempts */
	struct anchor_receipt receipt;
	int		      has_block_at_receipt; /* canonical block there */
	uint8_t		      block_hash_at_receipt[ANCHOR_HASH_LEN];
	enum anchor_send      last_send;
	/* No open anchor and one is due (anchor_due()): eth_estimateGas. */
	int	 has_estimate;
	int	 estimate_fails; /* the node says the call would fail */
	uint64_t gas_estimate;
};

/* The log and the anchors table, when no anchor is open. */
struct anchor_log_view {
	uint64_t log_size;
	uint64_t last_size;    /* largest tree size anchored, failed excluded */
	int64_t	 since_last_s; /* seconds since the last anchor row */
	int	 requested;    /* `labelctl anchor now` since then */
	uint64_t db_next_nonce; /* anchor_nonces; 0 when none */
	int	 has_db_next_nonce;
};

struct anchor_policy {
	int64_t	 interval_s;	  /* between anchors */
	uint64_t max_pending;	  /* leaves that trigger an early anchor */
	uint64_t confirmations;	  /* before final */
	int64_t	 stuck_s;	  /* unmined this long: replace */
	uint64_t max_fee_ceiling; /* wei per gas, > 0 */
	uint64_t default_gas;	  /* when the estimate is unusable */
};

enum anchor_act {
	ANCHOR_ACT_IDLE = 0, /* nothing to do */
	ANCHOR_ACT_CREATE,   /* sign and record a new anchor, then send it */
	ANCHOR_ACT_SEND,     /* (re)broadcast the stored transaction */
	ANCHOR_ACT_BUMP,     /* re-sign at nonce with fees, then send */
	ANCHOR_ACT_MINED,    /* record the receipt (status mined) */
	ANCHOR_ACT_CONFIRM,  /* final: status confirmed */
	ANCHOR_ACT_REORGED,  /* receipt gone: back to sent, re-send */
	ANCHOR_ACT_FAILED,   /* reverted: status failed (size anchored again) */
	ANCHOR_ACT_WAIT,     /* hold on; see alert */
};

/* Why the worker is not making progress (0: it is). */
enum anchor_alert {
	ANCHOR_ALERT_NONE = 0,
	ANCHOR_ALERT_FEE_CEILING,  /* the next bump would pass the ceiling */
	ANCHOR_ALERT_FUNDS,	   /* balance too small for gas · fee */
	ANCHOR_ALERT_NONCE_GAP,	   /* a hole below our nonce, or db ahead */
	ANCHOR_ALERT_NONCE_TAKEN,  /* another transaction used our nonce */
	ANCHOR_ALERT_WOULD_REVERT, /* eth_estimateGas fails: not sending */
	ANCHOR_ALERT_REVERTED,	   /* an anchor reverted on chain */
	ANCHOR_ALERT_STUCK,	   /* unmined past the stuck time */
	ANCHOR_ALERT_REFUSED,	   /* the node refuses the transaction */
	ANCHOR_ALERT_MAX
};
const char *anchor_alert_name(enum anchor_alert a);
const char *anchor_act_name(enum anchor_act a);

struct anchor_action {
	enum anchor_act	  act;
	enum anchor_alert alert;
	/* CREATE and BUMP: the transaction to sign. */
	uint64_t tree_size; /* CREATE */
	uint64_t nonce;
	uint64_t gas_limit;
	uint64_t max_priority_fee;
	uint64_t max_fee;
	uint64_t confirmations; /* MINED, CONFIRM */
};

/*
 * Whether a new anchor is due (no anchor open): the log grew and the
 * interval passed, max_pending leaves wait, or one was requested.  The
 * worker asks the node for a gas estimate only then.
 */
int
anchor_due(const struct anchor_log_view *log, const struct anchor_policy *pol);

/*
 * The next action.  open is the open anchor (status pending, sent or
 * mined) or NULL; log is read only when open is NULL.  Fills *out; never
 * fails.
 */
void anchor_decide(const struct anchor_row *open,
    const struct anchor_log_view *log, const struct anchor_chain_view *chain,
    const struct anchor_policy *pol, struct anchor_action *out);

/*
 * Fees of a fresh transaction: tip as suggested (ANCHOR_DEFAULT_TIP when
 * none), max = 2 · base + tip, both capped at the ceiling.  0, or -1 when
 * the ceiling is below base fee + 1 (nothing can be mined).
 */
int anchor_fees_fresh(uint64_t base_fee, uint64_t tip, uint64_t ceiling,
    uint64_t *out_tip, uint64_t *out_max);

/*
 * Fees of a replacement of (old_tip, old_max): at least 12.5 % more on
 * both, at least the fresh fees, capped at the ceiling.  0, or -1 when the
 * minimum bump passes the ceiling.
 */
int anchor_fees_bump(uint64_t old_tip, uint64_t old_max, uint64_t base_fee,
    uint64_t tip, uint64_t ceiling, uint64_t *out_tip, uint64_t *out_max);

#endif /* ANCHOR_DECIDE_H */
