/*
 * bench/aggregation/sweep.c — lc-agg-sweep: does any method fall below
 * majority vote on a crowd that the one-coin model describes?
 *
 * Simulated one-coin crowds (crowd.h: accuracy uniform in [LO, HI], wrong
 * answers uniform) with a fixed number of items and votes per item, and as
 * many workers as it takes for each to cast about V votes, for V from 5 to
 * 500.  For every method of `labelctl aggregate`, and for Dawid-Skene and
 * one-coin EM without their priors (what the priors are for), prints the
 * accuracy minus majority vote's, in points, as the mean over seeds and
 * the worst seed.
 *
 *	lc-agg-sweep [--labels K] [--acc LO:HI] [--items N] [--per-item R]
 *	    [--seeds S]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/aggregation/crowd.h"
#include "cli/aggregate.h"
#include "cli/pool.h"
#include "reputation/reputation.h"

static const int votes_per_worker[] = { 5, 10, 20, 50, 100, 200, 500 };
#define N_VPW (int)(sizeof(votes_per_worker) / sizeof(votes_per_worker[0]))

static const char *const methods[] = { "stake", "ds", "onecoin", "wawa",
	"replay", "ds, no prior", "onecoin, no prior" };
#define N_METHODS (int)(sizeof(methods) / sizeof(methods[0]))

static double
accuracy(const double *post, const int32_t *truth, int n, int K)
{
	int i, hits = 0;

	for (i = 0; i < n; i++)
		hits +=
		    rep_posterior_leader(post + (size_t)i * K, K) == truth[i];
	return (double)hits / n;
}

/* A method without its prior, straight from the library. */
static int
run_plain(const struct aggregate_data *d, int onecoin,
    const struct rep_params *p, const struct rep_parallel *par, double *post)
{
	struct rep_vote_index	 ix;
	struct rep_fit_opts	 o;
	struct rep_ds_model	 ds = { 0 };
	struct rep_onecoin_model oc = { 0 };
	size_t	nw = (size_t)d->batch.n_workers, K = (size_t)d->batch.n_labels;
	double *a = malloc((nw * K * K + 1) * sizeof(double));
	double *b = malloc((nw + K + 1) * sizeof(double));
	int	rc = REP_ERR_NOMEM;

	if (a == NULL || b == NULL ||
	    (rc = rep_vote_index_build(&d->batch, NULL, &ix)) != 0)
		goto done;
	rep_fit_opts_default(&o, (int)K);
	o.row_prior = o.acc_prior = 0.0;
	o.par = par;
	if (onecoin) {
		oc.accuracy = a;
		oc.n_answers = b;
		oc.item_post = post;
		rc = rep_onecoin_fit(&ix, NULL, p, &o, &oc);
	} else {
		ds.class_prior = b;
		ds.confusion = a;
		ds.item_post = post;
		rc = rep_ds_fit(&ix, NULL, p, &o, &ds);
	}
	rep_vote_index_free(&ix);
done:
	free(a);
	free(b);
	return rc;
}

int
main(int argc, char **argv)
{
	struct crowd_spec s = { 4000, 5, 0, 10, 0.3, 0.9, CROWD_ONECOIN,
		CROWD_ORDER_SHUFFLE, 0 };
	static double	  sum[N_METHODS][N_VPW], worst[N_METHODS][N_VPW];
	static double	  mv_acc[N_VPW];
	struct rep_params p;
	struct pool	 *pool = NULL;
	int		  seeds = 5, i, v, m, seed;

	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--labels") == 0)
			s.n_labels = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--acc") == 0)
			sscanf(argv[i + 1], "%lf:%lf", &s.acc_lo, &s.acc_hi);
		else if (strcmp(argv[i], "--items") == 0)
			s.n_items = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--per-item") == 0)
			s.per_item = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--seeds") == 0)
			seeds = atoi(argv[i + 1]);
		else
			break;
	}
	if (i < argc || seeds < 1) {
		fprintf(stderr,
		    "usage: lc-agg-sweep [--labels K] [--acc LO:HI] "
		    "[--items N] [--per-item R] [--seeds S]\n");
		return 2;
	}
	if (pool_create(pool_default_threads(), &pool) != 0)
		return 2;
	aggregate_params_default(&p);
	for (m = 0; m < N_METHODS; m++)
		for (v = 0; v < N_VPW; v++)
			worst[m][v] = 1.0;
	for (v = 0; v < N_VPW; v++) {
		s.n_workers = s.n_items * s.per_item / votes_per_worker[v];
		if (s.n_workers < s.per_item)
			s.n_workers = s.per_item;
		for (seed = 1; seed <= seeds; seed++) {
			struct aggregate_data d;
			struct crowd	      c;
			double		     *post, mv;
			int		      w;

			s.seed = (uint64_t)seed * 1000 + (uint64_t)v;
			if (crowd_simulate(&s, &c) != 0)
				return 2;
			memset(&d, 0, sizeof(d));
			d.batch.obs = c.obs;
			d.batch.n_obs = c.n_obs;
			d.batch.n_items = s.n_items;
			d.batch.n_workers = s.n_workers;
			d.batch.n_labels = s.n_labels;
			d.stake = malloc((size_t)s.n_workers * sizeof(int64_t));
			post = malloc(
			    (size_t)s.n_items * s.n_labels * sizeof(double));
			if (d.stake == NULL || post == NULL)
				return 2;
			for (w = 0; w < s.n_workers; w++)
				d.stake[w] = (int64_t)p.stake_ref;
			if (rep_majority(&d.batch, NULL, post) != 0)
				return 2;
			mv = accuracy(post, c.truth, s.n_items, s.n_labels);
			mv_acc[v] += mv / seeds;
			for (m = 0; m < N_METHODS; m++) {
				struct aggregate_run run = { methods[m], &p,
					pool_parallel(pool), -1.0, 0, false, 0,
					0 };
				int		     rc = m < 5
						     ? aggregate_estimate(&d, &run, post)
						     : run_plain(&d, m == 6, &p,
							   pool_parallel(pool), post);
				double		     a;

				if (rc != 0)
					return 2;
				a = accuracy(post, c.truth, s.n_items,
					s.n_labels) -
				    mv;
				sum[m][v] += a / seeds;
				if (a < worst[m][v])
					worst[m][v] = a;
			}
			free(d.stake);
			free(post);
			crowd_free(&c);
		}
	}
	printf("K = %d, accuracy uniform in [%.2f, %.2f], %d items x %d "
	       "votes, %d seeds.  Cells: accuracy minus majority vote's, in "
	       "points, mean over seeds (worst seed).\n\n",
	    s.n_labels, s.acc_lo, s.acc_hi, s.n_items, s.per_item, seeds);
	printf("| method \\ votes per worker |");
	for (v = 0; v < N_VPW; v++)
		printf(" %d |", votes_per_worker[v]);
	printf("\n|---|");
	for (v = 0; v < N_VPW; v++)
		printf("---|");
	printf("\n| mv (accuracy) |");
	for (v = 0; v < N_VPW; v++)
		printf(" %.4f |", mv_acc[v]);
	printf("\n");
	for (m = 0; m < N_METHODS; m++) {
		printf("| %s |", methods[m]);
		for (v = 0; v < N_VPW; v++)
			printf(" %+.2f (%+.2f) |", 100 * sum[m][v],
			    100 * worst[m][v]);
		printf("\n");
	}
	pool_free(pool);
	return 0;
}
