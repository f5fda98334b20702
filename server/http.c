/*
 * server/http.c — libmicrohttpd glue: request lifecycle, routing, bodies,
 * problem+json, static files, access log and metrics.  See http.h.
 *
 * Lifecycle (libmicrohttpd 0.9.75, internal epoll thread pool):
 *   1st call    allocate the request, match the route, then admit it from
 *               its headers alone (http_admit): a rate token of the client
 *               address (edge.h), authentication, a rate token of the
 *               account, Content-Length, an upload slot, the body's
 *               deadline;
 *   next calls  append upload data, refusing it (413) once past the limit;
 *   last call   (upload_data_size == 0) run the handler, give the database
 *               connection back, queue the response.
 * A request refused at admission that has a body coming is answered at
 * once, before a byte of the body is read (libmicrohttpd then closes the
 * connection); one without a body is answered on the next call, because
 * queuing on a later call than the first keeps keep-alive connections open.
 * The completed-callback logs the request, counts it and frees its state.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#include "labeling/db.h"
#include "labeling/lc_err.h"
#include "labeling/limits.h"
#include "labeling/log.h"
#include "labeling/market.h"
#include "server/edge.h"
#include "server/http.h"
#include "server/metrics.h"
#include "server/routes.h"
#include "server/server.h"

#if MHD_VERSION < 0x00097002
typedef int MHD_RESULT;
#else
typedef enum MHD_Result MHD_RESULT;
#endif

struct http_ctx {
	struct http_req req;
	struct timespec start;
	size_t		limit;
	size_t		body_cap;
	int		status;	   /* of the queued response */
	int		early;	   /* response already queued */
	int		too_large; /* body passed the limit */
	size_t		discarded; /* bytes of body received in all */
	int		path_known;
	char		allow[64];
	size_t		resp_bytes;
	int		refused;     /* admission's answer, for the next call */
	int		upload_slot; /* holds an edge_upload_begin() slot */
	int64_t		body_start_us; /* admitted, body to come */
	uint64_t	received;      /* bytes of body so far */
};

static double
http_elapsed(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) +
	    (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

const char *
http_header(struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *
http_query(struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND,
	    name);
}

int
http_req_db(struct http_req *req, struct db **out)
{
	int rc;

	if (req->db == NULL) {
		rc = db_pool_acquire(req->srv->pool, 5000, &req->db);
		if (rc != 0)
			return http_fail(req, rc, "no database connection");
	}
	*out = req->db;
	return 0;
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
http_json_body(struct http_req *req, cJSON **out)
{
	const char *type;
	cJSON	   *json;

	*out = NULL;
	type = http_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (type == NULL || strncasecmp(type, "application/json", 16) != 0 ||
	    (type[16] != '\0' && type[16] != ';' && type[16] != ' '))
		return http_fail(req, LC_ERR_MEDIA_TYPE,
		    "Content-Type must be application/json");
	if (req->body == NULL || req->body_len == 0)
		return http_fail(req, LC_ERR_BAD_JSON, "the body is empty");
	if (strlen(req->body) != req->body_len)
		return http_fail(req, LC_ERR_BAD_JSON,
		    "the body contains a NUL byte");
	if (market_json_parse(req->body, req->body_len, &json, req->detail) !=
	    0)
		return LC_ERR_BAD_JSON;
	if (!cJSON_IsObject(json)) {
		cJSON_Delete(json);
		return http_fail(req, LC_ERR_BAD_JSON,
		    "the body must be a JSON object");
	}
	*out = json;
	return 0;
}

void
http_reply_owned(struct http_resp *resp, int status, const char *type,
    char *body, size_t len)
{
	free(resp->body);
	resp->status = status;
	resp->content_type = type;
	resp->body = body;
	resp->len = len;
}

int
http_reply_json(struct http_resp *resp, int status, cJSON *json)
{
	char *text;

	text = json ? cJSON_PrintUnformatted(json) : NULL;
	cJSON_Delete(json);
	if (text == NULL)
		return LC_ERR_NOMEM;
	http_reply_owned(resp, status, "application/json", text, strlen(text));
	return 0;
}

int
http_reply_text(struct http_resp *resp, int status, const char *type,
    const char *text)
{
	char *copy;

	if ((copy = strdup(text)) == NULL)
		return LC_ERR_NOMEM;
	http_reply_owned(resp, status, type, copy, strlen(copy));
	return 0;
}

int
http_add_header(struct http_resp *resp, const char *name, const char *value)
{
	if (resp->nheaders == HTTP_MAX_RESP_HEADERS)
		return LC_ERR_INTERNAL;
	if ((resp->header_values[resp->nheaders] = strdup(value)) == NULL)
		return LC_ERR_NOMEM;
	resp->headers[resp->nheaders][0] = name;
	resp->nheaders++;
	return 0;
}

void
http_problem(struct http_resp *resp, int code, const char *detail,
    const char *instance, const char *request_id)
{
	const struct lc_err_info *e = lc_err_info(code);
	cJSON			 *p;
	char			  type[96];
	char			 *text;

	snprintf(type, sizeof(type), "urn:labelchain:problem:%s", e->type);
	p = cJSON_CreateObject();
	if (p != NULL) {
		cJSON_AddStringToObject(p, "type", type);
		cJSON_AddStringToObject(p, "title", e->title);
		cJSON_AddNumberToObject(p, "status", e->http_status);
		if (detail != NULL && detail[0] != '\0')
			cJSON_AddStringToObject(p, "detail", detail);
		if (instance != NULL)
			cJSON_AddStringToObject(p, "instance", instance);
		if (request_id != NULL)
			cJSON_AddStringToObject(p, "request_id", request_id);
	}
	text = p ? cJSON_PrintUnformatted(p) : NULL;
	cJSON_Delete(p);
	if (text == NULL) {
		/* Out of memory: a static body still says what happened. */
		http_reply_owned(resp, e->http_status,
		    "application/problem+json", NULL, 0);
		return;
	}
	http_reply_owned(resp, e->http_status, "application/problem+json", text,
	    strlen(text));
}

static void
http_resp_clear(struct http_resp *resp)
{
	int i;

	free(resp->body);
	for (i = 0; i < resp->nheaders; i++)
		free(resp->header_values[i]);
	memset(resp, 0, sizeof(*resp));
}

/* Hand `resp` to libmicrohttpd; frees what resp owns. */
static MHD_RESULT
http_queue(struct http_ctx *ctx, struct http_resp *resp)
{
	struct MHD_Response *r;
	MHD_RESULT	     ret;
	int		     i;

	r = MHD_create_response_from_buffer(resp->len, resp->body,
	    resp->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (r == NULL) {
		http_resp_clear(resp);
		return MHD_NO;
	}
	resp->body = NULL; /* now owned by the MHD response */
	if (resp->content_type != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
		    resp->content_type);
	MHD_add_response_header(r, "X-Request-Id", ctx->req.request_id);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	for (i = 0; i < resp->nheaders; i++)
		MHD_add_response_header(r, resp->headers[i][0],
		    resp->header_values[i]);
	ctx->status = resp->status;
	ctx->resp_bytes = resp->len;
	ret = MHD_queue_response(ctx->req.conn, (unsigned)resp->status, r);
	MHD_destroy_response(r);
	http_resp_clear(resp);
	return ret;
}

static MHD_RESULT
http_queue_problem(struct http_ctx *ctx, int code)
{
	struct http_resp resp;

	memset(&resp, 0, sizeof(resp));
	if (code == LC_ERR_DB || code == LC_ERR_INTERNAL ||
	    code == LC_ERR_NOMEM)
		lc_warn("event=request_failed code=%s detail=\"%s\"",
		    lc_err_info(code)->symbol, ctx->req.detail);
	http_problem(&resp, code, ctx->req.detail, ctx->req.path,
	    ctx->req.request_id);
	if (code == LC_ERR_METHOD && ctx->allow[0] != '\0')
		http_add_header(&resp, MHD_HTTP_HEADER_ALLOW, ctx->allow);
	if (code == LC_ERR_UNAUTHORIZED)
		http_add_header(&resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		    "Bearer");
	if (ctx->req.retry_after_s > 0) {
		char secs[16];

		snprintf(secs, sizeof(secs), "%d", ctx->req.retry_after_s);
		http_add_header(&resp, MHD_HTTP_HEADER_RETRY_AFTER, secs);
	}
	return http_queue(ctx, &resp);
}

/* ---- static files from web/ ---------------------------------------- */

static const struct {
	const char *ext, *type;
} http_mime[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".mjs", "text/javascript; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".json", "application/json" },
	{ ".yaml", "application/yaml" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".ico", "image/x-icon" },
	{ ".txt", "text/plain; charset=utf-8" },
	{ ".woff2", "font/woff2" },
};

static const char *
http_mime_type(const char *path)
{
	const char *dot = strrchr(path, '.');
	size_t	    i;

	if (dot != NULL)
		for (i = 0; i < sizeof(http_mime) / sizeof(http_mime[0]); i++)
			if (strcasecmp(dot, http_mime[i].ext) == 0)
				return http_mime[i].type;
	return "application/octet-stream";
}

/* Reject anything but plain relative segments: no "..", no "//", no "\". */
static int
http_static_path_ok(const char *path)
{
	const char *p;

	if (path[0] != '/' || strstr(path, "//") != NULL ||
	    strchr(path, '\\') != NULL)
		return 0;
	for (p = path; (p = strstr(p, "/.")) != NULL; p++)
		return 0; /* no dot-files, no "..": web/ has neither */
	return 1;
}

static MHD_RESULT
http_serve_static(struct http_ctx *ctx)
{
	struct server	    *srv = ctx->req.srv;
	struct MHD_Response *r;
	struct stat	     st;
	char		     file[PATH_MAX];
	const char	    *path = ctx->req.path;
	MHD_RESULT	     ret;
	int		     fd = -1;

	if (srv->web_root_real == NULL || !http_static_path_ok(path))
		goto notfound;
	if (strcmp(path, "/") == 0)
		path = "/index.html";
	if (snprintf(file, sizeof(file), "%s%s", srv->web_root_real, path) >=
	    (int)sizeof(file))
		goto notfound;
	fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		goto notfound;
	r = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
	if (r == NULL)
		goto notfound;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    http_mime_type(path));
	MHD_add_response_header(r, "X-Request-Id", ctx->req.request_id);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "Content-Security-Policy",
	    "default-src 'self'; img-src 'self' data: blob: http: https:; "
	    "connect-src 'self' http: https:; frame-ancestors 'none'; "
	    "base-uri 'none'; form-action 'self'");
	ctx->status = 200;
	ctx->resp_bytes = (size_t)st.st_size;
	ret = MHD_queue_response(ctx->req.conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r); /* the response owns fd now */
	return ret;
notfound:
	if (fd >= 0)
		close(fd);
	return http_queue_problem(ctx,
	    http_fail(&ctx->req, LC_ERR_NOT_FOUND, "no such resource"));
}

/* ---- the access handler --------------------------------------------- */

static void
http_request_id(struct http_ctx *ctx)
{
	const char   *given;
	unsigned char rnd[16];
	size_t	      i, n;

	given = MHD_lookup_connection_value(ctx->req.conn, MHD_HEADER_KIND,
	    "X-Request-Id");
	if (given != NULL && (n = strlen(given)) > 0 &&
	    n < sizeof(ctx->req.request_id)) {
		for (i = 0; i < n; i++)
			if (!((given[i] >= 'a' && given[i] <= 'z') ||
				(given[i] >= 'A' && given[i] <= 'Z') ||
				(given[i] >= '0' && given[i] <= '9') ||
				given[i] == '-' || given[i] == '_'))
				break;
		if (i == n) {
			memcpy(ctx->req.request_id, given, n + 1);
			return;
		}
	}
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(ctx->req.request_id, sizeof(ctx->req.request_id), rnd,
	    sizeof(rnd));
}

static void
http_req_db_release(struct http_req *req)
{
	if (req->db != NULL) {
		db_pool_release(req->srv->pool, req->db);
		req->db = NULL;
	}
}

/* The connection's deadline record (NULL when it has none, or closed). */
static struct edge_conn *
http_edge_conn(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci;

	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci != NULL ? ci->socket_context : NULL;
}

static int
http_client_address(struct MHD_Connection *conn, struct netaddr *out)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr	       *sa;

	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || (sa = ci->client_addr) == NULL)
		return -1;
	return netaddr_from_sockaddr(sa,
	    sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
				      : sizeof(struct sockaddr_in),
	    out);
}

/*
 * Admit a request from its headers, before its body: authentication (401,
 * 403), the rate of its class (429), its declared length (413), a slot for
 * a large upload (429).  Sets *body when a body is coming.  Returns 0 or
 * the code to answer with.
 */
static int
http_admit(struct http_ctx *ctx, int *body)
{
	struct http_req	   *req = &ctx->req;
	struct server	   *srv = req->srv;
	const struct route *rt = req->route >= 0 ? &routes[req->route] : NULL;
	const char	   *clen, *te;
	char		   *end;
	unsigned long long  declared = 0;
	struct netaddr	    addr;
	int64_t		    now;
	int		    rc, has_len = 0, limited;

	clen = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	te = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_TRANSFER_ENCODING);
	if (clen != NULL) {
		errno = 0;
		declared = strtoull(clen, &end, 10);
		has_len = errno == 0 && *end == '\0' && end != clen;
	}
	*body = te != NULL || (has_len && declared > 0);
	now = edge_now_us();
	limited = rt != NULL && rt->limit != EDGE_OPEN && srv->edge != NULL;
	/* The address's bucket first: a flood of bad tokens is refused
	 * before it costs a token lookup. */
	if (limited && http_client_address(req->conn, &addr) == 0 &&
	    (rc = edge_rate_take(srv->edge, rt->limit, &addr, 0, now,
		 &req->retry_after_s)) != 0)
		return http_fail(req, rc,
		    "too many requests of this kind from this address; retry "
		    "in %d s",
		    req->retry_after_s);
	if (rt != NULL && rt->auth != AUTH_NONE &&
	    (rc = route_authenticate(req, rt->auth)) != 0)
		return rc;
	if (limited && req->account_id > 0 &&
	    (rc = edge_rate_take(srv->edge, rt->limit, NULL, req->account_id,
		 now, &req->retry_after_s)) != 0)
		return http_fail(req, rc,
		    "too many requests of this kind from this account; retry "
		    "in %d s",
		    req->retry_after_s);
	if (has_len && declared > ctx->limit)
		return http_fail(req, LC_ERR_TOO_LARGE,
		    "the body may hold at most %zu bytes", ctx->limit);
	if (!*body) {
		if (srv->edge != NULL)
			edge_conn_deadline(http_edge_conn(req->conn), 0);
		return 0;
	}
	/* No database connection held while the body trickles in. */
	http_req_db_release(req);
	if (ctx->limit > LC_MAX_JSON_BODY_BYTES && srv->edge != NULL &&
	    (!has_len || declared > LC_MAX_JSON_BODY_BYTES)) {
		if (edge_upload_begin(srv->edge) != 0) {
			req->retry_after_s = 1;
			return http_fail(req, LC_ERR_RATE_LIMIT,
			    "too many large uploads in progress; retry in "
			    "1 s");
		}
		ctx->upload_slot = 1;
	}
	ctx->body_start_us = now;
	if (srv->edge != NULL)
		edge_conn_deadline(http_edge_conn(req->conn),
		    edge_body_deadline(srv->edge, now, 0));
	return 0;
}

static MHD_RESULT
http_dispatch(struct http_ctx *ctx)
{
	struct http_req	   *req = &ctx->req;
	const struct route *rt;
	struct http_resp    resp;
	int		    rc;

	if (req->route < 0) {
		if (ctx->path_known)
			return http_queue_problem(ctx,
			    http_fail(req, LC_ERR_METHOD,
				"%s is not allowed here; use %s", req->method,
				ctx->allow));
		if ((strcmp(req->method, "GET") == 0 ||
			strcmp(req->method, "HEAD") == 0) &&
		    strncmp(req->path, "/v1/", 4) != 0 &&
		    strcmp(req->path, "/v1") != 0)
			return http_serve_static(ctx);
		return http_queue_problem(ctx,
		    http_fail(req, LC_ERR_NOT_FOUND, "no route for %s %s",
			req->method, req->path));
	}
	rt = &routes[req->route];
	memset(&resp, 0, sizeof(resp));
	rc = rt->handler(req, &resp);
	/* The answer is in memory: a slow reader must not hold the pool. */
	http_req_db_release(req);
	if (rc != 0) {
		http_resp_clear(&resp);
		return http_queue_problem(ctx, rc);
	}
	return http_queue(ctx, &resp);
}

static MHD_RESULT
http_access(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct server	*srv = cls;
	struct http_ctx *ctx = *con_cls;
	char		*nb;
	size_t		 need, cap;
	MHD_RESULT	 ret;
	int		 body;

	if (ctx == NULL) {
		if ((ctx = calloc(1, sizeof(*ctx))) == NULL)
			return MHD_NO;
		*con_cls = ctx;
		atomic_fetch_add(&srv->in_flight, 1);
		clock_gettime(CLOCK_MONOTONIC, &ctx->start);
		ctx->req.srv = srv;
		ctx->req.conn = conn;
		ctx->req.method = method;
		ctx->req.path = url;
		ctx->req.route = -1;
		http_request_id(ctx);
		lc_log_set_request_id(ctx->req.request_id);
		if (strlen(url) > LC_MAX_URL_BYTES) {
			ctx->early = 1;
			ctx->req.path = "(too long)";
			ret = http_queue_problem(ctx,
			    http_fail(&ctx->req, LC_ERR_BAD_REQUEST,
				"the URL is longer than %u "
				"bytes",
				LC_MAX_URL_BYTES));
			lc_log_set_request_id(NULL);
			return ret;
		}
		ctx->req.route = route_find(method, url, &ctx->req,
		    &ctx->path_known, ctx->allow, sizeof(ctx->allow));
		ctx->limit = LC_MAX_JSON_BODY_BYTES;
		if (ctx->req.route >= 0 && routes[ctx->req.route].max_body)
			ctx->limit = routes[ctx->req.route].max_body;
		if ((ctx->refused = http_admit(ctx, &body)) != 0)
			http_req_db_release(&ctx->req);
		if (ctx->refused != 0 && body) {
			/* Refuse before reading: MHD drops the body. */
			ctx->early = 1;
			ret = http_queue_problem(ctx, ctx->refused);
			lc_log_set_request_id(NULL);
			return ret;
		}
		lc_log_set_request_id(NULL);
		return MHD_YES;
	}
	if (ctx->early) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	lc_log_set_request_id(ctx->req.request_id);
	if (*upload_data_size != 0) {
		/* A body must keep up its minimum rate (edge.h). */
		ctx->received += *upload_data_size;
		if (srv->edge != NULL)
			edge_conn_deadline(http_edge_conn(conn),
			    edge_body_deadline(srv->edge, ctx->body_start_us,
				ctx->received));
	}
	if (*upload_data_size != 0 && ctx->refused) {
		*upload_data_size = 0; /* refused already: not kept */
		lc_log_set_request_id(NULL);
		return MHD_YES;
	}
	if (*upload_data_size != 0 && ctx->too_large) {
		/*
		 * Past the limit: drop what arrives and answer 413 at the end,
		 * because closing on unread data makes TCP reset the
		 * connection and the client never sees the answer.  A client
		 * that keeps going far past the limit is cut off.
		 */
		ctx->discarded += *upload_data_size;
		*upload_data_size = 0;
		if (ctx->discarded > LC_MAX_BODY_BYTES) {
			ctx->early = 1;
			ret = http_queue_problem(ctx, LC_ERR_TOO_LARGE);
			lc_log_set_request_id(NULL);
			return ret;
		}
		lc_log_set_request_id(NULL);
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		need = ctx->req.body_len + *upload_data_size;
		if (need > ctx->limit) {
			ctx->too_large = 1;
			ctx->discarded = need;
			*upload_data_size = 0;
			free(ctx->req.body);
			ctx->req.body = NULL;
			ctx->req.body_len = ctx->body_cap = 0;
			(void)http_fail(&ctx->req, LC_ERR_TOO_LARGE,
			    "the body may hold at most %zu bytes", ctx->limit);
			lc_log_set_request_id(NULL);
			return MHD_YES;
		}
		if (need + 1 > ctx->body_cap) {
			cap = ctx->body_cap ? ctx->body_cap : 4096;
			while (cap < need + 1)
				cap *= 2;
			if ((nb = realloc(ctx->req.body, cap)) == NULL) {
				lc_log_set_request_id(NULL);
				return MHD_NO;
			}
			ctx->req.body = nb;
			ctx->body_cap = cap;
		}
		memcpy(ctx->req.body + ctx->req.body_len, upload_data,
		    *upload_data_size);
		ctx->req.body_len = need;
		ctx->req.body[need] = '\0';
		*upload_data_size = 0;
		lc_log_set_request_id(NULL);
		return MHD_YES;
	}
	/* The body is complete: no deadline of ours while the handler runs
	 * and the answer is sent (--idle-timeout still applies). */
	edge_conn_deadline(http_edge_conn(conn), 0);
	if (ctx->refused)
		ret = http_queue_problem(ctx, ctx->refused);
	else if (ctx->too_large)
		ret = http_queue_problem(ctx, LC_ERR_TOO_LARGE);
	else
		ret = http_dispatch(ctx);
	ctx->early = 1;
	lc_log_set_request_id(NULL);
	return ret;
}

static void
http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct server	*srv = cls;
	struct http_ctx *ctx = *con_cls;
	double		 secs;

	if (ctx == NULL)
		return;
	secs = http_elapsed(&ctx->start);
	lc_log_set_request_id(ctx->req.request_id);
	lc_info("event=request method=%s path=%s status=%d ms=%.2f bytes=%zu%s",
	    ctx->req.method, ctx->req.path, ctx->status, secs * 1000.0,
	    ctx->resp_bytes,
	    toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted=1");
	metrics_observe(ctx->req.route, ctx->status, secs);
	lc_log_set_request_id(NULL);
	http_req_db_release(&ctx->req);
	if (ctx->upload_slot)
		edge_upload_end(srv->edge);
	/* A keep-alive connection's next headers are due from now. */
	if (srv->edge != NULL)
		edge_conn_deadline(http_edge_conn(conn),
		    edge_header_deadline(srv->edge, edge_now_us()));
	free(ctx->req.body);
	free(ctx);
	*con_cls = NULL;
	atomic_fetch_sub(&srv->in_flight, 1);
}

/* Accept policy: refuse an address past its connection limit. */
static MHD_RESULT
http_accept(void *cls, const struct sockaddr *sa, socklen_t len)
{
	struct server *srv = cls;
	struct netaddr addr;

	if (srv->edge == NULL || netaddr_from_sockaddr(sa, len, &addr) != 0)
		return MHD_YES;
	return edge_conn_admit(srv->edge, &addr) == 0 ? MHD_YES : MHD_NO;
}

static void
http_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
    enum MHD_ConnectionNotificationCode code)
{
	struct server		       *srv = cls;
	const union MHD_ConnectionInfo *ci;
	struct netaddr			addr;

	if (srv->edge == NULL)
		return;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(conn,
		    MHD_CONNECTION_INFO_CONNECTION_FD);
		if (ci != NULL)
			*socket_context =
			    edge_conn_open(srv->edge, ci->connect_fd,
				http_client_address(conn, &addr) == 0 ? &addr
								      : NULL,
				edge_now_us());
		return;
	}
	edge_conn_close(srv->edge, *socket_context);
	*socket_context = NULL;
}

static void
http_edge_metrics(struct metrics_buf *b, void *arg)
{
	struct edge *e = arg;

	metrics_printf(b,
	    "# HELP labelchain_http_cut_off_total Connections cut off past "
	    "their header or body deadline.\n"
	    "# TYPE labelchain_http_cut_off_total counter\n"
	    "labelchain_http_cut_off_total %llu\n"
	    "# HELP labelchain_http_uploads Large task uploads receiving "
	    "their body.\n# TYPE labelchain_http_uploads gauge\n"
	    "labelchain_http_uploads %d\n",
	    (unsigned long long)edge_cut_off(e), edge_uploads(e));
}

/* Room for every connection, the pool and the files we open. */
static void
http_raise_fd_limit(int connections)
{
	struct rlimit rl;
	rlim_t	      want = (rlim_t)connections + 256;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want
	    ? want
	    : rl.rlim_max;
	(void)setrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < want)
		lc_warn("event=fd_limit_low limit=%llu max_connections=%d",
		    (unsigned long long)rl.rlim_cur, connections);
}

static void
http_panic(void *cls, const char *file, unsigned int line, const char *reason)
{
	lc_error("event=mhd_panic file=%s line=%u reason=\"%s\"", file, line,
	    reason ? reason : "");
	abort();
}

int
http_start(struct server *srv)
{
	struct sockaddr_in	    sa;
	const union MHD_DaemonInfo *info;
	unsigned int		    flags;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)srv->cfg.listen_port);
	if (inet_pton(AF_INET, srv->cfg.listen_host, &sa.sin_addr) != 1) {
		lc_error("event=bad_listen_address host=%s",
		    srv->cfg.listen_host);
		return LC_ERR_VALIDATION;
	}
	MHD_set_panic_func(http_panic, NULL);
	http_raise_fd_limit(srv->cfg.max_connections);
	if (srv->edge != NULL)
		metrics_register(http_edge_metrics, srv->edge);
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
	    MHD_USE_TURBO;
	srv->daemon = MHD_start_daemon(flags, 0, http_accept, srv, http_access,
	    srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)srv->cfg.threads,
	    MHD_OPTION_NOTIFY_COMPLETED, http_completed, srv,
	    MHD_OPTION_NOTIFY_CONNECTION, http_connection, srv,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)srv->cfg.max_connections,
	    MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned int)srv->cfg.idle_timeout_s,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)LC_MAX_HEADER_BYTES * 4,
	    MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1,
	    MHD_OPTION_END);
	if (srv->daemon == NULL) {
		lc_error("event=listen_failed address=%s:%d error=\"%s\"",
		    srv->cfg.listen_host, srv->cfg.listen_port,
		    strerror(errno));
		return LC_ERR_INTERNAL;
	}
	info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	if (info != NULL && info->port != 0)
		srv->cfg.listen_port = info->port;
	lc_info("event=listening url=http://%s:%d/ threads=%d",
	    srv->cfg.listen_host, srv->cfg.listen_port, srv->cfg.threads);
	return 0;
}

void
http_stop(struct server *srv)
{
	struct timespec start, pause = { 0, 10 * 1000000L };
	int		left;

	if (srv->daemon == NULL)
		return;
	/* Stop accepting; let requests already inside finish. */
	atomic_store(&srv->shutting_down, 1);
	MHD_quiesce_daemon(srv->daemon);
	clock_gettime(CLOCK_MONOTONIC, &start);
	while ((left = atomic_load(&srv->in_flight)) > 0 &&
	    http_elapsed(&start) < srv->cfg.shutdown_timeout_s)
		nanosleep(&pause, NULL);
	if (left > 0)
		lc_warn("event=shutdown_timeout in_flight=%d", left);
	MHD_stop_daemon(srv->daemon);
	srv->daemon = NULL;
}
