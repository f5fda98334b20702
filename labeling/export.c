/*
 * labeling/export.c — label export (export.h).
 *
 * One page at a time, in task order after a task id: a range of the
 * partial index tasks_final (sql/0010_bounded.sql), LC_MAX_EXPORT_ROWS
 * rows at most, so that an export costs what it returns.
 *
 * `anchored`: the label's leaf is under a confirmed anchor, i.e. its
 * leaf_index is below the largest tree size of the anchors with status
 * 'confirmed' (sql/0002_anchor.sql).  That anchor's tree size and
 * transaction come with the row (null when not anchored): the tree size is
 * the one GET /v1/tasks/{id}/proof proves the leaf at (proof.h), the
 * transaction the one that put its root on chain.  A sent, mined or failed
 * anchor anchors nothing.  The anchor is found once per page (a
 * MATERIALIZED CTE, evaluated once), by a backward scan of the partial
 * index anchors_confirmed that stops at its first row, never per row.
 *
 * A gold task's row says so (`gold`): its label is the requester's own
 * answer, which finalization adopts whatever the votes said, so it is never
 * flagged low-confidence; its confidence stays the number anchored in its
 * leaf, the crowd's posterior for that answer — a measure of the crowd on
 * a known item, not of the label.
 *
 * `unverified`: no labeler who voted for the final label had passed the
 * project's controls (finalize.h) — on a project without gold, every
 * label; the requester decides what such a label is worth (README,
 * "Newcomers, rings and gold").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "labeling/db.h"
#include "labeling/export.h"
#include "labeling/lc_err.h"
#include "labeling/limits.h"
#include "labeling/market.h"
#include "labeling/project.h"

const struct db_stmt export_stmts[] = {
	{ "export_labels",
	    "WITH a AS MATERIALIZED (SELECT tree_size, tx_hash FROM anchors"
	    " WHERE status = 'confirmed' ORDER BY tree_size DESC LIMIT 1)"
	    " SELECT t.id, t.external_id,"
	    " p.labels[coalesce(t.gold_label, t.final_label) + 1],"
	    " t.confidence, t.n_votes,"
	    " t.low_confidence AND t.gold_label IS NULL, t.leaf_index,"
	    " a.tree_size IS NOT NULL,"
	    " t.gold_label IS NOT NULL, t.unverified,"
	    " a.tree_size, '0x' || encode(a.tx_hash, 'hex')"
	    " FROM tasks t JOIN projects p ON p.id = t.project_id"
	    " LEFT JOIN a ON t.leaf_index < a.tree_size"
	    " WHERE t.project_id = $1 AND t.status = 'final' AND t.id > $3"
	    " ORDER BY t.id LIMIT $2" },
	{ NULL, NULL }
};

struct buf {
	char  *p;
	size_t len, cap;
};

static int
buf_put(struct buf *b, const char *s, size_t n)
{
	char  *np;
	size_t cap;

	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((np = realloc(b->p, cap)) == NULL)
			return LC_ERR_NOMEM;
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static int
buf_csv_field(struct buf *b, const char *s)
{
	const char *q;
	int	    rc;

	if (s == NULL)
		return 0;
	if (strpbrk(s, ",\"\r\n") == NULL)
		return buf_put(b, s, strlen(s));
	if ((rc = buf_put(b, "\"", 1)) != 0)
		return rc;
	for (q = s; *q != '\0'; q++)
		if ((rc = buf_put(b, q, 1)) != 0 ||
		    (*q == '"' && (rc = buf_put(b, "\"", 1)) != 0))
			return rc;
	return buf_put(b, "\"", 1);
}

static int
export_row_jsonl(struct buf *b, const PGresult *res, int i)
{
	cJSON *o;
	char  *text;
	int    rc;

	if ((o = cJSON_CreateObject()) == NULL)
		return LC_ERR_NOMEM;
	market_json_i64(o, "task_id", db_int64(res, i, 0));
	if (db_text(res, i, 1) != NULL)
		cJSON_AddStringToObject(o, "external_id", db_text(res, i, 1));
	else
		cJSON_AddNullToObject(o, "external_id");
	cJSON_AddStringToObject(o, "label", db_text(res, i, 2));
	cJSON_AddNumberToObject(o, "confidence", db_double(res, i, 3));
	market_json_i64(o, "votes", db_int64(res, i, 4));
	cJSON_AddBoolToObject(o, "low_confidence", db_bool(res, i, 5));
	if (db_text(res, i, 6) != NULL)
		market_json_i64(o, "leaf_index", db_int64(res, i, 6));
	else
		cJSON_AddNullToObject(o, "leaf_index");
	cJSON_AddBoolToObject(o, "anchored", db_bool(res, i, 7));
	cJSON_AddBoolToObject(o, "gold", db_bool(res, i, 8));
	cJSON_AddBoolToObject(o, "unverified", db_bool(res, i, 9));
	if (db_text(res, i, 10) != NULL) {
		market_json_i64(o, "anchor_tree_size", db_int64(res, i, 10));
		cJSON_AddStringToObject(o, "anchor_tx_hash",
		    db_text(res, i, 11));
	} else {
		cJSON_AddNullToObject(o, "anchor_tree_size");
		cJSON_AddNullToObject(o, "anchor_tx_hash");
	}
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (text == NULL)
		return LC_ERR_NOMEM;
	rc = buf_put(b, text, strlen(text));
	cJSON_free(text);
	return rc ? rc : buf_put(b, "\n", 1);
}

static int
export_row_csv(struct buf *b, const PGresult *res, int i)
{
	char line[240];
	int  rc;

	snprintf(line, sizeof(line), "%s,", db_text(res, i, 0));
	if ((rc = buf_put(b, line, strlen(line))) != 0 ||
	    (rc = buf_csv_field(b, db_text(res, i, 1))) != 0 ||
	    (rc = buf_put(b, ",", 1)) != 0 ||
	    (rc = buf_csv_field(b, db_text(res, i, 2))) != 0)
		return rc;
	/* Numbers, booleans and the 66-character tx hash: no quoting. */
	snprintf(line, sizeof(line), ",%.6f,%s,%s,%s,%s,%s,%s,%s,%s\r\n",
	    db_double(res, i, 3), db_text(res, i, 4),
	    db_bool(res, i, 5) ? "true" : "false",
	    db_text(res, i, 6) ? db_text(res, i, 6) : "",
	    db_bool(res, i, 7) ? "true" : "false",
	    db_bool(res, i, 8) ? "true" : "false",
	    db_bool(res, i, 9) ? "true" : "false",
	    db_text(res, i, 10) ? db_text(res, i, 10) : "",
	    db_text(res, i, 11) ? db_text(res, i, 11) : "");
	return buf_put(b, line, strlen(line));
}

struct export_arg {
	int64_t		   owner_id;
	int64_t		   project_id;
	enum export_format fmt;
	int64_t		   after;
	int		   limit;
	int64_t		   last; /* of a full page, else 0 */
	struct buf	   b;
	char		  *detail;
};

static int
export_body(struct db *db, void *arg)
{
	struct export_arg *a = arg;
	PGresult	  *res = NULL;
	char		   id[24], lim[24], after[24];
	const char	  *params[3];
	const char	  *hdr = "task_id,external_id,label,confidence,"
				 "votes,low_confidence,leaf_index,"
				 "anchored,gold,unverified,"
				 "anchor_tree_size,anchor_tx_hash\r\n";
	int		   rc, i;

	free(a->b.p);
	memset(&a->b, 0, sizeof(a->b));
	if ((rc = project_lock_owned(db, a->owner_id, a->project_id, 0, NULL,
		 a->detail)) != 0)
		return rc;
	params[0] = market_i64(id, a->project_id);
	params[1] = market_i64(lim, a->limit);
	params[2] = market_i64(after, a->after);
	a->last = 0;
	if ((rc = db_exec(db, "export_labels", 3, params, &res)) != 0)
		return rc;
	if (PQntuples(res) == a->limit)
		a->last = db_int64(res, a->limit - 1, 0);
	if (a->fmt == EXPORT_CSV)
		rc = buf_put(&a->b, hdr, strlen(hdr));
	else
		rc = buf_put(&a->b, "", 0);
	for (i = 0; rc == 0 && i < PQntuples(res); i++)
		rc = a->fmt == EXPORT_CSV ? export_row_csv(&a->b, res, i)
					  : export_row_jsonl(&a->b, res, i);
	PQclear(res);
	return rc;
}

int
export_labels(struct db *db, int64_t owner_id, int64_t project_id,
    enum export_format fmt, int64_t after, int limit, char **out, size_t *len,
    int64_t *next_after, char *detail)
{
	struct export_arg a;
	int		  rc;

	memset(&a, 0, sizeof(a));
	a.owner_id = owner_id;
	a.project_id = project_id;
	a.fmt = fmt;
	a.after = after;
	a.limit = limit;
	a.detail = detail;
	*out = NULL;
	*len = 0;
	*next_after = 0;
	if (after < 0 || limit < 1 || limit > LC_MAX_EXPORT_ROWS)
		return market_fail(detail, LC_ERR_VALIDATION,
		    "limit must be between 1 and %d", LC_MAX_EXPORT_ROWS);
	/* REPEATABLE READ-like consistency is not needed: one statement. */
	if ((rc = db_tx(db, export_body, &a)) != 0) {
		free(a.b.p);
		return rc;
	}
	*out = a.b.p;
	*len = a.b.len;
	*next_after = a.last;
	return 0;
}
