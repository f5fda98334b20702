/*
 * tests/unit/test_market_finalize.c — the plan of a finalization
 * (labeling/finalize.h): the final label, rewards by weight out of the
 * reward reserved for the task, slashes out of the bond, released bonds, what nobody earned
 * back to the escrow, the evidence for the voters' reputations, and the
 * canonical leaf record.  The one movement must sum to
 * zero and touch each account by exactly what the rules say.  Pure: no
 * database.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labeling/finalize.h"
#include "labeling/lc_err.h"
#include "labeling/limits.h"
#include "reputation/reputation.h"

#define KEY_A "aa00000000000000000000000000000000000000000000000000000000000001"
#define KEY_B "bb00000000000000000000000000000000000000000000000000000000000002"
#define KEY_C "cc00000000000000000000000000000000000000000000000000000000000003"
#define SHA "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define TS "2026-01-02T03:04:05.678Z"

static const char *const     LABELS[3] = { "cat", "dog", "bird" };
static struct rep_params     P;
static struct finalize_voter V[3];
static struct finalize_in    IN;
static double		     POST[3];
static struct finalize_plan  PLAN;

static void
voter(int i, int64_t account, int label, double weight, int64_t stake_w,
    int64_t bond, const char *key, const char *sig)
{
	V[i].account_id = account;
	V[i].label = label;
	V[i].weight = weight;
	V[i].stake_w = stake_w;
	V[i].bond = bond;
	V[i].public_key = key;
	V[i].signature = sig;
	V[i].alpha = P.prior_alpha;
	V[i].beta = P.prior_beta;
}

static void
setup(void)
{
	rep_params_default(&P);
	memset(V, 0, sizeof(V));
	memset(&PLAN, 0, sizeof(PLAN));
	/* A: cat, B: cat, C: dog; each vote holds 3% of its stake. */
	voter(0, 11, 0, 2.0, 1000000, 30000, KEY_A, "5a");
	voter(1, 12, 0, 1.0, 1000000, 30000, KEY_B, "5b");
	voter(2, 13, 1, 1.0, 1000000, 30000, KEY_C, "5c");
	POST[0] = 0.995;
	POST[1] = 0.004;
	POST[2] = 0.001;
	memset(&IN, 0, sizeof(IN));
	IN.task_id = 9;
	IN.project_id = 5;
	IN.n_labels = 3;
	IN.labels = LABELS;
	IN.gold_label = -1;
	IN.data_sha256 = SHA;
	IN.reward = 300;
	IN.post = POST;
	IN.decision.state = REP_TASK_FINAL;
	IN.decision.label = 0;
	IN.decision.confidence = 0.995;
	IN.params = &P;
	IN.finalized_at = TS;
	IN.voters = V;
	IN.n_voters = 3;
}

static void
teardown(void)
{
	finalize_plan_free(&PLAN);
}

/* Sum of the movement's amounts on one key (and cause, when not NULL). */
static int64_t
moved(const char *key, const char *cause)
{
	int64_t sum = 0;
	size_t	i;

	for (i = 0; i < PLAN.n_entries; i++)
		if (strcmp(PLAN.keys[i], key) == 0 &&
		    (cause == NULL || strcmp(PLAN.causes[i], cause) == 0))
			sum += PLAN.amounts[i];
	return sum;
}

static int64_t
moved_total(void)
{
	int64_t sum = 0;
	size_t	i;

	for (i = 0; i < PLAN.n_entries; i++) {
		ck_assert_int_ne(PLAN.amounts[i], 0);
		sum += PLAN.amounts[i];
	}
	return sum;
}

START_TEST(test_confident_final)
{
	ck_assert_int_eq(finalize_plan(&IN, &PLAN), 0);
	ck_assert_int_eq(PLAN.final_label, 0);
	ck_assert_int_eq(PLAN.low_confidence, 0);
	ck_assert_int_eq(moved_total(), 0);
	/* The reserved reward pays the agreeing voters by weight, 2:1. */
	ck_assert_int_eq(moved("p/5/reserved", NULL), -300);
	ck_assert_int_eq(moved("a/11/balance", "reward"), 200);
	ck_assert_int_eq(moved("a/12/balance", "reward"), 100);
	ck_assert_int_eq(moved("a/13/balance", NULL), 0);
	/* Confident disagreement: 1% of the stake it voted with, taken from
	 * its bond into its sink; the rest of the bond is released. */
	ck_assert_int_eq(moved("a/13/bond", "slash"), -10000);
	ck_assert_int_eq(moved("a/13/slashed", "slash"), 10000);
	ck_assert_int_eq(moved("a/13/bond", "unbond"), -20000);
	ck_assert_int_eq(moved("a/13/stake", "unbond"), 20000);
	/* Agreeing voters get their bonds back whole. */
	ck_assert_int_eq(moved("a/11/bond", "unbond"), -30000);
	ck_assert_int_eq(moved("a/11/stake", "unbond"), 30000);
	ck_assert_int_eq(moved("a/12/bond", NULL), -30000);
	ck_assert_int_eq(moved("p/5/escrow", NULL), 0);
	/* Evidence: agreement for alpha, disagreement for beta. */
	ck_assert(PLAN.d_alpha[0] > 0.0 && PLAN.d_beta[0] == 0.0);
	ck_assert(PLAN.d_alpha[2] == 0.0 && PLAN.d_beta[2] > 0.0);
}
END_TEST

START_TEST(test_low_confidence_no_slash)
{
	IN.decision.state = REP_TASK_FINAL_LOW_CONFIDENCE;
	POST[0] = 0.6;
	POST[1] = 0.3;
	POST[2] = 0.1;
	ck_assert_int_eq(finalize_plan(&IN, &PLAN), 0);
	ck_assert_int_eq(PLAN.low_confidence, 1);
	ck_assert_int_eq(moved_total(), 0);
	ck_assert_int_eq(moved("a/13/slashed", NULL), 0);
	ck_assert_int_eq(moved("a/13/stake", "unbond"), 30000);
}
END_TEST

START_TEST(test_gold_everyone_wrong)
{
	/* Gold says bird; nobody voted it: all slashed at the gold rate, the
	 * reward goes back to the escrow. */
	IN.gold_label = 2;
	ck_assert_int_eq(finalize_plan(&IN, &PLAN), 0);
	ck_assert_int_eq(PLAN.final_label, 2);
	ck_assert_int_eq(moved_total(), 0);
	ck_assert_int_eq(moved("p/5/reserved", "reward"), 0);
	ck_assert_int_eq(moved("p/5/reserved", "return"), -300);
	ck_assert_int_eq(moved("p/5/escrow", "return"), 300);
	ck_assert_int_eq(moved("a/11/slashed", NULL), 30000);
	ck_assert_int_eq(moved("a/11/bond", NULL), -30000);
	ck_assert_int_eq(moved("a/11/stake", NULL), 0);
	ck_assert_int_eq(moved("a/13/slashed", NULL), 30000);
}
END_TEST

START_TEST(test_leaf_record)
{
	char want[2048];
	int  bp;

	ck_assert_int_eq(finalize_plan(&IN, &PLAN), 0);
	bp = rep_confidence_bp(0.995);
	snprintf(want, sizeof(want),
	    "{\"v\":1,\"project\":5,\"task\":9,\"data_sha256\":\"" SHA "\","
	    "\"label\":\"cat\",\"confidence_bp\":%d,\"votes\":["
	    "{\"key\":\"" KEY_A "\",\"label\":\"cat\",\"sig\":\"5a\"},"
	    "{\"key\":\"" KEY_B "\",\"label\":\"cat\",\"sig\":\"5b\"},"
	    "{\"key\":\"" KEY_C "\",\"label\":\"dog\",\"sig\":\"5c\"}],"
	    "\"finalized_at\":\"" TS "\"}",
	    bp);
	ck_assert_str_eq(PLAN.record, want);
	ck_assert_uint_eq(PLAN.record_len, strlen(want));
}
END_TEST

START_TEST(test_leaf_record_sorted_by_key)
{
	/* Voters come in account order; the record sorts them by key. */
	V[0].public_key = KEY_C;
	V[2].public_key = KEY_A;
	ck_assert_int_eq(finalize_plan(&IN, &PLAN), 0);
	ck_assert_ptr_nonnull(strstr(PLAN.record,
	    "\"votes\":[{\"key\":\"" KEY_A "\",\"label\":\"dog\""));
}
END_TEST

START_TEST(test_invariants)
{
	struct finalize_in bad;

	bad = IN;
	V[1].label = 3; /* not a label */
	ck_assert_int_eq(finalize_plan(&bad, &PLAN), LC_ERR_INTERNAL);
	V[1].label = 0;
	bad.n_voters = 0;
	ck_assert_int_eq(finalize_plan(&bad, &PLAN), LC_ERR_INTERNAL);
	bad = IN;
	bad.reward = -1;
	ck_assert_int_eq(finalize_plan(&bad, &PLAN), LC_ERR_INTERNAL);
	bad = IN;
	V[1].bond = 1; /* a slash would exceed the bond it comes from */
	V[1].label = 1;
	ck_assert_int_eq(finalize_plan(&bad, &PLAN), LC_ERR_INTERNAL);
	V[1].bond = 30000;
	V[1].label = 0;
	bad = IN;
	bad.finalized_at = "yesterday"; /* the leaf builder refuses it */
	ck_assert_int_eq(finalize_plan(&bad, &PLAN), LC_ERR_INTERNAL);
	ck_assert_ptr_null(PLAN.record);
}
END_TEST

/* finalize_decide() with the live market's parameters. */
START_TEST(test_decide_live)
{
	struct rep_params   L;
	struct rep_decision d;
	double		    post[3];

	rep_params_live(&L);
	L.min_votes = 2;
	L.max_votes = 4;
	L.confidence = 0.9;
	L.stake_ref = 1000000;
	for (int i = 0; i < 3; i++) {
		V[i].alpha = L.prior_alpha;
		V[i].beta = L.prior_beta;
	}
	/* Three unknown voters weigh nothing: open below max_votes. */
	ck_assert_int_eq(finalize_decide(&L, 3, -1, V, 3, post, &d), 0);
	ck_assert_double_eq(V[0].weight, 0.0);
	ck_assert_int_eq(d.state, REP_TASK_OPEN);
	/* With no weight to tell labels apart, the count does: 2 cats. */
	ck_assert_int_eq(d.label, 0);
	/* Two trusted voters agree: final. */
	V[0].alpha = V[1].alpha = 30;
	V[0].beta = V[1].beta = 2;
	ck_assert_int_eq(finalize_decide(&L, 3, -1, V, 3, post, &d), 0);
	ck_assert(V[0].weight > 1.0);
	ck_assert_int_eq(d.state, REP_TASK_FINAL);
	ck_assert_int_eq(d.label, 0);
	/* A failed control bans: the same voter weighs nothing (3 labels:
	 * 0 of 4 right is a failed record, 0 of 3 is not yet). */
	V[0].gold_wrong = 4;
	V[1].gold_wrong = 4;
	ck_assert_int_eq(finalize_decide(&L, 3, -1, V, 3, post, &d), 0);
	ck_assert_double_eq(V[0].weight, 0.0);
	ck_assert_int_eq(d.state, REP_TASK_OPEN);
	/* A gold task is decided at max_votes only, however sure. */
	V[0].gold_wrong = V[1].gold_wrong = 0;
	ck_assert_int_eq(finalize_decide(&L, 3, 1, V, 3, post, &d), 0);
	ck_assert_int_eq(d.state, REP_TASK_OPEN);
	L.max_votes = 3;
	ck_assert_int_eq(finalize_decide(&L, 3, 1, V, 3, post, &d), 0);
	ck_assert_int_ne(d.state, REP_TASK_OPEN);
	ck_assert_int_eq(finalize_decide(&L, 3, 3, V, 3, post, &d),
	    LC_ERR_INTERNAL);
}
END_TEST

/* unverified: no voter for the final label has passed its controls. */
START_TEST(test_unverified)
{
	ck_assert_int_eq(finalize_plan(&IN, &PLAN), 0);
	ck_assert_int_eq(PLAN.unverified, 1);
	finalize_plan_free(&PLAN);
	V[2].gold_right = FINALIZE_VERIFIED_GOLD; /* voted dog: no help */
	ck_assert_int_eq(finalize_plan(&IN, &PLAN), 0);
	ck_assert_int_eq(PLAN.unverified, 1);
	finalize_plan_free(&PLAN);
	V[1].gold_right = FINALIZE_VERIFIED_GOLD;
	ck_assert_int_eq(finalize_plan(&IN, &PLAN), 0);
	ck_assert_int_eq(PLAN.unverified, 0);
	finalize_plan_free(&PLAN);
	IN.gold_label = 1; /* a control is never unverified */
	V[1].gold_right = 0;
	ck_assert_int_eq(finalize_plan(&IN, &PLAN), 0);
	ck_assert_int_eq(PLAN.unverified, 0);
}
END_TEST

/*
 * No valid calls leave a task that cannot finalize (issue 12): every
 * figure a vote can carry at its bounds — stakes up to LC_MAX_STAKE_TOTAL
 * split any way between free and bonded, stake_ref and the reward up to
 * LC_MAX_AMOUNT, 2 or 64 labels, 1 to LC_MAX_VOTES_PER_TASK voters, gold or
 * not, any temperature — weighed and bonded as labeling/vote.c does
 * (rep_vote_stake), decided, and planned: the plan succeeds, its movement
 * sums to zero and no slash exceeds its bond.
 */
static const int64_t EX_STAKES[][2] = { { 1, 0 }, { LC_MAX_STAKE_TOTAL, 0 },
	{ LC_MAX_STAKE_TOTAL / 2, LC_MAX_STAKE_TOTAL / 2 },
	{ 1, LC_MAX_STAKE_TOTAL - 1 }, { 0, LC_MAX_STAKE_TOTAL } };
static const int64_t EX_REFS[] = { 1, 10000000, LC_MAX_AMOUNT };
static const int64_t EX_REWARDS[] = { 0, 1, LC_MAX_AMOUNT };
static const int     EX_LABELS[] = { 2, LC_MAX_LABELS };
static const size_t  EX_VOTERS[] = { 1, 3, LC_MAX_VOTES_PER_TASK };
static const double  EX_TEMPS[] = { 1.0, REP_MAX_TEMPERATURE };
#define EX_N(a) (sizeof(a) / sizeof((a)[0]))

/* Case c of the cross product above, mixed-radix: one finalization. */
static void
extreme_case(size_t c)
{
	static char	      names[LC_MAX_LABELS][8];
	static char	      keys[LC_MAX_VOTES_PER_TASK][65];
	static const char    *labels[LC_MAX_LABELS];
	struct finalize_voter vs[LC_MAX_VOTES_PER_TASK];
	double		      post[LC_MAX_LABELS];
	struct rep_params     L;
	struct rep_decision   d;
	struct finalize_in    in;
	const int64_t	     *stake;
	size_t		      i, n;
	int		      k, gold;

	for (i = 0; i < LC_MAX_LABELS; i++) {
		snprintf(names[i], sizeof(names[i]), "l%zu", i);
		labels[i] = names[i];
	}
	for (i = 0; i < LC_MAX_VOTES_PER_TASK; i++)
		snprintf(keys[i], sizeof(keys[i]), "%064zx", i + 1);
	gold = (int)(c % 2) - 1;
	c /= 2;
	stake = EX_STAKES[c % EX_N(EX_STAKES)];
	c /= EX_N(EX_STAKES);
	rep_params_live(&L);
	L.stake_ref = (double)EX_REFS[c % EX_N(EX_REFS)];
	c /= EX_N(EX_REFS);
	memset(&in, 0, sizeof(in));
	in.reward = EX_REWARDS[c % EX_N(EX_REWARDS)];
	c /= EX_N(EX_REWARDS);
	k = EX_LABELS[c % EX_N(EX_LABELS)];
	c /= EX_N(EX_LABELS);
	n = EX_VOTERS[c % EX_N(EX_VOTERS)];
	c /= EX_N(EX_VOTERS);
	L.temperature = EX_TEMPS[c % EX_N(EX_TEMPS)];
	L.min_votes = 1;
	L.max_votes = (int)n;
	L.confidence = 0.99;
	memset(vs, 0, sizeof(vs));
	for (i = 0; i < n; i++) {
		vs[i].account_id = (int64_t)i + 1;
		/* half of them for label 0, the rest spread over the others */
		vs[i].label = i % 2 ? (int)(i % (size_t)k) : 0;
		vs[i].stake_w =
		    rep_vote_stake(stake[0], stake[1], &L, &vs[i].bond);
		ck_assert(vs[i].stake_w >= 0 && vs[i].stake_w <= REP_MAX_STAKE);
		ck_assert(vs[i].bond >= 0 && vs[i].bond <= stake[0]);
		vs[i].public_key = keys[i];
		vs[i].signature = "5a";
		vs[i].alpha = i % 3 ? L.prior_alpha : 1000.0;
		vs[i].beta = L.prior_beta;
		vs[i].gold_right = (int)(i % 4);
	}
	ck_assert_int_eq(finalize_decide(&L, k, gold, vs, n, post, &d), 0);
	ck_assert_int_ne(d.state, REP_TASK_OPEN); /* n = max_votes */
	in.task_id = 9;
	in.project_id = 5;
	in.n_labels = k;
	in.labels = labels;
	in.gold_label = gold;
	in.data_sha256 = SHA;
	in.post = post;
	in.decision = d;
	in.params = &L;
	in.finalized_at = TS;
	in.voters = vs;
	in.n_voters = n;
	memset(&PLAN, 0, sizeof(PLAN));
	ck_assert_int_eq(finalize_plan(&in, &PLAN), 0);
	ck_assert_int_eq(moved_total(), 0);
	for (i = 0; i < n; i++)
		ck_assert(PLAN.slashes[i] <= vs[i].bond);
	finalize_plan_free(&PLAN);
}

START_TEST(test_extremes_finalize)
{
	size_t c,
	    cases = 2 * EX_N(EX_STAKES) * EX_N(EX_REFS) * EX_N(EX_REWARDS) *
	    EX_N(EX_LABELS) * EX_N(EX_VOTERS) * EX_N(EX_TEMPS);

	for (c = 0; c < cases; c++)
		extreme_case(c);
}
END_TEST

static Suite *
market_finalize_suite(void)
{
	Suite *s = suite_create("market_finalize");
	TCase *tc = tcase_create("plan");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_confident_final);
	tcase_add_test(tc, test_low_confidence_no_slash);
	tcase_add_test(tc, test_gold_everyone_wrong);
	tcase_add_test(tc, test_leaf_record);
	tcase_add_test(tc, test_leaf_record_sorted_by_key);
	tcase_add_test(tc, test_invariants);
	tcase_add_test(tc, test_decide_live);
	tcase_add_test(tc, test_unverified);
	tcase_add_test(tc, test_extremes_finalize);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(market_finalize_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
