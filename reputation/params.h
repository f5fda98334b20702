/*
 * reputation/params.h — the tunables, limits and error codes of the
 * reputation library.
 *
 * The library models each labeler of a project as a one-coin labeler of
 * unknown accuracy p with a Beta(alpha, beta) belief about it (the "one-coin"
 * model of Karger, Oh & Shah, "Iterative Learning for Reliable Crowdsourcing
 * Systems", NIPS 2011), weights votes by their log-odds (Nitzan & Paroush,
 * "Optimal Decision Rules in Uncertain Dichotomous Choice Situations", Int.
 * Economic Review 23(2), 1982) scaled by a concave, capped function of stake,
 * and re-estimates projects in batch with Dawid & Skene's EM ("Maximum
 * Likelihood Estimation of Observer Error-Rates Using the EM Algorithm",
 * Applied Statistics 28(1), 1979).
 *
 * Every tunable lives in struct rep_params.  Callers start from
 * rep_params_default() and overwrite the per-project fields (confidence,
 * min_votes, max_votes) from the project row.  The struct is plain data:
 * copy it freely.
 *
 * Pure: no I/O, no globals, no clock, no randomness, no allocation.
 */
#ifndef REP_PARAMS_H
#define REP_PARAMS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Error codes.  Values are those of labeling/lc_err.h, so the market can
 * return them unchanged (reputation/ may not include labeling/).
 */
#define REP_OK 0
#define REP_ERR_INTERNAL (-1) /* LC_ERR_INTERNAL: an invariant broke */
#define REP_ERR_NOMEM (-2)    /* LC_ERR_NOMEM: only functions that say so */
#define REP_ERR_INVALID (-8)  /* LC_ERR_VALIDATION: bad argument */

/* Limits, asserted by every entry point. */
#define REP_MAX_LABELS 64 /* K, labels per project */
#define REP_MIN_LABELS 2
#define REP_MAX_VOTES (1 << 20) /* votes in one task (rewards, slashes) */
#define REP_MAX_TEMPERATURE 20.0
#define REP_MAX_STAKE INT64_C(1000000000000000) /* 10^15 micro-credits */
#define REP_BP_ONE 10000			/* basis points in 1 */

struct rep_params {
	/* Labeler belief: a new labeler starts at Beta(prior_alpha, prior_beta). */
	double prior_alpha; /* default 2.0 */
	double prior_beta;  /* default 1.0 (mean accuracy 2/3) */
	/*
	 * Evidence cap: when alpha + beta exceeds it, both are scaled down to
	 * sum to it, so old behaviour is slowly forgotten and a labeler who
	 * turns bad loses weight in bounded time.  0 disables.  Default 200.
	 */
	double evidence_max;
	/* p is clamped to [1/K, accuracy_max] before the log-odds. 0.99. */
	double accuracy_max;

	/* Stake factor h(s) = min(stake_cap, sqrt(s / stake_ref)). */
	double stake_ref; /* micro-credits; default 10 credits = 1e7 */
	double stake_cap; /* default 1.0: stake never inflates the
				   calibrated log-odds, only discounts
				   accounts below stake_ref */

	/* Finalization (per project; overwrite from the project row). */
	double confidence; /* target for max posterior; default 0.95 */
	int    min_votes;  /* default 3 */
	int    max_votes;  /* default 9; 0 < min_votes <= max_votes */

	/*
	 * Online replay with stop_at_target (online.h): a batch pass (DS EM,
	 * labelers recalibrated, open items re-scored) each time
	 * batch_interval * n_items more votes have been counted.  0
	 * disables.  Default 1.0 (about one new vote per item between
	 * passes).  The market's per-vote path does not use it.
	 */
	double batch_interval;

	/* Reputation update on finalization: agree alpha += gain * c, etc. */
	double update_gain; /* default 1.0 (c = final confidence) */
	double gold_gain;   /* gold tasks: += gold_gain, c = 1; default 3.0 */

	/* Slashing, in basis points of the voter's locked stake. */
	double slash_confidence; /* disagree with final >= this; default 0.99 */
	int32_t slash_bp;	 /* default 100 (1%) */
	int32_t gold_slash_bp;	 /* wrong on a gold task; default 300 (3%) */

	/*
	 * The live market (reputation/live.h, rep_params_live()); all off in
	 * rep_params_default(), which the offline tools use.
	 *
	 * credible_z > 0: a vote is weighted with the accuracy at mean - z sd
	 * of the voter's Beta instead of its mean, so a voter about whom
	 * little is known counts for (next to) nothing and the posterior does
	 * not claim more than the evidence allows.  gold_ban_min > 0: a voter
	 * with that many gold answers or more whose gold accuracy, even at
	 * mean + gold_ban_z sd of Beta(1 + right, 1 + wrong), is below
	 * chance + qualify_margin (1 - chance), weighs nothing (it failed its
	 * controls, rep_gold_banned()).  loo_evidence: a
	 * final gives a voter evidence only as far as it was sure without
	 * that voter's own vote (rep_reputation_evidence_loo()).
	 */
	double credible_z;
	int    gold_ban_min;
	double gold_ban_z;
	bool   loo_evidence;
	/*
	 * qualify_margin > 0: a labeler whose accuracy is, at mean + z sd,
	 * below chance + qualify_margin (1 - chance) with a belief of
	 * qualify_evidence pseudo-votes or more — known to answer no better
	 * than at random — or that failed its controls (gold_ban_min), is
	 * offered no more tasks in the project (lc_claim).
	 */
	double qualify_margin;
	double qualify_evidence;
	/*
	 * pay_unweighted: when every voter of the final label weighs 0 (a
	 * final made by count, nobody trusted yet), they share the reward
	 * equally (true, the default) or nobody earns it and it returns to the
	 * project (false, the live market: a reward follows a weight).
	 */
	bool pay_unweighted;
	/*
	 * temperature >= 1: every vote's weight is divided by it, so that the
	 * posterior claims no more than the crowd has shown on known answers
	 * (rep_fit_temperature(); a project's, set by its re-estimation from
	 * its gold tasks).  1, the default: the model as it is.
	 */
	double temperature;
	/*
	 * futility in [0, 1): once a task has min_votes, it also stops (as
	 * FINAL_LOW_CONFIDENCE) when the votes it may still take, up to
	 * max_votes, would change its leading label with a probability below
	 * futility (rep_flip_probability(), finalize.h): votes that would not
	 * change the answer are not bought.  0, the default: a task below
	 * its target runs to max_votes.
	 */
	double futility;

	/* Batch EM (Dawid-Skene and one-coin). */
	double em_diag_prior; /* extra pseudo-count on confusion diagonals; 0 */
	double em_smoothing;  /* pseudo-count added to every cell; 0.01 */
	int    em_max_iter;   /* default 500 */
	double em_tol;	      /* stop when |dLL| <= em_tol * |LL|; 1e-7 */
};

/* Fills *p with the documented defaults above.  Never fails. */
void rep_params_default(struct rep_params *p);

/*
 * 0 when *p is usable: positive priors, 0 < stake_ref, 0 < accuracy_max < 1,
 * 0 < confidence <= 1, 1 <= min_votes <= max_votes, gains >= 0,
 * 0 <= bp <= REP_BP_ONE, em_smoothing > 0, em_max_iter >= 1, em_tol >= 0;
 * REP_ERR_INVALID otherwise.  Entry points taking params call it.
 */
int rep_params_check(const struct rep_params *p);

#endif
