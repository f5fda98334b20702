/*
 * server/anchor_store.c — the anchoring worker's rows (see anchor_store.h).
 *
 * Columns are found by name (PQfnumber), never by position, so the
 * statement and the struct can change independently; a missing column is
 * LC_ERR_INTERNAL, and a statement typo fails when connections open.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "anchor/hex.h"
#include "labeling/lc_err.h"
#include "labeling/log.h"
#include "labeling/log_store.h"
#include "server/anchor_store.h"

static void
store_u64(char *buf, size_t n, uint64_t v)
{
	snprintf(buf, n, "%" PRIu64, v);
}

static int
store_get_u64(const PGresult *res, const char *name, uint64_t *out)
{
	int c = PQfnumber(res, name);

	if (c < 0)
		return LC_ERR_INTERNAL;
	*out = PQgetisnull(res, 0, c) ? 0 : (uint64_t)db_int64(res, 0, c);
	return 0;
}

/* A hex column into n bytes; NULL is an error unless present is given. */
static int
store_get_hex(const PGresult *res, const char *name, uint8_t *out, size_t n,
    int *present)
{
	int c = PQfnumber(res, name);

	if (c < 0)
		return LC_ERR_INTERNAL;
	if (present != NULL)
		*present = !PQgetisnull(res, 0, c);
	if (PQgetisnull(res, 0, c)) {
		memset(out, 0, n);
		return present != NULL ? 0 : LC_ERR_INTERNAL;
	}
	return log_store_unhex(PQgetvalue(res, 0, c), out, n);
}

int
anchor_store_open(struct db *db, struct anchor_open_row *o, int *found)
{
	struct anchor_row *r = &o->row;
	PGresult	  *res = NULL;
	uint64_t	   id, attempts, age;
	int		   rc, c;

	*found = 0;
	memset(o, 0, sizeof(*o));
	if ((rc = db_exec(db, "anchor_open", 0, NULL, &res)) != 0)
		return rc;
	if (PQntuples(res) != 1)
		goto out;
	rc = LC_ERR_INTERNAL;
	if (store_get_u64(res, "id", &id) != 0 ||
	    store_get_u64(res, "tree_size", &r->tree_size) != 0 ||
	    store_get_u64(res, "nonce", &r->nonce) != 0 ||
	    store_get_u64(res, "gas_limit", &r->gas_limit) != 0 ||
	    store_get_u64(res, "max_priority_fee", &r->max_priority_fee) != 0 ||
	    store_get_u64(res, "max_fee", &r->max_fee) != 0 ||
	    store_get_u64(res, "attempts", &attempts) != 0 ||
	    store_get_u64(res, "block_number", &r->block_number) != 0 ||
	    store_get_u64(res, "age_s", &age) != 0 ||
	    store_get_hex(res, "root", r->root, ANCHOR_HASH_LEN, NULL) != 0 ||
	    store_get_hex(res, "tx_hash", r->tx_hash, ANCHOR_HASH_LEN, NULL) !=
		0 ||
	    store_get_hex(res, "block_hash", r->block_hash, ANCHOR_HASH_LEN,
		&r->has_block) != 0)
		goto out;
	r->id = (int64_t)id;
	r->attempts = (int)attempts;
	r->age_s = (int64_t)age;
	store_u64(o->id_s, sizeof(o->id_s), id);
	if ((c = PQfnumber(res, "status")) < 0 ||
	    anchor_status_parse(PQgetvalue(res, 0, c), &r->status) != 0)
		goto out;
	if ((c = PQfnumber(res, "raw_tx")) < 0 ||
	    strlen(PQgetvalue(res, 0, c)) >= sizeof(o->raw_hex))
		goto out;
	snprintf(o->raw_hex, sizeof(o->raw_hex), "%s", PQgetvalue(res, 0, c));
	*found = 1;
	rc = 0;
out:
	PQclear(res);
	if (rc != 0)
		lc_error("event=anchor_row_unreadable");
	return rc;
}

int
anchor_store_log(struct db *db, const char *sender, uint64_t chain_id,
    struct anchor_log_view *lv, uint64_t *confirmed_size, int64_t *confirmed_at)
{
	PGresult   *res = NULL;
	char	    chain_s[24];
	const char *p[2] = { sender, chain_s };
	uint64_t    since;
	int	    rc, c_req, c_nonce, c_conf;

	memset(lv, 0, sizeof(*lv));
	if ((rc = log_store_size(db, &lv->log_size)) != 0)
		return rc;
	store_u64(chain_s, sizeof(chain_s), chain_id);
	if ((rc = db_exec(db, "anchor_last", 2, p, &res)) != 0)
		return rc;
	rc = LC_ERR_INTERNAL;
	if (store_get_u64(res, "last_size", &lv->last_size) != 0 ||
	    store_get_u64(res, "since_s", &since) != 0 ||
	    store_get_u64(res, "confirmed_size", confirmed_size) != 0 ||
	    (c_req = PQfnumber(res, "requested")) < 0 ||
	    (c_nonce = PQfnumber(res, "next_nonce")) < 0 ||
	    (c_conf = PQfnumber(res, "confirmed_at")) < 0)
		goto out;
	lv->since_last_s = (int64_t)since;
	lv->requested = db_bool(res, 0, c_req);
	lv->has_db_next_nonce = !PQgetisnull(res, 0, c_nonce);
	lv->db_next_nonce = (uint64_t)db_int64(res, 0, c_nonce);
	*confirmed_at = db_int64(res, 0, c_conf); /* NULL reads as 0 */
	rc = 0;
out:
	PQclear(res);
	return rc;
}

int
anchor_store_attempts(struct db *db, const struct anchor_open_row *o,
    uint8_t (*hashes)[ANCHOR_HASH_LEN], int max, int *n)
{
	PGresult   *res = NULL;
	const char *p[1] = { o->id_s };
	int	    i, rc;

	*n = 0;
	if ((rc = db_exec(db, "anchor_tx_hashes", 1, p, &res)) != 0)
		return rc;
	for (i = 0; i < PQntuples(res) && *n < max; i++)
		if (log_store_unhex(PQgetvalue(res, i, 0), hashes[*n],
			ANCHOR_HASH_LEN) == 0)
			(*n)++;
	PQclear(res);
	return 0;
}

int
anchor_store_create(struct db *db, const struct anchor_new *n)
{
	const struct anchor_action *a = n->action;
	struct db_step		    steps[3];
	char	    root_hex[2 * ANCHOR_HASH_LEN + 1], size_s[24], chain_s[24];
	char	    nonce_s[24], gas_s[24], tip_s[24], fee_s[24], next_s[24];
	const char *ins[11] = { size_s, root_hex, chain_s, n->sender, n->to,
		nonce_s, gas_s, tip_s, fee_s, n->raw_hex, n->hash_hex };
	const char *rec[1] = { n->hash_hex };
	const char *nonce[3] = { n->sender, chain_s, next_s };

	anchor_hex_encode(n->root, ANCHOR_HASH_LEN, root_hex, sizeof(root_hex));
	store_u64(size_s, sizeof(size_s), a->tree_size);
	store_u64(chain_s, sizeof(chain_s), n->chain_id);
	store_u64(nonce_s, sizeof(nonce_s), a->nonce);
	store_u64(gas_s, sizeof(gas_s), a->gas_limit);
	store_u64(tip_s, sizeof(tip_s), a->max_priority_fee);
	store_u64(fee_s, sizeof(fee_s), a->max_fee);
	store_u64(next_s, sizeof(next_s), a->nonce + 1);
	steps[0] = (struct db_step){ "anchor_insert", 11, ins, NULL };
	steps[1] = (struct db_step){ "anchor_tx_record", 1, rec, NULL };
	steps[2] = (struct db_step){ "anchor_nonce_set", 3, nonce, NULL };
	return db_pipeline_tx(db, steps, 3);
}

int
anchor_store_replace(struct db *db, struct anchor_open_row *o,
    const struct anchor_action *a, const char *raw_hex, const char *hash_hex)
{
	struct db_step steps[2];
	char	       tip_s[24], fee_s[24], nonce_s[24];
	const char    *rep[6] = { o->id_s, raw_hex, hash_hex, tip_s, fee_s,
		   nonce_s };
	const char    *rec[1] = { hash_hex };
	int	       rc;

	if (strlen(raw_hex) >= sizeof(o->raw_hex))
		return LC_ERR_INTERNAL;
	store_u64(tip_s, sizeof(tip_s), a->max_priority_fee);
	store_u64(fee_s, sizeof(fee_s), a->max_fee);
	store_u64(nonce_s, sizeof(nonce_s), a->nonce);
	steps[0] = (struct db_step){ "anchor_replace", 6, rep, NULL };
	steps[1] = (struct db_step){ "anchor_tx_record", 1, rec, NULL };
	if ((rc = db_pipeline_tx(db, steps, 2)) != 0)
		return rc;
	snprintf(o->raw_hex, sizeof(o->raw_hex), "%s", raw_hex);
	(void)log_store_unhex(hash_hex, o->row.tx_hash, ANCHOR_HASH_LEN);
	o->row.status = ANCHOR_STATUS_PENDING;
	o->row.nonce = a->nonce;
	o->row.max_priority_fee = a->max_priority_fee;
	o->row.max_fee = a->max_fee;
	o->row.attempts++;
	return 0;
}

/* A status change of the open anchor to sent, by the statement name. */
static int
store_to_sent(struct db *db, const char *name, struct anchor_open_row *o)
{
	const char    *p[1] = { o->id_s };
	struct db_step step = { name, 1, p, NULL };
	int	       rc;

	if ((rc = db_pipeline_tx(db, &step, 1)) != 0)
		return rc;
	o->row.status = ANCHOR_STATUS_SENT;
	return 0;
}

int
anchor_store_mark_sent(struct db *db, struct anchor_open_row *o)
{
	return store_to_sent(db, "anchor_mark_sent", o);
}

int
anchor_store_receipt(struct db *db, const struct anchor_open_row *o,
    const struct anchor_receipt *r, const struct anchor_action *a)
{
	struct db_step steps[2];
	char	       th[2 * ANCHOR_HASH_LEN + 1], bh[2 * ANCHOR_HASH_LEN + 1];
	char	       bn_s[24], conf_s[24], gu_s[24], pr_s[24];
	const char    *p[7] = { o->id_s, th, bn_s, bh, conf_s, gu_s, pr_s };
	const char    *q[2] = { o->id_s, conf_s };
	int	       n = 1;

	anchor_hex_encode(r->tx_hash, ANCHOR_HASH_LEN, th, sizeof(th));
	anchor_hex_encode(r->block_hash, ANCHOR_HASH_LEN, bh, sizeof(bh));
	store_u64(bn_s, sizeof(bn_s), r->block_number);
	store_u64(conf_s, sizeof(conf_s), a->confirmations);
	store_u64(gu_s, sizeof(gu_s), r->gas_used);
	store_u64(pr_s, sizeof(pr_s), r->effective_gas_price);
	steps[0] = (struct db_step){ "anchor_mark_mined", 7, p, NULL };
	if (a->act == ANCHOR_ACT_CONFIRM)
		steps[n++] =
		    (struct db_step){ "anchor_mark_confirmed", 2, q, NULL };
	else if (a->act == ANCHOR_ACT_FAILED)
		steps[n++] =
		    (struct db_step){ "anchor_mark_failed", 1, q, NULL };
	return db_pipeline_tx(db, steps, n);
}

int
anchor_store_reorged(struct db *db, struct anchor_open_row *o)
{
	return store_to_sent(db, "anchor_mark_reorged", o);
}

int
anchor_store_head(struct db *db, uint64_t head)
{
	char	       head_s[24];
	const char    *p[1] = { head_s };
	struct db_step step = { "anchor_head_set", 1, p, NULL };

	store_u64(head_s, sizeof(head_s), head);
	return db_pipeline_tx(db, &step, 1);
}

int
anchor_store_try_lock(struct db *db, long long key, int *lead)
{
	PGresult   *res = NULL;
	char	    key_s[24];
	const char *p[1] = { key_s };
	int	    rc;

	*lead = 0;
	snprintf(key_s, sizeof(key_s), "%lld", key);
	if ((rc = db_exec(db, "anchor_try_lock", 1, p, &res)) != 0)
		return rc;
	*lead = db_bool(res, 0, 0);
	PQclear(res);
	return 0;
}
