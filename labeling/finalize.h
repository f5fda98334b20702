/*
 * labeling/finalize.h — what a task's finalization decides, as data.
 *
 * finalize_decide() decides a task from its votes as they stand; when it
 * is final, finalize_plan() computes everything that follows, without
 * touching the database: the final label and its confidence (a gold task's
 * label is its gold answer), whether any verified labeler supported it,
 * every
 * voter's reward (reputation/incentives.h, by weight, out of the reward
 * reserved for the task), every slash (on the stake each vote was weighted with, out of its
 * bond), every released bond, the evidence each voter's reputation gets
 * (reputation/update.h), the one ledger movement that carries the money,
 * and the canonical leaf record (anchor/leaf.h).  labeling/vote.c then
 * applies the plan with the statement finalize_apply, in the
 * vote's own transaction; the movement is posted (its debits are the task's
 * reserved reward and the bonds, reserved for it) and the evidence queued, so that the
 * transaction locks no voter's rows (settle.h brings them up to date).
 *
 * The movement, per voter i (zero amounts are left out):
 *	a/i/balance  +share_i			reward
 *	a/i/bond     -slash_i, a/i/slashed +slash_i	slash
 *	a/i/bond     -(bond_i - slash_i),
 *	a/i/stake    +(bond_i - slash_i)	unbond
 * and for the task: p/<project>/reserved -paid (reward), and what nobody
 * earned back to the project's escrow (return).
 */
#ifndef LC_FINALIZE_H
#define LC_FINALIZE_H

#include <stddef.h>
#include <stdint.h>

#include "labeling/ledger.h"
#include "labeling/limits.h"
#include "reputation/reputation.h"

/* One vote of the task, and its voter's standing now. */
struct finalize_voter {
	int64_t	    account_id;
	int	    label;
	double	    weight;	/* set by finalize_decide() */
	int64_t	    stake_w;	/* the stake it was weighted with */
	int64_t	    bond;	/* the bond it holds */
	const char *public_key; /* hex */
	const char *signature;	/* hex */
	double	    alpha;	/* the voter's current belief, */
	double	    beta;	/* the prior when it has none */
	int	    gold_right; /* its gold record in the project */
	int	    gold_wrong;
};

/* Gold answers right that make a labeler verified in a project. */
#define FINALIZE_VERIFIED_GOLD 2

/*
 * Decide a task from its votes, as they stand now: each vote weighted
 * with its voter's current belief and the stake it was weighted with
 * (reputation/weights.h, the params' credible bound), nothing for a voter
 * its gold record bans (reputation/live.h); the posterior, and the rule of
 * reputation/finalize.h, stopping for futility included (each vote to
 * come as weighty as the market allows a vote to be) — except that a gold
 * task, whose label is known and whose answers are controls, is decided
 * only at max_votes.  Sets voters[i].weight, post[0 .. n_labels) and *d.
 * 0 or LC_ERR_INTERNAL.
 */
int finalize_decide(const struct rep_params *p, int n_labels, int gold_label,
    struct finalize_voter *voters, size_t n, double *post,
    struct rep_decision *d);

/* 1 when the voter has passed the project's controls (and not failed). */
int finalize_verified(const struct finalize_voter *v, int n_labels,
    const struct rep_params *p);

struct finalize_in {
	int64_t			     task_id;
	int64_t			     project_id;
	int			     n_labels;
	const char *const	    *labels;
	int			     gold_label; /* -1: not a gold task */
	const char		    *data_sha256;
	int64_t			     reward; /* reserved for the task */
	const double		    *post;   /* posterior, n_labels */
	struct rep_decision	     decision;
	const struct rep_params	    *params;
	const char		    *finalized_at; /* "…Z" */
	const struct finalize_voter *voters;
	size_t			     n_voters; /* 1 .. LC_MAX_VOTES_PER_TASK */
};

#define FINALIZE_MAX_ENTRIES (5 * LC_MAX_VOTES_PER_TASK + 3)

struct finalize_plan {
	int	    final_label;
	double	    confidence;
	int	    low_confidence;
	int	    unverified; /* no verified voter chose final_label */
	int64_t	    shares[LC_MAX_VOTES_PER_TASK];
	int64_t	    slashes[LC_MAX_VOTES_PER_TASK];
	double	    d_alpha[LC_MAX_VOTES_PER_TASK]; /* evidence per voter */
	double	    d_beta[LC_MAX_VOTES_PER_TASK];
	size_t	    n_entries; /* the movement */
	char	    keys[FINALIZE_MAX_ENTRIES][LEDGER_KEY_LEN];
	int64_t	    amounts[FINALIZE_MAX_ENTRIES];
	const char *causes[FINALIZE_MAX_ENTRIES];
	char	   *record; /* the leaf record, malloc'd */
	size_t	    record_len;
};

/*
 * Fill *out from *in.  0, LC_ERR_NOMEM, or LC_ERR_INTERNAL when the input
 * breaks an invariant.  On success the caller releases the record with
 * finalize_plan_free(); on failure nothing is left to free.
 */
int  finalize_plan(const struct finalize_in *in, struct finalize_plan *out);
void finalize_plan_free(struct finalize_plan *plan);

/*
 * The text parameters of the statement "finalize_apply" (one SQL
 * statement: the task final if it still has n_votes votes — 40001
 * otherwise —, its leases and votes settled, the movement posted, the
 * evidence and the leaf queued), in caller buffers borrowed from in, out
 * and the struct itself.
 */
#define FINALIZE_APPLY_PARAMS 15
struct finalize_apply_params {
	char	    task[24], project[24], label[24], conf[32], n_votes[24];
	char	    keys[FINALIZE_MAX_ENTRIES * (LEDGER_KEY_LEN + 3) + 2];
	char	    amounts[FINALIZE_MAX_ENTRIES * 21 + 2];
	char	    causes[FINALIZE_MAX_ENTRIES * 10 + 2];
	char	    voters[LC_MAX_VOTES_PER_TASK * 21 + 2];
	char	    d_alpha[LC_MAX_VOTES_PER_TASK * 33 + 2];
	char	    d_beta[LC_MAX_VOTES_PER_TASK * 33 + 2];
	const char *v[FINALIZE_APPLY_PARAMS];
};
int finalize_apply_params(const struct finalize_in *in,
    const struct finalize_plan *plan, int n_votes,
    struct finalize_apply_params *out);

#endif
