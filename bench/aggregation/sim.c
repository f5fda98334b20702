/*
 * bench/aggregation/sim.c — lc-agg-sim: adversarial market simulator.
 *
 * A binary-label market of N tasks.  100 honest labelers (accuracy uniform
 * in [0.6, 0.95], stake uniform in [10, 100] credits) plus one attack:
 *   sybils     300 accounts of 1 credit (the minimum stake), all voting the
 *              same wrong label;
 *   whale      one account of 10,000 credits, wrong 40% of the time;
 *   spammers   30 accounts of 10 credits voting at random;
 *   colluders  30 accounts of 10-100 credits voting one shared label per
 *              task chosen by a coin independent of the truth.
 * Each vote slot of a task goes to the attack with probability `share`
 * (default 0.30 of votes) and to a random honest labeler otherwise.
 *
 * Stake-weighted market: labelchain's rules — weights, posterior, stop at
 * the confidence target (min 3, max 9 votes that carry weight; votes of
 * zero weight do not count, up to 24 draws), 10% gold tasks, rewards of 1
 * credit per task split by weight, slashes, reputation updates.  Plain MV:
 * the same vote stream, a fixed 5 votes per task, majority (ties to 0).
 * Reported: final-label accuracy on non-gold tasks, votes per task, and
 * each group's total stake at the start and at the end.
 *
 *	lc-agg-sim [--tasks N] [--share F] [--seed S]
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reputation/reputation.h"

#define K 2
#define N_HONEST 100
#define MAX_ACCOUNTS (N_HONEST + 300)
#define CREDIT INT64_C(1000000)
#define MV_VOTES 5
#define MAX_V 24 /* vote draws available per task */

enum attack { ATT_NONE, ATT_SYBIL, ATT_WHALE, ATT_SPAM, ATT_COLLUDE };
static const char *const attack_name[] = { "none", "sybils", "whale",
	"spammers", "colluders" };

struct account {
	struct rep_voter v;
	double		 accuracy; /* honest: chance of the truth */
	int		 honest;
};

static uint64_t rng;

static double
uniform01(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (double)((rng * 2685821657736338717ULL) >> 11) /
	    9007199254740992.0;
}

static int
pick(int n)
{
	return (int)(uniform01() * n);
}

struct result {
	double acc_stake, acc_mv, votes_per_task;
	double stake0[2], stake1[2]; /* [0] honest, [1] attackers */
};

static void
simulate(enum attack att, int n_tasks, double share, uint64_t seed,
    struct result *res)
{
	struct account	  acct[MAX_ACCOUNTS];
	struct rep_params p;
	int    n_att = 0, n, n_eff, t, i, j, truth, gold, collude_label;
	int    voter[MAX_V], label[MAX_V], mv_hits = 0, st_hits = 0, scored = 0;
	double weight[MAX_V], score[K], post[K];
	int64_t stakes[MAX_V], shares[MAX_V], slashes[MAX_V], paid, total;
	struct rep_decision d;
	long		    votes = 0;

	rng = seed;
	rep_params_default(&p);
	memset(res, 0, sizeof(*res));
	for (i = 0; i < N_HONEST; i++) {
		acct[i].honest = 1;
		acct[i].accuracy = 0.6 + 0.35 * uniform01();
		rep_voter_init(&acct[i].v,
		    (int64_t)((10 + 90 * uniform01()) * CREDIT), &p);
	}
	switch (att) {
	case ATT_NONE:
		break;
	case ATT_SYBIL:
		n_att = 300;
		for (i = 0; i < n_att; i++)
			rep_voter_init(&acct[N_HONEST + i].v, CREDIT, &p);
		break;
	case ATT_WHALE:
		n_att = 1;
		rep_voter_init(&acct[N_HONEST].v, 10000 * CREDIT, &p);
		acct[N_HONEST].accuracy = 0.6;
		break;
	case ATT_SPAM:
		n_att = 30;
		for (i = 0; i < n_att; i++)
			rep_voter_init(&acct[N_HONEST + i].v, 10 * CREDIT, &p);
		break;
	case ATT_COLLUDE:
		n_att = 30;
		for (i = 0; i < n_att; i++)
			rep_voter_init(&acct[N_HONEST + i].v,
			    (int64_t)((10 + 90 * uniform01()) * CREDIT), &p);
		break;
	}
	for (i = 0; i < N_HONEST + n_att; i++) {
		acct[i].honest = i < N_HONEST;
		res->stake0[!acct[i].honest] +=
		    (double)acct[i].v.stake / CREDIT;
	}
	for (t = 0; t < n_tasks; t++) {
		truth = pick(K);
		gold = uniform01() < 0.10;
		collude_label = pick(K);
		/* Draw the task's vote stream: MAX_V (voter, label). */
		for (j = 0; j < MAX_V; j++) {
			int a, again;

			do {
				if (n_att > 0 && uniform01() < share)
					a = N_HONEST + pick(n_att);
				else
					a = pick(N_HONEST);
				for (again = 0, i = 0; i < j; i++)
					again |= voter[i] == a;
			} while (again && !(att == ATT_WHALE && a == N_HONEST));
			voter[j] = a;
			if (acct[a].honest)
				label[j] = uniform01() < acct[a].accuracy
				    ? truth
				    : 1 - truth;
			else if (att == ATT_SYBIL)
				label[j] = 1 - truth;
			else if (att == ATT_WHALE)
				label[j] =
				    uniform01() < 0.6 ? truth : 1 - truth;
			else if (att == ATT_SPAM)
				label[j] = pick(K);
			else
				label[j] = collude_label;
		}
		/* Plain MV over the first MV_VOTES. */
		{
			int c[K] = { 0 };

			for (j = 0; j < MV_VOTES; j++)
				c[label[j]]++;
			if (!gold) {
				mv_hits += (c[1] > c[0]) == truth;
			}
		}
		/* The stake-weighted market. */
		rep_score_init(score, K, NULL);
		for (n_eff = 0, n = 0; n < MAX_V; n++) {
			weight[n] = rep_vote_weight(&acct[voter[n]].v, K, &p);
			rep_score_add(score, K, label[n], weight[n]);
			rep_score_posterior(score, K, post);
			/* Only votes that carry weight count (finalize.h). */
			n_eff += weight[n] > 0.0;
			rep_finalize_decide(post, K, n_eff, &p, &d);
			if (d.state != REP_TASK_OPEN) {
				n++;
				break;
			}
		}
		if (d.state == REP_TASK_OPEN) /* ran out of labelers */
			d.state = REP_TASK_FINAL_LOW_CONFIDENCE;
		votes += n;
		if (!gold) {
			scored++;
			st_hits += d.label == truth;
		}
		for (j = 0; j < n; j++)
			stakes[j] = acct[voter[j]].v.stake;
		rep_reward_shares(label, weight, (size_t)n,
		    gold ? truth : d.label, CREDIT, shares, &paid);
		rep_slash_amounts(label, stakes, (size_t)n,
		    gold ? truth : d.label, d.confidence,
		    d.state == REP_TASK_FINAL_LOW_CONFIDENCE, gold, &p, slashes,
		    &total);
		for (j = 0; j < n; j++) {
			struct rep_voter *v = &acct[voter[j]].v;

			/* Rewards are paid out; here they add to stake. */
			v->stake += shares[j] - slashes[j];
			rep_reputation_update(v, &label[j], 1, K,
			    gold ? truth : d.label, d.confidence, gold, &p);
		}
	}
	for (i = 0; i < N_HONEST + n_att; i++)
		res->stake1[!acct[i].honest] +=
		    (double)acct[i].v.stake / CREDIT;
	res->acc_stake = (double)st_hits / scored;
	res->acc_mv = (double)mv_hits / scored;
	res->votes_per_task = (double)votes / n_tasks;
}

int
main(int argc, char **argv)
{
	int	      n_tasks = 20000, i, s, a, n_seeds = 5;
	double	      share = 0.30;
	uint64_t      seed = 1;
	struct result r, sum;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--tasks") == 0 && i + 1 < argc)
			n_tasks = atoi(argv[++i]);
		else if (strcmp(argv[i], "--share") == 0 && i + 1 < argc)
			share = atof(argv[++i]);
		else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 10);
		else {
			fprintf(stderr,
			    "usage: lc-agg-sim [--tasks N] "
			    "[--share F] [--seed S]\n");
			return 1;
		}
	}
	printf("%d tasks, attack share %.0f%% of votes, mean of %d seeds\n\n",
	    n_tasks, share * 100, n_seeds);
	printf("| attack | stake-weighted accuracy | votes/task | plain MV "
	       "(5 votes) accuracy | honest stake start → end | attacker stake "
	       "start → end |\n|---|---|---|---|---|---|\n");
	for (a = ATT_NONE; a <= ATT_COLLUDE; a++) {
		memset(&sum, 0, sizeof(sum));
		for (s = 0; s < n_seeds; s++) {
			simulate((enum attack)a, n_tasks, share,
			    (seed + (uint64_t)s) * 0x9e3779b97f4a7c15ULL | 1,
			    &r);
			sum.acc_stake += r.acc_stake / n_seeds;
			sum.acc_mv += r.acc_mv / n_seeds;
			sum.votes_per_task += r.votes_per_task / n_seeds;
			sum.stake0[0] += r.stake0[0] / n_seeds;
			sum.stake0[1] += r.stake0[1] / n_seeds;
			sum.stake1[0] += r.stake1[0] / n_seeds;
			sum.stake1[1] += r.stake1[1] / n_seeds;
		}
		printf("| %s | %.4f | %.2f | %.4f | %.0f → %.0f | ",
		    attack_name[a], sum.acc_stake, sum.votes_per_task,
		    sum.acc_mv, sum.stake0[0], sum.stake1[0]);
		if (a == ATT_NONE)
			printf("– |\n");
		else
			printf("%.0f → %.0f |\n", sum.stake0[1], sum.stake1[1]);
	}
	return 0;
}
