/*
 * server/anchor_worker.h — the anchoring worker of labelchaind.
 *
 * One thread per instance with its own database connection; the instance
 * whose session holds the PostgreSQL advisory lock ANCHOR_LOCK_KEY is the
 * leader and the only one that talks to the chain.  When it dies its
 * session ends, the lock is free, and another instance takes over at its
 * next tick.
 *
 * Every anchor is a row of `anchors` (sql/0002_anchor.sql, 0008) written
 * with its signed raw transaction BEFORE it is broadcast, so a crash at any
 * point re-sends the same bytes and never a second transaction for a tree
 * size.  What the leader does at each tick is anchor_decide()'s choice
 * (anchor/decide.h): follow the anchor to cfg.anchor_confirmations, re-send
 * it when dropped or reorganised away, replace it at the same nonce with
 * fees raised 12.5 % when stuck — never past cfg.anchor_max_fee —, close a
 * nonce gap, anchor a reverted anchor's size again.  Alerts and outages are
 * logged at warn and exported as metrics.
 *
 * Ownership: anchor_worker_start() allocates; anchor_worker_stop() joins the
 * thread and frees (NULL is a no-op).
 */
#ifndef LC_ANCHOR_WORKER_H
#define LC_ANCHOR_WORKER_H

struct server;
struct anchor_worker;

#define ANCHOR_LOCK_KEY 0x6c63616e63686f72LL /* "lcanchor" */

/*
 * Start the worker when cfg.rpc_url is set (*out stays NULL otherwise).
 * Fails (LC_ERR_INTERNAL, message logged) when the key file is unusable:
 * a configuration error is fatal at start-up.  Registers its metrics.
 */
int  anchor_worker_start(struct server *srv, struct anchor_worker **out);
void anchor_worker_stop(struct anchor_worker *w);

#endif
