/*
 * server/maintenance.c — the housekeeping thread (maintenance.h).
 *
 * The loop: sequence a batch of final labels into the log, settle a batch
 * of queued balance changes, one of progress counters and one of
 * reputation evidence; when a batch
 * was full, go again at once, otherwise wait MAINT_SEQUENCE_IDLE_MS (so a
 * final label is in the log, with a proof, and its payouts are in the
 * balances that long after its finalization at most, plus one batch).
 * Every MAINT_SWEEP_MS, sweep expired leases.  A second thread, with a
 * connection of its own, re-estimates the projects that are due every
 * MAINT_REESTIMATE_MS (labeling/reestimate.h): a fit over a large project
 * takes seconds, and must not hold up the log or the settlers.  Failures are logged at warn
 * level and retried on the next round; a lost connection is reopened.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "anchor/merkle.h"
#include "labeling/assignment.h"
#include "labeling/db.h"
#include "labeling/lc_err.h"
#include "labeling/log.h"
#include "labeling/log_sequencer.h"
#include "labeling/reestimate.h"
#include "labeling/settle.h"
#include "server/maintenance.h"
#include "server/metrics.h"
#include "server/server.h"

#define MAINT_SEQUENCE_IDLE_MS 25
#define MAINT_SWEEP_MS 1000
#define MAINT_SWEEP_BATCH 1000
#define MAINT_REESTIMATE_MS 500
#define MAINT_REESTIMATE_PROJECTS 4

struct maintenance {
	struct server	     *srv;
	struct db	     *db;
	struct merkle_hasher *hasher;
	pthread_t	      thread;
	pthread_t	      re_thread;
	struct db	     *re_db; /* the re-estimation thread's */
	pthread_mutex_t	      lock;
	pthread_cond_t	      cond;
	int		      stopping;
	atomic_ullong	      appended_total;
	atomic_ullong	      settled_total;
	atomic_ullong	      swept_total;
	atomic_ullong	      reestimated_total;
	atomic_ullong	      reestimate_finalized_total;
	atomic_ullong	      errors_total;
};

static double
maint_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* A thread's connection *db, (re)opened when missing or broken. */
static struct db *
maint_db(struct maintenance *m, struct db **db)
{
	if (*db != NULL && !db_ok(*db)) {
		db_close(*db);
		*db = NULL;
	}
	if (*db == NULL && db_open(m->srv->cfg.database_url, 1, db) != 0)
		*db = NULL;
	return *db;
}

static void
maint_failed(struct maintenance *m, const char *job, int rc)
{
	atomic_fetch_add(&m->errors_total, 1);
	lc_warn("event=maintenance_failed job=%s code=%s", job,
	    lc_err_info(rc)->symbol);
}

/* Re-estimate the projects that are due, a few per round. */
static void
maint_reestimate(struct maintenance *m, struct db *db)
{
	struct reestimate_result r;
	int64_t			 ids[MAINT_REESTIMATE_PROJECTS];
	char			 detail[256];
	int			 rc, n, i;

	if ((rc = reestimate_due(db, MAINT_REESTIMATE_PROJECTS, ids, &n)) !=
	    0) {
		maint_failed(m, "reestimate_due", rc);
		return;
	}
	for (i = 0; i < n; i++) {
		detail[0] = '\0';
		if ((rc = reestimate_project(db, ids[i], &r, detail)) != 0) {
			maint_failed(m, "reestimate", rc);
			continue;
		}
		if (r.busy)
			continue; /* the settler has the lock: next round */
		atomic_fetch_add(&m->reestimated_total, 1);
		atomic_fetch_add(&m->reestimate_finalized_total,
		    (unsigned long long)r.finalized);
		lc_info("event=reestimate project=%" PRId64 " votes=%d "
			"tasks=%d labelers=%d iterations=%d rescored=%d "
			"finalized=%d temperature=%.3f samples=%d",
		    ids[i], r.votes, r.tasks, r.labelers, r.iterations,
		    r.rescored, r.finalized, r.temperature,
		    r.calibration_samples);
	}
}

/* Wait up to ms milliseconds or until stopped; 1 when stopping. */
static int
maint_wait(struct maintenance *m, int ms)
{
	struct timespec until;
	int		stop;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += (long)ms * 1000000L;
	while (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&m->lock);
	while (!m->stopping &&
	    pthread_cond_timedwait(&m->cond, &m->lock, &until) != ETIMEDOUT)
		;
	stop = m->stopping;
	pthread_mutex_unlock(&m->lock);
	return stop;
}

static void *
maint_main(void *arg)
{
	struct maintenance *m = arg;
	struct db	   *db;
	double		    next_sweep = 0.0;
	int		    rc, n, full;

	lc_log_set_request_id("maintenance");
	for (;;) {
		full = 0;
		if ((db = maint_db(m, &m->db)) != NULL) {
			rc =
			    log_sequence(db, m->hasher, LOG_SEQUENCE_BATCH, &n);
			if (rc != 0)
				maint_failed(m, "log_sequence", rc);
			else {
				atomic_fetch_add(&m->appended_total,
				    (unsigned long long)n);
				full = n == LOG_SEQUENCE_BATCH;
			}
			rc = settle_ledger(db, SETTLE_BATCH, &n);
			if (rc != 0)
				maint_failed(m, "ledger_settle", rc);
			else {
				atomic_fetch_add(&m->settled_total,
				    (unsigned long long)n);
				full |= n == SETTLE_BATCH;
			}
			rc = settle_progress(db, SETTLE_BATCH, &n);
			if (rc != 0)
				maint_failed(m, "progress_settle", rc);
			else
				full |= n == SETTLE_BATCH;
			rc = settle_reputations(db, SETTLE_BATCH, &n);
			if (rc != 0)
				maint_failed(m, "reputation_settle", rc);
			else
				full |= n == SETTLE_BATCH;
			if (maint_now_ms() >= next_sweep) {
				rc = assignment_sweep_expired(db,
				    MAINT_SWEEP_BATCH, &n);
				if (rc != 0)
					maint_failed(m, "lease_sweep", rc);
				else
					atomic_fetch_add(&m->swept_total,
					    (unsigned long long)n);
				next_sweep = maint_now_ms() + MAINT_SWEEP_MS;
			}
		}
		if (maint_wait(m, full ? 0 : MAINT_SEQUENCE_IDLE_MS))
			break;
	}
	return NULL;
}

static void *
maint_reestimate_main(void *arg)
{
	struct maintenance *m = arg;
	struct db	   *db;

	lc_log_set_request_id("reestimate");
	do {
		if ((db = maint_db(m, &m->re_db)) != NULL)
			maint_reestimate(m, db);
	} while (!maint_wait(m, MAINT_REESTIMATE_MS));
	return NULL;
}

static void
maint_metrics(struct metrics_buf *b, void *arg)
{
	struct maintenance *m = arg;

	metrics_printf(b,
	    "# HELP labelchain_log_appended_total Final labels this instance "
	    "moved into the Merkle log.\n"
	    "# TYPE labelchain_log_appended_total counter\n"
	    "labelchain_log_appended_total %llu\n"
	    "# HELP labelchain_ledger_settled_total Queued balance changes "
	    "this instance applied.\n"
	    "# TYPE labelchain_ledger_settled_total counter\n"
	    "labelchain_ledger_settled_total %llu\n"
	    "# HELP labelchain_leases_expired_total Expired leases this "
	    "instance gave back.\n"
	    "# TYPE labelchain_leases_expired_total counter\n"
	    "labelchain_leases_expired_total %llu\n"
	    "# HELP labelchain_reestimations_total Batch re-estimations of a "
	    "project's labelers this instance ran.\n"
	    "# TYPE labelchain_reestimations_total counter\n"
	    "labelchain_reestimations_total %llu\n"
	    "# HELP labelchain_reestimate_finalized_total Open tasks a "
	    "re-estimation finalized.\n"
	    "# TYPE labelchain_reestimate_finalized_total counter\n"
	    "labelchain_reestimate_finalized_total %llu\n"
	    "# TYPE labelchain_maintenance_errors_total counter\n"
	    "labelchain_maintenance_errors_total %llu\n",
	    atomic_load(&m->appended_total), atomic_load(&m->settled_total),
	    atomic_load(&m->swept_total), atomic_load(&m->reestimated_total),
	    atomic_load(&m->reestimate_finalized_total),
	    atomic_load(&m->errors_total));
}

/* Stop the threads (the second one too when both), free everything. */
static void
maintenance_stop_threads(struct maintenance *m, int both)
{
	pthread_mutex_lock(&m->lock);
	m->stopping = 1;
	pthread_cond_broadcast(&m->cond);
	pthread_mutex_unlock(&m->lock);
	pthread_join(m->thread, NULL);
	if (both)
		pthread_join(m->re_thread, NULL);
	db_close(m->db);
	db_close(m->re_db);
	merkle_hasher_free(m->hasher);
	pthread_mutex_destroy(&m->lock);
	pthread_cond_destroy(&m->cond);
	free(m);
}

int
maintenance_start(struct server *srv, struct maintenance **out)
{
	struct maintenance *m;

	*out = NULL;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return LC_ERR_NOMEM;
	m->srv = srv;
	if (merkle_hasher_create(&m->hasher) != 0) {
		free(m);
		return LC_ERR_INTERNAL;
	}
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->cond, NULL);
	if (pthread_create(&m->thread, NULL, maint_main, m) != 0) {
		merkle_hasher_free(m->hasher);
		pthread_mutex_destroy(&m->lock);
		pthread_cond_destroy(&m->cond);
		free(m);
		return LC_ERR_INTERNAL;
	}
	if (pthread_create(&m->re_thread, NULL, maint_reestimate_main, m) !=
	    0) {
		maintenance_stop_threads(m, 0);
		return LC_ERR_INTERNAL;
	}
	metrics_register(maint_metrics, m);
	*out = m;
	return 0;
}

void
maintenance_stop(struct maintenance *m)
{
	if (m == NULL)
		return;
	maintenance_stop_threads(m, 1);
}
