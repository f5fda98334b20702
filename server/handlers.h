/*
 * server/handlers.h — every route handler, grouped by file.
 */
#ifndef LC_HANDLERS_H
#define LC_HANDLERS_H

#include <stdint.h>

#include "server/http.h"

/* health.c: liveness, readiness, Prometheus metrics */
int h_healthz(struct http_req *req, struct http_resp *resp);
int h_readyz(struct http_req *req, struct http_resp *resp);
int h_metrics(struct http_req *req, struct http_resp *resp);

/* h_account.c: sign-in and the caller's account */
int h_auth_challenge(struct http_req *req, struct http_resp *resp);
int h_auth_login(struct http_req *req, struct http_resp *resp);
int h_auth_logout(struct http_req *req, struct http_resp *resp);
int h_me(struct http_req *req, struct http_resp *resp);
int h_me_ledger(struct http_req *req, struct http_resp *resp);
int h_me_reputation(struct http_req *req, struct http_resp *resp);
int h_me_stake(struct http_req *req, struct http_resp *resp);
int h_me_unstake(struct http_req *req, struct http_resp *resp);
/* Helpers shared by the h_*.c files. */
int h_param_id(struct http_req *req, int i, int64_t *out);
int h_reply(struct http_req *req, struct http_resp *resp, int rc, int status,
    cJSON *out);

/* h_project.c */
int h_project_create(struct http_req *req, struct http_resp *resp);
int h_project_list(struct http_req *req, struct http_resp *resp);
int h_project_get(struct http_req *req, struct http_resp *resp);
int h_project_edit(struct http_req *req, struct http_resp *resp);
int h_project_fund(struct http_req *req, struct http_resp *resp);
int h_project_pause(struct http_req *req, struct http_resp *resp);
int h_project_resume(struct http_req *req, struct http_resp *resp);
int h_project_close(struct http_req *req, struct http_resp *resp);
int h_project_reestimate(struct http_req *req, struct http_resp *resp);

/* h_market.c */
int h_task_upload(struct http_req *req, struct http_resp *resp);
int h_project_labels(struct http_req *req, struct http_resp *resp);
int h_assignment_claim(struct http_req *req, struct http_resp *resp);
int h_assignment_vote(struct http_req *req, struct http_resp *resp);
int h_assignment_skip(struct http_req *req, struct http_resp *resp);

/* h_anchor.c: label proofs, anchors, consistency proofs */
int h_task_proof(struct http_req *req, struct http_resp *resp);
int h_anchors_list(struct http_req *req, struct http_resp *resp);
int h_anchors_consistency(struct http_req *req, struct http_resp *resp);

#endif
