/*
 * labeling/proof.c — label proofs, consistency proofs and anchors for
 * readers of the log (proof.h).
 *
 * Every proof is computed twice over the same log_store_cache: the first
 * run records which stored nodes it reads, log_store_cache_fetch() reads
 * them all in one query, the second run computes on the real hashes.
 * proof_two_pass() is that loop, written once for both kinds of proof.
 *
 * Nothing is served that does not verify: a label's proof is checked with
 * RFC 9162 §2.1.3.2 against its own leaf record (and the anchor's root),
 * a consistency proof with §2.1.4.2, before it is returned.  A failure
 * there means the stored log is damaged, which is logged as an error.
 *
 * The SQL is log_store.c's (log_leaf_by_task, log_pending_by_task,
 * anchor_covering, anchor_list, log_size, log_nodes_get).  Rows are read by
 * column name into structs; anchors rows in proof_anchor_decode() only.
 * The rows a proof reads never change once written (leaves, nodes, a
 * confirmed anchor), so its reads need no common snapshot.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labeling/db.h"
#include "labeling/lc_err.h"
#include "labeling/log.h"
#include "labeling/log_store.h"
#include "labeling/market.h"
#include "labeling/proof.h"

/*
 * Result columns are found by name, once per result: a statement and its
 * reader cannot silently disagree about an order.  A missing column is a
 * programming error, reported as LC_ERR_INTERNAL.
 */
static int
proof_cols(const PGresult *res, const char *const *names, int n, int *cols)
{
	int k;

	for (k = 0; k < n; k++)
		if ((cols[k] = PQfnumber(res, names[k])) < 0) {
			lc_error("event=proof_column_missing column=%s",
			    names[k]);
			return LC_ERR_INTERNAL;
		}
	return 0;
}

/* The columns of an anchors row that readers see (ANCHOR_COLS). */
enum {
	PA_TREE_SIZE,
	PA_ROOT,
	PA_ID,
	PA_CHAIN_ID,
	PA_TX_HASH,
	PA_BLOCK,
	PA_CONFIRMATIONS,
	PA_STATUS,
	PA_NONCE,
	PA_ATTEMPTS,
	PA_GAS_USED,
	PA_REORGS,
	PA_NCOLS
};

static const char *const proof_anchor_names[PA_NCOLS] = {
	[PA_TREE_SIZE] = "tree_size",
	[PA_ROOT] = "root",
	[PA_ID] = "id",
	[PA_CHAIN_ID] = "chain_id",
	[PA_TX_HASH] = "tx_hash",
	[PA_BLOCK] = "block_number",
	[PA_CONFIRMATIONS] = "confirmations",
	[PA_STATUS] = "status",
	[PA_NONCE] = "nonce",
	[PA_ATTEMPTS] = "attempts",
	[PA_GAS_USED] = "gas_used",
	[PA_REORGS] = "reorgs",
};

/* Row i of res into *a; c holds the columns proof_cols() found. */
static int
proof_anchor_decode(const PGresult *res, int i, const int c[PA_NCOLS],
    struct proof_anchor *a)
{
	const char *tx = db_text(res, i, c[PA_TX_HASH]);
	const char *status = db_text(res, i, c[PA_STATUS]);

	memset(a, 0, sizeof(*a));
	if (tx == NULL || strlen(tx) != 2 * MERKLE_HASH_LEN || status == NULL ||
	    strlen(status) >= sizeof(a->status) ||
	    log_store_unhex(db_text(res, i, c[PA_ROOT]), a->root,
		sizeof(a->root)) != 0) {
		lc_error("event=proof_anchor_undecodable row=%d", i);
		return LC_ERR_INTERNAL;
	}
	a->id = db_int64(res, i, c[PA_ID]);
	a->tree_size = (uint64_t)db_int64(res, i, c[PA_TREE_SIZE]);
	a->chain_id = db_int64(res, i, c[PA_CHAIN_ID]);
	snprintf(a->tx_hash, sizeof(a->tx_hash), "0x%s", tx);
	a->block_number = PQgetisnull(res, i, c[PA_BLOCK])
	    ? -1
	    : db_int64(res, i, c[PA_BLOCK]);
	a->confirmations = db_int64(res, i, c[PA_CONFIRMATIONS]);
	memcpy(a->status, status, strlen(status) + 1);
	a->nonce = db_int64(res, i, c[PA_NONCE]);
	a->attempts = db_int64(res, i, c[PA_ATTEMPTS]);
	a->gas_used = PQgetisnull(res, i, c[PA_GAS_USED])
	    ? -1
	    : db_int64(res, i, c[PA_GAS_USED]);
	a->reorgs = db_int64(res, i, c[PA_REORGS]);
	return 0;
}

/* One computation over the stored nodes: roots and a proof into arg. */
typedef int (*proof_compute)(struct merkle_hasher *h,
    const struct merkle_store *ms, void *arg);

static int
proof_two_pass(struct db *db, struct merkle_hasher *h, proof_compute fn,
    void *arg, char *detail)
{
	struct merkle_store    ms;
	struct log_store_cache cache;
	int		       pass, rc;

	log_store_cache_init(&cache, db, &ms);
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1 && (rc = log_store_cache_fetch(&cache)) != 0)
			return rc;
		/* A store error and ANCHOR_ESTORE share a code (anchor_err.h):
		 * after the fetch, either means a node is not there. */
		if (fn(h, &ms, arg) != 0) {
			lc_error("event=log_nodes_missing");
			return market_fail(detail, LC_ERR_INTERNAL,
			    "log nodes missing");
		}
	}
	return 0;
}

static int
proof_inclusion_compute(struct merkle_hasher *h, const struct merkle_store *ms,
    void *arg)
{
	struct proof_label *p = arg;
	int		    rc;

	if ((rc = merkle_root(h, ms, p->tree_size, p->root)) != 0)
		return rc;
	return merkle_inclusion_proof(h, ms, p->leaf_index, p->tree_size,
	    p->path, MERKLE_MAX_PROOF, &p->path_len);
}

static int
proof_consistency_compute(struct merkle_hasher *h,
    const struct merkle_store *ms, void *arg)
{
	struct proof_consistency *c = arg;
	int			  rc;

	if ((rc = merkle_root(h, ms, c->from, c->from_root)) != 0 ||
	    (rc = merkle_root(h, ms, c->to, c->to_root)) != 0)
		return rc;
	return merkle_consistency_proof(h, ms, c->from, c->to, c->proof,
	    MERKLE_MAX_PROOF, &c->proof_len);
}

/*
 * No leaf for the task: a label final a moment ago waits for the log
 * sequencer (LC_ERR_STATE, for its owner); otherwise there is no label.
 */
static int
proof_label_pending(struct db *db, int64_t account_id, int64_t task_id,
    char *detail)
{
	PGresult   *res = NULL;
	char	    task_s[24];
	const char *p[1] = { market_i64(task_s, task_id) };
	int64_t	    owner;
	int	    rc;

	static const char *const names[] = { "owner_id" };
	int			 col;

	if ((rc = db_exec(db, "log_pending_by_task", 1, p, &res)) != 0)
		return rc;
	if ((rc = proof_cols(res, names, 1, &col)) != 0) {
		PQclear(res);
		return rc;
	}
	owner = PQntuples(res) == 1 ? db_int64(res, 0, col) : -1;
	PQclear(res);
	if (owner < 0)
		return market_fail(detail, LC_ERR_NOT_FOUND,
		    "task %" PRId64 " has no final label in the log", task_id);
	if (owner != account_id)
		return market_fail(detail, LC_ERR_FORBIDDEN,
		    "task %" PRId64 " is not in one of your projects", task_id);
	return market_fail(detail, LC_ERR_STATE,
	    "task %" PRId64 " is final; its leaf enters the log in a moment",
	    task_id);
}

int
proof_label_verify(struct merkle_hasher *h, const struct proof_label *p,
    char *detail)
{
	uint8_t lh[MERKLE_HASH_LEN];

	if (p->leaf == NULL || p->path_len > MERKLE_MAX_PROOF ||
	    merkle_leaf_hash(h, p->leaf, strlen(p->leaf), lh) != 0 ||
	    memcmp(lh, p->leaf_hash, sizeof(lh)) != 0 ||
	    merkle_inclusion_verify(h, lh, p->leaf_index, p->tree_size, p->path,
		p->path_len, p->root) != 0) {
		lc_error("event=log_leaf_mismatch leaf_index=%" PRIu64
			 " tree_size=%" PRIu64,
		    p->leaf_index, p->tree_size);
		return market_fail(detail, LC_ERR_INTERNAL,
		    "the log disagrees with leaf %" PRIu64, p->leaf_index);
	}
	if (p->anchored && memcmp(p->anchor.root, p->root, MERKLE_HASH_LEN)) {
		lc_error("event=log_root_mismatch tree_size=%" PRIu64,
		    p->tree_size);
		return market_fail(detail, LC_ERR_INTERNAL,
		    "the log disagrees with its anchor at tree size %" PRIu64,
		    p->tree_size);
	}
	return 0;
}

/* The columns of log_leaf_by_task. */
enum { PL_INDEX, PL_RECORD, PL_HASH, PL_OWNER, PL_NCOLS };
static const char *const proof_leaf_names[PL_NCOLS] = {
	[PL_INDEX] = "leaf_index",
	[PL_RECORD] = "record",
	[PL_HASH] = "leaf_hash",
	[PL_OWNER] = "owner_id",
};

int
proof_label_get(struct db *db, int64_t account_id, int64_t task_id,
    struct proof_label *out, char *detail)
{
	struct merkle_hasher *h = NULL;
	PGresult	     *leaf = NULL;
	char		      task_s[24];
	const char	     *p[1], *record;
	int		      c[PL_NCOLS];
	int		      rc;

	memset(out, 0, sizeof(*out));
	out->task_id = task_id;
	p[0] = market_i64(task_s, task_id);
	if ((rc = db_exec(db, "log_leaf_by_task", 1, p, &leaf)) != 0 ||
	    (rc = proof_cols(leaf, proof_leaf_names, PL_NCOLS, c)) != 0)
		goto out;
	if (PQntuples(leaf) != 1) {
		rc = proof_label_pending(db, account_id, task_id, detail);
		goto out;
	}
	if (db_int64(leaf, 0, c[PL_OWNER]) != account_id) {
		rc = market_fail(detail, LC_ERR_FORBIDDEN,
		    "task %" PRId64 " is not in one of your projects", task_id);
		goto out;
	}
	out->leaf_index = (uint64_t)db_int64(leaf, 0, c[PL_INDEX]);
	if (log_store_unhex(db_text(leaf, 0, c[PL_HASH]), out->leaf_hash,
		sizeof(out->leaf_hash)) != 0 ||
	    (record = db_text(leaf, 0, c[PL_RECORD])) == NULL) {
		rc = market_fail(detail, LC_ERR_INTERNAL,
		    "leaf %" PRIu64 " is damaged in the log", out->leaf_index);
		goto out;
	}
	if ((out->leaf = strdup(record)) == NULL) {
		rc = LC_ERR_NOMEM;
		goto out;
	}
	if ((rc = proof_anchor_confirmed(db, out->leaf_index, &out->anchor,
		 &out->anchored)) != 0)
		goto out;
	if (out->anchored)
		out->tree_size = out->anchor.tree_size;
	else if ((rc = log_store_size(db, &out->tree_size)) != 0)
		goto out;
	if (out->tree_size <= out->leaf_index ||
	    out->tree_size > MERKLE_MAX_SIZE) {
		rc = market_fail(detail, LC_ERR_INTERNAL,
		    "leaf %" PRIu64 " is beyond the tree of %" PRIu64,
		    out->leaf_index, out->tree_size);
		goto out;
	}
	if (merkle_hasher_create(&h) != 0) {
		rc = LC_ERR_NOMEM;
		goto out;
	}
	if ((rc = proof_two_pass(db, h, proof_inclusion_compute, out,
		 detail)) != 0)
		goto out;
	rc = proof_label_verify(h, out, detail);
out:
	merkle_hasher_free(h);
	PQclear(leaf);
	if (rc != 0)
		proof_label_clear(out);
	return rc;
}

void
proof_label_clear(struct proof_label *p)
{
	if (p == NULL)
		return;
	free(p->leaf);
	memset(p, 0, sizeof(*p));
}

int
proof_consistency_get(struct db *db, uint64_t from, uint64_t to,
    struct proof_consistency *out, char *detail)
{
	struct merkle_hasher *h = NULL;
	uint64_t	      size;
	int		      rc;

	memset(out, 0, sizeof(*out));
	out->from = from;
	out->to = to;
	if (from == 0 || from > to)
		return market_fail(detail, LC_ERR_VALIDATION,
		    "from and to are tree sizes with 0 < from <= to");
	if ((rc = log_store_size(db, &size)) != 0)
		return rc;
	if (to > size)
		return market_fail(detail, LC_ERR_VALIDATION,
		    "the log has %" PRIu64 " leaves", size);
	if (merkle_hasher_create(&h) != 0)
		return LC_ERR_NOMEM;
	if ((rc = proof_two_pass(db, h, proof_consistency_compute, out,
		 detail)) == 0 &&
	    merkle_consistency_verify(h, from, to, out->from_root, out->to_root,
		out->proof, out->proof_len) != 0) {
		lc_error("event=log_consistency_mismatch from=%" PRIu64
			 " to=%" PRIu64,
		    from, to);
		rc = market_fail(detail, LC_ERR_INTERNAL,
		    "the log is not consistent between %" PRIu64
		    " and %" PRIu64,
		    from, to);
	}
	merkle_hasher_free(h);
	return rc;
}

int
proof_anchor_confirmed(struct db *db, uint64_t leaf_index,
    struct proof_anchor *out, int *found)
{
	PGresult   *res = NULL;
	char	    idx_s[24];
	const char *p[1] = { market_i64(idx_s, (int64_t)leaf_index) };
	int	    c[PA_NCOLS];
	int	    rc;

	memset(out, 0, sizeof(*out));
	*found = 0;
	if ((rc = db_exec(db, "anchor_covering", 1, p, &res)) != 0)
		return rc;
	if ((rc = proof_cols(res, proof_anchor_names, PA_NCOLS, c)) == 0 &&
	    PQntuples(res) == 1 &&
	    (rc = proof_anchor_decode(res, 0, c, out)) == 0)
		*found = 1;
	PQclear(res);
	return rc;
}

int
proof_anchors_list(struct db *db, uint64_t limit, int64_t before,
    struct proof_anchor **out, size_t *n)
{
	struct proof_anchor *a = NULL;
	PGresult	    *res = NULL;
	char		     lim[24], bef[24];
	const char	    *p[2] = { market_i64(lim, (int64_t)limit),
			 market_i64(bef, before) };
	int		     c[PA_NCOLS];
	int		     i, rows, rc;

	*out = NULL;
	*n = 0;
	if ((rc = db_exec(db, "anchor_list", 2, p, &res)) != 0)
		return rc;
	if ((rc = proof_cols(res, proof_anchor_names, PA_NCOLS, c)) != 0)
		goto out;
	rows = PQntuples(res);
	if (rows > 0 && (a = calloc((size_t)rows, sizeof(*a))) == NULL) {
		rc = LC_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < rows; i++)
		if ((rc = proof_anchor_decode(res, i, c, &a[i])) != 0)
			goto out;
	*out = a;
	*n = (size_t)rows;
	a = NULL;
out:
	free(a);
	PQclear(res);
	return rc;
}
