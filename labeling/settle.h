/*
 * labeling/settle.h — bringing balances and reputations up to date after
 * finalizations.
 *
 * A finalization locks no voter's rows: its money is a posted movement
 * (entries written at once, balance changes queued in ledger_pending) and
 * its evidence about the voters is queued in reputation_pending
 * (labeling/finalize.c, finalize_apply).  The settlers apply the
 * queues in batches, each in its own transaction: settle_ledger() adds the
 * queued changes to the balances (any number of instances at once; sums
 * commute), settle_reputations() folds the evidence into each labeler's
 * Beta belief in the order it was queued, with reputation/update.h's
 * evidence cap, and writes a reputation_history row per task (one instance
 * at a time, by an advisory lock, so that order holds).  settle_progress()
 * does the same for the projects' progress counters.  labelchaind's
 * housekeeping thread runs all three every few milliseconds.
 */
#ifndef LC_SETTLE_H
#define LC_SETTLE_H

struct db;

/*
 * The advisory lock (transaction-scoped) of whoever writes reputations:
 * the settler, or the batch re-estimation (reestimate.h) — "lcrs".
 */
#define SETTLE_REP_LOCK "1818391155"

/* Rows one batch takes at most. */
#define SETTLE_BATCH 2000

/* Apply up to limit queued balance changes; *applied gets how many. */
int settle_ledger(struct db *db, int limit, int *applied);

/*
 * Fold the progress changes queued for the projects of the oldest limit
 * ones into their counters (sql/0010_bounded.sql, any number of instances
 * at once); *applied gets how many queued rows were folded.
 */
int settle_progress(struct db *db, int limit, int *applied);

/*
 * Fold up to limit queued pieces of evidence into reputations; *applied
 * gets how many (0 also when another instance holds the settler's lock).
 */
int settle_reputations(struct db *db, int limit, int *applied);

#endif
