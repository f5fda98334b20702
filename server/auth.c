/*
 * server/auth.c — authentication of API requests.
 *
 * Until accounts exist every protected route answers 401.
 */
#include "labeling/lc_err.h"
#include "server/routes.h"

int
route_authenticate(struct http_req *req, enum route_auth auth)
{
	return http_fail(req, LC_ERR_UNAUTHORIZED, "sign in first");
}
