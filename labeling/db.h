/*
 * labeling/db.h — the small PostgreSQL layer every part talks SQL through.
 *
 * A `struct db` is one libpq connection on which every statement of every
 * registry (db_registry.c) is prepared when it opens, so a typo in SQL fails
 * at start-up and in tests, never on a user's request.  statement_timeout is
 * set on every connection.  A `struct db_pool` hands connections to threads
 * and reconnects broken ones on the next acquire.
 *
 * Results go through one interpreter, db_result_code(): hard error, retryable
 * (serialization failure, deadlock), unique violation, or fine.  db_tx() runs
 * a transaction body and retries the retryable ones, so a body must be
 * idempotent with respect to anything outside the database (no HTTP reply, no
 * chain call) and must not keep results across attempts.
 *
 * Ownership: PGresult objects returned through `out` belong to the caller
 * (PQclear); a connection acquired from the pool is released with
 * db_pool_release() and never freed by the caller.
 */
#ifndef LC_DB_H
#define LC_DB_H

#include <stdint.h>
#include <libpq-fe.h>

struct db_stmt {
	const char *name; /* unique across registries */
	const char *sql;  /* $1..$n, parameters sent as text */
};

/* NULL-terminated list of NULL-name-terminated statement tables. */
extern const struct db_stmt *const db_registries[];

struct db;
struct db_pool;

/* Open one connection; prepare registries when `prepare` is non-zero. */
int	db_open(const char *url, int prepare, struct db **out);
void	db_close(struct db *db); /* NULL is a no-op */
PGconn *db_conn(struct db *db);
int	db_ok(struct db *db); /* connection up and not stuck in a pipeline? */

/* Run a prepared statement.  `out` may be NULL to discard the result. */
int db_exec(struct db *db, const char *name, int nparams,
    const char *const *params, PGresult **out);
/* Run literal SQL without parameters (migrations, BEGIN/COMMIT). */
int db_exec_sql(struct db *db, const char *sql, PGresult **out);
/* Literal SQL with text parameters (tools, tests, one-off queries). */
int db_exec_params(struct db *db, const char *sql, int nparams,
    const char *const *params, PGresult **out);

/*
 * Map a result to LC_OK, LC_ERR_RETRY (serialization failure, deadlock),
 * LC_ERR_CONFLICT (unique violation), LC_ERR_VALIDATION (check, not-null,
 * foreign key), the market's own SQLSTATEs of sql/0004_money_path.sql
 * (LC001 LC_ERR_FUNDS, LC002 LC_ERR_STATE, LC003 LC_ERR_EXPIRED), or
 * LC_ERR_DB.
 */
int db_result_code(const PGresult *res);

/*
 * One transaction in one round trip (libpq pipeline mode): BEGIN, the
 * steps, COMMIT and a sync are sent together, then every result is read.
 * The first step that fails aborts the rest and the transaction (rolled
 * back before returning) and its code is returned; 0 means committed.
 * A step's result goes to *out when out is not NULL (the caller PQclears
 * it), and only when the whole transaction committed.
 */
struct db_step {
	const char	  *name; /* prepared statement */
	int		   nparams;
	const char *const *params;
	PGresult	 **out;
};
#define DB_MAX_STEPS 8
int db_pipeline_tx(struct db *db, const struct db_step *steps, int n);

/* Transaction with retries (LC_DB_TX_RETRIES); `body` returns 0 to commit. */
typedef int (*db_tx_body)(struct db *db, void *arg);
int db_tx(struct db *db, db_tx_body body, void *arg);
int db_tx_serializable(struct db *db, db_tx_body body, void *arg);

/* Result helpers: NULL fields read as 0 / NULL. */
int64_t	    db_int64(const PGresult *res, int row, int col);
double	    db_double(const PGresult *res, int row, int col);
const char *db_text(const PGresult *res, int row, int col);
int	    db_bool(const PGresult *res, int row, int col);

/* Pool of `size` connections, opened lazily and re-opened when broken. */
int  db_pool_create(const char *url, int size, struct db_pool **out);
void db_pool_free(struct db_pool *pool);
/* Blocks up to `wait_ms` for a free connection; LC_ERR_DB when none. */
int  db_pool_acquire(struct db_pool *pool, int wait_ms, struct db **out);
void db_pool_release(struct db_pool *pool, struct db *db);
void db_pool_stats(struct db_pool *pool, int *size, int *in_use,
    uint64_t *waits, uint64_t *errors);

#endif
