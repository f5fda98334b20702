/*
 * reputation/update.h — reputation updates when a task finalizes.
 *
 * Each voter's Beta(alpha, beta) belief about their accuracy is updated as
 * if the final label were an observation of the truth, weighted by how sure
 * we are of it: with final label y and confidence c,
 *	voted y:	alpha += update_gain * c
 *	voted != y:	beta  += update_gain * c
 * On a gold task the true label is known: y is the gold label, c = 1 and the
 * gain is gold_gain (stronger).  This is the online, one-coin counterpart
 * of Dawid-Skene's M-step (Dawid & Skene 1979): expected counts of correct and
 * incorrect answers under the current posterior.  When alpha + beta exceeds
 * evidence_max both are scaled to sum to it (exponential forgetting) so a
 * labeler who turns bad loses weight in bounded time.
 *
 * Pure: no I/O, no globals, no allocation.
 */
#ifndef REP_UPDATE_H
#define REP_UPDATE_H

#include <stdbool.h>
#include <stddef.h>

#include "reputation/params.h"
#include "reputation/weights.h"

/*
 * Update voters[0..n) in place; labels[i] is voter i's vote.  final_label is
 * the decided label (or the gold label when gold is true); confidence its
 * posterior (ignored when gold).  All-or-nothing: on error nothing is
 * written.  0 or REP_ERR_INVALID.
 */
int rep_reputation_update(struct rep_voter *voters, const int *labels, size_t n,
    int n_labels, int final_label, double confidence, bool gold,
    const struct rep_params *p);

/*
 * The same update in two steps, for a market that records the evidence
 * when a task finalizes and folds it into the voters' beliefs later:
 * rep_reputation_evidence() fills d_alpha[i], d_beta[i] (>= 0) for each
 * voter, rep_reputation_add() adds one voter's evidence and applies the
 * evidence cap.  rep_reputation_update() is evidence then add.  Both 0 or
 * REP_ERR_INVALID (nothing written).
 */
int rep_reputation_evidence(const int *labels, size_t n, int n_labels,
    int final_label, double confidence, bool gold, const struct rep_params *p,
    double *d_alpha, double *d_beta);
int rep_reputation_add(struct rep_voter *v, double d_alpha, double d_beta,
    const struct rep_params *p);

/*
 * Recalibrate one voter from a batch estimate of their accuracy (e.g. from
 * rep_ds_worker_accuracy()) backed by n_answers answers: the mean becomes the
 * estimate, the evidence the prior plus n_answers, capped by evidence_max.
 * 0 or REP_ERR_INVALID.
 */
int rep_reputation_recalibrate(struct rep_voter *v, double accuracy,
    double n_answers, const struct rep_params *p);

#endif
