/*
 * labeling/reestimate.c — the batch re-estimation (reestimate.h).
 *
 * Two steps, each short:
 *
 *   1. reestimate_fit(), one transaction under the settler's lock: the
 *      project's queued evidence taken, its votes and its labelers' gold
 *      records read, the Dawid-Skene fit, every labeler's belief and a
 *      history row written, the project's bookkeeping updated;
 *   2. reestimate_rescore(), page by page: every open task with votes read
 *      with its voters' new beliefs, decided again (finalize_decide()),
 *      and when final, finalized by finalize.c's statement, which refuses
 *      (40001) a task that got a vote since it was read — that vote has
 *      decided it again already.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "labeling/db.h"
#include "labeling/finalize.h"
#include "labeling/lc_err.h"
#include "labeling/limits.h"
#include "labeling/market.h"
#include "labeling/project.h"
#include "labeling/reestimate.h"
#include "labeling/settle.h"
#include "reputation/reputation.h"

const struct db_stmt reestimate_stmts[] = {
	/* $1 minimum new votes, $2 stale after (s), $3 at most. */
	{ "reestimate_due",
	    "SELECT p.id FROM projects p WHERE p.status <> 'closed'"
	    " AND (p.em_requested_at IS NOT NULL"
	    " OR (SELECT count(*) FROM (SELECT 1 FROM votes v"
	    " WHERE v.project_id = p.id AND v.id > p.em_last_vote"
	    " LIMIT greatest($1::bigint, p.em_votes / 10)) x)"
	    " >= greatest($1::bigint, p.em_votes / 10)"
	    " OR (p.em_at < now() - make_interval(secs => $2) AND EXISTS (SELECT 1 FROM votes v"
	    " WHERE v.project_id = p.id AND v.id > p.em_last_vote)))"
	    " ORDER BY p.em_requested_at NULLS LAST, p.em_at NULLS FIRST,"
	    " p.id LIMIT $3" },
	{ "reestimate_lock",
	    "SELECT pg_try_advisory_xact_lock(" SETTLE_REP_LOCK ")" },
	/* Rows: status, labels, the last vote, min_votes, stake_ref, the
	 * votes so far (the schedule of reestimate_due grows with them). */
	{ "reestimate_project",
	    "SELECT p.status, array_to_string(p.labels, E'\\n'), v.last,"
	    " p.min_votes, p.stake_ref, v.n FROM projects p,"
	    " LATERAL (SELECT coalesce(max(x.id), 0) AS last, count(*) AS n"
	    " FROM votes x WHERE x.project_id = p.id) v WHERE p.id = $1" },
	/* The votes on the project's gold tasks, in the order they came. */
	{ "reestimate_gold_votes",
	    "SELECT v.task_id, v.account_id, v.label, v.stake_w, t.gold_label"
	    " FROM votes v JOIN tasks t ON t.id = v.task_id"
	    " WHERE v.project_id = $1 AND v.id <= $2"
	    " AND t.gold_label IS NOT NULL ORDER BY v.task_id, v.id" },
	/* The evidence queued for the project: the fit replaces it; a gold
	 * answer is counted.  Rows: account, gold. */
	{ "reestimate_take",
	    "DELETE FROM reputation_pending WHERE project_id = $1"
	    " RETURNING account_id, gold" },
	/* The votes of the fit, by task: tasks that are not gold, with two
	 * votes or more. */
	{ "reestimate_votes",
	    "SELECT v.task_id, v.account_id, v.label FROM votes v"
	    " JOIN tasks t ON t.id = v.task_id WHERE v.project_id = $1"
	    " AND v.id <= $2 AND t.gold_label IS NULL AND t.n_votes >= 2"
	    " ORDER BY v.task_id" },
	{ "reestimate_beliefs",
	    "SELECT account_id, gold_right, gold_wrong, alpha, beta"
	    " FROM reputations"
	    " WHERE project_id = $1 ORDER BY account_id FOR UPDATE" },
	{ "reestimate_write",
	    "WITH w AS (INSERT INTO reputations (account_id, project_id,"
	    " alpha, beta, gold_right, gold_wrong) SELECT u.a, $1, u.al, u.be,"
	    " u.r, u.w FROM unnest($2::bigint[], $3::float8[], $4::float8[],"
	    " $5::int[], $6::int[]) AS u(a, al, be, r, w)"
	    " ON CONFLICT (account_id, project_id) DO UPDATE"
	    " SET alpha = EXCLUDED.alpha, beta = EXCLUDED.beta,"
	    " gold_right = EXCLUDED.gold_right,"
	    " gold_wrong = EXCLUDED.gold_wrong)"
	    " INSERT INTO reputation_history (account_id, project_id, alpha,"
	    " beta, task_id) SELECT u.a, $1, u.al, u.be, NULL FROM"
	    " unnest($2::bigint[], $3::float8[], $4::float8[], $7::int[])"
	    " AS u(a, al, be, c) WHERE u.c <> 0" },
	{ "reestimate_done",
	    "UPDATE projects SET em_last_vote = $2, em_votes = $3,"
	    " temperature = $4, calibration_samples = $5,"
	    " em_at = now(), em_requested_at = CASE WHEN em_requested_at"
	    " <= now() THEN NULL ELSE em_requested_at END WHERE id = $1" },
	/*
	 * A page of open tasks that have votes (gold tasks are decided at
	 * max_votes by the vote), each with every vote and its voter's
	 * belief: $1 project, $2 after task id, $3 tasks.
	 */
	{ "reestimate_open",
	    "SELECT t.id, t.n_votes, t.data_sha256,"
	    " CASE WHEN t.funded THEN p.reward_per_task ELSE 0 END,"
	    " p.min_votes, p.max_votes, p.confidence, p.stake_ref,"
	    " p.temperature, " SQL_TS(
		"now()") ","
			 " v.account_id, v.label, v.stake_w, v.bond,"
			 " v.public_key, v.signature, r.alpha, r.beta,"
			 " coalesce(r.gold_right, 0), coalesce(r.gold_wrong, 0),"
			 " p.futility"
			 " FROM (SELECT x.id FROM tasks x"
			 " WHERE x.project_id = $1 AND x.status = 'open'"
			 " AND x.n_votes > 0 AND NOT x.is_gold AND x.id > $2"
			 " ORDER BY x.id LIMIT $3) s"
			 " JOIN tasks t ON t.id = s.id"
			 " JOIN projects p ON p.id = t.project_id"
			 " JOIN votes v ON v.task_id = t.id"
			 " LEFT JOIN reputations r ON r.account_id = v.account_id"
			 " AND r.project_id = t.project_id"
			 " ORDER BY t.id, v.id" },
	{ "reestimate_request",
	    "UPDATE projects SET em_requested_at = clock_timestamp()"
	    " WHERE id = $1" },
	{ NULL, NULL }
};

int
reestimate_due(struct db *db, int limit, int64_t *ids, int *n)
{
	PGresult   *res = NULL;
	char	    a[24], b[24], c[24];
	const char *params[3] = { market_i64(a, REESTIMATE_MIN_NEW),
		market_i64(b, REESTIMATE_STALE_S), market_i64(c, limit) };
	int	    rc, i;

	*n = 0;
	if ((rc = db_exec(db, "reestimate_due", 3, params, &res)) != 0)
		return rc;
	for (i = 0; i < PQntuples(res) && i < limit; i++)
		ids[i] = db_int64(res, i, 0);
	*n = i;
	PQclear(res);
	return 0;
}

/* One labeler of the project, as the fit sees it. */
struct re_labeler {
	int64_t account_id;
	int64_t gold_right, gold_wrong;
	double	old_alpha, old_beta; /* 0: no belief yet */
	double	evidence;	     /* n: Σ sureness of its items */
	double	alpha, beta;
};

struct re_fit {
	int64_t			  project_id;
	char			 *detail;
	struct reestimate_result *out;
	struct rep_params	  p;
	/* the labelers, sorted by account id */
	struct re_labeler *l;
	size_t		   n_l;
	/* the fit */
	struct rep_obs *obs;
	double	       *class_prior, *confusion, *item_post;
	/* the write */
	int64_t *w_acct, *w_right, *w_wrong, *w_changed;
	double	*w_alpha, *w_beta;
};

/* Free what one attempt of the fit allocated, and forget it. */
static void
re_fit_free(struct re_fit *f)
{
	free(f->l);
	free(f->obs);
	free(f->class_prior);
	free(f->confusion);
	free(f->item_post);
	free(f->w_acct);
	free(f->w_right);
	free(f->w_wrong);
	free(f->w_changed);
	free(f->w_alpha);
	free(f->w_beta);
	f->l = NULL;
	f->obs = NULL;
	f->class_prior = f->confusion = f->item_post = NULL;
	f->w_acct = f->w_right = f->w_wrong = f->w_changed = NULL;
	f->w_alpha = f->w_beta = NULL;
	f->n_l = 0;
}

static int
re_cmp_labeler(const void *a, const void *b)
{
	const struct re_labeler *x = a, *y = b;

	return x->account_id < y->account_id ? -1
					     : x->account_id > y->account_id;
}

/* The labeler of account id (every one is in the sorted array). */
static struct re_labeler *
re_find(const struct re_fit *f, int64_t account_id)
{
	struct re_labeler key = { .account_id = account_id };

	return bsearch(&key, f->l, f->n_l, sizeof(*f->l), re_cmp_labeler);
}

/* Every account in column 0 of the results, once, sorted. */
static int
re_collect(struct re_fit *f, PGresult *const *res, int n_res)
{
	size_t i, j, n = 0;
	int    k, r;

	for (k = 0; k < n_res; k++)
		n += (size_t)PQntuples(res[k]);
	if (n == 0)
		return 0;
	if ((f->l = calloc(n, sizeof(*f->l))) == NULL)
		return LC_ERR_NOMEM;
	for (k = 0; k < n_res; k++)
		for (r = 0; r < PQntuples(res[k]); r++)
			f->l[f->n_l++].account_id =
			    db_int64(res[k], r, k == n_res - 1 ? 1 : 0);
	qsort(f->l, f->n_l, sizeof(*f->l), re_cmp_labeler);
	for (i = j = 0; i < f->n_l; i++)
		if (j == 0 || f->l[i].account_id != f->l[j - 1].account_id)
			f->l[j++] = f->l[i];
	f->n_l = j;
	for (i = 0; i < f->n_l; i++) {
		f->l[i].alpha = f->p.prior_alpha;
		f->l[i].beta = f->p.prior_beta;
	}
	return 0;
}

/* The fit over the votes in res (task, account, label by task). */
static int
re_run_fit(struct re_fit *f, PGresult *res, int n_labels)
{
	struct rep_batch    b;
	struct rep_ds_model m;
	struct re_labeler  *x;
	size_t	n = (size_t)PQntuples(res), i, kept, K = (size_t)n_labels;
	int64_t task, prev = 0;
	double	sure, top, chance = 1.0 / n_labels;
	int	items = 0, k, w;

	if (n == 0)
		return 0;
	if ((f->obs = calloc(n, sizeof(*f->obs))) == NULL)
		return LC_ERR_NOMEM;
	/* A labeler who failed its controls is no evidence about anyone. */
	for (i = 0, kept = 0; i < n; i++) {
		if ((x = re_find(f, db_int64(res, (int)i, 1))) == NULL)
			return LC_ERR_INTERNAL;
		if (rep_gold_banned((int)x->gold_right, (int)x->gold_wrong,
			n_labels, &f->p))
			continue;
		task = db_int64(res, (int)i, 0);
		if (kept == 0 || task != prev)
			items++;
		prev = task;
		f->obs[kept].item = items - 1;
		f->obs[kept].worker = (int32_t)(x - f->l);
		f->obs[kept].label = (int32_t)db_int64(res, (int)i, 2);
		if (f->obs[kept].label < 0 || f->obs[kept].label >= n_labels)
			return LC_ERR_INTERNAL;
		kept++;
	}
	if ((n = kept) == 0)
		return 0;
	if ((f->class_prior = calloc(K, sizeof(double))) == NULL ||
	    (f->confusion = calloc(f->n_l * K * K, sizeof(double))) == NULL ||
	    (f->item_post = calloc((size_t)items * K, sizeof(double))) == NULL)
		return LC_ERR_NOMEM;
	b = (struct rep_batch){ f->obs, n, items, (int)f->n_l, n_labels };
	memset(&m, 0, sizeof(m));
	m.class_prior = f->class_prior;
	m.confusion = f->confusion;
	m.item_post = f->item_post;
	if (rep_ds_run(&b, NULL, &f->p, &m) != 0)
		return LC_ERR_INTERNAL;
	f->out->votes = (int)n;
	f->out->tasks = items;
	f->out->iterations = m.iterations;
	/* Each labeler: its chance-corrected accuracy, and as much evidence
	 * as the fit is sure of the items it voted on. */
	for (i = 0; i < n; i++) {
		for (top = 0.0, k = 0; k < n_labels; k++)
			if (f->item_post[(size_t)f->obs[i].item * K + k] > top)
				top = f->item_post[(size_t)f->obs[i].item * K +
				    k];
		sure = (top - chance) / (1.0 - chance);
		f->l[f->obs[i].worker].evidence += sure > 0.0 ? sure : 0.0;
	}
	for (w = 0; w < (int)f->n_l; w++) {
		struct rep_voter v;
		double a = rep_ds_worker_informed_accuracy(&m, n_labels, w);

		/* The prior, plus the evidence split by that accuracy. */
		v.alpha = f->p.prior_alpha;
		v.beta = f->p.prior_beta;
		if (rep_reputation_add(&v, a * f->l[w].evidence,
			(1.0 - a) * f->l[w].evidence, &f->p) != 0)
			return LC_ERR_INTERNAL;
		f->l[w].alpha = v.alpha;
		f->l[w].beta = v.beta;
	}
	return 0;
}

/*
 * The project's temperature from its gold tasks (rep_fit_temperature()):
 * each gold task, as its votes stood from min_votes on, scored with the
 * beliefs just fitted — less, for each voter, what that very answer added
 * (its gold evidence) — and its gold label.  *samples gets how many.
 */
static int
re_temperature(struct re_fit *f, PGresult *gv, int n_labels, int min_votes,
    double stake_ref, double *temperature, int *samples)
{
	struct rep_params  p = f->p;
	struct re_labeler *x;
	struct rep_voter   v;
	size_t		   rows = (size_t)PQntuples(gv), n = 0, i;
	double		  *scores = NULL, score[LC_MAX_LABELS];
	int		  *gold = NULL, k, label, g, j = 0;
	int64_t		   task, prev = 0;

	*temperature = 1.0;
	*samples = 0;
	if (rows == 0)
		return 0;
	if (rows > REESTIMATE_T_SAMPLES)
		rows = REESTIMATE_T_SAMPLES;
	if ((scores = calloc(rows * (size_t)n_labels, sizeof(double))) ==
		NULL ||
	    (gold = calloc(rows, sizeof(int))) == NULL) {
		free(scores);
		return LC_ERR_NOMEM;
	}
	p.stake_ref = stake_ref;
	p.temperature = 1.0;
	for (i = 0; i < rows; i++) {
		task = db_int64(gv, (int)i, 0);
		if (i == 0 || task != prev) {
			for (k = 0; k < n_labels; k++)
				score[k] = 0.0;
			j = 0;
		}
		prev = task;
		label = (int)db_int64(gv, (int)i, 2);
		g = (int)db_int64(gv, (int)i, 4);
		if (label < 0 || label >= n_labels || g < 0 || g >= n_labels)
			continue;
		j++;
		x = re_find(f, db_int64(gv, (int)i, 1));
		if (x != NULL &&
		    !rep_gold_banned((int)x->gold_right, (int)x->gold_wrong,
			n_labels, &p)) {
			v.alpha = x->alpha;
			v.beta = x->beta;
			if (label == g && v.alpha - p.gold_gain > 0.0)
				v.alpha -= p.gold_gain;
			else if (label != g && v.beta - p.gold_gain > 0.0)
				v.beta -= p.gold_gain;
			v.stake = db_int64(gv, (int)i, 3);
			score[label] += rep_vote_weight(&v, n_labels, &p);
		}
		if (j >= min_votes) {
			memcpy(scores + n * (size_t)n_labels, score,
			    (size_t)n_labels * sizeof(double));
			gold[n++] = g;
		}
	}
	*temperature =
	    rep_fit_temperature(scores, gold, n, n_labels, REESTIMATE_T_PRIOR);
	*samples = (int)n;
	free(scores);
	free(gold);
	return 0;
}

/*
 * Worth a history row: a new belief, or one whose mean moved by half a
 * point or whose evidence by one vote or more.
 */
static int
re_changed(const struct re_labeler *x)
{
	double m0, m1;

	if (x->old_alpha <= 0.0 || x->old_beta <= 0.0)
		return 1;
	m0 = x->old_alpha / (x->old_alpha + x->old_beta);
	m1 = x->alpha / (x->alpha + x->beta);
	return fabs(m1 - m0) >= 0.005 ||
	    fabs((x->alpha + x->beta) - (x->old_alpha + x->old_beta)) >= 1.0;
}

static int
re_fit_body(struct db *db, void *arg)
{
	struct re_fit	  *f = arg;
	struct re_labeler *x;
	struct rep_voter   v;
	PGresult	  *res = NULL, *all[3] = { NULL, NULL, NULL };
	PGresult	  *gv = NULL;
	char		   id[24], last[24], nv[24], tt[32], ns[24],
	    labels_buf[LC_MAX_LABELS * (LC_MAX_LABEL_BYTES + 1)];
	const char *params[7], *labels[LC_MAX_LABELS];
	char	   *arr[6] = { NULL };
	size_t	    i, cap;
	int64_t	    last_vote, stake_ref, n_votes;
	double	    temperature;
	int	    rc, r, n_labels, min_votes, samples;

	re_fit_free(f); /* what an attempt refused with 40001 took */
	memset(f->out, 0, sizeof(*f->out));
	if ((rc = db_exec(db, "reestimate_lock", 0, NULL, &res)) != 0)
		return rc;
	r = db_bool(res, 0, 0);
	PQclear(res);
	res = NULL;
	if (!r) {
		f->out->busy = 1;
		return 0;
	}
	params[0] = market_i64(id, f->project_id);
	if ((rc = db_exec(db, "reestimate_project", 1, params, &res)) != 0)
		return rc;
	if (PQntuples(res) != 1) {
		rc = market_fail(f->detail, LC_ERR_NOT_FOUND,
		    "no project %" PRId64, f->project_id);
		goto out;
	}
	if (strcmp(db_text(res, 0, 0), "closed") == 0) {
		rc = market_fail(f->detail, LC_ERR_STATE,
		    "the project is closed");
		goto out;
	}
	if (market_split_labels(labels_buf, sizeof(labels_buf),
		db_text(res, 0, 1), labels, &n_labels) != 0) {
		rc = LC_ERR_INTERNAL;
		goto out;
	}
	last_vote = db_int64(res, 0, 2);
	min_votes = (int)db_int64(res, 0, 3);
	stake_ref = db_int64(res, 0, 4);
	n_votes = db_int64(res, 0, 5);
	PQclear(res);
	res = NULL;

	/*
	 * The labelers with a belief (locked), the evidence still queued
	 * (taken), the votes of the fit; every labeler of the three starts at
	 * the prior, its gold record counted.
	 */
	params[1] = market_i64(last, last_vote);
	if ((rc = db_exec(db, "reestimate_beliefs", 1, params, &all[0])) != 0 ||
	    (rc = db_exec(db, "reestimate_take", 1, params, &all[1])) != 0 ||
	    (rc = db_exec(db, "reestimate_votes", 2, params, &all[2])) != 0 ||
	    (rc = re_collect(f, all, 3)) != 0)
		goto out;
	for (r = 0; r < PQntuples(all[0]); r++) {
		x = re_find(f, db_int64(all[0], r, 0));
		x->gold_right = db_int64(all[0], r, 1);
		x->gold_wrong = db_int64(all[0], r, 2);
		x->old_alpha = db_double(all[0], r, 3);
		x->old_beta = db_double(all[0], r, 4);
	}
	for (r = 0; r < PQntuples(all[1]); r++) {
		x = re_find(f, db_int64(all[1], r, 0));
		x->gold_right += db_int64(all[1], r, 1) > 0;
		x->gold_wrong += db_int64(all[1], r, 1) < 0;
	}
	if ((rc = re_run_fit(f, all[2], n_labels)) != 0)
		goto out;

	/* Gold answers count on top, right or wrong. */
	for (i = 0; i < f->n_l; i++) {
		v.alpha = f->l[i].alpha;
		v.beta = f->l[i].beta;
		if (rep_reputation_add(&v,
			f->p.gold_gain * (double)f->l[i].gold_right,
			f->p.gold_gain * (double)f->l[i].gold_wrong,
			&f->p) != 0) {
			rc = LC_ERR_INTERNAL;
			goto out;
		}
		f->l[i].alpha = v.alpha;
		f->l[i].beta = v.beta;
	}
	if ((rc = db_exec(db, "reestimate_gold_votes", 2, params, &gv)) != 0 ||
	    (rc = re_temperature(f, gv, n_labels, min_votes, (double)stake_ref,
		 &temperature, &samples)) != 0)
		goto out;
	f->out->temperature = temperature;
	f->out->calibration_samples = samples;
	f->out->labelers = (int)f->n_l;
	if (f->n_l > 0) {
		rc = LC_ERR_NOMEM;
		if ((f->w_acct = calloc(f->n_l, sizeof(int64_t))) == NULL ||
		    (f->w_right = calloc(f->n_l, sizeof(int64_t))) == NULL ||
		    (f->w_wrong = calloc(f->n_l, sizeof(int64_t))) == NULL ||
		    (f->w_changed = calloc(f->n_l, sizeof(int64_t))) == NULL ||
		    (f->w_alpha = calloc(f->n_l, sizeof(double))) == NULL ||
		    (f->w_beta = calloc(f->n_l, sizeof(double))) == NULL)
			goto out;
		for (i = 0; i < f->n_l; i++) {
			f->w_acct[i] = f->l[i].account_id;
			f->w_right[i] = f->l[i].gold_right;
			f->w_wrong[i] = f->l[i].gold_wrong;
			f->w_alpha[i] = f->l[i].alpha;
			f->w_beta[i] = f->l[i].beta;
			f->w_changed[i] = re_changed(&f->l[i]);
		}
		cap = f->n_l * 34 + 8;
		for (r = 0; r < 6; r++)
			if ((arr[r] = malloc(cap)) == NULL)
				goto out;
		rc = LC_ERR_INTERNAL;
		if (market_array_i64(arr[0], cap, f->w_acct, f->n_l) ||
		    market_array_f64(arr[1], cap, f->w_alpha, f->n_l) ||
		    market_array_f64(arr[2], cap, f->w_beta, f->n_l) ||
		    market_array_i64(arr[3], cap, f->w_right, f->n_l) ||
		    market_array_i64(arr[4], cap, f->w_wrong, f->n_l) ||
		    market_array_i64(arr[5], cap, f->w_changed, f->n_l))
			goto out;
		for (r = 0; r < 6; r++)
			params[r + 1] = arr[r];
		if ((rc = db_exec(db, "reestimate_write", 7, params, NULL)) !=
		    0)
			goto out;
	}
	params[1] = market_i64(last, last_vote);
	/* The next run is due when the votes grew by a tenth of all of them,
	 * not of those the fit could use: a project whose tasks have one
	 * vote each would otherwise be re-estimated every 20 votes, each run
	 * reading them all. */
	params[2] = market_i64(nv, n_votes);
	params[3] = market_f64(tt, temperature);
	params[4] = market_i64(ns, samples);
	rc = db_exec(db, "reestimate_done", 5, params, NULL);
out:
	for (r = 0; r < 6; r++)
		free(arr[r]);
	for (r = 0; r < 3; r++)
		PQclear(all[r]);
	PQclear(gv);
	PQclear(res);
	return rc;
}

/* Decide the open tasks again with the beliefs as they now are. */
enum {
	RO_TASK,
	RO_N_VOTES,
	RO_DATA_SHA,
	RO_REWARD,
	RO_MIN_VOTES,
	RO_MAX_VOTES,
	RO_CONFIDENCE,
	RO_STAKE_REF,
	RO_TEMPERATURE,
	RO_NOW,
	RO_V_ACCOUNT,
	RO_V_LABEL,
	RO_V_STAKE_W,
	RO_V_BOND,
	RO_V_KEY,
	RO_V_SIG,
	RO_V_ALPHA,
	RO_V_BETA,
	RO_V_GOLD_RIGHT,
	RO_V_GOLD_WRONG,
	RO_FUTILITY,
};

/* Rows [row, end) of res are the votes of one task. */
static int
re_rescore_task(struct db *db, int64_t project_id, PGresult *res, int row,
    int end, const char *const *labels, int n_labels,
    struct reestimate_result *out)
{
	struct finalize_voter	      voters[LC_MAX_VOTES_PER_TASK];
	struct finalize_apply_params *ap = NULL;
	struct finalize_plan	      plan;
	struct finalize_in	      fi;
	struct rep_decision	      d;
	struct rep_params	      p;
	double			      post[LC_MAX_LABELS];
	int			      i, n = end - row, rc;

	if (n > LC_MAX_VOTES_PER_TASK ||
	    n != (int)db_int64(res, row, RO_N_VOTES))
		return LC_ERR_INTERNAL;
	rep_params_live(&p);
	p.min_votes = (int)db_int64(res, row, RO_MIN_VOTES);
	p.max_votes = (int)db_int64(res, row, RO_MAX_VOTES);
	p.confidence = db_double(res, row, RO_CONFIDENCE);
	p.stake_ref = (double)db_int64(res, row, RO_STAKE_REF);
	p.temperature = db_double(res, row, RO_TEMPERATURE);
	p.futility = db_double(res, row, RO_FUTILITY);
	memset(voters, 0, sizeof(voters));
	for (i = 0; i < n; i++) {
		struct finalize_voter *v = &voters[i];
		int		       r = row + i;

		v->account_id = db_int64(res, r, RO_V_ACCOUNT);
		v->label = (int)db_int64(res, r, RO_V_LABEL);
		v->stake_w = db_int64(res, r, RO_V_STAKE_W);
		v->bond = db_int64(res, r, RO_V_BOND);
		v->public_key = db_text(res, r, RO_V_KEY);
		v->signature = db_text(res, r, RO_V_SIG);
		v->alpha = db_text(res, r, RO_V_ALPHA) != NULL
		    ? db_double(res, r, RO_V_ALPHA)
		    : p.prior_alpha;
		v->beta = db_text(res, r, RO_V_BETA) != NULL
		    ? db_double(res, r, RO_V_BETA)
		    : p.prior_beta;
		v->gold_right = (int)db_int64(res, r, RO_V_GOLD_RIGHT);
		v->gold_wrong = (int)db_int64(res, r, RO_V_GOLD_WRONG);
	}
	if (finalize_decide(&p, n_labels, -1, voters, (size_t)n, post, &d) != 0)
		return LC_ERR_INTERNAL;
	out->rescored++;
	if (d.state == REP_TASK_OPEN)
		return 0;
	memset(&fi, 0, sizeof(fi));
	fi.task_id = db_int64(res, row, RO_TASK);
	fi.project_id = project_id;
	fi.n_labels = n_labels;
	fi.labels = labels;
	fi.gold_label = -1;
	fi.data_sha256 = db_text(res, row, RO_DATA_SHA);
	fi.reward = db_int64(res, row, RO_REWARD);
	fi.post = post;
	fi.decision = d;
	fi.params = &p;
	fi.finalized_at = db_text(res, row, RO_NOW);
	fi.voters = voters;
	fi.n_voters = (size_t)n;
	if ((rc = finalize_plan(&fi, &plan)) != 0)
		return rc;
	if ((ap = malloc(sizeof(*ap))) == NULL) {
		finalize_plan_free(&plan);
		return LC_ERR_NOMEM;
	}
	if ((rc = finalize_apply_params(&fi, &plan, n, ap)) == 0) {
		/* The lock first, so that the finalization sees every lease. */
		const char	    *lp[1] = { ap->v[0] };
		const struct db_step steps[2] = {
			{ "finalize_lock", 1, lp, NULL },
			{ "finalize_apply", FINALIZE_APPLY_PARAMS, ap->v,
			    NULL },
		};

		rc = db_pipeline_tx(db, steps, 2);
	}
	free(ap);
	finalize_plan_free(&plan);
	if (rc == LC_ERR_RETRY)
		return 0; /* a vote came in: it has decided the task again */
	if (rc == 0)
		out->finalized++;
	return rc;
}

static int
re_rescore(struct db *db, int64_t project_id, struct reestimate_result *out)
{
	PGresult   *res = NULL;
	char	    labels_buf[LC_MAX_LABELS * (LC_MAX_LABEL_BYTES + 1)];
	const char *labels[LC_MAX_LABELS], *params[3];
	char	    id[24], after[24], page[24];
	int64_t	    last = 0;
	int	    rc, n_labels, row, end, rows;

	params[0] = market_i64(id, project_id);
	if ((rc = db_exec(db, "reestimate_project", 1, params, &res)) != 0)
		return rc;
	if (PQntuples(res) != 1 ||
	    market_split_labels(labels_buf, sizeof(labels_buf),
		db_text(res, 0, 1), labels, &n_labels) != 0) {
		PQclear(res);
		return LC_ERR_INTERNAL;
	}
	PQclear(res);
	params[2] = market_i64(page, REESTIMATE_PAGE);
	for (;;) {
		params[1] = market_i64(after, last);
		if ((rc = db_exec(db, "reestimate_open", 3, params, &res)) != 0)
			return rc;
		if ((rows = PQntuples(res)) == 0)
			break;
		for (row = 0; row < rows; row = end) {
			last = db_int64(res, row, RO_TASK);
			for (end = row + 1;
			     end < rows && db_int64(res, end, RO_TASK) == last;
			     end++)
				;
			if ((rc = re_rescore_task(db, project_id, res, row, end,
				 labels, n_labels, out)) != 0)
				break;
		}
		PQclear(res);
		res = NULL;
		if (rc != 0)
			return rc;
	}
	PQclear(res);
	return 0;
}

int
reestimate_project(struct db *db, int64_t project_id,
    struct reestimate_result *out, char *detail)
{
	struct re_fit f;
	int	      rc;

	memset(out, 0, sizeof(*out));
	memset(&f, 0, sizeof(f));
	f.project_id = project_id;
	f.detail = detail;
	f.out = out;
	rep_params_live(&f.p);
	rc = db_tx(db, re_fit_body, &f);
	re_fit_free(&f);
	if (rc != 0 || out->busy)
		return rc;
	return re_rescore(db, project_id, out);
}

struct re_request_arg {
	int64_t owner_id, project_id;
	char   *detail;
};

static int
re_request_body(struct db *db, void *arg)
{
	struct re_request_arg *a = arg;
	char		       status[8], id[24];
	const char	      *params[1] = { market_i64(id, a->project_id) };
	int		       rc;

	if ((rc = project_lock_owned(db, a->owner_id, a->project_id, 1, status,
		 a->detail)) != 0)
		return rc;
	if (strcmp(status, "closed") == 0)
		return market_fail(a->detail, LC_ERR_STATE,
		    "the project is closed");
	return db_exec(db, "reestimate_request", 1, params, NULL);
}

int
reestimate_request(struct db *db, int64_t owner_id, int64_t project_id,
    char *detail)
{
	struct re_request_arg a = { owner_id, project_id, detail };

	return db_tx(db, re_request_body, &a);
}
