/*
 * anchor/decide.c — the anchoring worker's choices (see decide.h).
 *
 * The open anchor goes through, in this order of precedence:
 *
 *	receipt reverted		→ FAILED (the size is anchored again)
 *	receipt, final, canonical	→ CONFIRM
 *	receipt				→ MINED (record it, count confirmations)
 *	no receipt, row mined		→ REORGED (back to sent, re-send)
 *	nonce used by another tx	→ BUMP at the first free nonce
 *	nonce above the pending count	→ BUMP at the first free nonce (gap)
 *	never broadcast			→ SEND
 *	node: underpriced		→ BUMP (12.5 %), or SEND + alert at the
 *					  ceiling or the balance
 *	node: insufficient funds	→ BUMP down to what the base fee and
 *					  the balance allow, or SEND + alert
 *	unmined for stuck_s		→ BUMP, or SEND + alert (as above)
 *	otherwise			→ SEND (rebroadcast: revives a dropped
 *					  transaction; "already known" is fine)
 *
 * "SEND + alert" re-sends the bytes already stored: the worker waits for the
 * transaction it has instead of escalating.
 */
#include <string.h>

#include "anchor/decide.h"

static const char *const status_names[] = { NULL, "pending", "sent", "mined",
	"confirmed", "failed" };

static const char *const alert_names[ANCHOR_ALERT_MAX] = { "none",
	"fee_ceiling", "funds", "nonce_gap", "nonce_taken", "would_revert",
	"reverted", "stuck", "refused" };

static const char *const act_names[] = { "idle", "create", "send", "bump",
	"mined", "confirm", "reorged", "failed", "wait" };

int
anchor_status_parse(const char *s, enum anchor_status *out)
{
	int i;

	for (i = ANCHOR_STATUS_PENDING; i <= ANCHOR_STATUS_FAILED; i++)
		if (s != NULL && strcmp(s, status_names[i]) == 0) {
			*out = (enum anchor_status)i;
			return 0;
		}
	return -1;
}

const char *
anchor_status_name(enum anchor_status s)
{
	if (s < ANCHOR_STATUS_PENDING || s > ANCHOR_STATUS_FAILED)
		return "unknown";
	return status_names[s];
}

const char *
anchor_alert_name(enum anchor_alert a)
{
	if ((int)a < 0 || a >= ANCHOR_ALERT_MAX)
		return "unknown";
	return alert_names[a];
}

const char *
anchor_act_name(enum anchor_act a)
{
	if ((int)a < 0 || a > ANCHOR_ACT_WAIT)
		return "unknown";
	return act_names[a];
}

static uint64_t
sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t
sat_mul(uint64_t a, uint64_t b)
{
	if (a != 0 && b > UINT64_MAX / a)
		return UINT64_MAX;
	return a * b;
}

static uint64_t
max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Most a key holding balance can offer per gas for gas_limit gas. */
static uint64_t
affordable_fee(uint64_t balance, uint64_t gas_limit)
{
	return gas_limit == 0 ? UINT64_MAX : balance / gas_limit;
}

int
anchor_fees_fresh(uint64_t base_fee, uint64_t tip, uint64_t ceiling,
    uint64_t *out_tip, uint64_t *out_max)
{
	uint64_t max;

	if (tip == 0)
		tip = ANCHOR_DEFAULT_TIP;
	if (ceiling <= base_fee)
		return -1;
	max = sat_add(sat_mul(base_fee, 2), tip);
	if (max > ceiling)
		max = ceiling;
	if (tip > max - base_fee)
		tip = max - base_fee;
	*out_tip = tip;
	*out_max = max;
	return 0;
}

int
anchor_fees_bump(uint64_t old_tip, uint64_t old_max, uint64_t base_fee,
    uint64_t tip, uint64_t ceiling, uint64_t *out_tip, uint64_t *out_max)
{
	uint64_t min_tip, min_max, fresh_tip, fresh_max, t, m;

	/* A raise that does not fit in 64 bits is no raise at all. */
	if (old_tip > UINT64_MAX - (old_tip / ANCHOR_BUMP_DIV + 1) ||
	    old_max > UINT64_MAX - (old_max / ANCHOR_BUMP_DIV + 1))
		return -1;
	min_tip = old_tip + old_tip / ANCHOR_BUMP_DIV + 1;
	min_max = old_max + old_max / ANCHOR_BUMP_DIV + 1;
	if (min_max > ceiling || min_tip > ceiling)
		return -1;
	if (anchor_fees_fresh(base_fee, tip, ceiling, &fresh_tip, &fresh_max) !=
	    0)
		return -1; /* below the base fee, a bump could not be mined */
	t = max_u64(min_tip, fresh_tip);
	m = max_u64(min_max, fresh_max);
	if (m > ceiling)
		m = ceiling;
	if (t > m)
		t = m; /* still ≥ min_tip: min_tip ≤ min_max ≤ m */
	*out_tip = t;
	*out_max = m;
	return 0;
}

int
anchor_due(const struct anchor_log_view *log, const struct anchor_policy *pol)
{
	if (log->log_size <= log->last_size)
		return 0;
	return log->requested || log->since_last_s >= pol->interval_s ||
	    log->log_size - log->last_size >= pol->max_pending;
}

/* Fresh fees for gas_limit gas, lowered to what the balance pays for:
 * ANCHOR_ALERT_NONE, or the reason there are none. */
static enum anchor_alert
fees_payable(const struct anchor_chain_view *chain,
    const struct anchor_policy *pol, uint64_t gas_limit, uint64_t *tip,
    uint64_t *max)
{
	uint64_t afford;

	if (anchor_fees_fresh(chain->base_fee, chain->tip, pol->max_fee_ceiling,
		tip, max) != 0)
		return ANCHOR_ALERT_FEE_CEILING;
	afford = affordable_fee(chain->balance, gas_limit);
	if (afford < *max) {
		if (afford <= chain->base_fee)
			return ANCHOR_ALERT_FUNDS;
		*max = afford;
		if (*tip > *max - chain->base_fee)
			*tip = *max - chain->base_fee;
	}
	return ANCHOR_ALERT_NONE;
}

static void
set_tx(struct anchor_action *out, enum anchor_act act, uint64_t nonce,
    uint64_t gas_limit, uint64_t tip, uint64_t max)
{
	out->act = act;
	out->nonce = nonce;
	out->gas_limit = gas_limit;
	out->max_priority_fee = tip;
	out->max_fee = max;
}

static void
decide_create(const struct anchor_log_view *log,
    const struct anchor_chain_view *chain, const struct anchor_policy *pol,
    struct anchor_action *out)
{
	uint64_t gas, tip, max;

	if (!anchor_due(log, pol)) {
		out->act = ANCHOR_ACT_IDLE;
		return;
	}
	out->act = ANCHOR_ACT_WAIT;
	if (!chain->has_estimate)
		return;
	if (chain->estimate_fails) {
		out->alert = ANCHOR_ALERT_WOULD_REVERT;
		return;
	}
	gas = chain->gas_estimate == 0
	    ? pol->default_gas
	    : sat_add(chain->gas_estimate,
		  chain->gas_estimate / ANCHOR_GAS_MARGIN_DIV);
	if ((out->alert = fees_payable(chain, pol, gas, &tip, &max)) !=
	    ANCHOR_ALERT_NONE)
		return;
	set_tx(out, ANCHOR_ACT_CREATE, chain->nonce_pending, gas, tip, max);
	out->tree_size = log->log_size;
	if (log->has_db_next_nonce && log->db_next_nonce > chain->nonce_pending)
		out->alert = ANCHOR_ALERT_NONCE_GAP;
}

/* Re-sign the open anchor at nonce with fresh fees (another nonce: no
 * replacement rule applies). */
static void
decide_renonce(const struct anchor_row *open,
    const struct anchor_chain_view *chain, const struct anchor_policy *pol,
    uint64_t nonce, enum anchor_alert why, struct anchor_action *out)
{
	uint64_t tip, max;

	out->act = ANCHOR_ACT_WAIT;
	if ((out->alert = fees_payable(chain, pol, open->gas_limit, &tip,
		 &max)) != ANCHOR_ALERT_NONE)
		return;
	set_tx(out, ANCHOR_ACT_BUMP, nonce, open->gas_limit, tip, max);
	out->alert = why;
}

/* Replace the open anchor at its nonce with fees raised 12.5 %; at the
 * ceiling or the balance keep the current transaction and alert. */
static void
decide_bump(const struct anchor_row *open,
    const struct anchor_chain_view *chain, const struct anchor_policy *pol,
    enum anchor_alert why, struct anchor_action *out)
{
	uint64_t tip, max, afford;

	out->act = ANCHOR_ACT_SEND;
	if (anchor_fees_bump(open->max_priority_fee, open->max_fee,
		chain->base_fee, chain->tip, pol->max_fee_ceiling, &tip,
		&max) != 0) {
		out->alert = ANCHOR_ALERT_FEE_CEILING;
		return;
	}
	afford = affordable_fee(chain->balance, open->gas_limit);
	if (afford < max) {
		/* Less than a 12.5 % raise would be refused: keep it. */
		if (afford <
		    open->max_fee + open->max_fee / ANCHOR_BUMP_DIV + 1) {
			out->alert = ANCHOR_ALERT_FUNDS;
			return;
		}
		max = afford;
		if (tip > max)
			tip = max;
	}
	set_tx(out, ANCHOR_ACT_BUMP, open->nonce, open->gas_limit, tip, max);
	out->alert = why;
}

/* "Insufficient funds": let the fees follow the base fee down to what the
 * balance allows, if that is below the refused transaction's. */
static void
decide_funds(const struct anchor_row *open,
    const struct anchor_chain_view *chain, const struct anchor_policy *pol,
    struct anchor_action *out)
{
	uint64_t tip, max;

	out->act = ANCHOR_ACT_SEND;
	if (fees_payable(chain, pol, open->gas_limit, &tip, &max) ==
		ANCHOR_ALERT_NONE &&
	    max < open->max_fee)
		set_tx(out, ANCHOR_ACT_BUMP, open->nonce, open->gas_limit, tip,
		    max);
	out->alert = ANCHOR_ALERT_FUNDS;
}

static void
decide_open(const struct anchor_row *open,
    const struct anchor_chain_view *chain, const struct anchor_policy *pol,
    struct anchor_action *out)
{
	const struct anchor_receipt *r = &chain->receipt;
	uint64_t		     conf;

	if (chain->has_receipt) {
		if (r->status == 0) {
			out->act = ANCHOR_ACT_FAILED;
			out->alert = ANCHOR_ALERT_REVERTED;
			return;
		}
		conf = chain->head >= r->block_number
		    ? chain->head - r->block_number + 1
		    : 0;
		out->confirmations = conf;
		out->act = ANCHOR_ACT_MINED;
		/* Final only if the block at that height is still the
		 * receipt's; otherwise a reorg is under way. */
		if (conf >= pol->confirmations && chain->has_block_at_receipt &&
		    memcmp(chain->block_hash_at_receipt, r->block_hash,
			ANCHOR_HASH_LEN) == 0)
			out->act = ANCHOR_ACT_CONFIRM;
		return;
	}
	if (open->status == ANCHOR_STATUS_MINED) {
		out->act = ANCHOR_ACT_REORGED;
		return;
	}
	if (chain->nonce_latest > open->nonce &&
	    chain->last_send == ANCHOR_SEND_NONCE_LOW) {
		decide_renonce(open, chain, pol, chain->nonce_pending,
		    ANCHOR_ALERT_NONCE_TAKEN, out);
		return;
	}
	if (open->nonce > chain->nonce_pending) {
		decide_renonce(open, chain, pol, chain->nonce_pending,
		    ANCHOR_ALERT_NONCE_GAP, out);
		return;
	}
	switch (chain->last_send) {
	case ANCHOR_SEND_UNDERPRICED:
		decide_bump(open, chain, pol, ANCHOR_ALERT_NONE, out);
		return;
	case ANCHOR_SEND_FUNDS:
		decide_funds(open, chain, pol, out);
		return;
	default:
		break;
	}
	if (open->status == ANCHOR_STATUS_SENT && open->age_s >= pol->stuck_s) {
		decide_bump(open, chain, pol, ANCHOR_ALERT_STUCK, out);
		return;
	}
	out->act = ANCHOR_ACT_SEND;
	if (chain->last_send == ANCHOR_SEND_REFUSED)
		out->alert = ANCHOR_ALERT_REFUSED;
}

void
anchor_decide(const struct anchor_row *open, const struct anchor_log_view *log,
    const struct anchor_chain_view *chain, const struct anchor_policy *pol,
    struct anchor_action *out)
{
	memset(out, 0, sizeof(*out));
	if (open == NULL)
		decide_create(log, chain, pol, out);
	else
		decide_open(open, chain, pol, out);
}
