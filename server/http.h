/*
 * server/http.h — the request and response every handler sees.
 *
 * The HTTP layer (http.c) follows libmicrohttpd's request lifecycle: it
 * allocates a `struct http_req` on the first callback, accumulates the body
 * on later ones (refusing it with 413 as soon as it passes the route's
 * limit), calls the route's handler once the body is complete, and frees
 * everything in the completed-callback.  Handlers parse, call one domain
 * function, and render: they return 0 after filling `resp`, or a negative
 * LC_ERR_* code, which http.c turns into problem+json (RFC 9457) using the
 * registry in labeling/lc_err.h and the detail set by http_fail().
 */
#ifndef LC_HTTP_H
#define LC_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "labeling/limits.h"

struct db;
struct server;
struct MHD_Connection;

struct http_req {
	struct server	      *srv;
	struct MHD_Connection *conn;
	const char	      *method;
	const char	      *path;
	char		       request_id[33];
	char		       params[LC_MAX_PATH_PARAMS][128]; /* {x} */
	int		       nparams;
	char		      *body; /* NUL-terminated, owned */
	size_t		       body_len;
	/* Set by authentication (routes with an auth level). */
	int64_t	 account_id;
	unsigned roles;
	/* Lazily acquired by http_req_db(); released when the request ends. */
	struct db *db;
	char	   detail[256];	  /* problem detail, see http_fail */
	int	   retry_after_s; /* > 0: a problem carries Retry-After */
	int	   route;	  /* index in the route table */
};

#define HTTP_MAX_RESP_HEADERS 4

struct http_resp {
	int	    status;
	char	   *body; /* owned, malloc'd; NULL for none */
	size_t	    len;
	const char *content_type;			  /* static string */
	const char *headers[HTTP_MAX_RESP_HEADERS][2];	  /* static */
	char	   *header_values[HTTP_MAX_RESP_HEADERS]; /* owned */
	int	    nheaders;
};

typedef int (*http_handler)(struct http_req *req, struct http_resp *resp);

/* Header and query-string values; NULL when absent. */
const char *http_header(struct http_req *req, const char *name);
const char *http_query(struct http_req *req, const char *name);

/* The request's database connection, acquired on first use. */
int http_req_db(struct http_req *req, struct db **out);

/* Record a problem detail (printf-style) and return `code`. */
int http_fail(struct http_req *req, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Parse the body as a JSON object; on failure set the detail. */
int http_json_body(struct http_req *req, cJSON **out);

/* Responses.  http_reply_json takes ownership of `json` and frees it. */
int http_reply_json(struct http_resp *resp, int status, cJSON *json);
int http_reply_text(struct http_resp *resp, int status, const char *type,
    const char *text);
/* Takes ownership of `body` (malloc'd). */
void http_reply_owned(struct http_resp *resp, int status, const char *type,
    char *body, size_t len);
int
http_add_header(struct http_resp *resp, const char *name, const char *value);

/* Render problem+json for `code` into resp (used by http.c, and tests). */
void http_problem(struct http_resp *resp, int code, const char *detail,
    const char *instance, const char *request_id);

#endif
