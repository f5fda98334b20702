/*
 * labeling/project.c — projects (project.h).
 *
 * A project's figures are counters kept by the statements that change its
 * tasks and pay its rewards (sql/0010_bounded.sql): tasks by state, votes,
 * spend (the ledger's reward entries), agreement as the share of votes on
 * final tasks that chose the final label.  The escrow is the ledger
 * account "p/<id>/escrow" (funds not yet reserved) plus "p/<id>/reserved"
 * (reward_per_task for each funded open task), both with what is queued
 * for them (lc_balance).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labeling/db.h"
#include "labeling/lc_err.h"
#include "labeling/ledger.h"
#include "labeling/market.h"
#include "labeling/project.h"

/*
 * The columns of a project row (project_json() reads them by index) and
 * the per-project figures they draw on.  Statements put "FROM projects p"
 * (or a join that names p) between the two.  The figures are counters
 * (sql/0010_bounded.sql): lc_progress() reads the project's row of
 * project_progress and the changes queued for it, so a project costs the
 * same to list whatever the number of its tasks, votes and rewards.
 */
#define PROJECT_CREATED SQL_TS("p.created_at")
#define PROJECT_COLS \
	"p.id, p.owner_id, p.name, p.instructions," \
	" array_to_json(p.labels)::text, p.reward_per_task, p.min_votes," \
	" p.max_votes, p.confidence, p.min_stake, p.gold_rate, p.status," \
	" " PROJECT_CREATED "," \
	" lc_balance('p/' || p.id || '/escrow'), g.n_tasks, g.n_open," \
	" g.n_final, g.n_low, g.n_votes, g.n_agree, g.n_votes_final, g.spend," \
	" p.stake_ref, lc_balance('p/' || p.id || '/reserved'), g.n_cancelled," \
	" g.n_gold, g.n_gold_final, p.newcomer_gold_rate, g.n_unverified," \
	" p.temperature, p.calibration_samples, p.futility," \
	" " SQL_TS("p.em_at")
#define PROJECT_FIGURES ", LATERAL lc_progress(p.id) g"
enum {
	PC_ID,
	PC_OWNER,
	PC_NAME,
	PC_INSTRUCTIONS,
	PC_LABELS,
	PC_REWARD,
	PC_MIN_VOTES,
	PC_MAX_VOTES,
	PC_CONFIDENCE,
	PC_MIN_STAKE,
	PC_GOLD_RATE,
	PC_STATUS,
	PC_CREATED,
	PC_ESCROW,
	PC_TASKS,
	PC_OPEN,
	PC_FINAL,
	PC_LOW,
	PC_VOTES,
	PC_AGREE,
	PC_ONFINAL,
	PC_SPEND,
	PC_STAKE_REF,
	PC_RESERVED,
	PC_CANCELLED,
	PC_GOLD,
	PC_GOLD_FINAL,
	PC_NEWCOMER_GOLD_RATE,
	PC_UNVERIFIED,
	PC_TEMPERATURE,
	PC_CAL_SAMPLES,
	PC_FUTILITY,
	PC_EM_AT,
	PC_N /* the list adds the caller's stake here */
};

/*
 * The stake of the caller ($1), free and bonded: what min_stake is
 * compared with.
 */
#define PROJECT_CALLER_STAKE \
	"(lc_balance('a/' || $1::bigint || '/stake') +" \
	" lc_balance('a/' || $1::bigint || '/bond'))"

const struct db_stmt project_stmts[] = {
	{ "project_insert",
	    "INSERT INTO projects (owner_id, name, instructions, labels,"
	    " reward_per_task, min_votes, max_votes, confidence, min_stake,"
	    " gold_rate, stake_ref, newcomer_gold_rate, futility) VALUES ($1,"
	    " $2, $3, ARRAY(SELECT jsonb_array_elements_text($4::jsonb)), $5,"
	    " $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id" },
	{ "project_get",
	    "SELECT " PROJECT_COLS " FROM projects p" PROJECT_FIGURES
	    " WHERE p.id = $1" },
	/*
	 * A page of the list, newest first: the caller's own projects
	 * (projects_owner) and, for a labeler, the open ones (projects_open),
	 * each an index scan that stops at the page's end; $4 is the id to
	 * start below.
	 */
	{ "project_list",
	    "WITH ids AS ((SELECT id FROM projects WHERE $2::bool"
	    " AND owner_id = $1::bigint AND id < $4::bigint"
	    " ORDER BY id DESC LIMIT $5)"
	    " UNION (SELECT id FROM projects WHERE $3::bool AND status = 'open'"
	    " AND id < $4::bigint ORDER BY id DESC LIMIT $5))"
	    " SELECT " PROJECT_COLS ", " PROJECT_CALLER_STAKE
	    " FROM ids JOIN projects p ON p.id = ids.id" PROJECT_FIGURES
	    " ORDER BY p.id DESC LIMIT $5" },
	/*
	 * A labeler may read an open project, and any project it worked in;
	 * the row says how much more stake it needs to join.
	 */
	{ "project_join",
	    "SELECT greatest(0, p.min_stake - " PROJECT_CALLER_STAKE
	    ")::bigint,"
	    " p.status FROM projects p WHERE p.id = $2 AND (p.status = 'open'"
	    " OR EXISTS (SELECT 1 FROM votes v WHERE v.account_id = $1::bigint"
	    " AND v.project_id = p.id)"
	    " OR EXISTS (SELECT 1 FROM assignments a WHERE a.account_id ="
	    " $1::bigint AND a.project_id = p.id AND a.status = 'active'))" },
	/*
	 * The project row, and the one lock order of labelchain.  Every path
	 * that takes project, task and assignment locks takes them in this
	 * order and no other, so that no two transactions wait on each other
	 * in a cycle:
	 *   0. the projects row, FOR NO KEY UPDATE (FOR SHARE to read) —
	 *      owner operations only (fund, upload, edit, pause, resume,
	 *      close, re-estimation request), first in their transaction;
	 *   1. the labeler's claim lock (advisory, lc_claim) — claims;
	 *   2. task rows — one per vote, claim, skip or finalization; a close
	 *      or a sweep takes several, in id order;
	 *   3. the assignment rows of those tasks;
	 *   4. ledger accounts, in key order;
	 *   5. reputations, in (account, project) order;
	 *   6. project_progress rows (its settler only, SKIP LOCKED).
	 * Two exceptions, each harmless: a vote's "next" claim takes 1 after
	 * its own task (2), and a claim waits only on tasks in which its
	 * labeler holds no assignment, never on that one; and foreign-key
	 * checks take KEY SHARE on the rows they name at any point (a vote's
	 * finalization checks tasks.project_id after it holds its task and
	 * assignments, because it updates the task row a second time in its
	 * transaction).  That is why level 0 is FOR NO KEY UPDATE and never
	 * FOR UPDATE: KEY SHARE does not conflict with it.  Under FOR UPDATE
	 * a close (project, then tasks) and a finalizing vote (task, then the
	 * project's KEY SHARE) deadlocked, each broken after deadlock_timeout
	 * and retried (tests/integration/bounded.test.mjs races them).
	 */
	{ "project_lock_share",
	    "SELECT owner_id, status FROM projects WHERE id = $1 FOR SHARE" },
	{ "project_lock_update",
	    "SELECT owner_id, status FROM projects WHERE id = $1"
	    " FOR NO KEY UPDATE" },
	{ "project_set_status",
	    "UPDATE projects SET status = $2 WHERE id = $1" },
	{ "project_edit",
	    "UPDATE projects SET name = coalesce($2, name),"
	    " instructions = coalesce($3, instructions) WHERE id = $1" },
	{ "project_reserve", "SELECT lc_reserve_rewards($1)" },
	{ "project_close_apply", "SELECT lc_project_close($1, $2)" },
	{ NULL, NULL }
};

int64_t
project_stake_ref(int64_t min_stake)
{
	return min_stake > 0 ? min_stake : 1;
}

static int
project_label_ok(const char *s, char *detail)
{
	size_t n = strlen(s);

	if (n == 0 || n > LC_MAX_LABEL_BYTES)
		return market_fail(detail, LC_ERR_VALIDATION,
		    "each label must hold 1 to %d bytes", LC_MAX_LABEL_BYTES);
	if (strchr(s, '\n') != NULL || strchr(s, '\r') != NULL)
		return market_fail(detail, LC_ERR_VALIDATION,
		    "labels may not contain a newline");
	return 0;
}

static int
project_get_double(const cJSON *body, const char *name, double *out,
    char *detail)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, name);

	if (v == NULL || !cJSON_IsNumber(v) || v->valuedouble != v->valuedouble)
		return market_fail(detail, LC_ERR_VALIDATION,
		    "%s must be a number", name);
	*out = v->valuedouble;
	return 0;
}

/* An optional number in [0, hi]; when absent *out keeps what it holds. */
static int
project_get_rate(const cJSON *body, const char *name, double hi, double *out,
    char *detail)
{
	int rc;

	if (cJSON_GetObjectItemCaseSensitive(body, name) == NULL)
		return 0;
	if ((rc = project_get_double(body, name, out, detail)) != 0)
		return rc;
	if (!(*out >= 0.0 && *out <= hi))
		return market_fail(detail, LC_ERR_VALIDATION,
		    "%s must be between 0 and %g", name, hi);
	return 0;
}

int
project_params_parse(const cJSON *body, struct project_params *out,
    char *detail)
{
	const cJSON *labels, *l, *ins;
	int64_t	     v;
	int	     rc, i;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(body))
		return market_fail(detail, LC_ERR_BAD_JSON,
		    "the body must be a JSON object");
	if ((out->name = market_json_get_str(body, "name", LC_MAX_NAME_BYTES,
		 detail)) == NULL)
		return LC_ERR_VALIDATION;
	ins = cJSON_GetObjectItemCaseSensitive(body, "instructions");
	out->instructions = "";
	if (ins != NULL && !cJSON_IsNull(ins)) {
		if (!cJSON_IsString(ins) ||
		    strlen(ins->valuestring) > LC_MAX_INSTRUCTIONS_BYTES)
			return market_fail(detail, LC_ERR_VALIDATION,
			    "instructions must be a string of at most %u bytes",
			    LC_MAX_INSTRUCTIONS_BYTES);
		out->instructions = ins->valuestring;
	}
	labels = cJSON_GetObjectItemCaseSensitive(body, "labels");
	if (!cJSON_IsArray(labels))
		return market_fail(detail, LC_ERR_VALIDATION,
		    "labels must be an array of strings");
	cJSON_ArrayForEach(l, labels)
	{
		if (out->n_labels == LC_MAX_LABELS)
			return market_fail(detail, LC_ERR_VALIDATION,
			    "at most %d labels", LC_MAX_LABELS);
		if (!cJSON_IsString(l))
			return market_fail(detail, LC_ERR_VALIDATION,
			    "labels must be an array of strings");
		if ((rc = project_label_ok(l->valuestring, detail)) != 0)
			return rc;
		for (i = 0; i < out->n_labels; i++)
			if (strcmp(out->labels[i], l->valuestring) == 0)
				return market_fail(detail, LC_ERR_VALIDATION,
				    "label \"%.64s\" appears twice",
				    l->valuestring);
		out->labels[out->n_labels++] = l->valuestring;
	}
	if (out->n_labels < LC_MIN_LABELS)
		return market_fail(detail, LC_ERR_VALIDATION,
		    "at least %d labels", LC_MIN_LABELS);
	if ((rc = market_json_get_i64(body, "reward_per_task", 0, LC_MAX_AMOUNT,
		 &out->reward_per_task, detail)) != 0)
		return rc;
	if ((rc = market_json_get_i64(body, "min_votes", 1,
		 LC_MAX_VOTES_PER_TASK, &v, detail)) != 0)
		return rc;
	out->min_votes = (int)v;
	if ((rc = market_json_get_i64(body, "max_votes", 1,
		 LC_MAX_VOTES_PER_TASK, &v, detail)) != 0)
		return rc;
	out->max_votes = (int)v;
	if (out->min_votes > out->max_votes)
		return market_fail(detail, LC_ERR_VALIDATION,
		    "min_votes may not exceed max_votes");
	if ((rc = project_get_double(body, "confidence", &out->confidence,
		 detail)) != 0)
		return rc;
	if (!(out->confidence > 0.5 && out->confidence < 1.0))
		return market_fail(detail, LC_ERR_VALIDATION,
		    "confidence must be above 0.5 and below 1");
	if (cJSON_GetObjectItemCaseSensitive(body, "min_stake") != NULL) {
		if ((rc = market_json_get_i64(body, "min_stake", 0,
			 LC_MAX_AMOUNT, &out->min_stake, detail)) != 0)
			return rc;
	}
	if (cJSON_GetObjectItemCaseSensitive(body, "stake_ref") != NULL &&
	    !cJSON_IsNull(
		cJSON_GetObjectItemCaseSensitive(body, "stake_ref"))) {
		if ((rc = market_json_get_i64(body, "stake_ref", 1,
			 LC_MAX_AMOUNT, &out->stake_ref, detail)) != 0)
			return rc;
	}
	out->newcomer_gold_rate = PROJECT_NEWCOMER_GOLD_RATE;
	out->futility = PROJECT_FUTILITY;
	if ((rc = project_get_rate(body, "gold_rate", 0.5, &out->gold_rate,
		 detail)) != 0 ||
	    (rc = project_get_rate(body, "newcomer_gold_rate", 1.0,
		 &out->newcomer_gold_rate, detail)) != 0 ||
	    (rc = project_get_rate(body, "futility", 0.5, &out->futility,
		 detail)) != 0)
		return rc;
	return 0;
}

int
project_edit_parse(const cJSON *body, struct project_edit *out, char *detail)
{
	const cJSON *it;
	char	     refused[LC_DETAIL_LEN / 2] = "";
	size_t	     len = 0, n;
	int	     full = 0;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(body))
		return market_fail(detail, LC_ERR_BAD_JSON,
		    "the body must be a JSON object");
	cJSON_ArrayForEach(it, body)
	{
		if (strcmp(it->string, "name") == 0) {
			if (out->name != NULL)
				return market_fail(detail, LC_ERR_VALIDATION,
				    "name is given twice");
			if (!cJSON_IsString(it) ||
			    (n = strlen(it->valuestring)) == 0 ||
			    n > LC_MAX_NAME_BYTES)
				return market_fail(detail, LC_ERR_VALIDATION,
				    "name must be a string of 1 to %d bytes",
				    LC_MAX_NAME_BYTES);
			out->name = it->valuestring;
		} else if (strcmp(it->string, "instructions") == 0) {
			if (out->instructions != NULL)
				return market_fail(detail, LC_ERR_VALIDATION,
				    "instructions are given twice");
			if (cJSON_IsNull(it))
				out->instructions = "";
			else if (cJSON_IsString(it) &&
			    strlen(it->valuestring) <=
				LC_MAX_INSTRUCTIONS_BYTES)
				out->instructions = it->valuestring;
			else
				return market_fail(detail, LC_ERR_VALIDATION,
				    "instructions must be a string of at most "
				    "%u bytes",
				    LC_MAX_INSTRUCTIONS_BYTES);
		} else if (!full) {
			/* Name every refused field that fits, then "...". */
			n = strlen(it->string);
			if (n > 40)
				n = 40;
			if (len + 2 + n + sizeof(", ...") > sizeof(refused)) {
				memcpy(refused + len, ", ...", sizeof(", ..."));
				full = 1;
				continue;
			}
			if (len > 0) {
				memcpy(refused + len, ", ", 2);
				len += 2;
			}
			memcpy(refused + len, it->string, n);
			len += n;
			refused[len] = '\0';
		}
	}
	if (len > 0)
		return market_fail(detail, LC_ERR_VALIDATION,
		    "cannot be edited: %s (only name and instructions can: "
		    "the others fix what the votes already cast mean)",
		    refused);
	if (out->name == NULL && out->instructions == NULL)
		return market_fail(detail, LC_ERR_VALIDATION,
		    "nothing to edit: give name or instructions");
	return 0;
}

int
project_list_opts_parse(const char *scope, const char *before,
    const char *limit, struct project_list_opts *out, char *detail)
{
	int64_t v;

	out->scope = PROJECT_SCOPE_ALL;
	out->before = 0;
	out->limit = LC_PROJECTS_PAGE;
	if (scope != NULL) {
		if (strcmp(scope, "own") == 0)
			out->scope = PROJECT_SCOPE_OWN;
		else if (strcmp(scope, "label") == 0)
			out->scope = PROJECT_SCOPE_LABEL;
		else if (strcmp(scope, "all") != 0)
			return market_fail(detail, LC_ERR_VALIDATION,
			    "scope must be own, label or all");
	}
	if (before != NULL) {
		if (market_parse_id(before, &v) != 0)
			return market_fail(detail, LC_ERR_VALIDATION,
			    "before must be a positive integer");
		out->before = v;
	}
	if (limit != NULL) {
		if (market_parse_id(limit, &v) != 0 ||
		    v > LC_MAX_PROJECTS_LISTED)
			return market_fail(detail, LC_ERR_VALIDATION,
			    "limit must be between 1 and %d",
			    LC_MAX_PROJECTS_LISTED);
		out->limit = (int)v;
	}
	return 0;
}

/*
 * Render row `i` of a PROJECT_COLS result.  The owner sees the spend and
 * the gold counts; labelers see neither (gold tasks are not marked to
 * them).
 */
static cJSON *
project_json(const PGresult *res, int i, int owner_view)
{
	cJSON  *o, *labels, *pr, *cal;
	int64_t agree, onfinal;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	market_json_i64(o, "id", db_int64(res, i, PC_ID));
	market_json_i64(o, "owner", db_int64(res, i, PC_OWNER));
	cJSON_AddStringToObject(o, "name", db_text(res, i, PC_NAME));
	cJSON_AddStringToObject(o, "instructions",
	    db_text(res, i, PC_INSTRUCTIONS));
	labels = cJSON_Parse(db_text(res, i, PC_LABELS));
	if (labels == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	cJSON_AddItemToObject(o, "labels", labels);
	market_json_i64(o, "reward_per_task", db_int64(res, i, PC_REWARD));
	market_json_i64(o, "min_votes", db_int64(res, i, PC_MIN_VOTES));
	market_json_i64(o, "max_votes", db_int64(res, i, PC_MAX_VOTES));
	cJSON_AddNumberToObject(o, "confidence",
	    db_double(res, i, PC_CONFIDENCE));
	market_json_i64(o, "min_stake", db_int64(res, i, PC_MIN_STAKE));
	cJSON_AddNumberToObject(o, "gold_rate",
	    db_double(res, i, PC_GOLD_RATE));
	cJSON_AddNumberToObject(o, "newcomer_gold_rate",
	    db_double(res, i, PC_NEWCOMER_GOLD_RATE));
	cJSON_AddNumberToObject(o, "futility", db_double(res, i, PC_FUTILITY));
	cJSON_AddStringToObject(o, "status", db_text(res, i, PC_STATUS));
	cJSON_AddStringToObject(o, "created_at", db_text(res, i, PC_CREATED));
	market_json_i64(o, "stake_ref", db_int64(res, i, PC_STAKE_REF));
	/* Unspent: the escrow plus what is reserved for open tasks. */
	market_json_i64(o, "escrow",
	    db_int64(res, i, PC_ESCROW) + db_int64(res, i, PC_RESERVED));
	market_json_i64(o, "escrow_available", db_int64(res, i, PC_ESCROW));
	market_json_i64(o, "escrow_reserved", db_int64(res, i, PC_RESERVED));
	if ((pr = cJSON_AddObjectToObject(o, "progress")) == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	market_json_i64(pr, "tasks", db_int64(res, i, PC_TASKS));
	market_json_i64(pr, "open", db_int64(res, i, PC_OPEN));
	market_json_i64(pr, "final", db_int64(res, i, PC_FINAL));
	market_json_i64(pr, "low_confidence", db_int64(res, i, PC_LOW));
	market_json_i64(pr, "unverified", db_int64(res, i, PC_UNVERIFIED));
	market_json_i64(pr, "cancelled", db_int64(res, i, PC_CANCELLED));
	market_json_i64(pr, "votes", db_int64(res, i, PC_VOTES));
	agree = db_int64(res, i, PC_AGREE);
	onfinal = db_int64(res, i, PC_ONFINAL);
	cJSON_AddNumberToObject(pr, "agreement",
	    onfinal > 0 ? (double)agree / (double)onfinal : 0.0);
	if (owner_view) {
		market_json_i64(pr, "spend", db_int64(res, i, PC_SPEND));
		market_json_i64(pr, "gold", db_int64(res, i, PC_GOLD));
		market_json_i64(pr, "gold_final",
		    db_int64(res, i, PC_GOLD_FINAL));
		if (db_text(res, i, PC_EM_AT) != NULL)
			cJSON_AddStringToObject(o, "reestimated_at",
			    db_text(res, i, PC_EM_AT));
		else
			cJSON_AddNullToObject(o, "reestimated_at");
		if ((cal = cJSON_AddObjectToObject(o, "calibration")) == NULL) {
			cJSON_Delete(o);
			return NULL;
		}
		cJSON_AddNumberToObject(cal, "temperature",
		    db_double(res, i, PC_TEMPERATURE));
		market_json_i64(cal, "samples",
		    db_int64(res, i, PC_CAL_SAMPLES));
	}
	return o;
}

/* o.join: {eligible, needs_stake} — what the caller lacks to label it. */
static int
project_join_json(cJSON *o, int open, int64_t needs_stake)
{
	cJSON *j;

	if ((j = cJSON_AddObjectToObject(o, "join")) == NULL)
		return LC_ERR_NOMEM;
	cJSON_AddBoolToObject(j, "eligible", open && needs_stake == 0);
	market_json_i64(j, "needs_stake", needs_stake);
	return 0;
}

/* The project row; *owner_id gets its owner. */
static int
project_fetch(struct db *db, int64_t project_id, int owner_view,
    int64_t *owner_id, cJSON **out)
{
	PGresult   *res = NULL;
	char	    id[24];
	const char *params[1] = { market_i64(id, project_id) };
	int	    rc;

	*out = NULL;
	if ((rc = db_exec(db, "project_get", 1, params, &res)) != 0)
		return rc;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return LC_ERR_NOT_FOUND;
	}
	if (owner_id != NULL)
		*owner_id = db_int64(res, 0, PC_OWNER);
	*out = project_json(res, 0, owner_view);
	PQclear(res);
	return *out ? 0 : LC_ERR_NOMEM;
}

struct project_create_arg {
	int64_t			     owner_id;
	const struct project_params *p;
	const char		    *labels_json;
	int64_t			     id;
};

static int
project_create_body(struct db *db, void *arg)
{
	struct project_create_arg *a = arg;
	PGresult		  *res = NULL;
	char			   o[24], r[24], mn[24], mx[24], c[32];
	char			   ms[24], g[32], sr[24], ng[32], fu[32];
	char			   key[LEDGER_KEY_LEN];
	const char		  *params[13];
	int			   rc;

	params[0] = market_i64(o, a->owner_id);
	params[1] = a->p->name;
	params[2] = a->p->instructions;
	params[3] = a->labels_json;
	params[4] = market_i64(r, a->p->reward_per_task);
	params[5] = market_i64(mn, a->p->min_votes);
	params[6] = market_i64(mx, a->p->max_votes);
	params[7] = market_f64(c, a->p->confidence);
	params[8] = market_i64(ms, a->p->min_stake);
	params[9] = market_f64(g, a->p->gold_rate);
	params[10] = market_i64(sr,
	    a->p->stake_ref > 0 ? a->p->stake_ref
				: project_stake_ref(a->p->min_stake));
	params[11] = market_f64(ng, a->p->newcomer_gold_rate);
	params[12] = market_f64(fu, a->p->futility);
	if ((rc = db_exec(db, "project_insert", 13, params, &res)) != 0)
		return rc;
	a->id = db_int64(res, 0, 0);
	PQclear(res);
	ledger_key_escrow(key, a->id);
	if ((rc = ledger_open(db, key, "escrow", 0, a->id)) != 0)
		return rc;
	ledger_key_reserved(key, a->id);
	return ledger_open(db, key, "reserved", 0, a->id);
}

int
project_create(struct db *db, int64_t owner_id, const struct project_params *p,
    cJSON **out, char *detail)
{
	struct project_create_arg a;
	cJSON			 *labels;
	char			 *text;
	int			  rc;

	*out = NULL;
	labels = cJSON_CreateStringArray(p->labels, p->n_labels);
	text = labels ? cJSON_PrintUnformatted(labels) : NULL;
	cJSON_Delete(labels);
	if (text == NULL)
		return LC_ERR_NOMEM;
	memset(&a, 0, sizeof(a));
	a.owner_id = owner_id;
	a.p = p;
	a.labels_json = text;
	rc = db_tx(db, project_create_body, &a);
	cJSON_free(text);
	if (rc != 0)
		return rc;
	return project_fetch(db, a.id, 1, NULL, out);
}

int
project_list(struct db *db, int64_t account_id, unsigned roles,
    const struct project_list_opts *opts, cJSON **out)
{
	PGresult   *res = NULL;
	cJSON	   *arr, *o;
	char	    id[24], before[24], lim[24];
	const char *params[5];
	int64_t	    stake, min_stake;
	int	    rc, i, own, label, mine;

	*out = NULL;
	own = (roles & ACCOUNT_ROLE_REQUESTER) &&
	    opts->scope != PROJECT_SCOPE_LABEL;
	label =
	    (roles & ACCOUNT_ROLE_LABELER) && opts->scope != PROJECT_SCOPE_OWN;
	params[0] = market_i64(id, account_id);
	params[1] = own ? "true" : "false";
	params[2] = label ? "true" : "false";
	params[3] =
	    market_i64(before, opts->before > 0 ? opts->before : INT64_MAX);
	params[4] = market_i64(lim, opts->limit);
	if ((rc = db_exec(db, "project_list", 5, params, &res)) != 0)
		return rc;
	rc = LC_ERR_NOMEM;
	if ((arr = cJSON_CreateArray()) == NULL)
		goto fail;
	for (i = 0; i < PQntuples(res); i++) {
		mine = db_int64(res, i, PC_OWNER) == account_id;
		if ((o = project_json(res, i, mine)) == NULL)
			goto fail;
		cJSON_AddItemToArray(arr, o);
		if (mine || !(roles & ACCOUNT_ROLE_LABELER))
			continue;
		stake = db_int64(res, i, PC_N);
		min_stake = db_int64(res, i, PC_MIN_STAKE);
		if (project_join_json(o,
			strcmp(db_text(res, i, PC_STATUS), "open") == 0,
			min_stake > stake ? min_stake - stake : 0) != 0)
			goto fail;
	}
	PQclear(res);
	*out = arr;
	return 0;
fail:
	PQclear(res);
	cJSON_Delete(arr);
	return rc;
}

int
project_lock_owned(struct db *db, int64_t owner_id, int64_t project_id,
    int for_update, char status[8], char *detail)
{
	PGresult   *res = NULL;
	char	    id[24];
	const char *params[1] = { market_i64(id, project_id) };
	int	    rc;

	if ((rc = db_exec(db,
		 for_update ? "project_lock_update" : "project_lock_share", 1,
		 params, &res)) != 0)
		return rc;
	if (PQntuples(res) != 1)
		rc = market_fail(detail, LC_ERR_NOT_FOUND,
		    "no project %" PRId64, project_id);
	else if (db_int64(res, 0, 0) != owner_id)
		rc = market_fail(detail, LC_ERR_FORBIDDEN,
		    "project %" PRId64 " belongs to another account",
		    project_id);
	else if (status != NULL)
		snprintf(status, 8, "%s", db_text(res, 0, 1));
	PQclear(res);
	return rc;
}

int
project_get(struct db *db, int64_t account_id, unsigned roles,
    int64_t project_id, cJSON **out, char *detail)
{
	PGresult   *res = NULL;
	char	    p[24], a[24];
	const char *params[2];
	int64_t	    owner;
	int	    rc, visible = 0;

	if ((rc = project_fetch(db, project_id, 1, &owner, out)) != 0)
		return market_fail(detail, rc, "no project %" PRId64,
		    project_id);
	if (owner == account_id)
		return 0;
	if (roles & ACCOUNT_ROLE_LABELER) {
		params[0] = market_i64(a, account_id);
		params[1] = market_i64(p, project_id);
		if ((rc = db_exec(db, "project_join", 2, params, &res)) != 0)
			goto fail;
		if ((visible = PQntuples(res) == 1) &&
		    (rc = project_join_json(*out,
			 strcmp(db_text(res, 0, 1), "open") == 0,
			 db_int64(res, 0, 0))) != 0)
			goto fail;
		PQclear(res);
		res = NULL;
	}
	if (!visible) {
		rc = market_fail(detail, LC_ERR_FORBIDDEN,
		    "project %" PRId64 " is not visible to this account",
		    project_id);
		goto fail;
	}
	/* What only the owner sees. */
	cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItem(*out,
						    "progress"),
	    "spend");
	cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItem(*out,
						    "progress"),
	    "gold");
	cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItem(*out,
						    "progress"),
	    "gold_final");
	cJSON_DeleteItemFromObjectCaseSensitive(*out, "reestimated_at");
	cJSON_DeleteItemFromObjectCaseSensitive(*out, "calibration");
	return 0;
fail:
	PQclear(res);
	cJSON_Delete(*out);
	*out = NULL;
	return rc;
}

int
project_reserve(struct db *db, int64_t project_id)
{
	char	    id[24];
	const char *params[1] = { market_i64(id, project_id) };

	return db_exec(db, "project_reserve", 1, params, NULL);
}

struct project_fund_arg {
	int64_t owner_id;
	int64_t project_id;
	int64_t amount;
	char   *detail;
};

static int
project_fund_body(struct db *db, void *arg)
{
	struct project_fund_arg *a = arg;
	char			 from[LEDGER_KEY_LEN], to[LEDGER_KEY_LEN];
	char			 status[8];
	int			 rc;

	if ((rc = project_lock_owned(db, a->owner_id, a->project_id, 1, status,
		 a->detail)) != 0)
		return rc;
	if (strcmp(status, "closed") == 0)
		return market_fail(a->detail, LC_ERR_STATE,
		    "the project is closed");
	ledger_key_account(from, a->owner_id, "balance");
	ledger_key_escrow(to, a->project_id);
	rc = ledger_transfer(db, from, to, a->amount, "fund", a->project_id, 0);
	if (rc == LC_ERR_FUNDS)
		return market_fail(a->detail, rc,
		    "the balance is smaller than the amount");
	if (rc != 0)
		return rc;
	return project_reserve(db, a->project_id);
}

int
project_fund(struct db *db, int64_t owner_id, int64_t project_id,
    int64_t amount, cJSON **out, char *detail)
{
	struct project_fund_arg a = { owner_id, project_id, amount, detail };
	int			rc;

	*out = NULL;
	if (amount <= 0 || amount > LC_MAX_AMOUNT)
		return market_fail(detail, LC_ERR_VALIDATION,
		    "amount must be between 1 and %" PRId64, LC_MAX_AMOUNT);
	if ((rc = db_tx(db, project_fund_body, &a)) != 0)
		return rc;
	return project_fetch(db, project_id, 1, NULL, out);
}

struct project_status_arg {
	int64_t		    owner_id;
	int64_t		    project_id;
	enum project_action action;
	char		   *detail;
};

static int
project_status_body(struct db *db, void *arg)
{
	struct project_status_arg *a = arg;
	char			   status[8], id[24], owner[24];
	const char		  *params[2], *next;
	int			   rc;

	if ((rc = project_lock_owned(db, a->owner_id, a->project_id, 1, status,
		 a->detail)) != 0)
		return rc;
	if (strcmp(status, "closed") == 0)
		return market_fail(a->detail, LC_ERR_STATE,
		    "the project is closed");
	switch (a->action) {
	case PROJECT_PAUSE:
		next = "paused";
		break;
	case PROJECT_RESUME:
		next = "open";
		break;
	default:
		next = "closed";
		break;
	}
	params[0] = market_i64(id, a->project_id);
	params[1] = next;
	if ((rc = db_exec(db, "project_set_status", 2, params, NULL)) != 0)
		return rc;
	if (a->action != PROJECT_CLOSE)
		return 0;
	params[1] = market_i64(owner, a->owner_id);
	return db_exec(db, "project_close_apply", 2, params, NULL);
}

int
project_set_status(struct db *db, int64_t owner_id, int64_t project_id,
    enum project_action action, cJSON **out, char *detail)
{
	struct project_status_arg a = { owner_id, project_id, action, detail };
	int			  rc;

	*out = NULL;
	if ((rc = db_tx(db, project_status_body, &a)) != 0)
		return rc;
	return project_fetch(db, project_id, 1, NULL, out);
}

struct project_edit_arg {
	int64_t			   owner_id;
	int64_t			   project_id;
	const struct project_edit *e;
	char			  *detail;
};

static int
project_edit_body(struct db *db, void *arg)
{
	struct project_edit_arg *a = arg;
	char			 id[24];
	const char		*params[3];
	int			 rc;

	if ((rc = project_lock_owned(db, a->owner_id, a->project_id, 1, NULL,
		 a->detail)) != 0)
		return rc;
	params[0] = market_i64(id, a->project_id);
	params[1] = a->e->name;
	params[2] = a->e->instructions;
	return db_exec(db, "project_edit", 3, params, NULL);
}

int
project_edit(struct db *db, int64_t owner_id, int64_t project_id,
    const struct project_edit *e, cJSON **out, char *detail)
{
	struct project_edit_arg a = { owner_id, project_id, e, detail };
	int			rc;

	*out = NULL;
	if ((rc = db_tx(db, project_edit_body, &a)) != 0)
		return rc;
	return project_fetch(db, project_id, 1, NULL, out);
}
