/*
 * server/handlers.h — every route handler, grouped by file.
 */
#ifndef LC_HANDLERS_H
#define LC_HANDLERS_H

#include "server/http.h"

/* health.c: liveness, readiness, Prometheus metrics */
int h_healthz(struct http_req *req, struct http_resp *resp);
int h_readyz(struct http_req *req, struct http_resp *resp);
int h_metrics(struct http_req *req, struct http_resp *resp);

#endif
