/*
 * server/h_market.c — task upload, claims, votes, skips and label export.
 */
#include <string.h>
#include <strings.h>

#include "labeling/assignment.h"
#include "labeling/export.h"
#include "labeling/lc_err.h"
#include "labeling/limits.h"
#include "labeling/market.h"
#include "labeling/task.h"
#include "labeling/vote.h"
#include "server/handlers.h"
#include "server/server.h"

static int
h_media_is(const char *type, const char *want)
{
	size_t n = strlen(want);

	return type != NULL && strncasecmp(type, want, n) == 0 &&
	    (type[n] == '\0' || type[n] == ';' || type[n] == ' ');
}

int
h_task_upload(struct http_req *req, struct http_resp *resp)
{
	struct task_batch b;
	struct db	 *db;
	const char	 *type;
	cJSON		 *out;
	int64_t		  id, created, dups;
	int		  rc, ndjson;

	if ((rc = h_param_id(req, 0, &id)) != 0)
		return rc;
	type = http_header(req, "Content-Type");
	if (h_media_is(type, "application/x-ndjson"))
		ndjson = 1;
	else if (h_media_is(type, "application/json"))
		ndjson = 0;
	else
		return http_fail(req, LC_ERR_MEDIA_TYPE,
		    "Content-Type must be "
		    "application/json or application/x-ndjson");
	if ((rc = task_batch_parse(req->body, req->body_len, ndjson, &b,
		 req->detail)) != 0)
		return rc;
	if ((rc = http_req_db(req, &db)) != 0)
		goto out;
	if ((rc = task_upload(db, req->account_id, id, &b, &created, &dups,
		 req->detail)) != 0)
		goto out;
	rc = LC_ERR_NOMEM;
	if ((out = cJSON_CreateObject()) == NULL)
		goto out;
	market_json_i64(out, "created", created);
	market_json_i64(out, "duplicates", dups);
	rc = http_reply_json(resp, created > 0 ? 201 : 200, out);
out:
	task_batch_free(&b);
	return rc;
}

int
h_assignment_claim(struct http_req *req, struct http_resp *resp)
{
	struct db *db;
	cJSON	  *out = NULL;
	int64_t	   id;
	int	   rc;

	if ((rc = h_param_id(req, 0, &id)) != 0)
		return rc;
	if ((rc = http_req_db(req, &db)) != 0)
		return rc;
	if ((rc = assignment_claim(db, req->account_id, id,
		 req->srv->cfg.lease_s, &out, req->detail)) != 0)
		return rc;
	if (out == NULL) {
		resp->status = 204;
		return 0;
	}
	return http_reply_json(resp, 201, out);
}

int
h_assignment_vote(struct http_req *req, struct http_resp *resp)
{
	struct vote_result vr;
	struct db	  *db;
	cJSON		  *body = NULL, *out;
	const char	  *label, *sig;
	int64_t		   id;
	int		   rc;

	if ((rc = h_param_id(req, 0, &id)) != 0)
		return rc;
	if ((rc = http_json_body(req, &body)) != 0)
		return rc;
	rc = LC_ERR_VALIDATION;
	if ((label = market_json_get_str(body, "label", LC_MAX_LABEL_BYTES,
		 req->detail)) == NULL ||
	    (sig = market_json_get_str(body, "signature", 128, req->detail)) ==
		NULL)
		goto out;
	if ((rc = http_req_db(req, &db)) != 0)
		goto out;
	if ((rc = vote_submit(db, req->account_id, id, label, sig, &vr,
		 req->detail)) != 0)
		goto out;
	rc = LC_ERR_NOMEM;
	if ((out = cJSON_CreateObject()) == NULL)
		goto out;
	market_json_i64(out, "task_id", vr.task_id);
	cJSON_AddStringToObject(out, "task_status",
	    vr.final ? "final" : "open");
	market_json_i64(out, "votes", vr.n_votes);
	rc = http_reply_json(resp, 201, out);
out:
	cJSON_Delete(body);
	return rc;
}

int
h_assignment_skip(struct http_req *req, struct http_resp *resp)
{
	struct db *db;
	int64_t	   id;
	int	   rc;

	if ((rc = h_param_id(req, 0, &id)) != 0)
		return rc;
	if ((rc = http_req_db(req, &db)) != 0)
		return rc;
	if ((rc = assignment_skip(db, req->account_id, id, req->detail)) != 0)
		return rc;
	resp->status = 204;
	return 0;
}

int
h_project_labels(struct http_req *req, struct http_resp *resp)
{
	struct db	  *db;
	enum export_format fmt = EXPORT_JSONL;
	const char	  *q;
	char		  *text;
	size_t		   len;
	int64_t		   id;
	int		   rc;

	if ((rc = h_param_id(req, 0, &id)) != 0)
		return rc;
	if ((q = http_query(req, "format")) != NULL) {
		if (strcmp(q, "csv") == 0)
			fmt = EXPORT_CSV;
		else if (strcmp(q, "jsonl") != 0 && strcmp(q, "json") != 0)
			return http_fail(req, LC_ERR_VALIDATION,
			    "format must be jsonl or csv");
	}
	if ((rc = http_req_db(req, &db)) != 0)
		return rc;
	if ((rc = export_labels(db, req->account_id, id, fmt, &text, &len,
		 req->detail)) != 0)
		return rc;
	http_reply_owned(resp, 200,
	    fmt == EXPORT_CSV ? "text/csv; charset=utf-8"
			      : "application/x-ndjson",
	    text, len);
	return 0;
}
