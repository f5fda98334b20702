/*
 * labeling/vote.c — signed votes and the per-vote posterior (vote.h).
 *
 * Lock order: the assignment, the project (FOR SHARE: a close waits for
 * votes in flight and the other way round), then the task (FOR UPDATE:
 * votes on one task serialise), then, when it finalizes, the voters' stake
 * rows in account order and the log head.  The task keeps its running log
 * scores (reputation/posterior.h) so a vote costs O(K), not a recount.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "labeling/auth.h"
#include "labeling/db.h"
#include "labeling/finalize.h"
#include "labeling/lc_err.h"
#include "labeling/ledger.h"
#include "labeling/limits.h"
#include "labeling/market.h"
#include "labeling/vote.h"
#include "reputation/reputation.h"

const struct db_stmt vote_stmts[] = {
	{ "vote_assignment_lock",
	    "SELECT a.task_id, a.project_id, a.account_id, a.status,"
	    " a.expires_at > now(), acc.public_key"
	    " FROM assignments a JOIN accounts acc ON acc.id = a.account_id"
	    " WHERE a.id = $1 FOR UPDATE OF a" },
	{ "vote_project",
	    "SELECT status, array_to_json(labels)::text, reward_per_task,"
	    " min_votes, max_votes, confidence FROM projects WHERE id = $1"
	    " FOR SHARE" },
	{ "vote_task_lock",
	    "SELECT status, n_votes, array_to_json(scores)::text, gold_label,"
	    " data_sha256 FROM tasks WHERE id = $1 FOR UPDATE" },
	{ "vote_voter",
	    "SELECT (SELECT balance FROM ledger_accounts WHERE key = 'a/' || $1"
	    " || '/stake'), (SELECT alpha FROM reputations WHERE account_id ="
	    " $1::bigint AND project_id = $2::bigint), (SELECT beta FROM"
	    " reputations WHERE account_id = $1::bigint AND project_id ="
	    " $2::bigint)" },
	{ "vote_insert",
	    "INSERT INTO votes (project_id, task_id, assignment_id, account_id,"
	    " label, public_key, signature, weight)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)" },
	{ "vote_assignment_done",
	    "UPDATE assignments SET status = 'voted' WHERE id = $1" },
	{ "vote_task_update",
	    "UPDATE tasks SET n_votes = $2,"
	    " scores = ARRAY(SELECT jsonb_array_elements_text($3::jsonb))::float8[]"
	    " WHERE id = $1" },
	{ NULL, NULL }
};

int
vote_message(int64_t assignment_id, int64_t task_id, const char *label,
    char *buf, size_t len)
{
	int n;

	n = snprintf(buf, len,
	    "labelchain:vote:v1\n%" PRId64 "\n%" PRId64 "\n%s", assignment_id,
	    task_id, label);
	return n < 0 || (size_t)n >= len ? -1 : n;
}

struct vote_arg {
	int64_t		    account_id;
	int64_t		    assignment_id;
	const char	   *label;
	const char	   *signature;
	struct vote_result *out;
	char		   *detail;
};

/* Load a JSON array of numbers or strings into doubles / strings. */
static int
vote_load_labels(const char *json, cJSON **root, const char **labels, int *n)
{
	const cJSON *l;

	*n = 0;
	if ((*root = cJSON_Parse(json)) == NULL)
		return LC_ERR_NOMEM;
	cJSON_ArrayForEach(l, *root)
	{
		if (*n == LC_MAX_LABELS || !cJSON_IsString(l))
			return LC_ERR_INTERNAL;
		labels[(*n)++] = l->valuestring;
	}
	return 0;
}

static int
vote_load_scores(const char *json, double *scores, int n)
{
	const cJSON *s;
	cJSON	    *root;
	int	     i = 0;

	if ((root = cJSON_Parse(json)) == NULL)
		return LC_ERR_NOMEM;
	cJSON_ArrayForEach(s, root)
	{
		if (i == n || !cJSON_IsNumber(s))
			break;
		scores[i++] = s->valuedouble;
	}
	cJSON_Delete(root);
	return i == n ? 0 : LC_ERR_INTERNAL;
}

static char *
vote_scores_json(const double *scores, int n)
{
	cJSON *arr;
	char  *text;

	if ((arr = cJSON_CreateDoubleArray(scores, n)) == NULL)
		return NULL;
	text = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	return text;
}

static int
vote_body(struct db *db, void *arg)
{
	struct vote_arg	    *a = arg;
	struct finalize_task ft;
	struct rep_params    rp;
	struct rep_voter     voter;
	PGresult	    *as = NULL, *pr = NULL, *tk = NULL, *vo = NULL;
	cJSON		    *labels_root = NULL;
	const char	    *labels[LC_MAX_LABELS];
	const char	    *params[8];
	char		     msg[64 + LC_MAX_LABEL_BYTES];
	char		     s1[24], s2[24], s3[24], s4[24], s5[24], w[32];
	char		    *scores_text = NULL;
	double		     scores[LC_MAX_LABELS], post[LC_MAX_LABELS];
	double		     weight;
	int64_t		     task_id, project_id;
	int		     rc, n_labels, label, n_votes, mlen, gold;

	memset(a->out, 0, sizeof(*a->out));
	params[0] = market_i64(s1, a->assignment_id);
	if ((rc = db_exec(db, "vote_assignment_lock", 1, params, &as)) != 0)
		goto out;
	if (PQntuples(as) != 1) {
		rc = market_fail(a->detail, LC_ERR_NOT_FOUND,
		    "no assignment %" PRId64, a->assignment_id);
		goto out;
	}
	if (db_int64(as, 0, 2) != a->account_id) {
		rc = market_fail(a->detail, LC_ERR_FORBIDDEN,
		    "assignment %" PRId64 " belongs to another labeler",
		    a->assignment_id);
		goto out;
	}
	if (strcmp(db_text(as, 0, 3), "voted") == 0) {
		rc = market_fail(a->detail, LC_ERR_CONFLICT,
		    "assignment %" PRId64 " already has a vote",
		    a->assignment_id);
		goto out;
	}
	if (strcmp(db_text(as, 0, 3), "active") != 0) {
		rc = market_fail(a->detail, LC_ERR_STATE,
		    "assignment %" PRId64 " is %s", a->assignment_id,
		    db_text(as, 0, 3));
		goto out;
	}
	if (!db_bool(as, 0, 4)) {
		rc = market_fail(a->detail, LC_ERR_EXPIRED,
		    "the lease of assignment %" PRId64 " has expired",
		    a->assignment_id);
		goto out;
	}
	if (db_text(as, 0, 5) == NULL) {
		rc = market_fail(a->detail, LC_ERR_FORBIDDEN,
		    "this account has no signing key");
		goto out;
	}
	task_id = db_int64(as, 0, 0);
	project_id = db_int64(as, 0, 1);

	params[0] = market_i64(s2, project_id);
	if ((rc = db_exec(db, "vote_project", 1, params, &pr)) != 0)
		goto out;
	if (strcmp(db_text(pr, 0, 0), "closed") == 0) {
		rc = market_fail(a->detail, LC_ERR_STATE,
		    "the project is closed");
		goto out;
	}
	if ((rc = vote_load_labels(db_text(pr, 0, 1), &labels_root, labels,
		 &n_labels)) != 0)
		goto out;
	for (label = 0; label < n_labels; label++)
		if (strcmp(labels[label], a->label) == 0)
			break;
	if (label == n_labels) {
		rc = market_fail(a->detail, LC_ERR_VALIDATION,
		    "\"%.64s\" is not a label of this project", a->label);
		goto out;
	}
	mlen =
	    vote_message(a->assignment_id, task_id, a->label, msg, sizeof(msg));
	if (mlen < 0 ||
	    auth_verify_hex(db_text(as, 0, 5), a->signature, msg,
		(size_t)mlen) != 0) {
		rc = market_fail(a->detail, LC_ERR_BAD_VOTE_SIGNATURE,
		    "the signature does not verify: sign \"labelchain:vote:v1"
		    "\\n%" PRId64 "\\n%" PRId64 "\\n<label>\" with your key",
		    a->assignment_id, task_id);
		goto out;
	}

	params[0] = market_i64(s3, task_id);
	if ((rc = db_exec(db, "vote_task_lock", 1, params, &tk)) != 0)
		goto out;
	if (strcmp(db_text(tk, 0, 0), "open") != 0) {
		rc = market_fail(a->detail, LC_ERR_STATE,
		    "task %" PRId64 " is already final", task_id);
		goto out;
	}
	n_votes = (int)db_int64(tk, 0, 1);
	if ((rc = vote_load_scores(db_text(tk, 0, 2), scores, n_labels)) != 0)
		goto out;
	gold = db_text(tk, 0, 3) != NULL ? (int)db_int64(tk, 0, 3) : -1;

	/* The vote's weight from the voter's standing in this project. */
	rep_params_default(&rp);
	rp.min_votes = (int)db_int64(pr, 0, 3);
	rp.max_votes = (int)db_int64(pr, 0, 4);
	rp.confidence = db_double(pr, 0, 5);
	params[0] = market_i64(s4, a->account_id);
	params[1] = s2;
	if ((rc = db_exec(db, "vote_voter", 2, params, &vo)) != 0)
		goto out;
	rep_voter_init(&voter, db_int64(vo, 0, 0), &rp);
	if (db_text(vo, 0, 1) != NULL) {
		voter.alpha = db_double(vo, 0, 1);
		voter.beta = db_double(vo, 0, 2);
	}
	weight = rep_vote_weight(&voter, n_labels, &rp);

	params[0] = s2;
	params[1] = s3;
	params[2] = s1;
	params[3] = s4;
	params[4] = market_i64(s5, label);
	params[5] = db_text(as, 0, 5);
	params[6] = a->signature;
	params[7] = market_f64(w, weight);
	if ((rc = db_exec(db, "vote_insert", 8, params, NULL)) != 0) {
		if (rc == LC_ERR_CONFLICT)
			market_fail(a->detail, rc,
			    "you already voted on task %" PRId64, task_id);
		goto out;
	}
	params[0] = s1;
	if ((rc = db_exec(db, "vote_assignment_done", 1, params, NULL)) != 0)
		goto out;
	if ((rc = rep_score_add(scores, n_labels, label, weight)) != 0)
		goto out;
	n_votes++;
	rc = LC_ERR_NOMEM;
	if ((scores_text = vote_scores_json(scores, n_labels)) == NULL)
		goto out;
	params[0] = s3;
	params[1] = market_i64(s5, n_votes);
	params[2] = scores_text;
	if ((rc = db_exec(db, "vote_task_update", 3, params, NULL)) != 0)
		goto out;

	memset(&ft, 0, sizeof(ft));
	if ((rc = rep_score_posterior(scores, n_labels, post)) != 0 ||
	    (rc = rep_finalize_decide(post, n_labels, n_votes, &rp,
		 &ft.decision)) != 0)
		goto out;
	a->out->task_id = task_id;
	a->out->n_votes = n_votes;
	if (ft.decision.state == REP_TASK_OPEN)
		goto out;
	ft.task_id = task_id;
	ft.project_id = project_id;
	ft.n_labels = n_labels;
	ft.labels = labels;
	ft.gold_label = gold;
	ft.data_sha256 = db_text(tk, 0, 4);
	ft.reward_per_task = db_int64(pr, 0, 2);
	ft.post = post;
	ft.params = &rp;
	if ((rc = finalize_task(db, &ft)) != 0)
		goto out;
	a->out->final = 1;
out:
	cJSON_free(scores_text);
	cJSON_Delete(labels_root);
	PQclear(vo);
	PQclear(tk);
	PQclear(pr);
	PQclear(as);
	return rc;
}

int
vote_submit(struct db *db, int64_t account_id, int64_t assignment_id,
    const char *label, const char *signature, struct vote_result *out,
    char *detail)
{
	struct vote_arg a = { account_id, assignment_id, label, signature, out,
		detail };

	if (label == NULL || label[0] == '\0' ||
	    strlen(label) > LC_MAX_LABEL_BYTES)
		return market_fail(detail, LC_ERR_VALIDATION,
		    "label must be one of the project's labels");
	if (!market_is_hex(signature, 128))
		return market_fail(detail, LC_ERR_VALIDATION,
		    "signature must be 128 lower-case hex digits");
	return db_tx(db, vote_body, &a);
}
