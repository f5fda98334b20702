/*
 * reputation/incentives.h — who is paid and who is slashed, in integer
 * micro-credits.
 *
 * Rewards: voters who agreed with the final label split the task's reward in
 * proportion to their vote weight.  Weights are quantised to integers
 * (2^20 for the largest), then the reward is divided exactly with Hamilton's
 * largest-remainder method: everyone gets the floor of their quota, and the
 * leftover micro-credits go one each to the largest remainders, ties to the
 * earlier vote (lower index).  The shares always sum to exactly the reward:
 * no credit is created or lost, which keeps the double-entry ledger at zero.
 * If every agreeing voter has weight 0 they split equally (same method).
 * If nobody agreed, nothing is paid and the caller keeps the reward in escrow.
 *
 * Slashing (a fraction of locked stake, in basis points, rounded down):
 * a voter who disagrees with a final label whose confidence is at least
 * slash_confidence loses slash_bp; a voter who fails a gold task loses
 * gold_slash_bp.  Low-confidence finals never slash.  Peer-consistency
 * payments of this kind follow the output-agreement / peer-prediction line
 * (Miller, Resnick & Zeckhauser, "Eliciting Informative Feedback: The
 * Peer-Prediction Method", Management Science 51(9), 2005).
 *
 * Pure: no I/O, no globals, no allocation.  Output arrays are caller-provided
 * with n entries.
 */
#ifndef REP_INCENTIVES_H
#define REP_INCENTIVES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reputation/params.h"

/*
 * shares[i] = voter i's part of reward (0 for those who did not vote
 * final_label).  *paid = sum of shares: reward, or 0 if nobody agreed.
 * weights[i] >= 0 and finite, labels[i] in [0, REP_MAX_LABELS),
 * 0 <= reward <= INT64_MAX / 2, n <= REP_MAX_VOTES.
 * 0 or REP_ERR_INVALID (nothing written).
 */
int rep_reward_shares(const int *labels, const double *weights, size_t n,
    int final_label, int64_t reward, int64_t *shares, int64_t *paid);

/*
 * slashes[i] = micro-credits to take from voter i's stake (0 for most).
 * stakes[i] in [0, REP_MAX_STAKE].  For a gold task final_label is the gold
 * label and confidence is ignored; otherwise low_confidence finals (pass
 * state == REP_TASK_FINAL_LOW_CONFIDENCE as low_confidence = true) never
 * slash.  *total = sum of slashes.  0 or REP_ERR_INVALID (nothing written).
 */
int rep_slash_amounts(const int *labels, const int64_t *stakes, size_t n,
    int final_label, double confidence, bool low_confidence, bool gold,
    const struct rep_params *p, int64_t *slashes, int64_t *total);

/* floor(amount * bp / 10000) without overflow; amount >= 0, 0 <= bp <= 10000. */
int64_t rep_bp_of(int64_t amount, int32_t bp);

#endif
