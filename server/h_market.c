/*
 * server/h_market.c — task upload, claims, votes, skips and label export.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
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

/*
 * A lease as JSON: {assignment_id, project_id, task:{id, data}, labels,
 * instructions, expires_at}.  NULL when out of memory.
 */
static cJSON *
h_claim_json(const struct claim *c)
{
	const char *s, *nl;
	cJSON	   *o, *t, *l, *x;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	market_json_i64(o, "assignment_id", c->assignment_id);
	market_json_i64(o, "project_id", c->project_id);
	if ((t = cJSON_AddObjectToObject(o, "task")) == NULL)
		goto fail;
	market_json_i64(t, "id", c->task_id);
	/* The task's data is the exact JSON the requester uploaded. */
	if (cJSON_AddRawToObject(t, "data", c->data) == NULL)
		goto fail;
	if ((l = cJSON_AddArrayToObject(o, "labels")) == NULL)
		goto fail;
	for (s = c->labels; s != NULL; s = nl != NULL ? nl + 1 : NULL) {
		char   one[LC_MAX_LABEL_BYTES + 1];
		size_t n;

		nl = strchr(s, '\n');
		n = nl != NULL ? (size_t)(nl - s) : strlen(s);
		if (n > LC_MAX_LABEL_BYTES)
			goto fail;
		memcpy(one, s, n);
		one[n] = '\0';
		if ((x = cJSON_CreateString(one)) == NULL)
			goto fail;
		cJSON_AddItemToArray(l, x);
	}
	if (cJSON_AddStringToObject(o, "instructions", c->instructions) ==
		NULL ||
	    cJSON_AddStringToObject(o, "expires_at", c->expires_at) == NULL)
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

int
h_assignment_claim(struct http_req *req, struct http_resp *resp)
{
	struct claim_in in;
	struct claim	c;
	struct db      *db;
	cJSON	       *out;
	int64_t		id;
	int		rc;

	if ((rc = h_param_id(req, 0, &id)) != 0)
		return rc;
	if ((rc = http_req_db(req, &db)) != 0)
		return rc;
	in.account_id = req->account_id;
	in.project_id = id;
	in.lease_s = req->srv->cfg.lease_s;
	in.gold_draw = assignment_draw();
	in.fresh_draw = assignment_draw();
	rc = assignment_claim(db, &in, &c, req->detail);
	if (rc == 1) {
		resp->status = 204;
		return 0;
	}
	if (rc != 0)
		return rc;
	out = h_claim_json(&c);
	claim_free(&c);
	if (out == NULL)
		return LC_ERR_NOMEM;
	return http_reply_json(resp, 201, out);
}

int
h_assignment_vote(struct http_req *req, struct http_resp *resp)
{
	struct vote_result vr;
	struct vote_in	   in;
	struct db	  *db;
	const cJSON	  *next;
	cJSON		  *body = NULL, *out = NULL, *n;
	int64_t		   id;
	int		   rc;

	memset(&vr, 0, sizeof(vr));
	if ((rc = h_param_id(req, 0, &id)) != 0)
		return rc;
	if ((rc = http_json_body(req, &body)) != 0)
		return rc;
	memset(&in, 0, sizeof(in));
	in.account_id = req->account_id;
	in.assignment_id = id;
	in.lease_s = req->srv->cfg.lease_s;
	rc = LC_ERR_VALIDATION;
	if ((in.label = market_json_get_str(body, "label", LC_MAX_LABEL_BYTES,
		 req->detail)) == NULL ||
	    (in.signature = market_json_get_str(body, "signature", 128,
		 req->detail)) == NULL)
		goto out;
	next = cJSON_GetObjectItemCaseSensitive(body, "next");
	if (next != NULL && !cJSON_IsBool(next)) {
		rc = http_fail(req, LC_ERR_VALIDATION,
		    "next must be true or false");
		goto out;
	}
	in.want_next = cJSON_IsTrue(next);
	if ((rc = http_req_db(req, &db)) != 0)
		goto out;
	if ((rc = vote_submit(db, &in, &vr, req->detail)) != 0)
		goto out;
	rc = LC_ERR_NOMEM;
	if ((out = cJSON_CreateObject()) == NULL)
		goto out;
	market_json_i64(out, "task_id", vr.task_id);
	cJSON_AddStringToObject(out, "task_status",
	    vr.final ? "final" : "open");
	market_json_i64(out, "votes", vr.n_votes);
	if (in.want_next) {
		if (vr.has_next) {
			if ((n = h_claim_json(&vr.next)) == NULL)
				goto out;
			cJSON_AddItemToObject(out, "next", n);
		} else
			cJSON_AddNullToObject(out, "next");
	}
	rc = http_reply_json(resp, 201, out);
	out = NULL;
out:
	vote_result_free(&vr);
	cJSON_Delete(out);
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
	char		  *text, link[160];
	size_t		   len;
	int64_t		   id, after = 0, limit = LC_MAX_EXPORT_ROWS, next;
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
	if ((q = http_query(req, "after")) != NULL &&
	    market_parse_id(q, &after) != 0)
		return http_fail(req, LC_ERR_VALIDATION,
		    "after must be a positive task id");
	if ((q = http_query(req, "limit")) != NULL &&
	    (market_parse_id(q, &limit) != 0 || limit > LC_MAX_EXPORT_ROWS))
		return http_fail(req, LC_ERR_VALIDATION,
		    "limit must be between 1 and %d", LC_MAX_EXPORT_ROWS);
	if ((rc = http_req_db(req, &db)) != 0)
		return rc;
	if ((rc = export_labels(db, req->account_id, id, fmt, after, (int)limit,
		 &text, &len, &next, req->detail)) != 0)
		return rc;
	/* A full page: where the next one starts (RFC 8288). */
	if (next > 0) {
		snprintf(link, sizeof(link),
		    "</v1/projects/%" PRId64 "/labels?after=%" PRId64
		    "&limit=%" PRId64 "%s>; rel=\"next\"",
		    id, next, limit, fmt == EXPORT_CSV ? "&format=csv" : "");
		if ((rc = http_add_header(resp, "Link", link)) != 0) {
			free(text);
			return rc;
		}
	}
	http_reply_owned(resp, 200,
	    fmt == EXPORT_CSV ? "text/csv; charset=utf-8"
			      : "application/x-ndjson",
	    text, len);
	return 0;
}
