/*
 * bench/aggregation/eval.c — lc-agg-eval: every method on every shared data
 * set (accuracy, votes used, time), and dynamic redundancy (accuracy against
 * mean votes per item when votes are revealed one at a time and an item
 * stops at the confidence target, against fixed-overlap majority vote).
 *
 *	lc-agg-eval [--datasets DIR] [--runs N]
 *
 * DIR defaults to $LC_DATASETS, else the path compiled in
 * ($(top_srcdir)/../shared/datasets).  Prints Markdown to stdout.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/aggregate.h"
#include "cli/csv.h"
#include "reputation/reputation.h"

#ifndef LC_DEFAULT_DATASETS
#define LC_DEFAULT_DATASETS "../shared/datasets"
#endif

/* The methods of labelctl aggregate, and ds with --row-prior 0 (plain DS). */
static const char *const method_names[] = { "mv", "wawa", "onecoin", "ds",
	"stake", "replay", "ds --row-prior 0" };
#define N_METHODS 7
#define PLAIN_DS 6

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static double
accuracy(const struct aggregate_data *d, const double *post)
{
	int i, K = d->batch.n_labels, hits = 0, n = 0;

	for (i = 0; i < d->batch.n_items; i++) {
		if (d->gold[i] == AGG_GOLD_NONE)
			continue;
		n++;
		hits +=
		    rep_posterior_leader(post + (size_t)i * K, K) == d->gold[i];
	}
	return n ? (double)hits / n : 0.0;
}

/* Votes reordered round-robin: every item's 1st vote, then 2nd, ... */
static struct rep_obs *
round_robin(const struct rep_batch *b, int *max_len)
{
	struct rep_obs *out;
	size_t	       *start, *len, i, n = 0;
	int		it, r;

	out = malloc((b->n_obs + 1) * sizeof(*out));
	start = calloc((size_t)b->n_items + 1, sizeof(*start));
	len = calloc((size_t)b->n_items + 1, sizeof(*len));
	size_t *idx = malloc((b->n_obs + 1) * sizeof(*idx));
	size_t *fill = calloc((size_t)b->n_items + 1, sizeof(*fill));
	if (!out || !start || !len || !idx || !fill)
		abort();
	for (i = 0; i < b->n_obs; i++)
		len[b->obs[i].item]++;
	*max_len = 0;
	for (it = 0; it < b->n_items; it++) {
		start[it + 1] = start[it] + len[it];
		if ((int)len[it] > *max_len)
			*max_len = (int)len[it];
	}
	for (i = 0; i < b->n_obs; i++) {
		it = b->obs[i].item;
		idx[start[it] + fill[it]++] = i;
	}
	for (r = 0; r < *max_len; r++)
		for (it = 0; it < b->n_items; it++)
			if ((size_t)r < len[it])
				out[n++] = b->obs[idx[start[it] + r]];
	free(start);
	free(len);
	free(idx);
	free(fill);
	return out;
}

/* used = the first limit[item] votes of every item in rr (round order). */
static size_t
take_prefix(const struct rep_batch *b, const struct rep_obs *rr,
    const int *limit, int k, struct rep_obs *used)
{
	size_t *seen, i, n = 0;

	if ((seen = calloc((size_t)b->n_items + 1, sizeof(*seen))) == NULL)
		abort();
	for (i = 0; i < b->n_obs; i++)
		if (seen[rr[i].item]++ <
		    (size_t)(limit ? limit[rr[i].item] : k))
			used[n++] = rr[i];
	free(seen);
	return n;
}

static void
redundancy(const char *name, const struct aggregate_data *d, FILE *out)
{
	static const double   targets[] = { 0.9, 0.95, 0.99, 0.999 };
	struct rep_params     p;
	struct rep_batch      b = d->batch, sub;
	struct rep_online_out on = { 0 };
	struct rep_voter     *voters;
	struct rep_ds_model   ds = { 0 };
	struct rep_obs	     *rr, *used;
	double		     *post, full_mv = 0.0;
	size_t		      K = (size_t)b.n_labels, n_used;
	int		      max_len, k, t, w, *nv;

	rr = round_robin(&d->batch, &max_len);
	post = malloc(((size_t)b.n_items * K + 1) * sizeof(*post));
	nv = malloc(((size_t)b.n_items + 1) * sizeof(*nv));
	voters = malloc(((size_t)b.n_workers + 1) * sizeof(*voters));
	used = malloc((b.n_obs + 1) * sizeof(*used));
	ds.class_prior = malloc(K * sizeof(double));
	ds.confusion =
	    malloc(((size_t)b.n_workers * K * K + 1) * sizeof(double));
	ds.item_post = malloc(((size_t)b.n_items * K + 1) * sizeof(double));
	if (!post || !nv || !voters || !used || !ds.class_prior ||
	    !ds.confusion || !ds.item_post)
		abort();
	b.obs = rr;
	for (k = 1; k <= max_len; k++) {
		n_used = take_prefix(&b, rr, NULL, k, used);
		sub = b;
		sub.obs = used;
		sub.n_obs = n_used;
		rep_majority(&sub, NULL, post);
		if (k == max_len)
			full_mv = accuracy(d, post);
		if (k <= 10 || k == max_len)
			fprintf(out,
			    "| %s | fixed MV, %d votes | %.4f | %.2f "
			    "| %.0f%% |\n",
			    name, k, accuracy(d, post),
			    (double)n_used / b.n_items,
			    100.0 * n_used / b.n_obs);
	}
	for (t = 0; t < (int)(sizeof(targets) / sizeof(targets[0])); t++) {
		rep_params_default(&p);
		p.confidence = targets[t];
		p.min_votes = 2;
		p.max_votes = 1000;
		for (w = 0; w < b.n_workers; w++)
			rep_voter_init(&voters[w], d->stake[w], &p);
		on.item_post = post;
		on.item_votes = nv;
		if (rep_online_replay(&b, voters, NULL, true, &p, &on) != 0)
			abort();
		n_used = take_prefix(&b, rr, nv, 0, used);
		fprintf(out,
		    "| %s | stake, target %.3g | %.4f | %.2f | %.0f%% "
		    "|\n",
		    name, targets[t], accuracy(d, post),
		    (double)n_used / b.n_items, 100.0 * n_used / b.n_obs);
		/* The votes the market collected, re-estimated in batch. */
		sub = b;
		sub.obs = used;
		sub.n_obs = n_used;
		if (rep_ds_run(&sub, post, &p, &ds) != 0)
			abort();
		fprintf(out,
		    "| %s | stake + DS, target %.3g | %.4f | %.2f | "
		    "%.0f%% |\n",
		    name, targets[t], accuracy(d, ds.item_post),
		    (double)n_used / b.n_items, 100.0 * n_used / b.n_obs);
	}
	fprintf(out, "| %s | **full-overlap MV** | **%.4f** | %.2f | 100%% |\n",
	    name, full_mv, (double)b.n_obs / b.n_items);
	free(rr);
	free(post);
	free(nv);
	free(voters);
	free(used);
	free(ds.class_prior);
	free(ds.confusion);
	free(ds.item_post);
}

int
main(int argc, char **argv)
{
	const char	     *dir = getenv("LC_DATASETS");
	char		     *names[64], path[3][4096], err[1024];
	struct aggregate_data data[64];
	struct rep_params     p;
	struct dirent	     *de;
	double		      times[32], *post;
	int		      runs = 5, n = 0, i, m, r;
	DIR		     *dp;

	if (dir == NULL)
		dir = LC_DEFAULT_DATASETS;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--datasets") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
			runs = atoi(argv[++i]);
		else {
			fprintf(stderr,
			    "usage: lc-agg-eval [--datasets DIR] "
			    "[--runs N]\n");
			return 1;
		}
	}
	if (runs < 1 || runs > 32)
		runs = 5;
	if ((dp = opendir(dir)) == NULL) {
		fprintf(stderr,
		    "lc-agg-eval: %s: cannot open (set "
		    "--datasets or LC_DATASETS)\n",
		    dir);
		return 1;
	}
	while ((de = readdir(dp)) != NULL && n < 64) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path[0], sizeof(path[0]), "%s/%s/votes.csv", dir,
		    de->d_name);
		if (access(path[0], R_OK) != 0)
			continue;
		names[n++] = strdup(de->d_name);
	}
	closedir(dp);
	qsort(names, (size_t)n, sizeof(char *), cmp_str);
	aggregate_params_default(&p);

	printf("### Accuracy, votes used and time per method\n\n");
	printf("| data set | method | accuracy | votes used | time (ms, "
	       "median of %d) |\n|---|---|---|---|---|\n",
	    runs);
	for (i = 0; i < n; i++) {
		snprintf(path[0], sizeof(path[0]), "%s/%s/votes.csv", dir,
		    names[i]);
		snprintf(path[1], sizeof(path[1]), "%s/%s/gold.csv", dir,
		    names[i]);
		if (aggregate_load(path[0], NULL, path[1], &data[i], err,
			sizeof(err)) != 0) {
			fprintf(stderr, "lc-agg-eval: %s\n", err);
			return 1;
		}
		post = malloc(
		    ((size_t)data[i].batch.n_items * data[i].batch.n_labels +
			1) *
		    sizeof(double));
		if (post == NULL)
			abort();
		for (m = 0; m < N_METHODS; m++) {
			for (r = 0; r < runs; r++) {
				struct aggregate_run run = { 0 };
				double		     t0 = now_ms();

				run.method =
				    m == PLAIN_DS ? "ds" : method_names[m];
				run.params = &p;
				run.row_prior = m == PLAIN_DS ? 0.0 : -1.0;
				if (aggregate_estimate(&data[i], &run, post) !=
				    0)
					abort();
				times[r] = now_ms() - t0;
			}
			qsort(times, (size_t)runs, sizeof(double), cmp_double);
			printf("| %s | %s | %.4f | %zu | %.2f |\n", names[i],
			    method_names[m], accuracy(&data[i], post),
			    data[i].batch.n_obs, times[runs / 2]);
		}
		free(post);
	}
	printf("\n### Dynamic redundancy (votes revealed round-robin, an item "
	       "stops at the target; min_votes 2)\n\n");
	printf("| data set | policy | accuracy | votes per item | share of "
	       "all votes |\n|---|---|---|---|---|\n");
	for (i = 0; i < n; i++) {
		redundancy(names[i], &data[i], stdout);
		aggregate_free(&data[i]);
		free(names[i]);
	}
	return 0;
}
