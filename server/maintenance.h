/*
 * server/maintenance.h — labelchaind's housekeeping thread.
 *
 * The jobs that keep the market's hot path short: the log sequencer moves
 * final labels from log_pending into the Merkle log in batches
 * (labeling/log_sequencer.h), the settlers apply finalizations' queued
 * balance changes and reputation evidence (labeling/settle.h), and the
 * lease sweep gives the slots of expired leases back
 * (assignment_sweep_expired()); a second thread runs the batch
 * re-estimation of the projects that are due (labeling/reestimate.h).
 * Every instance runs both; sequencers of several instances take turns on
 * the log head, sweeps skip tasks another transaction holds, a project's
 * re-estimation takes the reputation settler's lock.  Each thread has its
 * own database connection, so a busy pool never delays it.
 */
#ifndef LC_MAINTENANCE_H
#define LC_MAINTENANCE_H

struct server;
struct maintenance;

/* Start the thread; 0, or an lc_err (nothing to free). */
int maintenance_start(struct server *srv, struct maintenance **out);
/* Stop and free; NULL is a no-op. */
void maintenance_stop(struct maintenance *m);

#endif
