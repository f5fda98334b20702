/*
 * server/auth.c — authentication of API requests.
 *
 * `Authorization: Bearer <token>` is resolved against the stored token
 * hashes (labeling/auth.h), or found in the cache of recently resolved
 * tokens (auth_cache.h); the route's level then decides: any account
 * (AUTH_SESSION), the labeler role (AUTH_LABELER) or the requester role
 * (AUTH_REQUESTER).  No or a bad token is 401; the wrong role is 403.
 * Per-object checks (whose project, whose assignment) are the domain's.
 */
#include <string.h>
#include <strings.h>

#include "labeling/auth.h"
#include "labeling/lc_err.h"
#include "labeling/market.h"
#include "server/auth_cache.h"
#include "server/routes.h"
#include "server/server.h"

int
route_authenticate(struct http_req *req, enum route_auth auth)
{
	const char *h;
	struct db  *db;
	uint8_t	    digest[32];
	int64_t	    valid_s;
	int	    rc;

	h = http_header(req, "Authorization");
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return http_fail(req, LC_ERR_UNAUTHORIZED,
		    "send Authorization: Bearer <token>");
	h += 7;
	while (*h == ' ')
		h++;
	if (auth_token_digest(h, digest) != 0)
		return http_fail(req, LC_ERR_UNAUTHORIZED,
		    "unknown or expired token");
	if (!auth_cache_get(req->srv->auth_cache, digest, &req->account_id,
		&req->roles)) {
		if ((rc = http_req_db(req, &db)) != 0)
			return rc;
		rc = auth_token_resolve(db, h, &req->account_id, &req->roles,
		    &valid_s);
		if (rc == LC_ERR_UNAUTHORIZED)
			return http_fail(req, rc, "unknown or expired token");
		if (rc != 0)
			return http_fail(req, rc, "cannot check the token");
		auth_cache_put(req->srv->auth_cache, digest, req->account_id,
		    req->roles, valid_s);
	}
	if (auth == AUTH_LABELER && !(req->roles & ACCOUNT_ROLE_LABELER))
		return http_fail(req, LC_ERR_FORBIDDEN,
		    "this route is for labelers");
	if (auth == AUTH_REQUESTER && !(req->roles & ACCOUNT_ROLE_REQUESTER))
		return http_fail(req, LC_ERR_FORBIDDEN,
		    "this route is for requesters");
	return 0;
}
