/*
 * bench/aggregation/crowd.c — simulated crowds (see crowd.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/aggregation/crowd.h"
#include "reputation/params.h"

struct rng {
	uint64_t s[4];
};

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t
rng_next(struct rng *r)
{
	uint64_t res = rotl(r->s[1] * 5, 7) * 9, t = r->s[1] << 17;

	r->s[2] ^= r->s[0];
	r->s[3] ^= r->s[1];
	r->s[1] ^= r->s[2];
	r->s[0] ^= r->s[3];
	r->s[2] ^= t;
	r->s[3] = rotl(r->s[3], 45);
	return res;
}

static double
rng_uniform(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform in [0, n). */
static int
rng_below(struct rng *r, int n)
{
	return (int)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

void
crowd_free(struct crowd *c)
{
	if (c == NULL)
		return;
	free(c->obs);
	free(c->truth);
	free(c->accuracy);
	memset(c, 0, sizeof(*c));
}

int
crowd_simulate(const struct crowd_spec *s, struct crowd *c)
{
	struct rng r;
	double	  *conf = NULL; /* confusion model: n_workers * K * K cdf */
	int32_t	  *pick = NULL;
	uint64_t   x = s->seed;
	size_t	   n = 0, i;
	int	   K = s->n_labels, it, j, w, k, l, truth;

	memset(c, 0, sizeof(*c));
	if (s->n_items < 1 || s->per_item < 1 || s->n_workers < s->per_item ||
	    K < REP_MIN_LABELS || K > REP_MAX_LABELS ||
	    !(s->acc_lo >= 0.0 && s->acc_lo <= s->acc_hi && s->acc_hi <= 1.0))
		return -1;
	for (i = 0; i < 4; i++)
		r.s[i] = splitmix64(&x);
	c->n_obs = (size_t)s->n_items * (size_t)s->per_item;
	c->obs = malloc(c->n_obs * sizeof(*c->obs));
	c->truth = malloc((size_t)s->n_items * sizeof(*c->truth));
	c->accuracy = malloc((size_t)s->n_workers * sizeof(*c->accuracy));
	pick = malloc((size_t)s->per_item * sizeof(*pick));
	if (s->model == CROWD_CONFUSION)
		conf = malloc((size_t)s->n_workers * K * K * sizeof(*conf));
	if (c->obs == NULL || c->truth == NULL || c->accuracy == NULL ||
	    pick == NULL || (s->model == CROWD_CONFUSION && conf == NULL))
		goto fail;
	for (w = 0; w < s->n_workers; w++) {
		double a =
		    s->acc_lo + (s->acc_hi - s->acc_lo) * rng_uniform(&r);

		c->accuracy[w] = a;
		if (s->model != CROWD_CONFUSION)
			continue;
		for (k = 0; k < K; k++) {
			double *row = conf + ((size_t)w * K + k) * K, sum = 0.0;

			/* Dirichlet(1) shares of the error mass. */
			for (l = 0; l < K; l++) {
				row[l] =
				    l == k ? 0.0 : -log(1.0 - rng_uniform(&r));
				sum += row[l];
			}
			for (l = 0; l < K; l++)
				row[l] = l == k ? a : (1.0 - a) * row[l] / sum;
			for (l = 1; l < K; l++) /* cumulative */
				row[l] += row[l - 1];
		}
	}
	for (it = 0; it < s->n_items; it++) {
		c->truth[it] = truth = rng_below(&r, K);
		for (j = 0; j < s->per_item; j++) {
			int dup;

			do {
				w = rng_below(&r, s->n_workers);
				for (dup = 0, k = 0; k < j; k++)
					dup |= pick[k] == w;
			} while (dup);
			pick[j] = w;
			if (s->model == CROWD_CONFUSION) {
				const double *row =
				    conf + ((size_t)w * K + truth) * K;
				double u = rng_uniform(&r);

				for (l = 0; l < K - 1 && u >= row[l]; l++)
					;
			} else if (rng_uniform(&r) < c->accuracy[w])
				l = truth;
			else {
				l = rng_below(&r, K - 1);
				l += l >= truth;
			}
			c->obs[n].item = it;
			c->obs[n].worker = w;
			c->obs[n].label = l;
			n++;
		}
	}
	if (s->order == CROWD_ORDER_SHUFFLE)
		for (i = n - 1; i > 0; i--) {
			size_t	       o = (size_t)(rng_uniform(&r) * (i + 1));
			struct rep_obs t = c->obs[i];

			c->obs[i] = c->obs[o];
			c->obs[o] = t;
		}
	free(pick);
	free(conf);
	return 0;
fail:
	free(pick);
	free(conf);
	crowd_free(c);
	return -1;
}
