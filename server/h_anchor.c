/*
 * server/h_anchor.c — proofs and anchors over HTTP:
 *
 *   GET /v1/tasks/{id}/proof		(the project's owner) the label's
 *					leaf record, its RFC 9162
 *					inclusion path at the latest confirmed
 *					anchor covering it (or at the current
 *					size, with anchor null, until one does)
 *   GET /v1/anchors?limit=&before=	anchors, newest first, a page at a
 *					time (Link: rel="next")
 *   GET /v1/anchors/consistency?from=&to=  RFC 9162 §2.1.4 proof
 *
 * The handlers parse, call labeling/proof.h and render.  Hashes are
 * lower-case hex without prefix; transaction hashes carry the Ethereum "0x"
 * prefix.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "anchor/hex.h"
#include "anchor/merkle.h"
#include "labeling/lc_err.h"
#include "labeling/market.h"
#include "labeling/proof.h"
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
hash_string(const uint8_t b[MERKLE_HASH_LEN])
{
	char buf[2 * MERKLE_HASH_LEN + 1];

	anchor_hex_encode(b, MERKLE_HASH_LEN, buf, sizeof(buf));
	return cJSON_CreateString(buf);
}

static cJSON *
hash_array(const uint8_t *flat, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	size_t i;

	for (i = 0; a != NULL && i < n; i++)
		cJSON_AddItemToArray(a,
		    hash_string(flat + i * MERKLE_HASH_LEN));
	return a;
}

/* An anchor as the API's object: the proof's (full 0) or the list's. */
static cJSON *
anchor_json(const struct proof_anchor *a, int full)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		return NULL;
	market_json_i64(o, "tree_size", (int64_t)a->tree_size);
	if (full)
		cJSON_AddItemToObject(o, "root", hash_string(a->root));
	market_json_i64(o, "chain_id", a->chain_id);
	cJSON_AddStringToObject(o, "tx_hash", a->tx_hash);
	if (a->block_number < 0)
		cJSON_AddNullToObject(o, "block_number");
	else
		market_json_i64(o, "block_number", a->block_number);
	market_json_i64(o, "confirmations", a->confirmations);
	if (full) {
		cJSON_AddStringToObject(o, "status", a->status);
		market_json_i64(o, "nonce", a->nonce);
		market_json_i64(o, "attempts", a->attempts);
		if (a->gas_used >= 0)
			market_json_i64(o, "gas_used", a->gas_used);
		market_json_i64(o, "reorgs", a->reorgs);
		market_json_i64(o, "id", a->id); /* the cursor of a page */
	}
	return o;
}

int
h_task_proof(struct http_req *req, struct http_resp *resp)
{
	struct proof_label p;
	struct db	  *db;
	cJSON		  *out;
	int64_t		   task;
	int		   rc;

	if ((rc = h_param_id(req, 0, &task)) != 0)
		return rc;
	if ((rc = http_req_db(req, &db)) != 0)
		return rc;
	if ((rc = proof_label_get(db, req->account_id, task, &p,
		 req->detail)) != 0) {
		if (rc == LC_ERR_STATE)
			req->retry_after_s = 1; /* the sequencer's next batch */
		return rc;
	}
	if ((out = cJSON_CreateObject()) == NULL) {
		proof_label_clear(&p);
		return LC_ERR_NOMEM;
	}
	market_json_i64(out, "task_id", p.task_id);
	cJSON_AddStringToObject(out, "leaf", p.leaf);
	cJSON_AddItemToObject(out, "leaf_hash", hash_string(p.leaf_hash));
	market_json_i64(out, "leaf_index", (int64_t)p.leaf_index);
	market_json_i64(out, "tree_size", (int64_t)p.tree_size);
	cJSON_AddItemToObject(out, "path", hash_array(p.path, p.path_len));
	cJSON_AddItemToObject(out, "root", hash_string(p.root));
	if (p.anchored)
		cJSON_AddItemToObject(out, "anchor", anchor_json(&p.anchor, 0));
	else
		cJSON_AddNullToObject(out, "anchor");
	proof_label_clear(&p);
	return http_reply_json(resp, 200, out);
}

int
h_anchors_list(struct http_req *req, struct http_resp *resp)
{
	struct proof_anchor *a;
	struct db	    *db;
	cJSON		    *out;
	uint64_t	     limit = ANCHORS_LIST_DEFAULT;
	int64_t		     before = INT64_MAX;
	const char	    *q = http_query(req, "limit");
	char		     link[96];
	size_t		     i, n;
	int		     rc;

	if (q != NULL &&
	    (parse_u64(q, &limit) != 0 || limit == 0 ||
		limit > ANCHORS_LIST_MAX))
		return http_fail(req, LC_ERR_VALIDATION, "limit must be 1..%d",
		    ANCHORS_LIST_MAX);
	if ((q = http_query(req, "before")) != NULL &&
	    market_parse_id(q, &before) != 0)
		return http_fail(req, LC_ERR_VALIDATION,
		    "before must be an anchor id (a positive integer)");
	if ((rc = http_req_db(req, &db)) != 0)
		return rc;
	if ((rc = proof_anchors_list(db, limit, before, &a, &n)) != 0)
		return rc;
	/* A full page: where the next one starts (RFC 8288). */
	if (n == limit) {
		snprintf(link, sizeof(link),
		    "</v1/anchors?limit=%" PRIu64 "&before=%" PRId64
		    ">; rel=\"next\"",
		    limit, a[n - 1].id);
		if ((rc = http_add_header(resp, "Link", link)) != 0) {
			free(a);
			return rc;
		}
	}
	if ((out = cJSON_CreateArray()) == NULL) {
		free(a);
		return LC_ERR_NOMEM;
	}
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(out, anchor_json(&a[i], 1));
	free(a);
	return http_reply_json(resp, 200, out);
}

int
h_anchors_consistency(struct http_req *req, struct http_resp *resp)
{
	struct proof_consistency c;
	struct db		*db;
	cJSON			*out;
	uint64_t		 from, to;
	int			 rc;

	if (parse_u64(http_query(req, "from"), &from) != 0 ||
	    parse_u64(http_query(req, "to"), &to) != 0)
		return http_fail(req, LC_ERR_VALIDATION,
		    "from and to are tree sizes with 0 < from <= to");
	if ((rc = http_req_db(req, &db)) != 0)
		return rc;
	if ((rc = proof_consistency_get(db, from, to, &c, req->detail)) != 0)
		return rc;
	if ((out = cJSON_CreateObject()) == NULL)
		return LC_ERR_NOMEM;
	market_json_i64(out, "from", (int64_t)c.from);
	market_json_i64(out, "to", (int64_t)c.to);
	cJSON_AddItemToObject(out, "from_root", hash_string(c.from_root));
	cJSON_AddItemToObject(out, "to_root", hash_string(c.to_root));
	cJSON_AddItemToObject(out, "proof", hash_array(c.proof, c.proof_len));
	return http_reply_json(resp, 200, out);
}
