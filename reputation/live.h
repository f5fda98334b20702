/*
 * reputation/live.h — what the live market adds to the model.
 *
 * Offline, every vote of every item is in hand before anything is decided.
 * The market decides each task as its votes arrive and cannot take a
 * decision back (a final label is anchored), so it must be sound when
 * little is known (DESIGN.md; Welinder & Perona, "Online crowdsourcing:
 * rating annotators and obtaining cost-effective labels", CVPR workshops
 * 2010; Ipeirotis, Provost & Wang, "Quality management on Amazon
 * Mechanical Turk", HCOMP 2010):
 *
 *  - a newcomer counts for nothing until there is evidence: the prior is
 *    uniform (Beta(1, 1)) and a vote is weighted with a lower credible
 *    bound of the voter's accuracy (weights.h), so an unknown voter, a
 *    ring of them, or a labeler with a short record cannot carry a task;
 *  - evidence comes from gold answers and from finals the voter did not
 *    decide: a final tells each of its voters as much as the other votes
 *    alone made it sure (rep_reputation_evidence_loo()), so voters who
 *    agree with each other and nobody else learn nothing from it;
 *  - a voter who fails its controls (gold) weighs nothing, whatever the
 *    agreement with others says (rep_gold_banned());
 *  - the batch re-estimation (Dawid-Skene over the project's votes)
 *    recalibrates every voter to its chance-corrected accuracy
 *    (rep_ds_worker_informed_accuracy()), under which a voter who always
 *    gives one label, or labels at random, is worth exactly chance.
 *
 * rep_params_live() sets the parameters of all this on top of
 * rep_params_default(); the offline tools keep the defaults (README, "How
 * the market and labelctl aggregate differ").
 *
 * Pure: no I/O, no globals, no allocation.
 */
#ifndef REP_LIVE_H
#define REP_LIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "reputation/dawid_skene.h"
#include "reputation/params.h"
#include "reputation/weights.h"

/* rep_params_default(), then the live market's settings (live.c). */
void rep_params_live(struct rep_params *p);

/*
 * The evidence a final gives each of its n voters, by leave-one-out: with
 * weights[] the votes' weights and final_label the decided label, c_i is
 * the posterior of final_label from every vote but voter i's, and voter i
 * is sure_i = max(0, (c_i - 1/K) / (1 - 1/K)) right or wrong:
 *	voted final_label:	d_alpha[i] = update_gain * sure_i
 *	voted otherwise:	d_beta[i]  = update_gain * sure_i
 * 0 or REP_ERR_INVALID (nothing written).
 */
int rep_reputation_evidence_loo(const int *labels, const double *weights,
    size_t n, int n_labels, int final_label, const struct rep_params *p,
    double *d_alpha, double *d_beta);

/*
 * 1 when a gold record of right / wrong answers, in a project of n_labels
 * labels, shows a failed control: gold_ban_min answers or more, and the
 * gold accuracy below chance + qualify_margin (1 - chance) even at mean +
 * gold_ban_z sd of Beta(1 + right, 1 + wrong).  With the live settings
 * (z = 2, margin 0.2): 0 of 3 right with 2 labels, 0 of 4 or 1 of 8 with
 * 3.  Over its first 12 controls a labeler right 0.75 of the time fails by
 * bad luck 2% of the time with 2 labels, 0.4% with 3 (a rule of "under
 * half right after 3 answers" failed 20% of them), one answering at
 * random 64% and 34%, one always wrong at once.
 */
bool
rep_gold_banned(int right, int wrong, int n_labels, const struct rep_params *p);

/*
 * Worker w's accuracy under a Dawid-Skene model, corrected for chance.
 * With a = Σ_k rho_k pi_w[k][k] its accuracy, q_l = Σ_k rho_k pi_w[k][l]
 * how often it answers l, and a_r = Σ_k rho_k q_k the accuracy of a voter
 * answering at random with those frequencies, kappa = (a - a_r) / (1 -
 * a_r) is Cohen's kappa of the worker against the truth, and the result
 * is 1/K + max(0, kappa) (1 - 1/K).  A worker who always gives the same
 * label, or answers at random, gets 1/K however often the truth happens
 * to match; a perfect one gets 1.
 */
double rep_ds_worker_informed_accuracy(const struct rep_ds_model *m,
    int n_labels, int worker);

/*
 * The temperature (params.h) that makes a crowd's posteriors on known
 * answers mean what they say: n samples, each the score vector (the sum
 * of the weights of the votes for each label, at temperature 1) of a gold
 * task as its votes stood at a moment it could have been decided, and its
 * gold label.  The T in [1, REP_MAX_TEMPERATURE] that minimises the
 * negative log-likelihood of the gold labels under softmax(score / T)
 * (temperature scaling: Guo, Pleiss, Sun & Weinberger, "On calibration of
 * modern neural networks", ICML 2017), shrunk towards 1 by prior_n
 * pseudo-samples: T = 1 + (T* - 1) n / (n + prior_n).  1 when n = 0.
 */
double rep_fit_temperature(const double *scores, const int *gold, size_t n,
    int n_labels, double prior_n);

#endif
