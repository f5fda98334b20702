/*
 * server/routes.c — the whole API in one table a reader can scan, and the
 * matcher.  Keep openapi.yaml in step: a test checks every route here is
 * documented there.
 */
#include <stdio.h>
#include <string.h>

#include "server/handlers.h"
#include "server/routes.h"

const struct route routes[] = {
	{ "GET", "/healthz", h_healthz, AUTH_NONE, 0, EDGE_OPEN },
	{ "GET", "/readyz", h_readyz, AUTH_NONE, 0, EDGE_OPEN },
	{ "GET", "/metrics", h_metrics, AUTH_NONE, 0, EDGE_OPEN },

	{ "POST", "/v1/auth/challenge", h_auth_challenge, AUTH_NONE, 0,
	    EDGE_SIGNIN },
	{ "POST", "/v1/auth/login", h_auth_login, AUTH_NONE, 0, EDGE_SIGNIN },
	{ "POST", "/v1/auth/logout", h_auth_logout, AUTH_SESSION, 0,
	    EDGE_OPEN },
	{ "GET", "/v1/me", h_me, AUTH_SESSION, 0, EDGE_OPEN },
	{ "GET", "/v1/me/ledger", h_me_ledger, AUTH_SESSION, 0, EDGE_OPEN },
	{ "GET", "/v1/me/reputation", h_me_reputation, AUTH_SESSION, 0,
	    EDGE_OPEN },
	{ "POST", "/v1/me/stake", h_me_stake, AUTH_LABELER, 0, EDGE_OPEN },
	{ "POST", "/v1/me/unstake", h_me_unstake, AUTH_LABELER, 0, EDGE_OPEN },
	{ "POST", "/v1/projects", h_project_create, AUTH_REQUESTER, 0,
	    EDGE_OPEN },
	{ "GET", "/v1/projects", h_project_list, AUTH_SESSION, 0, EDGE_OPEN },
	{ "GET", "/v1/projects/{id}", h_project_get, AUTH_SESSION, 0,
	    EDGE_OPEN },
	{ "PATCH", "/v1/projects/{id}", h_project_edit, AUTH_REQUESTER, 0,
	    EDGE_OPEN },
	{ "POST", "/v1/projects/{id}/fund", h_project_fund, AUTH_REQUESTER, 0,
	    EDGE_OPEN },
	{ "POST", "/v1/projects/{id}/pause", h_project_pause, AUTH_REQUESTER, 0,
	    EDGE_OPEN },
	{ "POST", "/v1/projects/{id}/resume", h_project_resume, AUTH_REQUESTER,
	    0, EDGE_OPEN },
	{ "POST", "/v1/projects/{id}/close", h_project_close, AUTH_REQUESTER, 0,
	    EDGE_OPEN },
	{ "POST", "/v1/projects/{id}/reestimate", h_project_reestimate,
	    AUTH_REQUESTER, 0, EDGE_OPEN },
	{ "POST", "/v1/projects/{id}/tasks", h_task_upload, AUTH_REQUESTER,
	    LC_MAX_BODY_BYTES, EDGE_UPLOAD },
	{ "GET", "/v1/projects/{id}/labels", h_project_labels, AUTH_REQUESTER,
	    0, EDGE_OPEN },
	{ "POST", "/v1/projects/{id}/assignments", h_assignment_claim,
	    AUTH_LABELER, 0, EDGE_LABEL },
	{ "POST", "/v1/assignments/{id}/vote", h_assignment_vote, AUTH_LABELER,
	    0, EDGE_LABEL },
	{ "POST", "/v1/assignments/{id}/skip", h_assignment_skip, AUTH_LABELER,
	    0, EDGE_OPEN },
	{ "GET", "/v1/tasks/{id}/proof", h_task_proof, AUTH_REQUESTER, 0,
	    EDGE_OPEN },
	{ "GET", "/v1/anchors", h_anchors_list, AUTH_NONE, 0, EDGE_OPEN },
	{ "GET", "/v1/anchors/consistency", h_anchors_consistency, AUTH_NONE, 0,
	    EDGE_OPEN },
};
const size_t routes_count = sizeof(routes) / sizeof(routes[0]);

/* Match `path` against `pattern`, copying {x} segments into req->params. */
static int
route_match(const char *pattern, const char *path, struct http_req *req)
{
	const char *p = pattern, *q = path;
	int	    n = 0;

	while (*p != '\0' && *q != '\0') {
		if (*p == '{') {
			const char *seg_end = strchr(q, '/');
			size_t	    len =
				 seg_end ? (size_t)(seg_end - q) : strlen(q);

			if (len == 0 || n == LC_MAX_PATH_PARAMS ||
			    len >= sizeof(req->params[0]))
				return 0;
			if (req != NULL) {
				memcpy(req->params[n], q, len);
				req->params[n][len] = '\0';
			}
			n++;
			q += len;
			p = strchr(p, '}');
			if (p == NULL)
				return 0;
			p++;
			continue;
		}
		if (*p != *q)
			return 0;
		p++;
		q++;
	}
	if (*p != '\0' || *q != '\0')
		return 0;
	if (req != NULL)
		req->nparams = n;
	return 1;
}

int
route_find(const char *method, const char *path, struct http_req *req,
    int *path_known, char *allow, size_t allow_len)
{
	size_t i;
	int    found = -1;

	*path_known = 0;
	if (allow_len > 0)
		allow[0] = '\0';
	for (i = 0; i < routes_count; i++) {
		if (!route_match(routes[i].pattern, path, NULL))
			continue;
		if (strcmp(routes[i].method, method) == 0 ||
		    (strcmp(method, "HEAD") == 0 &&
			strcmp(routes[i].method, "GET") == 0)) {
			found = (int)i;
			break;
		}
		*path_known = 1;
		if (strstr(allow, routes[i].method) == NULL &&
		    strlen(allow) + strlen(routes[i].method) + 3 < allow_len) {
			if (allow[0] != '\0')
				strcat(allow, ", ");
			strcat(allow, routes[i].method);
		}
	}
	if (found < 0)
		return -1;
	route_match(routes[found].pattern, path, req);
	return found;
}
