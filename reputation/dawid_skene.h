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
 * Two ways to run them:
 *  - rep_ds_run(), rep_onecoin_run(): over a batch in any order, no
 *    allocation at all — the market's batch pass (online.h);
 *  - rep_ds_fit(), rep_onecoin_fit(): over a vote index (vote_index.h), in
 *    blocks that the caller may run on several threads (parallel.h), with
 *    the regularisation below — `labelctl aggregate` and anything large.
 *    With opts.row_prior = opts.acc_prior = 0 and no worker_scale they fit
 *    the same model as the _run functions (the same numbers up to rounding:
 *    sums are taken in another order).
 *
 * Regularisation (the _fit functions).  Full DS has K(K-1) free parameters
 * per worker; on workers with few votes it fits noise, and on a crowd that
 * the one-coin model describes it scores below plain majority vote (by 15
 * points at 5 votes per worker and K = 10, and still by 0.8 at 500 votes:
 * bench/aggregation/RESULTS.md).  So each worker's matrix is drawn toward
 * what its data can support, its one-coin row bent by how hard each class
 * is for the crowd:
 *	m_w[k][k] = a_wk,   m_w[k][l] = (1 - a_wk) e[k][l]   (l != k)
 *	logit a_wk = logit a_w + logit acc_k - logit abar
 *	a_w = (c_w + a abar) / (n_w + a)
 * where c_w is the worker's expected number of right answers, n_w its
 * votes, abar the crowd's pooled accuracy Σc/Σn, acc_k the crowd's pooled
 * accuracy on items of class k (shrunk to abar by 2 pseudo-votes, so a
 * class without votes has no offset) and e[k][.] the crowd's pooled
 * distribution of wrong answers on class k (its pooled confusion matrix
 * without the diagonal).  Skill and class difficulty add on the logit
 * scale as in item-response models (Rasch; GLAD: Whitehill, Ruvolo, Wu,
 * Bergsma & Movellan, NIPS 2009, with difficulty per class instead of per
 * item).  A worker whose accuracy is the crowd's gets the crowd's pooled
 * row; on dog (4 breeds, 72-82% pooled accuracy per class) and face this
 * is 1 item better than one accuracy for every class, on product 9.
 *  - The strength a of the Beta prior on a_w is estimated by empirical
 *    Bayes: the c_w are beta-binomial, and Minka's fixed point for its
 *    precision ("Estimating a Dirichlet distribution", 2000) runs on up to
 *    REP_FIT_EB_SAMPLE workers at each M-step until a settles.  A crowd of
 *    look-alike workers gets a large a (every a_w near abar: majority
 *    vote), a crowd of very unequal workers a small one.
 *  - Each confusion row gets a Dirichlet prior of row_prior (default K)
 *    pseudo-votes centred on m_w[k]: the MAP row is
 *	pi_w[k][l] ∝ N_w[k][l] + row_prior m_w[k][l] + s + d [k = l]
 *    (N_w the expected counts); so a matrix carries K^2 pseudo-votes,
 *    which a worker's own votes outweigh as they grow (Toloka's advice:
 *    no DS for a worker with fewer than |L|^2 answers).
 *  - Below that, the row prior is not enough (K = 2, 5 votes per worker:
 *    a point under majority vote), so a worker's matrix is its centre
 *    m_w outright while it has fewer than K^2 effective votes, the MAP rows
 *    past 2 K^2, and the linear blend between.  Effective votes weigh each
 *    vote by how certain its item is, (K Σ_k T[i][k]^2 - 1) / (K - 1):
 *    votes on items the crowd cannot decide say little about a worker.
 * This is the hierarchical prior of Bayesian classifier combination (Kim &
 * Ghahramani, AISTATS 2012) and community DS (Venanzi, Guiver, Kazai, Kohli
 * & Shokouhi, WWW 2014), fitted by EM with empirical Bayes instead of
 * sampling.  The one-coin fit shrinks a_w in the same way instead of using
 * the fixed Beta(prior_alpha, prior_beta).  row_prior = 0 turns the row
 * prior and the blend off (plain DS); acc_prior = 0 the shrinkage of a_w.
 *
 * Stake (worker_scale): the market weighs a vote by h(stake) times its
 * log-odds (weights.h).  The _fit functions multiply each worker's
 * log-likelihood terms in the E-step by worker_scale[w] in [0, 1], so a
 * worker below the reference stake moves the posterior less; 1 for all
 * workers is plain EM.
 *
 * Pure: no I/O, no globals.  The _run functions allocate nothing (every
 * buffer is the caller's); the _fit functions allocate a float row of K
 * (padded) per item and, for DS, K per worker, plus O(K^2 (n_items +
 * n_workers) / block + n_workers) bytes of partial sums, with malloc and
 * aligned_alloc, and free them before returning.  Row arrays of 2 MB and
 * more are 2 MB-aligned and advised into transparent huge pages
 * (madvise(MADV_HUGEPAGE), a hint the kernel may ignore).
 */
#ifndef REP_DAWID_SKENE_H
#define REP_DAWID_SKENE_H

#include <stdbool.h>

#include "reputation/obs.h"
#include "reputation/parallel.h"
#include "reputation/params.h"
#include "reputation/vote_index.h"

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

/* Items and workers per block of the _fit passes (a unit of parallel work). */
#define REP_FIT_ITEM_BLOCK 2048
#define REP_FIT_WORKER_BLOCK 256

/* What a fit settled on, for reports and benchmarks. */
struct rep_fit_info {
	double acc_prior; /* the estimated strength a */
	double own_share; /* DS: mean over workers of the blend's own share */
};

struct rep_fit_opts {
	double row_prior; /* Dirichlet pseudo-votes per confusion row; 0 off */
	double acc_prior; /* pseudo-votes pulling a_w to abar; 0 off */
	bool   estimate_priors;	    /* estimate acc_prior by empirical Bayes */
	const double *worker_scale; /* n_workers in [0, 1], or NULL (all 1) */
	const struct rep_parallel *par;	 /* NULL: every block on this thread */
	struct rep_fit_info	  *info; /* out, or NULL */
};

/*
 * The defaults: row_prior = n_labels, acc_prior = REP_FIT_ACC_PRIOR as the
 * starting point of its estimate, estimate_priors, no scale, no threads.
 */
#define REP_FIT_ACC_PRIOR 4.0
#define REP_FIT_PRIOR_MIN 0.1 /* bounds of the estimated acc_prior */
#define REP_FIT_PRIOR_MAX 1e4
#define REP_FIT_EB_SAMPLE 512 /* workers acc_prior is estimated on */
void rep_fit_opts_default(struct rep_fit_opts *o, int n_labels);

/*
 * Dawid-Skene EM over an index, regularised as above.  init_post as for
 * rep_ds_run() (NULL: majority vote); m as for rep_ds_run(), except that
 * m->confusion may be NULL when only the posteriors are wanted (it is then
 * not computed: n_workers K^2 exponentials saved).  0, REP_ERR_INVALID or
 * REP_ERR_NOMEM.
 */
int rep_ds_fit(const struct rep_vote_index *ix, const double *init_post,
    const struct rep_params *p, const struct rep_fit_opts *o,
    struct rep_ds_model *m);

/*
 * One-coin EM over an index: a_w shrunk to abar by acc_prior pseudo-votes
 * (acc_prior = 0: the Beta(prior_alpha, prior_beta) of rep_onecoin_run()),
 * uniform class prior.  0, REP_ERR_INVALID or REP_ERR_NOMEM.
 */
int rep_onecoin_fit(const struct rep_vote_index *ix, const double *init_post,
    const struct rep_params *p, const struct rep_fit_opts *o,
    struct rep_onecoin_model *m);

#endif
