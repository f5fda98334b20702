/*
 * server/routes.h — the route table: method, path pattern, handler, who may
 * call it, its body limit and its rate limit.  Patterns are literal segments and `{name}`
 * captures, e.g. "/v1/projects/{id}/tasks"; captures land in req->params in
 * order.
 */
#ifndef LC_ROUTES_H
#define LC_ROUTES_H

#include <stddef.h>

#include "server/edge.h"
#include "server/http.h"

enum route_auth {
	AUTH_NONE = 0,	/* anyone */
	AUTH_SESSION,	/* any signed-in account */
	AUTH_LABELER,	/* signed in with the labeler role */
	AUTH_REQUESTER, /* signed in with the requester role */
};

struct route {
	const char     *method;
	const char     *pattern;
	http_handler	handler;
	enum route_auth auth;
	size_t		max_body; /* 0: LC_MAX_JSON_BODY_BYTES */
	enum edge_class limit;	  /* its rate limit (edge.h) */
};

extern const struct route routes[];
extern const size_t	  routes_count;

/*
 * Find the route for (method, path).  Returns its index and fills
 * req->params, or -1 with `*path_known` set when the path exists under
 * another method (405; `allow` gets the methods, comma-separated).
 */
int route_find(const char *method, const char *path, struct http_req *req,
    int *path_known, char *allow, size_t allow_len);

/*
 * Authentication hook called before a route with auth != AUTH_NONE: fills
 * req->account_id and req->roles from the Authorization header or returns
 * LC_ERR_UNAUTHORIZED / LC_ERR_FORBIDDEN.
 */
int route_authenticate(struct http_req *req, enum route_auth auth);

#endif
