/*
 * reputation/incentives.c — exact reward split (largest remainder) and
 * slashing in integer micro-credits (see incentives.h).
 *
 * Exactness argument: weights are quantised to q_i <= 2^20 with Q = Σ q_i
 * <= 2^40 (n <= 2^20).  Writing reward = a·Q + b with 0 <= b < Q, voter i's
 * exact quota is a·q_i + b·q_i / Q; b·q_i < 2^60 fits in 64 bits, so the
 * floors and remainders are computed exactly.  The floors leave
 * L = reward - Σ floors < (number of payees) micro-credits, which go to the
 * L largest remainders (ties: lower index).  The L-th largest remainder is
 * found by bisection over [0, Q), so no scratch memory is needed.
 */
#include <math.h>

#include "reputation/incentives.h"

#define QUANT_ONE (UINT64_C(1) << 20)

int64_t
rep_bp_of(int64_t amount, int32_t bp)
{
	if (amount <= 0 || bp <= 0)
		return 0;
	if (bp > REP_BP_ONE)
		bp = REP_BP_ONE;
	return (amount / REP_BP_ONE) * bp +
	    (amount % REP_BP_ONE) * bp / REP_BP_ONE;
}

static uint64_t
quantum(const int *labels, const double *weights, size_t i, int final_label,
    double wmax)
{
	if (labels[i] != final_label)
		return 0;
	if (wmax <= 0.0)
		return 1; /* all payees weigh 0: equal split */
	return (uint64_t)llround(weights[i] / wmax * (double)QUANT_ONE);
}

int
rep_reward_shares(const int *labels, const double *weights, size_t n,
    int final_label, int64_t reward, int64_t *shares, int64_t *paid)
{
	uint64_t q, Q = 0, a, b, lo, hi, mid, cnt, left, sum = 0;
	double	 wmax = 0.0;
	size_t	 i;

	if (paid == NULL || n > REP_MAX_VOTES || reward < 0 ||
	    reward > INT64_MAX / 2 ||
	    (n > 0 && (labels == NULL || weights == NULL || shares == NULL)))
		return REP_ERR_INVALID;
	if (final_label < 0 || final_label >= REP_MAX_LABELS)
		return REP_ERR_INVALID;
	for (i = 0; i < n; i++) {
		if (labels[i] < 0 || labels[i] >= REP_MAX_LABELS ||
		    !isfinite(weights[i]) || weights[i] < 0.0)
			return REP_ERR_INVALID;
		if (labels[i] == final_label && weights[i] > wmax)
			wmax = weights[i];
	}
	for (i = 0; i < n; i++)
		Q += quantum(labels, weights, i, final_label, wmax);
	if (Q == 0) {
		/*
		 * Nobody agreed, or every payee's weight quantised to 0
		 * (impossible: the largest one is 2^20).
		 */
		for (i = 0; i < n; i++)
			shares[i] = 0;
		*paid = 0;
		return REP_OK;
	}
	a = (uint64_t)reward / Q;
	b = (uint64_t)reward % Q;
	for (i = 0; i < n; i++) {
		q = quantum(labels, weights, i, final_label, wmax);
		shares[i] = (int64_t)(a * q + b * q / Q);
		sum += (uint64_t)shares[i];
	}
	left = (uint64_t)reward - sum;
	if (left > 0) {
		/* Smallest threshold t with #{i : rem_i > t} < left. */
		lo = 0;
		hi = Q;
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			for (cnt = 0, i = 0; i < n; i++) {
				q = quantum(labels, weights, i, final_label,
				    wmax);
				if (q > 0 && b * q % Q > mid)
					cnt++;
			}
			if (cnt < left)
				hi = mid;
			else
				lo = mid + 1;
		}
		for (i = 0; i < n && left > 0; i++) {
			q = quantum(labels, weights, i, final_label, wmax);
			if (q > 0 && b * q % Q > lo) {
				shares[i]++;
				left--;
			}
		}
		for (i = 0; i < n && left > 0; i++) {
			q = quantum(labels, weights, i, final_label, wmax);
			if (q > 0 && b * q % Q == lo) {
				shares[i]++;
				left--;
			}
		}
		if (left != 0)
			return REP_ERR_INTERNAL;
	}
	*paid = reward;
	return REP_OK;
}

int
rep_slash_amounts(const int *labels, const int64_t *stakes, size_t n,
    int final_label, double confidence, bool low_confidence, bool gold,
    const struct rep_params *p, int64_t *slashes, int64_t *total)
{
	int64_t sum = 0;
	int32_t bp;
	size_t	i;

	if (total == NULL || rep_params_check(p) != 0 || n > REP_MAX_VOTES ||
	    (n > 0 && (labels == NULL || stakes == NULL || slashes == NULL)))
		return REP_ERR_INVALID;
	if (final_label < 0 || final_label >= REP_MAX_LABELS ||
	    (!gold && !(confidence >= 0.0 && confidence <= 1.0)))
		return REP_ERR_INVALID;
	for (i = 0; i < n; i++)
		if (labels[i] < 0 || labels[i] >= REP_MAX_LABELS ||
		    stakes[i] < 0 || stakes[i] > REP_MAX_STAKE)
			return REP_ERR_INVALID;
	if (gold)
		bp = p->gold_slash_bp;
	else if (!low_confidence && confidence >= p->slash_confidence)
		bp = p->slash_bp;
	else
		bp = 0;
	for (i = 0; i < n; i++) {
		slashes[i] =
		    labels[i] != final_label ? rep_bp_of(stakes[i], bp) : 0;
		sum += slashes[i];
	}
	*total = sum;
	return REP_OK;
}
