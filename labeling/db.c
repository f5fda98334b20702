/*
 * labeling/db.c — connections, prepared statements, result interpretation,
 * retried transactions and the connection pool.  See db.h.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "labeling/db.h"
#include "labeling/lc_err.h"
#include "labeling/limits.h"
#include "labeling/log.h"

struct db {
	PGconn *conn;
	int	prepared;
	int	in_use;
};

struct db_pool {
	pthread_mutex_t lock;
	pthread_cond_t	cond;
	char	       *url;
	int		size;
	int		in_use;
	uint64_t	waits;
	uint64_t	errors;
	struct db     **conns;
};

/* First line of a libpq message, for one-line logs (no strtok: threads). */
static const char *
db_first_line(const char *msg, char *buf, size_t len)
{
	size_t n;

	if (msg == NULL)
		return "";
	n = strcspn(msg, "\n");
	if (n >= len)
		n = len - 1;
	memcpy(buf, msg, n);
	buf[n] = '\0';
	return buf;
}

static void
db_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg; /* NOTICEs (e.g. "already exists") are noise */
}

static int
db_prepare_all(struct db *db)
{
	const struct db_stmt *const *reg;
	const struct db_stmt	    *s;
	PGresult		    *res;
	int			     rc;

	for (reg = db_registries; *reg != NULL; reg++)
		for (s = *reg; s->name != NULL; s++) {
			res = PQprepare(db->conn, s->name, s->sql, 0, NULL);
			rc = db_result_code(res);
			if (rc != 0) {
				char buf[256];

				lc_error("event=db_prepare_failed stmt=%s "
					 "error=\"%s\"",
				    s->name,
				    db_first_line(PQresultErrorMessage(res),
					buf, sizeof(buf)));
				PQclear(res);
				return LC_ERR_MIGRATION;
			}
			PQclear(res);
		}
	db->prepared = 1;
	return 0;
}

int
db_open(const char *url, int prepare, struct db **out)
{
	struct db *db;
	PGresult  *res;
	char	   sql[96];
	int	   rc;

	*out = NULL;
	if ((db = calloc(1, sizeof(*db))) == NULL)
		return LC_ERR_NOMEM;
	{
		/* Later keywords fill in what the URL leaves unset. */
		const char *const keys[] = { "dbname", "connect_timeout",
			"application_name", NULL };
		const char *const vals[] = { url, "5", "labelchain", NULL };

		db->conn = PQconnectdbParams(keys, vals, 1);
	}
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
		char buf[256];

		lc_warn("event=db_connect_failed error=\"%s\"",
		    db->conn ? db_first_line(PQerrorMessage(db->conn), buf,
				   sizeof(buf))
			     : "out of memory");
		rc = LC_ERR_DB;
		goto fail;
	}
	PQsetNoticeProcessor(db->conn, db_notice, NULL);
	snprintf(sql, sizeof(sql), "SET statement_timeout = %d",
	    LC_STATEMENT_TIMEOUT_MS);
	res = PQexec(db->conn, sql);
	rc = db_result_code(res);
	PQclear(res);
	if (rc != 0)
		goto fail;
	if (prepare && (rc = db_prepare_all(db)) != 0)
		goto fail;
	*out = db;
	return 0;
fail:
	db_close(db);
	return rc;
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	if (db->conn != NULL)
		PQfinish(db->conn);
	free(db);
}

PGconn *
db_conn(struct db *db)
{
	return db->conn;
}

/*
 * A connection is usable when libpq thinks it is up and it is not left in
 * pipeline mode.  When the server goes away in the middle of a pipeline
 * (PostgreSQL restarted, the backend terminated), libpq hands back the
 * error but keeps the unanswered commands queued: PQexitPipelineMode()
 * then refuses ("cannot exit pipeline mode while busy"), every later
 * PQexec() fails at once without touching the socket, and PQstatus() stays
 * CONNECTION_OK for ever.  Such a connection is as good as closed.
 */
int
db_ok(struct db *db)
{
	return db != NULL && db->conn != NULL &&
	    PQstatus(db->conn) == CONNECTION_OK &&
	    PQpipelineStatus(db->conn) == PQ_PIPELINE_OFF;
}

int
db_result_code(const PGresult *res)
{
	const char *state;

	if (res == NULL)
		return LC_ERR_DB;
	switch (PQresultStatus(res)) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK:
	case PGRES_SINGLE_TUPLE:
	case PGRES_EMPTY_QUERY:
		return 0;
	default:
		break;
	}
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if (state == NULL)
		return LC_ERR_DB;
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
	    strcmp(state, "55P03") == 0)
		return LC_ERR_RETRY;
	if (strcmp(state, "23505") == 0)
		return LC_ERR_CONFLICT;
	if (strcmp(state, "LC001") == 0)
		return LC_ERR_FUNDS;
	if (strcmp(state, "LC002") == 0)
		return LC_ERR_STATE;
	if (strcmp(state, "LC003") == 0)
		return LC_ERR_EXPIRED;
	if (strncmp(state, "23", 2) == 0 || strncmp(state, "22", 2) == 0)
		return LC_ERR_VALIDATION;
	if (strncmp(state, "08", 2) == 0 || strncmp(state, "57", 2) == 0)
		return LC_ERR_DB;
	return LC_ERR_DB;
}

static int
db_finish(struct db *db, const char *what, PGresult *res, PGresult **out)
{
	const char *state;
	char	    buf[256];
	int	    rc;

	rc = db_result_code(res);
	if (rc == LC_ERR_DB) {
		state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
		lc_error("event=db_error stmt=%s sqlstate=%s error=\"%s\"",
		    what, state ? state : "-",
		    db_first_line(res ? PQresultErrorMessage(res)
				      : PQerrorMessage(db->conn),
			buf, sizeof(buf)));
	}
	if (rc == 0 && out != NULL) {
		*out = res;
		return 0;
	}
	PQclear(res);
	return rc;
}

int
db_exec(struct db *db, const char *name, int nparams, const char *const *params,
    PGresult **out)
{
	if (out != NULL)
		*out = NULL;
	return db_finish(db, name,
	    PQexecPrepared(db->conn, name, nparams, params, NULL, NULL, 0),
	    out);
}

int
db_exec_sql(struct db *db, const char *sql, PGresult **out)
{
	if (out != NULL)
		*out = NULL;
	return db_finish(db, "sql", PQexec(db->conn, sql), out);
}

int
db_exec_params(struct db *db, const char *sql, int nparams,
    const char *const *params, PGresult **out)
{
	if (out != NULL)
		*out = NULL;
	return db_finish(db, "sql",
	    PQexecParams(db->conn, sql, nparams, NULL, params, NULL, NULL, 0),
	    out);
}

/*
 * Read the results of one pipelined query: its result, then the NULL that
 * ends it.  Returns the result (or NULL when the connection failed).
 */
static PGresult *
db_pipeline_result(struct db *db)
{
	PGresult *res, *extra;

	res = PQgetResult(db->conn);
	if (res == NULL)
		return NULL;
	while ((extra = PQgetResult(db->conn)) != NULL)
		PQclear(extra);
	return res;
}

/*
 * Leave pipeline mode.  When the connection broke with commands still
 * queued libpq refuses; db_ok() is false from then on and the pool (or the
 * worker owning the connection) opens a new one.
 */
static void
db_pipeline_exit(struct db *db)
{
	char buf[256];

	if (PQexitPipelineMode(db->conn) == 1)
		return;
	lc_warn("event=db_connection_dropped reason=pipeline error=\"%s\"",
	    db_first_line(PQerrorMessage(db->conn), buf, sizeof(buf)));
}

int
db_pipeline_tx(struct db *db, const struct db_step *steps, int n)
{
	PGresult *res, *kept[DB_MAX_STEPS];
	char	  buf[256];
	int	  i, rc = 0, sent = 0, broken = 0;

	if (n < 1 || n > DB_MAX_STEPS)
		return LC_ERR_INTERNAL;
	memset(kept, 0, sizeof(kept));
	if (PQenterPipelineMode(db->conn) != 1)
		return LC_ERR_DB;
	if (PQsendQueryParams(db->conn, "BEGIN", 0, NULL, NULL, NULL, NULL,
		0) != 1)
		broken = 1;
	for (i = 0; i < n && !broken; i++, sent++)
		if (PQsendQueryPrepared(db->conn, steps[i].name,
			steps[i].nparams, steps[i].params, NULL, NULL, 0) != 1)
			broken = 1;
	if (!broken &&
	    (PQsendQueryParams(db->conn, "COMMIT", 0, NULL, NULL, NULL, NULL,
		 0) != 1 ||
		PQpipelineSync(db->conn) != 1))
		broken = 1;
	if (broken) {
		lc_error("event=db_pipeline_send_failed error=\"%s\"",
		    db_first_line(PQerrorMessage(db->conn), buf, sizeof(buf)));
		db_pipeline_exit(db);
		return LC_ERR_DB;
	}
	/* BEGIN, the steps, COMMIT; the first failure decides rc. */
	for (i = -1; i <= sent; i++) {
		res = db_pipeline_result(db);
		if (res == NULL) {
			rc = rc ? rc : LC_ERR_DB;
			break;
		}
		if (PQresultStatus(res) == PGRES_PIPELINE_ABORTED) {
			PQclear(res);
			continue;
		}
		if (rc == 0)
			rc = db_finish(db,
			    i >= 0 && i < sent ? steps[i].name : "tx", res,
			    i >= 0 && i < sent ? &kept[i] : NULL);
		else
			PQclear(res);
	}
	/* The sync's own result ends the pipeline. */
	while ((res = PQgetResult(db->conn)) != NULL) {
		ExecStatusType st = PQresultStatus(res);

		PQclear(res);
		if (st == PGRES_PIPELINE_SYNC)
			break;
	}
	db_pipeline_exit(db);
	if (db_ok(db) && PQtransactionStatus(db->conn) != PQTRANS_IDLE)
		(void)db_exec_sql(db, "ROLLBACK", NULL);
	for (i = 0; i < sent; i++) {
		if (rc == 0 && steps[i].out != NULL)
			*steps[i].out = kept[i];
		else
			PQclear(kept[i]);
	}
	return rc;
}

static int
db_tx_run(struct db *db, const char *begin, db_tx_body body, void *arg)
{
	struct timespec ts;
	int		attempt, rc;

	for (attempt = 0; attempt < LC_DB_TX_RETRIES; attempt++) {
		if (attempt > 0) {
			/* Back off 1, 2, 4 … ms with jitter before retrying. */
			ts.tv_sec = 0;
			ts.tv_nsec = (long)((1 << (attempt - 1)) * 1000000L +
			    (rand() % 1000) * 1000L);
			nanosleep(&ts, NULL);
		}
		if ((rc = db_exec_sql(db, begin, NULL)) != 0)
			return rc;
		rc = body(db, arg);
		if (rc == 0)
			rc = db_exec_sql(db, "COMMIT", NULL);
		else
			(void)db_exec_sql(db, "ROLLBACK", NULL);
		if (rc != LC_ERR_RETRY)
			return rc;
		/* A failed COMMIT has already ended the transaction. */
		if (PQtransactionStatus(db->conn) != PQTRANS_IDLE)
			(void)db_exec_sql(db, "ROLLBACK", NULL);
	}
	lc_warn("event=db_tx_gave_up attempts=%d", attempt);
	return LC_ERR_RETRY;
}

int
db_tx(struct db *db, db_tx_body body, void *arg)
{
	return db_tx_run(db, "BEGIN", body, arg);
}

int
db_tx_serializable(struct db *db, db_tx_body body, void *arg)
{
	return db_tx_run(db, "BEGIN ISOLATION LEVEL SERIALIZABLE", body, arg);
}

int64_t
db_int64(const PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return 0;
	return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

double
db_double(const PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return 0.0;
	return strtod(PQgetvalue(res, row, col), NULL);
}

const char *
db_text(const PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return NULL;
	return PQgetvalue(res, row, col);
}

int
db_bool(const PGresult *res, int row, int col)
{
	const char *v = db_text(res, row, col);

	return v != NULL && v[0] == 't';
}

int
db_pool_create(const char *url, int size, struct db_pool **out)
{
	struct db_pool *pool;

	*out = NULL;
	if (size < 1 || size > LC_MAX_DB_POOL)
		return LC_ERR_VALIDATION;
	if ((pool = calloc(1, sizeof(*pool))) == NULL)
		return LC_ERR_NOMEM;
	pool->size = size;
	pool->url = strdup(url);
	pool->conns = calloc((size_t)size, sizeof(*pool->conns));
	if (pool->url == NULL || pool->conns == NULL) {
		free(pool->url);
		free(pool->conns);
		free(pool);
		return LC_ERR_NOMEM;
	}
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->cond, NULL);
	*out = pool;
	return 0;
}

void
db_pool_free(struct db_pool *pool)
{
	int i;

	if (pool == NULL)
		return;
	for (i = 0; i < pool->size; i++)
		db_close(pool->conns[i]);
	pthread_mutex_destroy(&pool->lock);
	pthread_cond_destroy(&pool->cond);
	free(pool->conns);
	free(pool->url);
	free(pool);
}

int
db_pool_acquire(struct db_pool *pool, int wait_ms, struct db **out)
{
	struct timespec deadline;
	struct db      *db = NULL;
	int		i, slot = -1, rc;

	*out = NULL;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += wait_ms / 1000;
	deadline.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&pool->lock);
	for (;;) {
		/* Prefer an open idle connection, else an empty slot. */
		for (i = 0; i < pool->size; i++) {
			if (pool->conns[i] != NULL && !pool->conns[i]->in_use) {
				slot = i;
				break;
			}
			if (pool->conns[i] == NULL && slot < 0)
				slot = i;
		}
		if (slot >= 0)
			break;
		pool->waits++;
		if (pthread_cond_timedwait(&pool->cond, &pool->lock,
			&deadline) == ETIMEDOUT) {
			pool->errors++;
			pthread_mutex_unlock(&pool->lock);
			return LC_ERR_DB;
		}
	}
	if (pool->conns[slot] != NULL)
		pool->conns[slot]->in_use = 1;
	else {
		/* Reserve the slot with a placeholder while connecting. */
		pool->conns[slot] = calloc(1, sizeof(struct db));
		if (pool->conns[slot] == NULL) {
			pthread_mutex_unlock(&pool->lock);
			return LC_ERR_NOMEM;
		}
		pool->conns[slot]->in_use = 1;
	}
	pool->in_use++;
	db = pool->conns[slot];
	pthread_mutex_unlock(&pool->lock);

	if (!db_ok(db) || !db->prepared) {
		struct db *fresh;

		if ((rc = db_open(pool->url, 1, &fresh)) != 0) {
			pthread_mutex_lock(&pool->lock);
			pool->errors++;
			pthread_mutex_unlock(&pool->lock);
			db_pool_release(pool, db);
			return rc;
		}
		if (db->conn != NULL)
			PQfinish(db->conn);
		db->conn = fresh->conn;
		db->prepared = fresh->prepared;
		fresh->conn = NULL;
		db_close(fresh);
	}
	*out = db;
	return 0;
}

void
db_pool_release(struct db_pool *pool, struct db *db)
{
	if (db == NULL)
		return;
	/* Never hand out a connection left inside a transaction. */
	if (db_ok(db) && PQtransactionStatus(db->conn) != PQTRANS_IDLE)
		(void)db_exec_sql(db, "ROLLBACK", NULL);
	pthread_mutex_lock(&pool->lock);
	db->in_use = 0;
	pool->in_use--;
	pthread_cond_signal(&pool->cond);
	pthread_mutex_unlock(&pool->lock);
}

void
db_pool_stats(struct db_pool *pool, int *size, int *in_use, uint64_t *waits,
    uint64_t *errors)
{
	pthread_mutex_lock(&pool->lock);
	*size = pool->size;
	*in_use = pool->in_use;
	*waits = pool->waits;
	*errors = pool->errors;
	pthread_mutex_unlock(&pool->lock);
}
