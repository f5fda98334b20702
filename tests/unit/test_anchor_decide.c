/*
 * tests/unit/test_anchor_decide.c — every transition of the anchoring
 * worker's decision (anchor/decide.h), one row of a table each.
 *
 * Every case starts from the same world — a 1 gwei base fee and tip, the
 * sender's nonces at 5, 1 ETH, a log of 10 leaves all anchored — and
 * changes what it is about.  Fees are in wei per gas.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "anchor/decide.h"

#define GWEI 1000000000ULL

struct world {
	int			 has_open;
	struct anchor_row	 open;
	struct anchor_log_view	 log;
	struct anchor_chain_view chain;
	struct anchor_policy	 pol;
};

static void
world_init(struct world *w)
{
	memset(w, 0, sizeof(*w));
	w->pol.interval_s = 60;
	w->pol.max_pending = 1000;
	w->pol.confirmations = 2;
	w->pol.stuck_s = 10;
	w->pol.max_fee_ceiling = 100 * GWEI;
	w->pol.default_gas = 30000;
	w->chain.head = 100;
	w->chain.base_fee = GWEI;
	w->chain.tip = GWEI;
	w->chain.nonce_latest = 5;
	w->chain.nonce_pending = 5;
	w->chain.balance = 1000000000000000000ULL;
	w->log.log_size = 10;
	w->log.last_size = 10;
	w->log.since_last_s = 5;
	w->log.has_db_next_nonce = 1;
	w->log.db_next_nonce = 5;
}

/* An anchor open at nonce 5, sent a second ago at 3 gwei. */
static void
with_open(struct world *w, enum anchor_status st)
{
	w->has_open = 1;
	w->open.id = 7;
	w->open.tree_size = 10;
	w->open.nonce = 5;
	w->open.gas_limit = 25000;
	w->open.max_priority_fee = GWEI;
	w->open.max_fee = 3 * GWEI;
	w->open.status = st;
	w->open.attempts = 1;
	w->open.age_s = 1;
	w->chain.nonce_pending = 6; /* the node holds it */
}

static void
with_receipt(struct world *w, int status, uint64_t block, int canonical)
{
	w->chain.has_receipt = 1;
	w->chain.receipt.status = status;
	w->chain.receipt.block_number = block;
	memset(w->chain.receipt.block_hash, 0xb1, ANCHOR_HASH_LEN);
	if (canonical >= 0) {
		w->chain.has_block_at_receipt = 1;
		memset(w->chain.block_hash_at_receipt, canonical ? 0xb1 : 0xb2,
		    ANCHOR_HASH_LEN);
	}
}

/* A new anchor is due by the interval and the node estimates 22,300 gas. */
static void
due(struct world *w)
{
	w->log.log_size = 12;
	w->log.since_last_s = 60;
	w->chain.has_estimate = 1;
	w->chain.gas_estimate = 22300;
}

/* --- the cases ---------------------------------------------------------- */

static void
c_idle(struct world *w)
{
	(void)w;
}
static void
c_not_due(struct world *w)
{
	w->log.log_size = 11;
}
static void
c_due_interval(struct world *w)
{
	due(w);
}
static void
c_due_requested(struct world *w)
{
	due(w);
	w->log.since_last_s = 1;
	w->log.requested = 1;
}
static void
c_due_backlog(struct world *w)
{
	due(w);
	w->log.since_last_s = 1;
	w->log.log_size = 10 + 1000;
}
static void
c_due_first(struct world *w)
{
	due(w);
	w->log.last_size = 0; /* only a failed anchor so far */
	w->log.since_last_s = 1000000000;
}
static void
c_due_no_estimate(struct world *w)
{
	due(w);
	w->chain.has_estimate = 0;
}
static void
c_due_would_revert(struct world *w)
{
	due(w);
	w->chain.estimate_fails = 1;
}
static void
c_due_estimate_unusable(struct world *w)
{
	due(w);
	w->chain.gas_estimate = 0;
}
static void
c_due_no_tip(struct world *w)
{
	due(w);
	w->chain.tip = 0;
}
static void
c_due_base_over_ceiling(struct world *w)
{
	due(w);
	w->chain.base_fee = 100 * GWEI;
}
static void
c_due_capped(struct world *w)
{
	due(w);
	w->pol.max_fee_ceiling = 1200000000ULL;
}
static void
c_due_db_nonce_ahead(struct world *w)
{
	due(w);
	w->log.db_next_nonce = 9;
}
static void
c_due_db_nonce_behind(struct world *w)
{
	due(w);
	w->log.db_next_nonce = 3;
}
static void
c_due_balance_caps(struct world *w)
{
	due(w);
	w->chain.balance = 24530ULL * 2 * GWEI;
}
static void
c_due_no_funds(struct world *w)
{
	due(w);
	w->chain.balance = 24530ULL * GWEI;
}
static void
c_pending_send(struct world *w)
{
	with_open(w, ANCHOR_STATUS_PENDING);
	w->chain.nonce_pending = 5;
}
static void
c_sent_rebroadcast(struct world *w)
{
	with_open(w, ANCHOR_STATUS_SENT);
}
static void
c_dropped_rebroadcast(struct world *w)
{
	with_open(w, ANCHOR_STATUS_SENT);
	w->chain.nonce_pending = 5; /* the node forgot it */
}
static void
c_mined_one(struct world *w)
{
	with_open(w, ANCHOR_STATUS_SENT);
	with_receipt(w, 1, 100, 1);
}
static void
c_mined_final(struct world *w)
{
	with_open(w, ANCHOR_STATUS_MINED);
	with_receipt(w, 1, 99, 1);
}
static void
c_mined_final_other_block(struct world *w)
{
	with_open(w, ANCHOR_STATUS_MINED);
	with_receipt(w, 1, 99, 0);
}
static void
c_mined_final_no_block(struct world *w)
{
	with_open(w, ANCHOR_STATUS_MINED);
	with_receipt(w, 1, 99, -1);
}
static void
c_mined_head_behind(struct world *w)
{
	with_open(w, ANCHOR_STATUS_SENT);
	with_receipt(w, 1, 120, 1);
}
static void
c_zero_confirmations(struct world *w)
{
	with_open(w, ANCHOR_STATUS_SENT);
	with_receipt(w, 1, 100, 1);
	w->pol.confirmations = 0;
}
static void
c_reverted(struct world *w)
{
	with_open(w, ANCHOR_STATUS_SENT);
	with_receipt(w, 0, 100, 1);
}
static void
c_pending_with_receipt(struct world *w)
{
	with_open(w, ANCHOR_STATUS_PENDING);
	w->chain.last_send = ANCHOR_SEND_NONCE_LOW;
	w->chain.nonce_latest = 6;
	with_receipt(w, 1, 100, 1);
}
static void
c_reorged(struct world *w)
{
	with_open(w, ANCHOR_STATUS_MINED);
	w->open.has_block = 1;
}
static void
c_stuck(struct world *w)
{
	with_open(w, ANCHOR_STATUS_SENT);
	w->open.age_s = 10;
}
static void
c_stuck_capped(struct world *w)
{
	c_stuck(w);
	w->chain.base_fee = 2 * GWEI; /* fresh: 5 gwei */
	w->pol.max_fee_ceiling = 3500000000ULL;
}
static void
c_stuck_at_ceiling(struct world *w)
{
	c_stuck(w);
	w->pol.max_fee_ceiling = 3300000000ULL;
}
static void
c_stuck_base_rose(struct world *w)
{
	c_stuck(w);
	w->chain.base_fee = 5 * GWEI;
}
static void
c_stuck_no_funds(struct world *w)
{
	c_stuck(w);
	w->chain.balance = 25000ULL * 3 * GWEI;
}
static void
c_stuck_overflow(struct world *w)
{
	c_stuck(w);
	w->open.max_fee = UINT64_MAX - 5;
	w->open.max_priority_fee = UINT64_MAX - 5;
	w->pol.max_fee_ceiling = UINT64_MAX;
	w->chain.balance = UINT64_MAX;
}
static void
c_underpriced(struct world *w)
{
	with_open(w, ANCHOR_STATUS_PENDING);
	w->chain.last_send = ANCHOR_SEND_UNDERPRICED;
}
static void
c_underpriced_at_ceiling(struct world *w)
{
	c_underpriced(w);
	w->pol.max_fee_ceiling = 3 * GWEI;
}
static void
c_funds_base_fell(struct world *w)
{
	with_open(w, ANCHOR_STATUS_PENDING);
	w->open.max_fee = 8 * GWEI;
	w->open.max_priority_fee = 2 * GWEI;
	w->chain.last_send = ANCHOR_SEND_FUNDS;
	w->chain.base_fee = GWEI / 2;
	w->chain.balance = 25000ULL * 5 * GWEI;
}
static void
c_funds_balance_caps(struct world *w)
{
	c_funds_base_fell(w);
	w->chain.balance = 25000ULL * 3 * GWEI / 2;
}
static void
c_funds_no_lower(struct world *w)
{
	with_open(w, ANCHOR_STATUS_PENDING);
	w->chain.last_send = ANCHOR_SEND_FUNDS;
	w->chain.base_fee = 5 * GWEI;
}
static void
c_nonce_taken(struct world *w)
{
	with_open(w, ANCHOR_STATUS_PENDING);
	w->chain.last_send = ANCHOR_SEND_NONCE_LOW;
	w->chain.nonce_latest = 6;
	w->chain.nonce_pending = 6;
}
static void
c_nonce_low_unconfirmed(struct world *w)
{
	with_open(w, ANCHOR_STATUS_SENT);
	w->chain.last_send = ANCHOR_SEND_NONCE_LOW;
}
static void
c_nonce_gap(struct world *w)
{
	with_open(w, ANCHOR_STATUS_SENT);
	w->open.nonce = 8;
	w->chain.nonce_pending = 5;
}
static void
c_nonce_gap_over_ceiling(struct world *w)
{
	c_nonce_gap(w);
	w->chain.base_fee = 100 * GWEI;
}
static void
c_nonce_gap_no_funds(struct world *w)
{
	c_nonce_gap(w);
	w->chain.balance = 25000ULL * GWEI;
}
static void
c_funds_none_at_all(struct world *w)
{
	c_funds_base_fell(w);
	w->chain.balance = 25000ULL * GWEI / 2;
}
static void
c_refused(struct world *w)
{
	with_open(w, ANCHOR_STATUS_SENT);
	w->chain.last_send = ANCHOR_SEND_REFUSED;
}

struct decide_case {
	const char *name;
	void (*setup)(struct world *);
	enum anchor_act	  act;
	enum anchor_alert alert;
	uint64_t	  nonce, gas, tip, max_fee, conf; /* checked when > 0 */
};

static const struct decide_case cases[] = {
	{ "nothing new", c_idle, ANCHOR_ACT_IDLE, 0, 0, 0, 0, 0, 0 },
	{ "interval not passed", c_not_due, ANCHOR_ACT_IDLE, 0, 0, 0, 0, 0, 0 },
	{ "interval passed: create at the chain's nonce, gas + 10 %, "
	  "max = 2 base + tip",
	    c_due_interval, ANCHOR_ACT_CREATE, 0, 5, 24530, GWEI, 3 * GWEI, 0 },
	{ "requested", c_due_requested, ANCHOR_ACT_CREATE, 0, 5, 0, 0, 0, 0 },
	{ "backlog", c_due_backlog, ANCHOR_ACT_CREATE, 0, 5, 0, 0, 0, 0 },
	{ "a failed anchor's size again", c_due_first, ANCHOR_ACT_CREATE, 0, 5,
	    0, 0, 0, 0 },
	{ "no estimate yet", c_due_no_estimate, ANCHOR_ACT_WAIT, 0, 0, 0, 0, 0,
	    0 },
	{ "the call would fail: no transaction", c_due_would_revert,
	    ANCHOR_ACT_WAIT, ANCHOR_ALERT_WOULD_REVERT, 0, 0, 0, 0, 0 },
	{ "estimate unusable: default gas", c_due_estimate_unusable,
	    ANCHOR_ACT_CREATE, 0, 5, 30000, 0, 0, 0 },
	{ "no tip suggested: default tip", c_due_no_tip, ANCHOR_ACT_CREATE, 0,
	    5, 0, ANCHOR_DEFAULT_TIP, 3 * GWEI, 0 },
	{ "base fee at the ceiling", c_due_base_over_ceiling, ANCHOR_ACT_WAIT,
	    ANCHOR_ALERT_FEE_CEILING, 0, 0, 0, 0, 0 },
	{ "fresh fees capped at the ceiling", c_due_capped, ANCHOR_ACT_CREATE,
	    0, 5, 0, 200000000ULL, 1200000000ULL, 0 },
	{ "database counter ahead: a gap, use the chain's nonce",
	    c_due_db_nonce_ahead, ANCHOR_ACT_CREATE, ANCHOR_ALERT_NONCE_GAP, 5,
	    0, 0, 0, 0 },
	{ "database counter behind: the chain's nonce", c_due_db_nonce_behind,
	    ANCHOR_ACT_CREATE, 0, 5, 0, 0, 0, 0 },
	{ "balance caps the max fee", c_due_balance_caps, ANCHOR_ACT_CREATE, 0,
	    5, 24530, GWEI, 2 * GWEI, 0 },
	{ "balance below the base fee", c_due_no_funds, ANCHOR_ACT_WAIT,
	    ANCHOR_ALERT_FUNDS, 0, 0, 0, 0, 0 },
	{ "pending: send", c_pending_send, ANCHOR_ACT_SEND, 0, 0, 0, 0, 0, 0 },
	{ "sent, young: rebroadcast", c_sent_rebroadcast, ANCHOR_ACT_SEND, 0, 0,
	    0, 0, 0, 0 },
	{ "dropped by the node: rebroadcast", c_dropped_rebroadcast,
	    ANCHOR_ACT_SEND, 0, 0, 0, 0, 0, 0 },
	{ "receipt, 1 of 2 confirmations", c_mined_one, ANCHOR_ACT_MINED, 0, 0,
	    0, 0, 0, 1 },
	{ "receipt, 2 of 2, block canonical", c_mined_final, ANCHOR_ACT_CONFIRM,
	    0, 0, 0, 0, 0, 2 },
	{ "receipt, 2 of 2, another block there", c_mined_final_other_block,
	    ANCHOR_ACT_MINED, 0, 0, 0, 0, 0, 2 },
	{ "receipt, 2 of 2, no block there", c_mined_final_no_block,
	    ANCHOR_ACT_MINED, 0, 0, 0, 0, 0, 2 },
	{ "receipt above the head", c_mined_head_behind, ANCHOR_ACT_MINED, 0, 0,
	    0, 0, 0, 0 },
	{ "no confirmations wanted", c_zero_confirmations, ANCHOR_ACT_CONFIRM,
	    0, 0, 0, 0, 0, 1 },
	{ "reverted", c_reverted, ANCHOR_ACT_FAILED, ANCHOR_ALERT_REVERTED, 0,
	    0, 0, 0, 0 },
	{ "pending but mined (crash after sending)", c_pending_with_receipt,
	    ANCHOR_ACT_MINED, 0, 0, 0, 0, 0, 1 },
	{ "mined, receipt gone: reorg", c_reorged, ANCHOR_ACT_REORGED, 0, 0, 0,
	    0, 0, 0 },
	{ "stuck: bump 12.5 % at the same nonce", c_stuck, ANCHOR_ACT_BUMP,
	    ANCHOR_ALERT_STUCK, 5, 25000, 1125000001ULL, 3375000001ULL, 0 },
	{ "stuck: bump capped at the ceiling", c_stuck_capped, ANCHOR_ACT_BUMP,
	    ANCHOR_ALERT_STUCK, 5, 0, 1125000001ULL, 3500000000ULL, 0 },
	{ "stuck at the ceiling: keep it, alert", c_stuck_at_ceiling,
	    ANCHOR_ACT_SEND, ANCHOR_ALERT_FEE_CEILING, 0, 0, 0, 0, 0 },
	{ "stuck, base fee rose: fresh fees", c_stuck_base_rose,
	    ANCHOR_ACT_BUMP, ANCHOR_ALERT_STUCK, 5, 0, GWEI + GWEI / 8 + 1,
	    11 * GWEI, 0 },
	{ "stuck, bump unaffordable: keep it, alert", c_stuck_no_funds,
	    ANCHOR_ACT_SEND, ANCHOR_ALERT_FUNDS, 0, 0, 0, 0, 0 },
	{ "stuck near 2^64: no overflow, no bump", c_stuck_overflow,
	    ANCHOR_ACT_SEND, ANCHOR_ALERT_FEE_CEILING, 0, 0, 0, 0, 0 },
	{ "underpriced: bump", c_underpriced, ANCHOR_ACT_BUMP, 0, 5, 0,
	    1125000001ULL, 3375000001ULL, 0 },
	{ "underpriced at the ceiling: keep it, alert",
	    c_underpriced_at_ceiling, ANCHOR_ACT_SEND, ANCHOR_ALERT_FEE_CEILING,
	    0, 0, 0, 0, 0 },
	{ "funds refused, base fee fell: fees follow it down",
	    c_funds_base_fell, ANCHOR_ACT_BUMP, ANCHOR_ALERT_FUNDS, 5, 0, GWEI,
	    2 * GWEI, 0 },
	{ "funds refused: what the balance allows", c_funds_balance_caps,
	    ANCHOR_ACT_BUMP, ANCHOR_ALERT_FUNDS, 5, 0, GWEI, 1500000000ULL, 0 },
	{ "funds refused, nothing lower: keep it, alert", c_funds_no_lower,
	    ANCHOR_ACT_SEND, ANCHOR_ALERT_FUNDS, 0, 0, 0, 0, 0 },
	{ "nonce used by another transaction: next free nonce", c_nonce_taken,
	    ANCHOR_ACT_BUMP, ANCHOR_ALERT_NONCE_TAKEN, 6, 25000, GWEI, 3 * GWEI,
	    0 },
	{ "nonce too low, chain not past it: rebroadcast",
	    c_nonce_low_unconfirmed, ANCHOR_ACT_SEND, 0, 0, 0, 0, 0, 0 },
	{ "gap below the nonce: re-sign at the first free one", c_nonce_gap,
	    ANCHOR_ACT_BUMP, ANCHOR_ALERT_NONCE_GAP, 5, 25000, GWEI, 3 * GWEI,
	    0 },
	{ "gap, base fee over the ceiling: wait", c_nonce_gap_over_ceiling,
	    ANCHOR_ACT_WAIT, ANCHOR_ALERT_FEE_CEILING, 0, 0, 0, 0, 0 },
	{ "gap, balance below the base fee: wait", c_nonce_gap_no_funds,
	    ANCHOR_ACT_WAIT, ANCHOR_ALERT_FUNDS, 0, 0, 0, 0, 0 },
	{ "funds refused, balance below the base fee: keep it, alert",
	    c_funds_none_at_all, ANCHOR_ACT_SEND, ANCHOR_ALERT_FUNDS, 0, 0, 0,
	    0, 0 },
	{ "refused otherwise: resend, alert", c_refused, ANCHOR_ACT_SEND,
	    ANCHOR_ALERT_REFUSED, 0, 0, 0, 0, 0 },
};

START_TEST(test_decide_table)
{
	const struct decide_case *c = &cases[_i];
	struct world		  w;
	struct anchor_action	  a;

	world_init(&w);
	c->setup(&w);
	anchor_decide(w.has_open ? &w.open : NULL, &w.log, &w.chain, &w.pol,
	    &a);
	ck_assert_msg(a.act == c->act, "%s: act %s, want %s", c->name,
	    anchor_act_name(a.act), anchor_act_name(c->act));
	ck_assert_msg(a.alert == c->alert, "%s: alert %s, want %s", c->name,
	    anchor_alert_name(a.alert), anchor_alert_name(c->alert));
	if (c->nonce)
		ck_assert_msg(a.nonce == c->nonce, "%s: nonce %llu", c->name,
		    (unsigned long long)a.nonce);
	if (c->gas)
		ck_assert_msg(a.gas_limit == c->gas, "%s: gas %llu", c->name,
		    (unsigned long long)a.gas_limit);
	if (c->tip)
		ck_assert_msg(a.max_priority_fee == c->tip, "%s: tip %llu",
		    c->name, (unsigned long long)a.max_priority_fee);
	if (c->max_fee)
		ck_assert_msg(a.max_fee == c->max_fee, "%s: max fee %llu",
		    c->name, (unsigned long long)a.max_fee);
	if (c->conf)
		ck_assert_msg(a.confirmations == c->conf,
		    "%s: confirmations %llu", c->name,
		    (unsigned long long)a.confirmations);
	/* Invariants of any transaction to sign. */
	if (a.act == ANCHOR_ACT_CREATE || a.act == ANCHOR_ACT_BUMP) {
		ck_assert_msg(a.max_fee <= w.pol.max_fee_ceiling,
		    "%s: past the ceiling", c->name);
		ck_assert_msg(a.max_priority_fee <= a.max_fee,
		    "%s: tip above max fee", c->name);
		ck_assert_msg(a.max_fee > w.chain.base_fee,
		    "%s: cannot be mined", c->name);
	}
	if (a.act == ANCHOR_ACT_CREATE)
		ck_assert_uint_eq(a.tree_size, w.log.log_size);
}
END_TEST

/* Fees saturate instead of wrapping, and a bump never goes down. */
START_TEST(test_fees_saturate)
{
	uint64_t tip, max;

	ck_assert_int_eq(anchor_fees_fresh(UINT64_MAX / 2 + 1, UINT64_MAX,
			     UINT64_MAX, &tip, &max),
	    0);
	ck_assert_uint_eq(max, UINT64_MAX);
	ck_assert_uint_le(tip, max - (UINT64_MAX / 2 + 1));
	ck_assert_int_eq(anchor_fees_bump(UINT64_MAX, UINT64_MAX, 1, 1,
			     UINT64_MAX, &tip, &max),
	    -1);
	ck_assert_int_eq(anchor_fees_bump(8, 16, 1, 1, 1000, &tip, &max), 0);
	ck_assert_uint_eq(tip, 10);
	ck_assert_uint_eq(max, 19);
	ck_assert_int_eq(anchor_fees_fresh(5, 1, 5, &tip, &max), -1);
}
END_TEST

/* From 1 gwei, bumps stop below any ceiling: the fee never escalates
 * past it however long the anchor stays stuck. */
START_TEST(test_bumps_stop_at_ceiling)
{
	struct world	     w;
	struct anchor_action a;
	int		     bumps = 0, i;

	world_init(&w);
	c_stuck(&w);
	w.pol.max_fee_ceiling = 50 * GWEI;
	for (i = 0; i < 1000; i++) {
		anchor_decide(&w.open, &w.log, &w.chain, &w.pol, &a);
		if (a.act != ANCHOR_ACT_BUMP)
			break;
		ck_assert_uint_le(a.max_fee, w.pol.max_fee_ceiling);
		ck_assert_uint_gt(a.max_fee, w.open.max_fee);
		w.open.max_fee = a.max_fee;
		w.open.max_priority_fee = a.max_priority_fee;
		bumps++;
	}
	ck_assert_int_eq(a.act, ANCHOR_ACT_SEND);
	ck_assert_int_eq(a.alert, ANCHOR_ALERT_FEE_CEILING);
	ck_assert_int_lt(bumps, 40);
}
END_TEST

START_TEST(test_names)
{
	enum anchor_status st;

	ck_assert_int_eq(anchor_status_parse("mined", &st), 0);
	ck_assert_int_eq(st, ANCHOR_STATUS_MINED);
	ck_assert_str_eq(anchor_status_name(st), "mined");
	ck_assert_int_eq(anchor_status_parse("bogus", &st), -1);
	ck_assert_int_eq(anchor_status_parse(NULL, &st), -1);
	ck_assert_str_eq(anchor_alert_name(ANCHOR_ALERT_FEE_CEILING),
	    "fee_ceiling");
	ck_assert_str_eq(anchor_alert_name(ANCHOR_ALERT_MAX), "unknown");
	ck_assert_str_eq(anchor_act_name(ANCHOR_ACT_BUMP), "bump");
}
END_TEST

static Suite *
decide_suite(void)
{
	Suite *s = suite_create("anchor_decide");
	TCase *tc = tcase_create("decide");

	tcase_add_loop_test(tc, test_decide_table, 0,
	    (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, test_fees_saturate);
	tcase_add_test(tc, test_bumps_stop_at_ceiling);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(decide_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
