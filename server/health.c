/*
 * server/health.c — /healthz (the process answers), /readyz (the database
 * answers and its schema is the one this binary expects) and /metrics.
 */
#include <stdio.h>
#include <stdlib.h>

#include "labeling/db.h"
#include "labeling/lc_err.h"
#include "labeling/migrate.h"
#include "server/handlers.h"
#include "server/metrics.h"
#include "server/server.h"

int
h_healthz(struct http_req *req, struct http_resp *resp)
{
	return http_reply_text(resp, 200, "application/json",
	    "{\"status\":\"ok\"}");
}

int
h_readyz(struct http_req *req, struct http_resp *resp)
{
	struct server *srv = req->srv;
	struct db     *db = NULL;
	cJSON	      *out, *checks;
	char	       mig[64];
	int	       ready = 0, pending = 0, changed = 0, unknown = 0;
	int	       db_up = 0, shutting;

	shutting = atomic_load(&srv->shutting_down);
	if (db_pool_acquire(srv->pool, 1000, &db) == 0) {
		req->db = db; /* released when the request ends */
		if (db_exec(db, "core_ping", 0, NULL, NULL) == 0) {
			db_up = 1;
			if (migrate_check(db, &srv->migrations, &pending,
				&changed, &unknown) != 0)
				db_up = 0;
		}
	}
	if (!db_up)
		snprintf(mig, sizeof(mig), "unknown");
	else if (changed > 0)
		snprintf(mig, sizeof(mig), "changed %d", changed);
	else if (pending > 0)
		snprintf(mig, sizeof(mig), "pending %d", pending);
	else
		snprintf(mig, sizeof(mig), "current");
	ready = db_up && pending == 0 && changed == 0 && !shutting;
	if ((out = cJSON_CreateObject()) == NULL)
		return LC_ERR_NOMEM;
	cJSON_AddStringToObject(out, "status", ready ? "ready" : "not_ready");
	checks = cJSON_AddObjectToObject(out, "checks");
	if (checks != NULL) {
		cJSON_AddStringToObject(checks, "database",
		    db_up ? "ok" : "unreachable");
		cJSON_AddStringToObject(checks, "migrations", mig);
		cJSON_AddStringToObject(checks, "shutdown",
		    shutting ? "in progress" : "no");
	}
	return http_reply_json(resp, ready ? 200 : 503, out);
}

int
h_metrics(struct http_req *req, struct http_resp *resp)
{
	struct metrics_buf b;
	int		   rc;

	if ((rc = metrics_render(req->srv, &b)) != 0)
		return rc;
	http_reply_owned(resp, 200, "text/plain; version=0.0.4; charset=utf-8",
	    b.data, b.len);
	return 0;
}
