/*
 * reputation/dawid_skene.h — batch re-estimation by Dawid-Skene EM.
 *
 * Dawid & Skene, "Maximum Likelihood Estimation of Observer Error-Rates
 * Using the EM Algorithm", Applied Statistics 28(1):20-28, 1979.  Each worker
 * w has a K x K confusion matrix pi_w[k][l] = P(answers l | truth k); items
 * have a class prior rho.  EM alternates
 *	E: T[i][k] ∝ rho[k] · Π_{votes (w,l) on i} pi_w[k][l]     (log space)
 *	M: pi_w[k][l] ∝ s + d·[k=l] + Σ_{votes (w,l) on i} T[i][k];
 *	   rho[k] ∝ s + Σ_i T[i][k]
 * where s = em_smoothing is an additive (Dirichlet) smoothing on every cell
 * and d = em_diag_prior an extra pseudo-count on the diagonal, i.e. a MAP
 * estimate that assumes a worker with little data to be better than chance.
 * It starts from the caller's posterior (weighted majority vote, or the
 * online stake model) with an M-step, and stops when the relative change of
 * the observed-data log-likelihood falls
 * to em_tol or after em_max_iter iterations (plain DS needs hundreds on
 * some sets, so a fixed small count is not enough).
 *
 * Also the one-coin model (Karger, Oh & Shah 2011; the "one-coin" DS of
 * Zhang, Chen, Zhou & Jordan, "Spectral Methods Meet EM", NIPS 2014): each
 * worker has one accuracy p_w, wrong answers spread evenly over the other
 * K-1 labels; its M-step uses the Beta(prior_alpha, prior_beta) of the
 * online model, and the class prior stays uniform (learnt priors collapse on
 * data sets whose workers are one-sided, e.g. the bluebirds set).
 *
 * Pure: no I/O, no globals, no allocation: every buffer is the caller's.
 */
#ifndef REP_DAWID_SKENE_H
#define REP_DAWID_SKENE_H

#include <stdbool.h>

#include "reputation/obs.h"
#include "reputation/params.h"

/* Results of a run; the caller allocates the arrays and owns them. */
struct rep_ds_model {
	double *class_prior; /* K: rho */
	double *confusion;  /* n_workers * K * K: pi_w[k][l], row k sums to 1 */
	double *item_post;  /* n_items * K: T, rows sum to 1 */
	int	iterations; /* out: EM iterations done */
	bool	converged;  /* out: stopped on em_tol, not on em_max_iter */
	double	log_likelihood; /* out: at the last iteration */
};

/*
 * Run EM.  init_post (n_items * K, rows summing to 1) is the starting
 * posterior; NULL starts from plain majority vote.  It may alias
 * m->item_post.  0 or REP_ERR_INVALID.
 */
int rep_ds_run(const struct rep_batch *b, const double *init_post,
    const struct rep_params *p, struct rep_ds_model *m);

/* Worker w's accuracy under the model: Σ_k rho[k] pi_w[k][k]. */
double
rep_ds_worker_accuracy(const struct rep_ds_model *m, int n_labels, int worker);

struct rep_onecoin_model {
	double *accuracy;  /* n_workers: p_w */
	double *n_answers; /* n_workers: out, votes per worker */
	double *item_post; /* n_items * K */
	int	iterations;
	bool	converged;
	double	log_likelihood;
};

/* One-coin EM, same conventions as rep_ds_run().  0 or REP_ERR_INVALID. */
int rep_onecoin_run(const struct rep_batch *b, const double *init_post,
    const struct rep_params *p, struct rep_onecoin_model *m);

#endif
