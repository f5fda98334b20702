/*
 * bench/aggregation/speed.c — lc-agg-speed: Dawid-Skene EM over 1,000,000
 * synthetic votes (10 labels, 10,000 labelers, 100,000 items) — the
 * market's allocation-free rep_ds_run() and the indexed, regularised
 * rep_ds_fit() of labelctl aggregate (EM only: no CSV, no index) — and the
 * online per-vote path (weight, score, posterior, decision).
 *
 *	lc-agg-speed [--runs N] [--seed S]
 *
 * Prints Markdown; times are medians of N runs on one core.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reputation/reputation.h"

#define K 10
#define N_WORKERS 10000
#define N_ITEMS 100000
#define PER_ITEM 10

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

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	static struct rep_obs obs[N_ITEMS * PER_ITEM];
	static int	      truth[N_ITEMS];
	static double	      acc[N_WORKERS];
	struct rep_params     p;
	struct rep_batch      b = { obs, 0, N_ITEMS, N_WORKERS, K };
	struct rep_ds_model   m;
	struct rep_voter      voter;
	struct rep_decision   d;
	double t_ds[16], t_fit[16], t_vote[16], score[K], post[K], sink = 0, t0;
	int    runs = 5, i, j, r, hits, fit_hits, iters = 0, fit_iters = 0;
	struct rep_vote_index ix;
	struct rep_fit_opts   fo;
	size_t		      n = 0, v, n_votes = 10000000;

	rng = 42;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
			runs = atoi(argv[++i]);
		else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
			rng = strtoull(argv[++i], NULL, 10) | 1;
	}
	if (runs < 1 || runs > 16)
		runs = 5;
	rep_params_default(&p);
	for (i = 0; i < N_WORKERS; i++)
		acc[i] = 0.3 + 0.65 * uniform01();
	for (i = 0; i < N_ITEMS; i++) {
		truth[i] = (int)(uniform01() * K);
		for (j = 0; j < PER_ITEM; j++) {
			int w = (int)(uniform01() * N_WORKERS);

			obs[n].item = i;
			obs[n].worker = w;
			obs[n].label = uniform01() < acc[w]
			    ? truth[i]
			    : (int)(uniform01() * K);
			n++;
		}
	}
	b.n_obs = n;
	m.class_prior = malloc(K * sizeof(double));
	m.confusion = malloc((size_t)N_WORKERS * K * K * sizeof(double));
	m.item_post = malloc((size_t)N_ITEMS * K * sizeof(double));
	if (!m.class_prior || !m.confusion || !m.item_post)
		return 2;
	for (r = 0; r < runs; r++) {
		t0 = now_s();
		if (rep_ds_run(&b, NULL, &p, &m) != 0)
			return 2;
		t_ds[r] = now_s() - t0;
		iters = m.iterations;
	}
	for (hits = 0, i = 0; i < N_ITEMS; i++)
		hits += rep_posterior_leader(m.item_post + (size_t)i * K, K) ==
		    truth[i];
	qsort(t_ds, (size_t)runs, sizeof(double), cmp_double);
	if (rep_vote_index_build(&b, NULL, &ix) != 0)
		return 2;
	rep_fit_opts_default(&fo, K);
	for (r = 0; r < runs; r++) {
		t0 = now_s();
		if (rep_ds_fit(&ix, NULL, &p, &fo, &m) != 0)
			return 2;
		t_fit[r] = now_s() - t0;
		fit_iters = m.iterations;
	}
	for (fit_hits = 0, i = 0; i < N_ITEMS; i++)
		fit_hits += rep_posterior_leader(m.item_post + (size_t)i * K,
				K) == truth[i];
	qsort(t_fit, (size_t)runs, sizeof(double), cmp_double);
	rep_vote_index_free(&ix);

	/* The market's per-vote path, over a stream of votes. */
	rep_voter_init(&voter, 25000000, &p);
	for (r = 0; r < runs; r++) {
		rep_score_init(score, K, NULL);
		t0 = now_s();
		for (v = 0; v < n_votes; v++) {
			voter.alpha = 2.0 + (double)(v & 63);
			rep_score_add(score, K, (int)(v % 3),
			    rep_vote_weight(&voter, K, &p));
			rep_score_posterior(score, K, post);
			rep_finalize_decide(post, K, 5, &p, &d);
			sink += d.confidence;
			if ((v & 15) == 15)
				rep_score_init(score, K, NULL);
		}
		t_vote[r] = (now_s() - t0) / (double)n_votes;
	}
	qsort(t_vote, (size_t)runs, sizeof(double), cmp_double);
	printf("| benchmark | result (median of %d) |\n|---|---|\n", runs);
	printf("| DS EM, rep_ds_run() (the market's batch pass), 1,000,000 "
	       "votes, K=10, 10,000 labelers, 100,000 items | %.3f s (%d "
	       "iterations, accuracy %.4f) |\n",
	    t_ds[runs / 2], iters, (double)hits / N_ITEMS);
	printf("| DS EM, rep_ds_fit() (labelctl aggregate's, regularised), "
	       "same votes, one thread | %.3f s (%d iterations, accuracy "
	       "%.4f) |\n",
	    t_fit[runs / 2], fit_iters, (double)fit_hits / N_ITEMS);
	printf("| online per-vote path (weight + score + posterior + "
	       "decision), K=10 | %.0f ns per vote |\n",
	    t_vote[runs / 2] * 1e9);
	fprintf(stderr, "(sink %g)\n", sink);
	free(m.class_prior);
	free(m.confusion);
	free(m.item_post);
	return 0;
}
