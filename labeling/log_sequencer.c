/*
 * labeling/log_sequencer.c — the batch append of the label log
 * (log_sequencer.h).
 *
 * The right edge.  In a log of n leaves, node (level l, index i) is
 * complete once 2^l leaves from i * 2^l are in; appending leaf n reads, at
 * each level l where n >> l is odd, the left sibling (l, (n >> l) - 1) —
 * which is always the newest complete node of level l.  So the edge,
 * edge[l] = newest complete node of level l, answers every read of a batch:
 * it starts from the stored nodes named by the one bits of n and takes
 * each node the batch completes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchor/anchor_err.h"
#include "anchor/hex.h"
#include "anchor/merkle.h"
#include "labeling/db.h"
#include "labeling/lc_err.h"
#include "labeling/log_sequencer.h"
#include "labeling/market.h"

const struct db_stmt log_sequencer_stmts[] = {
	{ "log_head_lock", "SELECT size FROM log_head FOR UPDATE" },
	{ "log_pending_take",
	    "SELECT seq, task_id, record FROM log_pending"
	    " ORDER BY seq LIMIT $1" },
	/* One index probe per node (LATERAL): never a scan of the log. */
	{ "log_edge_get",
	    "SELECT u.l, u.i, encode(n.hash, 'hex')"
	    " FROM unnest($1::int[], $2::bigint[]) AS u(l, i),"
	    " LATERAL (SELECT hash FROM merkle_nodes WHERE level = u.l"
	    " AND idx = u.i) n" },
	/* Leaves from the queue (record and task come along in SQL), the
	 * nodes, the tasks' leaf indices, the queue emptied, the new size. */
	{ "log_leaves_put",
	    "WITH x AS (SELECT * FROM unnest($1::bigint[], $2::bigint[],"
	    " $3::text[]) AS u(seq, idx, h)),"
	    " l AS (INSERT INTO log_leaves (leaf_index, task_id, project_id,"
	    " record, leaf_hash) SELECT x.idx, p.task_id, p.project_id,"
	    " p.record, decode(x.h, 'hex') FROM x JOIN log_pending p"
	    " ON p.seq = x.seq RETURNING task_id, leaf_index),"
	    " t AS (UPDATE tasks SET leaf_index = l.leaf_index FROM l"
	    " WHERE tasks.id = l.task_id RETURNING 1),"
	    " d AS (DELETE FROM log_pending WHERE seq IN (SELECT seq FROM x)"
	    " RETURNING 1)"
	    " SELECT (SELECT count(*) FROM l), (SELECT count(*) FROM t),"
	    " (SELECT count(*) FROM d)" },
	{ "log_nodes_put",
	    "INSERT INTO merkle_nodes (level, idx, hash) SELECT u.l, u.i,"
	    " decode(u.h, 'hex') FROM unnest($1::int[], $2::bigint[],"
	    " $3::text[]) AS u(l, i, h)" },
	{ "log_head_set", "UPDATE log_head SET size = $1" }, { NULL, NULL }
};

/*
 * Nodes that appending L consecutive leaves completes: L leaves, and at
 * level l >= 1 at most L / 2^l + 1 nodes, so fewer than 2L + 64.
 */
#define LOG_SEQUENCE_NODES(L) (2 * (size_t)(L) + MERKLE_MAX_APPEND)

struct log_edge {
	struct merkle_node node[MERKLE_MAX_APPEND];
	int		   have[MERKLE_MAX_APPEND];
};

static int
log_edge_get(void *ctx, unsigned level, uint64_t index,
    uint8_t out[MERKLE_HASH_LEN])
{
	struct log_edge *e = ctx;

	if (level >= MERKLE_MAX_APPEND || !e->have[level] ||
	    e->node[level].index != index)
		return ANCHOR_ESTORE;
	memcpy(out, e->node[level].hash, MERKLE_HASH_LEN);
	return 0;
}

/* Read the stored right edge of a log of n leaves. */
static int
log_edge_load(struct db *db, uint64_t n, struct log_edge *e)
{
	PGresult   *res = NULL;
	int64_t	    lv[MERKLE_MAX_APPEND], ix[MERKLE_MAX_APPEND];
	char	    lbuf[MERKLE_MAX_APPEND * 4 + 3];
	char	    ibuf[MERKLE_MAX_APPEND * 21 + 3];
	const char *params[2] = { lbuf, ibuf };
	size_t	    k = 0;
	unsigned    l;
	int	    r, rc;

	memset(e, 0, sizeof(*e));
	for (l = 0; l < 62; l++)
		if ((n >> l) & 1) {
			lv[k] = l;
			ix[k++] = (int64_t)(n >> l) - 1;
		}
	if (k == 0)
		return 0;
	if (market_array_i64(lbuf, sizeof(lbuf), lv, k) != 0 ||
	    market_array_i64(ibuf, sizeof(ibuf), ix, k) != 0)
		return LC_ERR_INTERNAL;
	if ((rc = db_exec(db, "log_edge_get", 2, params, &res)) != 0)
		return rc;
	for (r = 0; r < PQntuples(res); r++) {
		const char *hex = db_text(res, r, 2);

		l = (unsigned)db_int64(res, r, 0);
		if (l >= MERKLE_MAX_APPEND ||
		    anchor_hex_decode(hex, strlen(hex), e->node[l].hash,
			MERKLE_HASH_LEN) != 0) {
			PQclear(res);
			return LC_ERR_INTERNAL;
		}
		e->node[l].level = l;
		e->node[l].index = (uint64_t)db_int64(res, r, 1);
		e->have[l] = 1;
	}
	PQclear(res);
	return (size_t)r == k ? 0 : LC_ERR_INTERNAL; /* the log is damaged */
}

struct log_batch {
	struct merkle_hasher *h;
	int		      limit;
	int		      appended;
	/* per leaf */
	int64_t *seq, *idx;
	char (*leaf_hex)[2 * MERKLE_HASH_LEN + 1];
	/* per node */
	size_t	 n_nodes;
	int64_t *node_level, *node_idx;
	char (*node_hex)[2 * MERKLE_HASH_LEN + 1];
};

static int
log_sequence_body(struct db *db, void *arg)
{
	struct log_batch   *b = arg;
	struct log_edge	    edge;
	struct merkle_store store = { log_edge_get, &edge };
	struct merkle_node  nodes[MERKLE_MAX_APPEND];
	PGresult	   *head = NULL, *pend = NULL, *res = NULL;
	uint8_t		    leaf[MERKLE_HASH_LEN];
	const char	   *hexes[LOG_SEQUENCE_BATCH];
	const char	   *nhex[LOG_SEQUENCE_NODES(LOG_SEQUENCE_BATCH)];
	char		    lim[24], size[24];
	char		   *a[6] = { NULL };
	const char	   *params[3];
	size_t		    cap, k, j;
	uint64_t	    n;
	int		    rc, i, rows;

	b->appended = 0;
	b->n_nodes = 0;
	if ((rc = db_exec(db, "log_head_lock", 0, NULL, &head)) != 0)
		return rc;
	n = (uint64_t)db_int64(head, 0, 0);
	params[0] = market_i64(lim, b->limit);
	if ((rc = db_exec(db, "log_pending_take", 1, params, &pend)) != 0)
		goto out;
	if ((rows = PQntuples(pend)) == 0)
		goto out;
	if ((rc = log_edge_load(db, n, &edge)) != 0)
		goto out;
	for (i = 0; i < rows; i++) {
		const char *rec = db_text(pend, i, 2);

		if (merkle_leaf_hash(b->h, rec, strlen(rec), leaf) != 0 ||
		    merkle_append(b->h, &store, n + (uint64_t)i, leaf, nodes,
			MERKLE_MAX_APPEND, &k) != 0) {
			rc = LC_ERR_INTERNAL;
			goto out;
		}
		b->seq[i] = db_int64(pend, i, 0);
		b->idx[i] = (int64_t)n + i;
		anchor_hex_encode(leaf, MERKLE_HASH_LEN, b->leaf_hex[i],
		    sizeof(b->leaf_hex[i]));
		hexes[i] = b->leaf_hex[i];
		for (j = 0; j < k; j++) {
			edge.node[nodes[j].level] = nodes[j];
			edge.have[nodes[j].level] = 1;
			b->node_level[b->n_nodes] = nodes[j].level;
			b->node_idx[b->n_nodes] = (int64_t)nodes[j].index;
			anchor_hex_encode(nodes[j].hash, MERKLE_HASH_LEN,
			    b->node_hex[b->n_nodes],
			    sizeof(b->node_hex[b->n_nodes]));
			nhex[b->n_nodes] = b->node_hex[b->n_nodes];
			b->n_nodes++;
		}
	}
	/* Array literals: at most 67 bytes per hash, 21 per number. */
	cap = ((size_t)rows > b->n_nodes ? (size_t)rows : b->n_nodes) * 70 + 8;
	rc = LC_ERR_NOMEM;
	for (j = 0; j < 6; j++)
		if ((a[j] = malloc(cap)) == NULL)
			goto out;
	rc = LC_ERR_INTERNAL;
	if (market_array_i64(a[0], cap, b->seq, (size_t)rows) ||
	    market_array_i64(a[1], cap, b->idx, (size_t)rows) ||
	    market_array_text(a[2], cap, hexes, (size_t)rows) ||
	    market_array_i64(a[3], cap, b->node_level, b->n_nodes) ||
	    market_array_i64(a[4], cap, b->node_idx, b->n_nodes) ||
	    market_array_text(a[5], cap, nhex, b->n_nodes))
		goto out;
	if ((rc = db_exec(db, "log_leaves_put", 3, (const char *const *)a,
		 &res)) != 0)
		goto out;
	if (db_int64(res, 0, 0) != rows || db_int64(res, 0, 2) != rows) {
		rc = LC_ERR_INTERNAL; /* rolled back by db_tx */
		goto out;
	}
	if ((rc = db_exec(db, "log_nodes_put", 3, (const char *const *)a + 3,
		 NULL)) != 0)
		goto out;
	params[0] = market_i64(size, (int64_t)n + rows);
	if ((rc = db_exec(db, "log_head_set", 1, params, NULL)) != 0)
		goto out;
	b->appended = rows;
out:
	for (j = 0; j < 6; j++)
		free(a[j]);
	PQclear(res);
	PQclear(pend);
	PQclear(head);
	return rc;
}

int
log_sequence(struct db *db, struct merkle_hasher *h, int limit, int *appended)
{
	struct log_batch b;
	int		 rc = LC_ERR_NOMEM;

	*appended = 0;
	if (limit < 1 || limit > LOG_SEQUENCE_BATCH)
		return LC_ERR_INTERNAL;
	memset(&b, 0, sizeof(b));
	b.h = h;
	b.limit = limit;
	b.seq = calloc((size_t)limit, sizeof(*b.seq));
	b.idx = calloc((size_t)limit, sizeof(*b.idx));
	b.leaf_hex = calloc((size_t)limit, sizeof(*b.leaf_hex));
	b.node_level = calloc(LOG_SEQUENCE_NODES(limit), sizeof(*b.node_level));
	b.node_idx = calloc(LOG_SEQUENCE_NODES(limit), sizeof(*b.node_idx));
	b.node_hex = calloc(LOG_SEQUENCE_NODES(limit), sizeof(*b.node_hex));
	if (b.seq && b.idx && b.leaf_hex && b.node_level && b.node_idx &&
	    b.node_hex) {
		rc = db_tx(db, log_sequence_body, &b);
		if (rc == 0)
			*appended = b.appended;
	}
	free(b.seq);
	free(b.idx);
	free(b.leaf_hex);
	free(b.node_level);
	free(b.node_idx);
	free(b.node_hex);
	return rc;
}
