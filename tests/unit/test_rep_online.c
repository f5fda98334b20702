/* tests/unit/test_rep_online.c — online replay (reputation/online.h). */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "reputation/online.h"
#include "reputation/posterior.h"

#define N_ITEMS 200
#define N_WORKERS 6
#define K 2

static uint64_t rng_state;

static double
uniform01(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (double)((rng_state * 2685821657736338717ULL) >> 11) /
	    9007199254740992.0;
}

static struct rep_params P;
static struct rep_obs	 obs[N_ITEMS * N_WORKERS];
static int    truth[N_ITEMS], gold[N_ITEMS], votes[N_ITEMS], state[N_ITEMS];
static double post[N_ITEMS * K], weight[N_ITEMS * N_WORKERS];
static struct rep_voter voters[N_WORKERS];

/* Workers 0-3 right 85% of the time, 4 and 5 always wrong. */
static struct rep_batch
make_data(void)
{
	struct rep_batch b;
	size_t		 n = 0;
	int		 i, w;

	rng_state = 0xfeedfacecafebeefULL;
	for (i = 0; i < N_ITEMS; i++) {
		truth[i] = uniform01() < 0.5;
		gold[i] = i % 10 == 0 ? truth[i] : -1;
		for (w = 0; w < N_WORKERS; w++) {
			obs[n].item = i;
			obs[n].worker = w;
			obs[n].label = w < 4
			    ? (uniform01() < 0.85 ? truth[i] : !truth[i])
			    : !truth[i];
			n++;
		}
	}
	for (w = 0; w < N_WORKERS; w++)
		rep_voter_init(&voters[w], (int64_t)P.stake_ref, &P);
	b.obs = obs;
	b.n_obs = n;
	b.n_items = N_ITEMS;
	b.n_workers = N_WORKERS;
	b.n_labels = K;
	return b;
}

static void
setup(void)
{
	rep_params_default(&P);
}

START_TEST(test_learns_who_to_trust)
{
	struct rep_batch      b = make_data();
	struct rep_online_out out = { post, weight, votes, state, 0 };
	int		      i, hits = 0;

	ck_assert_int_eq(rep_online_replay(&b, voters, NULL, false, &P, &out),
	    0);
	ck_assert_uint_eq(out.votes_used, b.n_obs);
	for (i = 0; i < N_ITEMS; i++) {
		ck_assert_int_eq(votes[i], N_WORKERS);
		ck_assert_int_ne(state[i], REP_TASK_OPEN);
		hits += rep_posterior_leader(post + i * K, K) == truth[i];
	}
	ck_assert(rep_voter_accuracy(&voters[0]) > 0.7);
	ck_assert(rep_voter_accuracy(&voters[5]) < 0.3);
	ck_assert_double_eq(rep_vote_weight(&voters[5], K, &P), 0.0);
	ck_assert(hits >= N_ITEMS * 0.9);
	/* The first vote of worker 0 got the prior's weight. */
	ck_assert_double_eq_tol(weight[0], log(2.0), 1e-12);
}
END_TEST

START_TEST(test_stop_at_target_saves_votes)
{
	struct rep_batch      b = make_data();
	struct rep_online_out out = { post, NULL, votes, state, 0 };
	int		      i;

	P.min_votes = 2;
	P.max_votes = N_WORKERS;
	ck_assert_int_eq(rep_online_replay(&b, voters, NULL, true, &P, &out),
	    0);
	ck_assert(out.votes_used < b.n_obs);
	for (i = 0; i < N_ITEMS; i++) {
		ck_assert(votes[i] >= 2 && votes[i] <= N_WORKERS);
		if (state[i] == REP_TASK_FINAL)
			ck_assert(post[i * K +
				      rep_posterior_leader(post + i * K, K)] >=
			    P.confidence);
	}
}
END_TEST

START_TEST(test_gold_punishes_liars)
{
	struct rep_batch      b = make_data();
	struct rep_online_out out = { post, NULL, NULL, NULL, 0 };
	struct rep_voter      no_gold[N_WORKERS];
	int		      w;

	ck_assert_int_eq(rep_online_replay(&b, voters, NULL, false, &P, &out),
	    0);
	for (w = 0; w < N_WORKERS; w++)
		no_gold[w] = voters[w];
	b = make_data();
	ck_assert_int_eq(rep_online_replay(&b, voters, gold, false, &P, &out),
	    0);
	ck_assert(voters[5].beta >= no_gold[5].beta);
	gold[3] = 7;
	ck_assert_int_eq(rep_online_replay(&b, voters, gold, false, &P, &out),
	    REP_ERR_INVALID);
}
END_TEST

/*
 * Round-robin arrival (every item's first vote, then every item's second,
 * ...) with two spammers (workers 4 and 5 answer at random) voting first
 * on every item, as in the temp data set: the batch pass must find them
 * out, so that stopping at the target takes fewer votes for at least the
 * same accuracy as with batch_interval 0 (online updates only).
 */
static struct rep_batch
make_spammed_round_robin(void)
{
	static const int order[N_WORKERS] = { 4, 5, 0, 1, 2, 3 };
	struct rep_batch b;
	size_t		 n = 0;
	int		 i, r, w;

	rng_state = 0x0123456789abcdefULL;
	for (i = 0; i < N_ITEMS; i++)
		truth[i] = uniform01() < 0.5;
	for (r = 0; r < N_WORKERS; r++)
		for (i = 0; i < N_ITEMS; i++) {
			w = order[r];
			obs[n].item = i;
			obs[n].worker = w;
			obs[n].label = w < 4
			    ? (uniform01() < 0.85 ? truth[i] : !truth[i])
			    : uniform01() < 0.5;
			n++;
		}
	for (w = 0; w < N_WORKERS; w++)
		rep_voter_init(&voters[w], (int64_t)P.stake_ref, &P);
	b.obs = obs;
	b.n_obs = n;
	b.n_items = N_ITEMS;
	b.n_workers = N_WORKERS;
	b.n_labels = K;
	return b;
}

static int
hits_of(void)
{
	int i, hits = 0;

	for (i = 0; i < N_ITEMS; i++)
		hits += rep_posterior_leader(post + i * K, K) == truth[i];
	return hits;
}

START_TEST(test_batch_pass_finds_spammers)
{
	struct rep_batch      b;
	struct rep_online_out out = { post, weight, votes, state, 0 };
	size_t		      used_online;
	int		      hits_online, i;

	P.min_votes = 2;
	P.max_votes = N_WORKERS;
	P.confidence = 0.95;
	P.batch_interval = 0.0;
	b = make_spammed_round_robin();
	ck_assert_int_eq(rep_online_replay(&b, voters, NULL, true, &P, &out),
	    0);
	used_online = out.votes_used;
	hits_online = hits_of();

	P.batch_interval = 1.0;
	b = make_spammed_round_robin();
	ck_assert_int_eq(rep_online_replay(&b, voters, NULL, true, &P, &out),
	    0);
	ck_assert(out.votes_used < used_online);
	ck_assert(hits_of() >= hits_online);
	ck_assert(hits_of() >= N_ITEMS * 0.9);
	/* Found out: at most a small weight left for the spammers. */
	ck_assert(rep_voter_accuracy(&voters[4]) < 0.65);
	ck_assert(rep_voter_accuracy(&voters[0]) > 0.75);
	for (i = 0; i < N_ITEMS; i++)
		if (state[i] == REP_TASK_FINAL)
			ck_assert(post[i * K +
				      rep_posterior_leader(post + i * K, K)] >=
			    P.confidence);
}
END_TEST

/* Without stop_at_target there is no batch pass: interval 0 or 1 agree. */
START_TEST(test_batch_pass_only_when_stopping)
{
	struct rep_batch      b = make_spammed_round_robin();
	struct rep_online_out out = { post, NULL, NULL, NULL, 0 };
	double		      first[N_ITEMS * K];
	int		      i;

	P.batch_interval = 0.0;
	ck_assert_int_eq(rep_online_replay(&b, voters, NULL, false, &P, &out),
	    0);
	for (i = 0; i < N_ITEMS * K; i++)
		first[i] = post[i];
	P.batch_interval = 1.0;
	b = make_spammed_round_robin();
	ck_assert_int_eq(rep_online_replay(&b, voters, NULL, false, &P, &out),
	    0);
	for (i = 0; i < N_ITEMS * K; i++)
		ck_assert_double_eq(post[i], first[i]);
}
END_TEST

START_TEST(test_empty)
{
	struct rep_batch      b = { NULL, 0, 3, 0, 2 };
	struct rep_online_out out = { post, NULL, votes, state, 0 };

	ck_assert_int_eq(rep_online_replay(&b, NULL, NULL, true, &P, &out), 0);
	ck_assert_double_eq(post[0], 0.5);
	ck_assert_int_eq(state[2], REP_TASK_OPEN);
	ck_assert_int_eq(votes[1], 0);
	ck_assert_int_eq(rep_online_replay(&b, NULL, NULL, true, &P, NULL),
	    REP_ERR_INVALID);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("rep_online");
	TCase	*tc = tcase_create("core");
	SRunner *sr;
	int	 failed;

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_learns_who_to_trust);
	tcase_add_test(tc, test_stop_at_target_saves_votes);
	tcase_add_test(tc, test_gold_punishes_liars);
	tcase_add_test(tc, test_batch_pass_finds_spammers);
	tcase_add_test(tc, test_batch_pass_only_when_stopping);
	tcase_add_test(tc, test_empty);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
