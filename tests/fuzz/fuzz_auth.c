/*
 * tests/fuzz/fuzz_auth.c — the Authorization header, through the server's
 * own route_authenticate (server/auth.c) and the token cache it consults
 * (server/auth_cache.c).  The request layer around it is replaced here by
 * three functions of server/http.h: http_header answers the fuzzed header
 * value (what libmicrohttpd hands over: no CR, LF or NUL), http_fail
 * records the detail, and http_req_db stands for a database that cannot
 * be reached, so that only tokens in the cache can pass.  Two well-formed
 * tokens are put in the cache beforehand, one of a labeler, one of a
 * requester.
 *
 * Input: byte 0 chooses the route's level (session, labeler, requester),
 * the rest is the header value.  A request passes only with "Bearer"
 * (any case), a space, optional spaces and exactly a cached token, with
 * that token's account and roles, and only when the roles meet the level;
 * the database is asked only for a token of the right form that is not
 * cached; every refusal is 401, 403 or the database's error, with a
 * NUL-terminated detail.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "labeling/auth.h"
#include "labeling/lc_err.h"
#include "labeling/market.h"
#include "server/auth_cache.h"
#include "server/http.h"
#include "server/routes.h"
#include "server/server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *header;
static int	   db_asked;

static const char *tokens[2] = {
	"lc_0000000000000000000000000000000000000000000000000000000000000000",
	"lc_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
};
static const unsigned token_roles[2] = { ACCOUNT_ROLE_LABELER,
	ACCOUNT_ROLE_REQUESTER };

const char *
http_header(struct http_req *req, const char *name)
{
	(void)req;
	return strcasecmp(name, "Authorization") == 0 ? header : NULL;
}

int
http_fail(struct http_req *req, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(req->detail, sizeof(req->detail), fmt, ap);
	va_end(ap);
	return code;
}

int
http_req_db(struct http_req *req, struct db **out)
{
	*out = NULL;
	db_asked = 1;
	return http_fail(req, LC_ERR_DB, "no database connection");
}

static struct server srv;

static void
setup(void)
{
	uint8_t d[32];
	int	i;

	if ((srv.auth_cache = auth_cache_create(3600)) == NULL)
		abort();
	for (i = 0; i < 2; i++) {
		if (auth_token_digest(tokens[i], d) != 0)
			abort();
		auth_cache_put(srv.auth_cache, d, 100 + i, token_roles[i], -1);
	}
}

/* The token the header carries after "Bearer" and spaces, or NULL. */
static const char *
bearer(const char *h)
{
	if (strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	for (h += 7; *h == ' '; h++)
		;
	return h;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum route_auth levels[3] = { AUTH_SESSION, AUTH_LABELER,
		AUTH_REQUESTER };
	struct http_req		     req;
	enum route_auth		     level;
	const char		    *tok;
	uint8_t			     d[32];
	char			    *h;
	size_t			     i;
	int			     rc, k = -1;

	if (srv.auth_cache == NULL)
		setup();
	if (size == 0)
		return 0;
	level = levels[data[0] % 3];
	if ((h = malloc(size)) == NULL)
		return 0;
	memcpy(h, data + 1, size - 1);
	h[size - 1] = '\0';
	for (i = 0; i + 1 < size; i++)
		if (h[i] == '\r' || h[i] == '\n')
			h[i] = ' '; /* MHD never hands these over */
	header = h;
	db_asked = 0;
	memset(&req, 0, sizeof(req));
	req.srv = &srv;
	rc = route_authenticate(&req, level);

	if ((tok = bearer(h)) != NULL)
		for (i = 0; i < 2; i++)
			if (strcmp(tok, tokens[i]) == 0)
				k = (int)i;
	if (memchr(req.detail, '\0', sizeof(req.detail)) == NULL)
		abort();
	if (rc == 0) {
		if (k < 0 || db_asked || req.account_id != 100 + k ||
		    req.roles != token_roles[k] ||
		    (level == AUTH_LABELER &&
			!(req.roles & ACCOUNT_ROLE_LABELER)) ||
		    (level == AUTH_REQUESTER &&
			!(req.roles & ACCOUNT_ROLE_REQUESTER)))
			abort();
	} else if (rc == LC_ERR_DB) {
		if (!db_asked || k >= 0 || tok == NULL ||
		    auth_token_digest(tok, d) != 0)
			abort();
	} else if (rc == LC_ERR_FORBIDDEN) {
		if (k < 0 || level == AUTH_SESSION)
			abort();
	} else if (rc != LC_ERR_UNAUTHORIZED || k >= 0)
		abort();
	free(h);
	return 0;
}
