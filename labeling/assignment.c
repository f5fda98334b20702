/*
 * labeling/assignment.c — task claims (assignment.h).
 *
 * Candidates are locked with FOR UPDATE SKIP LOCKED, so concurrent claims
 * never wait on each other and never lock the same task.  The live-lease
 * count is then re-read in a new statement while the task row is locked:
 * under READ COMMITTED that statement sees every lease committed by an
 * earlier claimer of the same task, so a slot is never handed out twice.
 * A task whose slots are full is excluded and the search repeats.  A
 * labeler holds at most LC_MAX_LEASES_PER_LABELER live leases per project.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "labeling/assignment.h"
#include "labeling/db.h"
#include "labeling/lc_err.h"
#include "labeling/limits.h"
#include "labeling/ledger.h"
#include "labeling/market.h"

#define CLAIM_ATTEMPTS 8

const struct db_stmt assignment_stmts[] = {
	{ "assignment_project",
	    "SELECT status, min_stake, reward_per_task, gold_rate, min_votes,"
	    " array_to_json(labels)::text, instructions,"
	    " (SELECT balance FROM ledger_accounts WHERE key = 'p/' || p.id ||"
	    " '/escrow'),"
	    " (SELECT balance FROM ledger_accounts WHERE key = 'a/' || $2 ||"
	    " '/stake')"
	    " FROM projects p WHERE id = $1 FOR SHARE" },
	{ "assignment_held",
	    "SELECT a.id, t.id, t.data, " SQL_TS(
		"a.expires_at") " FROM assignments a JOIN tasks t ON t.id = a.task_id"
				" WHERE a.project_id = $1 AND a.account_id = $2"
				" AND a.status = 'active' AND a.expires_at > now()"
				" AND t.status = 'open' ORDER BY a.id" },
	{ "assignment_candidate",
	    "SELECT t.id, t.n_votes FROM tasks t"
	    " WHERE t.project_id = $1 AND t.status = 'open'"
	    " AND ($3::int < 0 OR (t.gold_label IS NOT NULL) = ($3::int = 1))"
	    " AND NOT (t.id = ANY ($4::bigint[]))"
	    " AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.task_id = t.id"
	    " AND a.account_id = $2)"
	    " ORDER BY t.n_votes DESC, t.id LIMIT 1"
	    " FOR UPDATE OF t SKIP LOCKED" },
	{ "assignment_live_leases",
	    "SELECT count(*) FROM assignments WHERE task_id = $1"
	    " AND status = 'active' AND expires_at > now()" },
	{ "assignment_insert",
	    "INSERT INTO assignments (project_id, task_id, account_id,"
	    " expires_at) VALUES ($1, $2, $3,"
	    " now() + make_interval(secs => $4::int))"
	    " RETURNING id, " SQL_TS("expires_at") ", (SELECT data FROM tasks"
						   " WHERE id = $2)" },
	{ "assignment_lock",
	    "SELECT account_id, status FROM assignments WHERE id = $1"
	    " FOR UPDATE" },
	{ "assignment_set_skipped",
	    "UPDATE assignments SET status = 'skipped' WHERE id = $1" },
	{ NULL, NULL }
};

struct claim_arg {
	int64_t account_id;
	int64_t project_id;
	int	lease_s;
	cJSON  *out;
	char   *detail;
};

static cJSON *
claim_render(int64_t assignment_id, int64_t project_id, int64_t task_id,
    const char *data, const char *labels, const char *instructions,
    const char *expires_at)
{
	cJSON *o, *t, *l;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	market_json_i64(o, "assignment_id", assignment_id);
	market_json_i64(o, "project_id", project_id);
	if ((t = cJSON_AddObjectToObject(o, "task")) == NULL)
		goto fail;
	market_json_i64(t, "id", task_id);
	if (cJSON_AddRawToObject(t, "data", data) == NULL)
		goto fail;
	if ((l = cJSON_Parse(labels)) == NULL)
		goto fail;
	cJSON_AddItemToObject(o, "labels", l);
	cJSON_AddStringToObject(o, "instructions", instructions);
	cJSON_AddStringToObject(o, "expires_at", expires_at);
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

/* PostgreSQL array text "{1,2,3}" of ids. */
static void
claim_id_array(char *buf, size_t len, const int64_t *ids, int n)
{
	size_t off;
	int    i;

	off = (size_t)snprintf(buf, len, "{");
	for (i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%" PRId64,
		    i ? "," : "", ids[i]);
	if (off < len)
		snprintf(buf + off, len - off, "}");
}

static int
claim_body(struct db *db, void *arg)
{
	struct claim_arg *a = arg;
	PGresult	 *proj = NULL, *res = NULL;
	char		  pid[24], aid[24], gold[8], lease[24], tid[24];
	char		  excl[2 * CLAIM_ATTEMPTS * 24 + 4];
	const char	 *params[4];
	int64_t		  task_id, live, need;
	double		  gold_rate;
	int64_t		  excluded[2 * CLAIM_ATTEMPTS];
	int		  rc, attempt, pass, want_gold, min_votes;
	int		  n_excluded = 0;

	cJSON_Delete(a->out);
	a->out = NULL;
	params[0] = market_i64(pid, a->project_id);
	params[1] = market_i64(aid, a->account_id);
	if ((rc = db_exec(db, "assignment_project", 2, params, &proj)) != 0)
		return rc;
	if (PQntuples(proj) != 1) {
		rc = market_fail(a->detail, LC_ERR_NOT_FOUND,
		    "no project %" PRId64, a->project_id);
		goto out;
	}
	if (strcmp(db_text(proj, 0, 0), "open") != 0) {
		rc = market_fail(a->detail, LC_ERR_STATE, "the project is %s",
		    db_text(proj, 0, 0));
		goto out;
	}
	if (db_int64(proj, 0, 8) < db_int64(proj, 0, 1)) {
		rc = market_fail(a->detail, LC_ERR_STAKE,
		    "this project needs a stake of %" PRId64 " micro-credits",
		    db_int64(proj, 0, 1));
		goto out;
	}
	/* An escrow that cannot pay one more task has no work to offer. */
	if (db_int64(proj, 0, 7) < db_int64(proj, 0, 2))
		goto out;
	gold_rate = db_double(proj, 0, 3);
	min_votes = (int)db_int64(proj, 0, 4);

	/*
	 * A labeler may hold LC_MAX_LEASES_PER_LABELER live leases in a
	 * project, so that a browser can fetch the next task while the
	 * current one is on screen; past that, a claim returns the oldest
	 * lease again (claims are idempotent, never a pile of leases).
	 */
	if ((rc = db_exec(db, "assignment_held", 2, params, &res)) != 0)
		goto out;
	if (PQntuples(res) >= LC_MAX_LEASES_PER_LABELER) {
		a->out = claim_render(db_int64(res, 0, 0), a->project_id,
		    db_int64(res, 0, 1), db_text(res, 0, 2),
		    db_text(proj, 0, 5), db_text(proj, 0, 6),
		    db_text(res, 0, 3));
		rc = a->out ? 0 : LC_ERR_NOMEM;
		goto out;
	}
	PQclear(res);
	res = NULL;

	want_gold = gold_rate > 0 &&
	    randombytes_uniform(1000000) < (uint32_t)(gold_rate * 1e6);
	task_id = 0;
	/* Pass 0 draws gold or not as chosen; pass 1 takes anything. */
	for (pass = 0; pass < 2 && task_id == 0; pass++) {
		snprintf(gold, sizeof(gold), "%d", pass == 0 ? want_gold : -1);
		for (attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
			claim_id_array(excl, sizeof(excl), excluded,
			    n_excluded);
			params[2] = gold;
			params[3] = excl;
			if ((rc = db_exec(db, "assignment_candidate", 4, params,
				 &res)) != 0)
				goto out;
			if (PQntuples(res) == 0)
				break;
			task_id = db_int64(res, 0, 0);
			need = min_votes - db_int64(res, 0, 1);
			if (need < 1)
				need = 1;
			PQclear(res);
			res = NULL;
			params[2] = market_i64(tid, task_id);
			if ((rc = db_exec(db, "assignment_live_leases", 1,
				 &params[2], &res)) != 0)
				goto out;
			live = db_int64(res, 0, 0);
			PQclear(res);
			res = NULL;
			if (live < need)
				break;
			/* Full: exclude it and look again. */
			excluded[n_excluded++] = task_id;
			task_id = 0;
		}
		PQclear(res);
		res = NULL;
	}
	if (task_id == 0)
		goto out; /* nothing for this labeler: 204 */
	params[0] = pid;
	params[1] = market_i64(tid, task_id);
	params[2] = aid;
	params[3] = market_i64(lease, a->lease_s);
	if ((rc = db_exec(db, "assignment_insert", 4, params, &res)) != 0)
		goto out;
	a->out = claim_render(db_int64(res, 0, 0), a->project_id, task_id,
	    db_text(res, 0, 2), db_text(proj, 0, 5), db_text(proj, 0, 6),
	    db_text(res, 0, 1));
	rc = a->out ? 0 : LC_ERR_NOMEM;
out:
	PQclear(res);
	PQclear(proj);
	return rc;
}

int
assignment_claim(struct db *db, int64_t account_id, int64_t project_id,
    int lease_s, cJSON **out, char *detail)
{
	struct claim_arg a = { account_id, project_id, lease_s, NULL, detail };
	int		 rc;

	*out = NULL;
	if ((rc = db_tx(db, claim_body, &a)) != 0) {
		cJSON_Delete(a.out);
		return rc;
	}
	*out = a.out;
	return 0;
}

struct skip_arg {
	int64_t account_id;
	int64_t assignment_id;
	char   *detail;
};

static int
skip_body(struct db *db, void *arg)
{
	struct skip_arg *a = arg;
	PGresult	*res = NULL;
	char		 id[24];
	const char	*params[1] = { market_i64(id, a->assignment_id) };
	int		 rc;

	if ((rc = db_exec(db, "assignment_lock", 1, params, &res)) != 0)
		return rc;
	if (PQntuples(res) != 1)
		rc = market_fail(a->detail, LC_ERR_NOT_FOUND,
		    "no assignment %" PRId64, a->assignment_id);
	else if (db_int64(res, 0, 0) != a->account_id)
		rc = market_fail(a->detail, LC_ERR_FORBIDDEN,
		    "assignment %" PRId64 " belongs to another labeler",
		    a->assignment_id);
	else if (strcmp(db_text(res, 0, 1), "active") != 0)
		rc = market_fail(a->detail, LC_ERR_STATE,
		    "assignment %" PRId64 " is %s", a->assignment_id,
		    db_text(res, 0, 1));
	PQclear(res);
	if (rc != 0)
		return rc;
	return db_exec(db, "assignment_set_skipped", 1, params, NULL);
}

int
assignment_skip(struct db *db, int64_t account_id, int64_t assignment_id,
    char *detail)
{
	struct skip_arg a = { account_id, assignment_id, detail };

	return db_tx(db, skip_body, &a);
}
