/*
 * labeling/reestimate.h — the batch re-estimation of a project's labelers.
 *
 * The market decides each task as its votes come; what it knows about a
 * labeler then is what it has learnt so far (reputation/live.h).  The
 * re-estimation looks at every vote of the project at once: a
 * Dawid-Skene fit over the tasks with two votes or more (gold tasks
 * aside: their answers are judged against the gold label), and every
 * labeler of the project gets the belief
 *
 *	accuracy  a = the labeler's chance-corrected accuracy under the fit
 *		      (rep_ds_worker_informed_accuracy(): a constant or
 *		      random voter gets exactly chance)
 *	evidence  n = Σ over its votes of how sure the fit is of the item
 *		      (0 for a coin flip, 1 for certain)
 *	belief	    the prior + Beta(a n, (1 - a) n)
 *		    + gold_gain per gold answer, right or wrong
 *
 * replacing what the running updates had made of it (the evidence still
 * queued for the project is folded into the fit, not added again; the
 * gold answers queued are counted).  The project's temperature
 * (reputation/params.h) is fitted on its gold tasks: how sure their votes
 * made the crowd, against the known answers.  Then every open task of the project
 * is decided again with the new beliefs, and those that are now final are
 * finalized (finalize.h), each in its own statement, guarded by its vote
 * count.
 *
 * labelchaind's housekeeping thread runs it for every project that is due
 * (reestimate_due()); an owner asks for a run with POST
 * /v1/projects/{id}/reestimate, an operator with `labelctl reestimate`.
 * It holds the reputation settler's lock (settle.h) while it writes, so
 * the two never interleave; a run that finds the lock taken says so
 * (busy) and is retried.
 */
#ifndef LC_REESTIMATE_H
#define LC_REESTIMATE_H

#include <stdint.h>

struct db;

/*
 * A project is due when it has REESTIMATE_MIN_NEW votes or more since the
 * last run and they are a tenth or more of the votes the last run fitted,
 * or it has any new vote and the last run is REESTIMATE_STALE_S old, or a
 * run was asked for.
 */
#define REESTIMATE_MIN_NEW 20
#define REESTIMATE_STALE_S 30

/*
 * The temperature (reputation/params.h): fitted on at most
 * REESTIMATE_T_SAMPLES moments of the gold tasks, shrunk towards 1 by
 * REESTIMATE_T_PRIOR pseudo-samples.
 */
#define REESTIMATE_T_SAMPLES 100000
#define REESTIMATE_T_PRIOR 20.0

/* Open tasks decided again per statement. */
#define REESTIMATE_PAGE 256

struct reestimate_result {
	int    busy;	    /* the settler's lock was taken: nothing done */
	int    votes;	    /* fitted (gold tasks and single votes aside) */
	int    tasks;	    /* items of the fit */
	int    labelers;    /* beliefs written */
	int    iterations;  /* of EM */
	int    rescored;    /* open tasks decided again */
	int    finalized;   /* of them, now final */
	double temperature; /* the project's, from its gold tasks */
	int    calibration_samples; /* moments of gold tasks it was fitted on */
};

/*
 * Up to limit projects that are due, into ids[]; *n gets how many.  0 or
 * an lc_err.
 */
int reestimate_due(struct db *db, int limit, int64_t *ids, int *n);

/*
 * Re-estimate one project (any status but closed) and decide its open
 * tasks again.  0 (also when busy), LC_ERR_NOT_FOUND, LC_ERR_STATE (the
 * project is closed), or another lc_err; detail as market_fail().
 */
int reestimate_project(struct db *db, int64_t project_id,
    struct reestimate_result *out, char *detail);

/*
 * The owner asks for a run: the housekeeping thread takes it within its
 * next round.  0, LC_ERR_NOT_FOUND (no such project of this owner) or
 * LC_ERR_STATE (closed).
 */
int reestimate_request(struct db *db, int64_t owner_id, int64_t project_id,
    char *detail);

#endif
