/*
 * server/h_anchor.c — proofs and anchors over HTTP:
 *
 *   GET /v1/tasks/{id}/proof		(the project's owner) the label's
 *					leaf record, its RFC 9162
 *					inclusion path at the latest confirmed
 *					anchor covering it (or at the current
 *					size, with anchor null, until one does)
 *   GET /v1/anchors			anchored roots, newest first
 *   GET /v1/anchors/consistency?from=&to=  RFC 9162 §2.1.4 proof
 *
 * Hashes are lower-case hex without prefix; transaction hashes carry the
 * Ethereum "0x" prefix.  Every proof is computed from merkle_nodes in
 * O(log n) reads (labeling/log_store.h).
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
#include "labeling/log.h"
#include "labeling/log_store.h"
#include "server/handlers.h"
#include "server/server.h"

#define ANCHORS_LIST_DEFAULT 100
#define ANCHORS_LIST_MAX 1000

static int
parse_u64(const char *s, uint64_t *out)
{
	char		  *end;
	unsigned long long v;

	if (s == NULL || *s < '0' || *s > '9' || strlen(s) > 19)
		return -1;
	v = strtoull(s, &end, 10);
	if (*end != '\0')
		return -1;
	*out = v;
	return 0;
}

static cJSON *
hex_string(const uint8_t *b, size_t n, int prefix)
{
	char buf[2 + 2 * MERKLE_HASH_LEN + 1];

	if (n > MERKLE_HASH_LEN)
		return NULL;
	buf[0] = '0';
	buf[1] = 'x';
	anchor_hex_encode(b, n, buf + 2, sizeof(buf) - 2);
	return cJSON_CreateString(prefix ? buf : buf + 2);
}

static cJSON *
hash_array(const uint8_t *flat, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	size_t i;

	for (i = 0; a != NULL && i < n; i++)
		cJSON_AddItemToArray(a,
		    hex_string(flat + i * MERKLE_HASH_LEN, MERKLE_HASH_LEN, 0));
	return a;
}

/* One anchors row (ANCHOR_COLS of log_store.c) as the API's object. */
static cJSON *
anchor_json(const PGresult *res, int i, int full)
{
	cJSON	   *o = cJSON_CreateObject();
	const char *tx = db_text(res, i, 3);
	char	    txp[67];

	if (o == NULL)
		return NULL;
	cJSON_AddNumberToObject(o, "tree_size", (double)db_int64(res, i, 0));
	if (full)
		cJSON_AddStringToObject(o, "root", db_text(res, i, 1));
	cJSON_AddNumberToObject(o, "chain_id", (double)db_int64(res, i, 2));
	snprintf(txp, sizeof(txp), "0x%s", tx ? tx : "");
	cJSON_AddStringToObject(o, "tx_hash", txp);
	if (PQgetisnull(res, i, 4))
		cJSON_AddNullToObject(o, "block_number");
	else
		cJSON_AddNumberToObject(o, "block_number",
		    (double)db_int64(res, i, 4));
	cJSON_AddNumberToObject(o, "confirmations",
	    (double)db_int64(res, i, 5));
	if (full) {
		cJSON_AddStringToObject(o, "status", db_text(res, i, 6));
		cJSON_AddNumberToObject(o, "nonce",
		    (double)db_int64(res, i, 7));
		cJSON_AddNumberToObject(o, "attempts",
		    (double)db_int64(res, i, 8));
		if (!PQgetisnull(res, i, 9))
			cJSON_AddNumberToObject(o, "gas_used",
			    (double)db_int64(res, i, 9));
		cJSON_AddNumberToObject(o, "reorgs",
		    (double)db_int64(res, i, 11));
	}
	return o;
}

/*
 * No leaf yet: a label final a moment ago waits for the log sequencer
 * (409 with Retry-After, for its owner); otherwise there is no label.
 */
static int
h_proof_pending(struct http_req *req, struct db *db, uint64_t task)
{
	PGresult   *res = NULL;
	const char *p[1] = { req->params[0] };
	int	    rc, owner;

	if ((rc = db_exec(db, "log_pending_by_task", 1, p, &res)) != 0)
		return rc;
	owner =
	    PQntuples(res) == 1 ? db_int64(res, 0, 0) == req->account_id : -1;
	PQclear(res);
	if (owner < 0)
		return http_fail(req, LC_ERR_NOT_FOUND,
		    "task %" PRIu64 " has no final label in the log", task);
	if (!owner)
		return http_fail(req, LC_ERR_FORBIDDEN,
		    "task %" PRIu64 " is not in one of your projects", task);
	req->retry_after_s = 1;
	return http_fail(req, LC_ERR_STATE,
	    "task %" PRIu64 " is final; its leaf enters the log in a moment",
	    task);
}

int
h_task_proof(struct http_req *req, struct http_resp *resp)
{
	struct merkle_hasher  *h = NULL;
	struct merkle_store    ms;
	struct log_store_cache cache;
	struct db	      *db;
	PGresult	      *leaf = NULL, *anc = NULL;
	int		       pass;
	cJSON		      *out = NULL;
	uint8_t		       root[MERKLE_HASH_LEN], stored[MERKLE_HASH_LEN];
	uint8_t		       path[MERKLE_MAX_PROOF * MERKLE_HASH_LEN];
	uint64_t	       task, index, size;
	size_t		       path_len;
	char		       idx_s[24];
	const char	      *p[1];
	int		       rc;

	if (parse_u64(req->params[0], &task) != 0)
		return http_fail(req, LC_ERR_NOT_FOUND, "no such task");
	if ((rc = http_req_db(req, &db)) != 0)
		return rc;
	p[0] = req->params[0];
	if ((rc = db_exec(db, "log_leaf_by_task", 1, p, &leaf)) != 0)
		goto out;
	if (PQntuples(leaf) != 1) {
		rc = h_proof_pending(req, db, task);
		goto out;
	}
	if (db_int64(leaf, 0, 3) != req->account_id) {
		rc = http_fail(req, LC_ERR_FORBIDDEN,
		    "task %" PRIu64 " is not in one of your projects", task);
		goto out;
	}
	index = (uint64_t)db_int64(leaf, 0, 0);
	snprintf(idx_s, sizeof(idx_s), "%" PRIu64, index);
	p[0] = idx_s;
	if ((rc = db_exec(db, "anchor_covering", 1, p, &anc)) != 0)
		goto out;
	if (PQntuples(anc) == 1)
		size = (uint64_t)db_int64(anc, 0, 0);
	else if ((rc = log_store_size(db, &size)) != 0)
		goto out;
	if ((rc = merkle_hasher_create(&h)) != 0) {
		rc = LC_ERR_NOMEM;
		goto out;
	}
	/* Pass 1 records the nodes needed, one query fetches them, pass 2
	 * computes (log_store.h). */
	log_store_cache_init(&cache, db, &ms);
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1 && (rc = log_store_cache_fetch(&cache)) != 0)
			goto out;
		if (merkle_root(h, &ms, size, root) != 0 ||
		    merkle_inclusion_proof(h, &ms, index, size, path,
			MERKLE_MAX_PROOF, &path_len) != 0) {
			rc = http_fail(req, LC_ERR_INTERNAL,
			    "log nodes missing");
			goto out;
		}
	}
	if (PQntuples(anc) == 1 &&
	    (log_store_unhex(db_text(anc, 0, 1), stored, sizeof(stored)) != 0 ||
		memcmp(stored, root, sizeof(root)) != 0)) {
		lc_error("event=log_root_mismatch tree_size=%" PRIu64, size);
		rc = http_fail(req, LC_ERR_INTERNAL,
		    "log disagrees with its anchor");
		goto out;
	}
	if ((out = cJSON_CreateObject()) == NULL) {
		rc = LC_ERR_NOMEM;
		goto out;
	}
	cJSON_AddNumberToObject(out, "task_id", (double)task);
	cJSON_AddStringToObject(out, "leaf", db_text(leaf, 0, 1));
	cJSON_AddStringToObject(out, "leaf_hash", db_text(leaf, 0, 2));
	cJSON_AddNumberToObject(out, "leaf_index", (double)index);
	cJSON_AddNumberToObject(out, "tree_size", (double)size);
	cJSON_AddItemToObject(out, "path", hash_array(path, path_len));
	cJSON_AddItemToObject(out, "root", hex_string(root, sizeof(root), 0));
	if (PQntuples(anc) == 1)
		cJSON_AddItemToObject(out, "anchor", anchor_json(anc, 0, 0));
	else
		cJSON_AddNullToObject(out, "anchor");
	rc = http_reply_json(resp, 200, out);
	out = NULL;
out:
	cJSON_Delete(out);
	merkle_hasher_free(h);
	PQclear(leaf);
	PQclear(anc);
	return rc;
}

int
h_anchors_list(struct http_req *req, struct http_resp *resp)
{
	struct db  *db;
	PGresult   *res = NULL;
	cJSON	   *out;
	uint64_t    limit = ANCHORS_LIST_DEFAULT;
	const char *q = http_query(req, "limit");
	char	    lim[24];
	const char *p[1] = { lim };
	int	    i, rc;

	if (q != NULL &&
	    (parse_u64(q, &limit) != 0 || limit == 0 ||
		limit > ANCHORS_LIST_MAX))
		return http_fail(req, LC_ERR_VALIDATION, "limit must be 1..%d",
		    ANCHORS_LIST_MAX);
	if ((rc = http_req_db(req, &db)) != 0)
		return rc;
	snprintf(lim, sizeof(lim), "%" PRIu64, limit);
	if ((rc = db_exec(db, "anchor_list", 1, p, &res)) != 0)
		return rc;
	if ((out = cJSON_CreateArray()) == NULL) {
		PQclear(res);
		return LC_ERR_NOMEM;
	}
	for (i = 0; i < PQntuples(res); i++)
		cJSON_AddItemToArray(out, anchor_json(res, i, 1));
	PQclear(res);
	return http_reply_json(resp, 200, out);
}

int
h_anchors_consistency(struct http_req *req, struct http_resp *resp)
{
	struct merkle_hasher  *h = NULL;
	struct merkle_store    ms;
	struct log_store_cache cache;
	struct db	      *db;
	cJSON		      *out = NULL;
	int		       pass;
	uint8_t		       r1[MERKLE_HASH_LEN], r2[MERKLE_HASH_LEN];
	uint8_t		       proof[MERKLE_MAX_PROOF * MERKLE_HASH_LEN];
	uint64_t	       from, to, size;
	size_t		       len;
	int		       rc;

	if (parse_u64(http_query(req, "from"), &from) != 0 ||
	    parse_u64(http_query(req, "to"), &to) != 0 || from == 0 ||
	    from > to)
		return http_fail(req, LC_ERR_VALIDATION,
		    "from and to are tree sizes with 0 < from <= to");
	if ((rc = http_req_db(req, &db)) != 0)
		return rc;
	if ((rc = log_store_size(db, &size)) != 0)
		return rc;
	if (to > size)
		return http_fail(req, LC_ERR_VALIDATION,
		    "the log has %" PRIu64 " leaves", size);
	if (merkle_hasher_create(&h) != 0)
		return LC_ERR_NOMEM;
	log_store_cache_init(&cache, db, &ms);
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1 && (rc = log_store_cache_fetch(&cache)) != 0)
			goto out;
		if (merkle_root(h, &ms, from, r1) != 0 ||
		    merkle_root(h, &ms, to, r2) != 0 ||
		    merkle_consistency_proof(h, &ms, from, to, proof,
			MERKLE_MAX_PROOF, &len) != 0) {
			rc = http_fail(req, LC_ERR_INTERNAL,
			    "log nodes missing");
			goto out;
		}
	}
	if ((out = cJSON_CreateObject()) == NULL) {
		rc = LC_ERR_NOMEM;
		goto out;
	}
	cJSON_AddNumberToObject(out, "from", (double)from);
	cJSON_AddNumberToObject(out, "to", (double)to);
	cJSON_AddItemToObject(out, "from_root", hex_string(r1, sizeof(r1), 0));
	cJSON_AddItemToObject(out, "to_root", hex_string(r2, sizeof(r2), 0));
	cJSON_AddItemToObject(out, "proof", hash_array(proof, len));
	rc = http_reply_json(resp, 200, out);
	out = NULL;
out:
	cJSON_Delete(out);
	merkle_hasher_free(h);
	return rc;
}
