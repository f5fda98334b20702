/*
 * server/h_project.c — /v1/projects and its owner's actions.
 */
#include <string.h>

#include "labeling/lc_err.h"
#include "labeling/limits.h"
#include "labeling/market.h"
#include "labeling/project.h"
#include "labeling/reestimate.h"
#include "server/handlers.h"

int
h_project_create(struct http_req *req, struct http_resp *resp)
{
	struct project_params p;
	struct db	     *db;
	cJSON		     *body = NULL, *out = NULL;
	int		      rc;

	if ((rc = http_json_body(req, &body)) != 0)
		return rc;
	if ((rc = project_params_parse(body, &p, req->detail)) != 0)
		goto out;
	if ((rc = http_req_db(req, &db)) != 0)
		goto out;
	rc = project_create(db, req->account_id, &p, &out, req->detail);
	rc = h_reply(req, resp, rc, 201, out);
out:
	cJSON_Delete(body);
	return rc;
}

int
h_project_list(struct http_req *req, struct http_resp *resp)
{
	struct project_list_opts opts;
	struct db		*db;
	cJSON			*out = NULL;
	int			 rc;

	if ((rc = project_list_opts_parse(http_query(req, "scope"),
		 http_query(req, "before"), http_query(req, "limit"), &opts,
		 req->detail)) != 0)
		return rc;
	if ((rc = http_req_db(req, &db)) != 0)
		return rc;
	rc = project_list(db, req->account_id, req->roles, &opts, &out);
	return h_reply(req, resp, rc, 200, out);
}

int
h_project_get(struct http_req *req, struct http_resp *resp)
{
	struct db *db;
	cJSON	  *out = NULL;
	int64_t	   id;
	int	   rc;

	if ((rc = h_param_id(req, 0, &id)) != 0)
		return rc;
	if ((rc = http_req_db(req, &db)) != 0)
		return rc;
	rc =
	    project_get(db, req->account_id, req->roles, id, &out, req->detail);
	return h_reply(req, resp, rc, 200, out);
}

int
h_project_edit(struct http_req *req, struct http_resp *resp)
{
	struct project_edit e;
	struct db	   *db;
	cJSON		   *body = NULL, *out = NULL;
	int64_t		    id;
	int		    rc;

	if ((rc = h_param_id(req, 0, &id)) != 0)
		return rc;
	if ((rc = http_json_body(req, &body)) != 0)
		return rc;
	if ((rc = project_edit_parse(body, &e, req->detail)) != 0)
		goto out;
	if ((rc = http_req_db(req, &db)) != 0)
		goto out;
	rc = project_edit(db, req->account_id, id, &e, &out, req->detail);
	rc = h_reply(req, resp, rc, 200, out);
out:
	cJSON_Delete(body);
	return rc;
}

int
h_project_fund(struct http_req *req, struct http_resp *resp)
{
	struct db *db;
	cJSON	  *body = NULL, *out = NULL;
	int64_t	   id, amount;
	int	   rc;

	if ((rc = h_param_id(req, 0, &id)) != 0)
		return rc;
	if ((rc = http_json_body(req, &body)) != 0)
		return rc;
	if ((rc = market_json_get_i64(body, "amount", 1, LC_MAX_AMOUNT, &amount,
		 req->detail)) != 0)
		goto out;
	if ((rc = http_req_db(req, &db)) != 0)
		goto out;
	rc = project_fund(db, req->account_id, id, amount, &out, req->detail);
	rc = h_reply(req, resp, rc, 200, out);
out:
	cJSON_Delete(body);
	return rc;
}

static int
h_project_action(struct http_req *req, struct http_resp *resp,
    enum project_action action)
{
	struct db *db;
	cJSON	  *out = NULL;
	int64_t	   id;
	int	   rc;

	if ((rc = h_param_id(req, 0, &id)) != 0)
		return rc;
	if ((rc = http_req_db(req, &db)) != 0)
		return rc;
	rc = project_set_status(db, req->account_id, id, action, &out,
	    req->detail);
	return h_reply(req, resp, rc, 200, out);
}

int
h_project_pause(struct http_req *req, struct http_resp *resp)
{
	return h_project_action(req, resp, PROJECT_PAUSE);
}

int
h_project_resume(struct http_req *req, struct http_resp *resp)
{
	return h_project_action(req, resp, PROJECT_RESUME);
}

int
h_project_close(struct http_req *req, struct http_resp *resp)
{
	return h_project_action(req, resp, PROJECT_CLOSE);
}

int
h_project_reestimate(struct http_req *req, struct http_resp *resp)
{
	struct db *db;
	cJSON	  *out = NULL;
	int64_t	   id;
	int	   rc;

	if ((rc = h_param_id(req, 0, &id)) != 0)
		return rc;
	if ((rc = http_req_db(req, &db)) != 0)
		return rc;
	if ((rc = reestimate_request(db, req->account_id, id, req->detail)) !=
	    0)
		return rc;
	if ((out = cJSON_CreateObject()) == NULL ||
	    market_json_i64(out, "project_id", id) == NULL ||
	    cJSON_AddTrueToObject(out, "requested") == NULL) {
		cJSON_Delete(out);
		return LC_ERR_NOMEM;
	}
	return h_reply(req, resp, 0, 202, out);
}
