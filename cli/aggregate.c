/*
 * cli/aggregate.c — `labelctl aggregate` (see aggregate.h).
 *
 * A thin shell around reputation/: stream the CSV files (cli/csv.c), map
 * item, worker and label names to dense indices (cli/intern.c: one hash
 * table each, names copied once into an arena), run one estimator over
 * flat arrays on every core (cli/pool.c), print the labels.
 *
 * Labels are indexed in byte order so that "ties go to the lowest index"
 * is "ties go to the lowest label", the rule of the data sets' reference.
 * The gold file is read last and never adds an item, a worker or a label:
 * a gold label that no vote used cannot be any method's answer, so it is
 * kept apart (AGG_GOLD_UNVOTED), counted as wrong and reported.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/aggregate.h"
#include "cli/csv.h"
#include "cli/pool.h"
#include "reputation/reputation.h"

#define EXIT_INPUT 1
#define EXIT_USAGE 2 /* also: an input that cannot be read, no memory */
#define OUT_BLOCK_ITEMS 16384 /* items formatted per block of output */

enum method {
	METHOD_STAKE,
	METHOD_DS,
	METHOD_ONECOIN,
	METHOD_WAWA,
	METHOD_MV,
	METHOD_REPLAY
};

static const struct method_entry {
	const char *name;
	enum method method;
	const char *help;
} methods[] = {
	{ "stake", METHOD_STAKE,
	    "(default) ds started from stake-weighted majority vote, each\n"
	    "worker's evidence discounted by its stake factor min(1, sqrt(stake\n"
	    "/ 10 credits)) as the live market weighs votes; the same as ds\n"
	    "without --stakes" },
	{ "ds", METHOD_DS,
	    "Dawid-Skene EM, one confusion matrix per worker, drawn toward the\n"
	    "worker's one-coin row (its accuracy shrunk to the crowd's by an\n"
	    "empirical-Bayes prior, moved by the crowd's accuracy on each\n"
	    "class; the crowd's pooled wrong answers): K pseudo-votes per row\n"
	    "(--row-prior), and that row outright below K^2 effective votes;\n"
	    "started from majority vote" },
	{ "onecoin", METHOD_ONECOIN,
	    "one-coin EM: one accuracy per worker (shrunk to the crowd's by\n"
	    "the same prior), wrong answers spread evenly, uniform class prior" },
	{ "wawa", METHOD_WAWA,
	    "majority vote weighted by each worker's agreement with plain\n"
	    "majority vote (crowd-kit's Wawa)" },
	{ "mv", METHOD_MV, "majority vote, ties to the lowest label" },
	{ "replay", METHOD_REPLAY,
	    "the live market's online model replayed in vote order (what the\n"
	    "market would have concluded), then stake from its posteriors;\n"
	    "sequential, so slower on large files" },
};
#define N_METHODS (sizeof(methods) / sizeof(methods[0]))

static const char *const item_names[] = { "item", "task", "item_id", "task_id",
	NULL };
static const char *const worker_names[] = { "worker", "annotator", "performer",
	"labeler", "worker_id", NULL };
static const char *const label_names[] = { "label", "true_label", "gold",
	"answer", NULL };
static const char *const stake_names[] = { "stake", NULL };

/*
 * Labels are few and repeat on every vote: a label of up to 8 bytes is
 * looked up in a small direct-mapped cache of its bytes before the table.
 */
#define LABEL_CACHE 256

struct label_hit {
	uint64_t word; /* the label's bytes, zero-padded */
	uint32_t len;
	int32_t	 idx; /* -1: empty */
};

/* Loading state shared by the three record callbacks. */
struct loader {
	struct aggregate_data *d;
	struct intern	       labels; /* in order of appearance */
	struct label_hit       label_cache[LABEL_CACHE];
	int32_t		      *gold; /* by item: unsorted label index */
	size_t		       cap_obs;
	bool		       header_done;
};

static bool
is_one_of(const char *s, const char *const *names)
{
	for (; *names != NULL; names++)
		if (strcasecmp(s, *names) == 0)
			return true;
	return false;
}

static int
record_width(const struct csv_record *rec, size_t want, const char *what,
    char *err, size_t errlen)
{
	size_t i;

	if (rec->n_fields != want) {
		snprintf(err, errlen, "expected %zu fields (%s), found %zu",
		    want, what, rec->n_fields);
		return CSV_ERR_INPUT;
	}
	for (i = 0; i < want; i++)
		if (rec->len[i] == 0) {
			snprintf(err, errlen, "field %zu is empty", i + 1);
			return CSV_ERR_INPUT;
		}
	return 0;
}

/* Intern field f of rec into t.  The index, or < 0 with err set. */
static int32_t
intern_field(struct intern *t, const struct csv_record *rec, size_t f,
    const struct intern_key *k, const char *what, int *rc, char *err,
    size_t errlen)
{
	int32_t i = intern_put(t, rec->field[f], rec->len[f], k);

	if (i >= 0)
		return i;
	if (i == INTERN_ERR_FULL) {
		snprintf(err, errlen, "more than %d distinct %s", (int)t->max,
		    what);
		*rc = CSV_ERR_INPUT;
	} else {
		snprintf(err, errlen, "out of memory");
		*rc = CSV_ERR_SYSTEM;
	}
	return -1;
}

/* Field f of rec as a label index, or < 0 with *rc and err set. */
static int32_t
label_index(struct loader *l, const struct csv_record *rec, size_t f, int *rc,
    char *err, size_t errlen)
{
	struct intern_key k;
	struct label_hit *h = NULL;
	uint64_t	  word = 0;
	size_t		  len = rec->len[f];
	int32_t		  idx;

	if (len <= 8) {
		memcpy(&word, rec->field[f], len);
		h = &l->label_cache[(word ^ word >> 24 ^ word >> 48 ^ len) %
		    LABEL_CACHE];
		if (h->idx >= 0 && h->word == word && h->len == len)
			return h->idx;
	}
	intern_key_padded(&k, rec->field[f], len);
	idx = intern_field(&l->labels, rec, f, &k, "labels", rc, err, errlen);
	if (h != NULL && idx >= 0) {
		h->word = word;
		h->len = (uint32_t)len;
		h->idx = idx;
	}
	return idx;
}

static int
grow_obs(struct loader *l, size_t n, char *err, size_t errlen)
{
	struct aggregate_data *d = l->d;
	struct rep_obs	      *o;
	size_t		       cap = l->cap_obs ? l->cap_obs : 65536;

	while (cap < d->batch.n_obs + n)
		cap *= 2;
	if (cap > AGG_MAX_VOTES)
		cap = AGG_MAX_VOTES;
	if (d->batch.n_obs + n > cap) {
		snprintf(err, errlen, "more than %zu votes", AGG_MAX_VOTES);
		return CSV_ERR_INPUT;
	}
	if (cap == l->cap_obs)
		return 0;
	if ((o = realloc((void *)d->batch.obs, cap * sizeof(*o))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return CSV_ERR_SYSTEM;
	}
	d->batch.obs = o;
	l->cap_obs = cap;
	return 0;
}

/*
 * A batch of votes: hash every name and prefetch its slot first, so that
 * the table lookups' cache misses overlap, then intern them in order.
 */
static int
on_votes(void *ctx, const struct csv_record *rec, size_t n, size_t *bad,
    char *err, size_t errlen)
{
	struct loader	      *l = ctx;
	struct aggregate_data *d = l->d;
	struct rep_obs	      *o;
	struct intern_key      ki[CSV_BATCH_RECORDS], kw[CSV_BATCH_RECORDS];
	size_t		       r = 0;
	int		       rc = 0;

	if (!l->header_done) {
		l->header_done = true;
		if (rec[0].n_fields == 3 &&
		    is_one_of(rec[0].field[0], item_names) &&
		    is_one_of(rec[0].field[1], worker_names) &&
		    is_one_of(rec[0].field[2], label_names))
			r = 1;
	}
	for (*bad = r; *bad < n; (*bad)++) {
		const struct csv_record *x = &rec[*bad];

		if ((rc = record_width(x, 3, "item,worker,label", err,
			 errlen)) != 0)
			return rc;
		intern_key_padded(&ki[*bad], x->field[0], x->len[0]);
		intern_key_padded(&kw[*bad], x->field[1], x->len[1]);
		intern_prefetch(&d->items, &ki[*bad]);
		intern_prefetch(&d->workers, &kw[*bad]);
	}
	if ((rc = grow_obs(l, n - r, err, errlen)) != 0) {
		*bad = r;
		return rc;
	}
	o = (struct rep_obs *)d->batch.obs + d->batch.n_obs;
	for (*bad = r; *bad < n; (*bad)++, o++) {
		const struct csv_record *x = &rec[*bad];

		if ((o->item = intern_field(&d->items, x, 0, &ki[*bad], "items",
			 &rc, err, errlen)) < 0 ||
		    (o->worker = intern_field(&d->workers, x, 1, &kw[*bad],
			 "workers", &rc, err, errlen)) < 0 ||
		    (o->label = label_index(l, x, 2, &rc, err, errlen)) < 0)
			return rc;
		d->batch.n_obs++;
	}
	return 0;
}

static int
parse_credits(const char *s, double *out)
{
	char  *end;
	double x;

	errno = 0;
	x = strtod(s, &end);
	while (isspace((unsigned char)*end))
		end++;
	if (errno != 0 || end == s || *end != '\0' || !isfinite(x) || x < 0 ||
	    x > AGG_MAX_STAKE_CREDITS)
		return -1;
	*out = x;
	return 0;
}

static int
on_stake(void *ctx, const struct csv_record *rec, char *err, size_t errlen)
{
	struct loader *l = ctx;
	int32_t	       worker;
	double	       credits;
	int	       rc;

	if (!l->header_done) {
		l->header_done = true;
		if (rec->n_fields == 2 &&
		    is_one_of(rec->field[0], worker_names) &&
		    is_one_of(rec->field[1], stake_names))
			return 0;
	}
	if ((rc = record_width(rec, 2, "worker,stake", err, errlen)) != 0)
		return rc;
	if (parse_credits(rec->field[1], &credits) != 0) {
		snprintf(err, errlen,
		    "stake '%.64s' is not a number of credits in [0, %.0f]",
		    rec->field[1], AGG_MAX_STAKE_CREDITS);
		return CSV_ERR_INPUT;
	}
	/* Workers who never voted do not matter here. */
	if ((worker = intern_find(&l->d->workers, rec->field[0],
		 rec->len[0])) >= 0)
		l->d->stake[worker] = llround(credits * 1e6);
	return 0;
}

static int
on_gold(void *ctx, const struct csv_record *rec, char *err, size_t errlen)
{
	struct loader	      *l = ctx;
	struct aggregate_data *d = l->d;
	int32_t		       item, label;
	int		       rc;

	if (!l->header_done) {
		l->header_done = true;
		if (rec->n_fields == 2 &&
		    is_one_of(rec->field[0], item_names) &&
		    is_one_of(rec->field[1], label_names))
			return 0;
	}
	if ((rc = record_width(rec, 2, "item,label", err, errlen)) != 0)
		return rc;
	/* Items nobody voted on cannot be scored: count and skip them. */
	if ((item = intern_find(&d->items, rec->field[0], rec->len[0])) < 0) {
		d->n_gold_unseen++;
		return 0;
	}
	label = intern_find(&l->labels, rec->field[1], rec->len[1]);
	if (label < 0)
		label = AGG_GOLD_UNVOTED;
	if (l->gold[item] != AGG_GOLD_NONE && l->gold[item] != label) {
		snprintf(err, errlen, "item '%.64s' has two gold labels",
		    rec->field[0]);
		return CSV_ERR_INPUT;
	}
	if (l->gold[item] == AGG_GOLD_NONE) {
		d->n_gold++;
		if (label == AGG_GOLD_UNVOTED && d->n_gold_unvoted++ == 0)
			snprintf(d->gold_example, sizeof(d->gold_example),
			    "item '%.60s': '%.60s'", rec->field[0],
			    rec->field[1]);
	}
	l->gold[item] = label;
	return 0;
}

void
aggregate_free(struct aggregate_data *d)
{
	int k;

	if (d == NULL)
		return;
	free((void *)d->batch.obs);
	intern_free(&d->items);
	intern_free(&d->workers);
	if (d->label_name != NULL)
		for (k = 0; k < d->batch.n_labels; k++)
			free(d->label_name[k]);
	free(d->label_name);
	free(d->stake);
	free(d->gold);
	memset(d, 0, sizeof(*d));
}

static int
cmp_str_ptr(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Labels in byte order: names, and the rank of each loaded index. */
static int
sort_labels(struct loader *l, int32_t *rank)
{
	struct aggregate_data *d = l->d;
	size_t		       K = l->labels.n, i, k;

	if ((d->label_name = calloc(K, sizeof(char *))) == NULL)
		return -1;
	d->batch.n_labels = (int)K;
	for (i = 0; i < K; i++)
		if ((d->label_name[i] = strdup(
			 intern_name(&l->labels, (int32_t)i))) == NULL)
			return -1;
	qsort(d->label_name, K, sizeof(char *), cmp_str_ptr);
	for (i = 0; i < K; i++)
		for (k = 0; k < K; k++)
			if (strcmp(d->label_name[k],
				intern_name(&l->labels, (int32_t)i)) == 0)
				rank[i] = (int32_t)k;
	return 0;
}

void
aggregate_params_default(struct rep_params *p)
{
	rep_params_default(p);
	p->em_tol = AGG_EM_TOL;
}

int
aggregate_load(const char *votes_path, const char *stakes_path,
    const char *gold_path, struct aggregate_data *d, char *err, size_t errlen)
{
	struct loader	  l = { 0 };
	struct rep_params p;
	struct rep_obs	 *obs;
	int32_t		  rank[REP_MAX_LABELS + 1];
	size_t		  i, n_items, n_workers;
	int		  rc;

	memset(d, 0, sizeof(*d));
	l.d = d;
	for (i = 0; i < LABEL_CACHE; i++)
		l.label_cache[i].idx = -1;
	d->items.max = AGG_MAX_ITEMS;
	d->workers.max = AGG_MAX_WORKERS;
	l.labels.max = REP_MAX_LABELS;
	rep_params_default(&p);
	if ((rc = csv_read_batches(votes_path, on_votes, &l, err, errlen)) != 0)
		goto fail;
	if (d->batch.n_obs == 0) {
		snprintf(err, errlen, "%s: no votes",
		    csv_display_name(votes_path));
		rc = CSV_ERR_INPUT;
		goto fail;
	}
	n_items = d->items.n;
	n_workers = d->workers.n;
	d->batch.n_items = (int)n_items;
	d->batch.n_workers = (int)n_workers;
	if ((d->stake = malloc((n_workers + 1) * sizeof(*d->stake))) == NULL ||
	    (l.gold = malloc((n_items + 1) * sizeof(*l.gold))) == NULL)
		goto nomem;
	for (i = 0; i < n_workers; i++)
		d->stake[i] = (int64_t)p.stake_ref;
	for (i = 0; i < n_items; i++)
		l.gold[i] = AGG_GOLD_NONE;
	if (stakes_path != NULL) {
		l.header_done = false;
		if ((rc = csv_read_file(stakes_path, on_stake, &l, err,
			 errlen)) != 0)
			goto fail;
	}
	if (gold_path != NULL) {
		l.header_done = false;
		if ((rc = csv_read_file(gold_path, on_gold, &l, err, errlen)) !=
		    0)
			goto fail;
	}
	/*
	 * A single label still needs K >= 2: add one nobody chose (after the
	 * gold file, so that gold naming it still counts as unvoted).
	 */
	if (l.labels.n < REP_MIN_LABELS) {
		const char *extra =
		    strcmp(intern_name(&l.labels, 0), "~") == 0 ? "~~" : "~";
		struct intern_key k;

		intern_key(&k, extra, strlen(extra));
		if (intern_put(&l.labels, extra, strlen(extra), &k) < 0)
			goto nomem;
	}
	if (sort_labels(&l, rank) != 0)
		goto nomem;
	obs = (struct rep_obs *)d->batch.obs;
	for (i = 0; i < d->batch.n_obs; i++)
		obs[i].label = rank[obs[i].label];
	for (i = 0; i < n_items; i++)
		if (l.gold[i] >= 0)
			l.gold[i] = rank[l.gold[i]];
	d->gold = l.gold;
	intern_free(&l.labels);
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	rc = CSV_ERR_SYSTEM;
fail:
	free(l.gold);
	intern_free(&l.labels);
	aggregate_free(d);
	return rc;
}

static const struct method_entry *
method_find(const char *name)
{
	size_t i;

	for (i = 0; i < N_METHODS; i++)
		if (strcmp(name, methods[i].name) == 0)
			return &methods[i];
	return NULL;
}

int
aggregate_method_known(const char *name)
{
	return method_find(name) != NULL;
}

/*
 * Stake factors relative to the cap: in [0, 1], 1 at the reference stake.
 * Returns whether any is below 1 (if none is, EM needs no scale).
 */
static bool
stake_scales(const struct aggregate_data *d, const struct rep_params *p,
    double *scale)
{
	bool any = false;
	int  w;

	for (w = 0; w < d->batch.n_workers; w++) {
		double h = rep_stake_factor(d->stake[w], p);

		scale[w] =
		    p->stake_cap > 0.0 ? fmin(1.0, h / p->stake_cap) : 1.0;
		any = any || scale[w] != 1.0;
	}
	return any;
}

/*
 * Stake-weighted majority vote: each vote weighs a new voter's weight,
 * which depends on the worker's stake only (worker_wt: n_workers, scratch).
 * When every worker's weight is the same it is plain majority vote, which
 * the fit computes itself (on the threads): then *equal is set and post is
 * left alone.
 */
static int
stake_majority(const struct aggregate_data *d, const struct rep_params *p,
    double *worker_wt, double *post, bool *equal)
{
	struct rep_voter v;
	double		*wt;
	size_t		 i;
	int		 rc, w;

	*equal = true;
	for (w = 0; w < d->batch.n_workers; w++) {
		rep_voter_init(&v, d->stake[w], p);
		worker_wt[w] = rep_vote_weight(&v, d->batch.n_labels, p);
		*equal = *equal && worker_wt[w] == worker_wt[0];
	}
	if (*equal)
		return 0;
	if ((wt = malloc((d->batch.n_obs + 1) * sizeof(*wt))) == NULL)
		return REP_ERR_NOMEM;
	for (i = 0; i < d->batch.n_obs; i++)
		wt[i] = worker_wt[d->batch.obs[i].worker];
	rc = rep_majority(&d->batch, wt, post);
	free(wt);
	return rc;
}

static int
run_replay(const struct aggregate_data *d, const struct rep_params *p,
    double *post)
{
	struct rep_online_out on = { 0 };
	struct rep_voter     *voters;
	int		      rc, w;

	voters = calloc((size_t)d->batch.n_workers + 1, sizeof(*voters));
	if (voters == NULL)
		return REP_ERR_NOMEM;
	for (w = 0; w < d->batch.n_workers; w++)
		rep_voter_init(&voters[w], d->stake[w], p);
	on.item_post = post;
	rc = rep_online_replay(&d->batch, voters, NULL, false, p, &on);
	free(voters);
	return rc;
}

int
aggregate_estimate(const struct aggregate_data *d, struct aggregate_run *run,
    double *post)
{
	const struct method_entry *me = method_find(run->method);
	const struct rep_batch	  *b = &d->batch;
	const struct rep_params	  *p = run->params;
	struct rep_params	   plain;
	struct rep_vote_index	   ix = { 0 };
	struct rep_fit_opts	   o;
	struct rep_fit_info	   info = { 0 };
	struct rep_ds_model	   ds = { 0 };
	struct rep_onecoin_model   oc = { 0 };
	double			  *wa = NULL, *wb = NULL, *scale = NULL;
	bool			   equal = false;
	size_t nw = (size_t)b->n_workers + 1, K = (size_t)b->n_labels;
	int    rc = REP_ERR_NOMEM;

	run->iterations = 0;
	run->converged = true;
	run->acc_prior = run->own_share = 0.0;
	if (me == NULL || p == NULL)
		return REP_ERR_INVALID;
	if (me->method == METHOD_MV)
		return rep_majority(b, NULL, post);
	/*
	 * Per-worker scratch; wb is also DS's class prior (K doubles, more
	 * than the workers when few of them use many labels).  No confusion
	 * matrices: only the posteriors are printed.
	 */
	wa = malloc(nw * sizeof(double));
	wb = malloc((nw + K) * sizeof(double));
	scale = malloc(nw * sizeof(double));
	if (wa == NULL || wb == NULL || scale == NULL)
		goto done;
	if (me->method == METHOD_WAWA) {
		rc = rep_wawa(b, wa, wb, post);
		goto done;
	}
	if ((rc = rep_vote_index_build(b, run->par, &ix)) != 0)
		goto done;
	rep_fit_opts_default(&o, b->n_labels);
	if (run->row_prior >= 0.0)
		o.row_prior = run->row_prior;
	if (o.row_prior == 0.0 && p->em_tol > AGG_EM_TOL_PLAIN) {
		plain = *p;
		plain.em_tol = AGG_EM_TOL_PLAIN;
		p = &plain;
	}
	o.par = run->par;
	o.info = &info;
	switch (me->method) {
	case METHOD_ONECOIN:
		oc.accuracy = wa;
		oc.n_answers = wb;
		oc.item_post = post;
		rc = rep_onecoin_fit(&ix, NULL, p, &o, &oc);
		run->iterations = oc.iterations;
		run->converged = oc.converged;
		break;
	case METHOD_DS:
	case METHOD_STAKE:
	case METHOD_REPLAY:
		ds.class_prior = wb;
		ds.confusion = NULL;
		ds.item_post = post;
		if (me->method != METHOD_DS && stake_scales(d, p, scale))
			o.worker_scale = scale;
		if (me->method == METHOD_REPLAY)
			rc = run_replay(d, p, post);
		else if (me->method == METHOD_STAKE)
			rc = stake_majority(d, p, wa, post, &equal);
		if (rc != 0)
			break;
		rc = rep_ds_fit(&ix,
		    me->method == METHOD_DS || equal ? NULL : post, p, &o, &ds);
		run->iterations = ds.iterations;
		run->converged = ds.converged;
		run->own_share = info.own_share;
		break;
	default:
		rc = REP_ERR_INTERNAL;
	}
	run->acc_prior = info.acc_prior;
done:
	rep_vote_index_free(&ix);
	free(wa);
	free(wb);
	free(scale);
	return rc;
}

/*
 * Output order: names that are decimal integers (up to 18 digits) by value
 * first, then every other name bytewise; equal values ("7", "07") bytewise.
 * Keys are computed once, then sorted by a 4-pass LSD radix sort on the
 * value (numeric names) and qsort (the others).
 */
struct item_key {
	uint64_t value;
	int32_t	 idx;
};

static bool
numeric_value(const char *s, size_t len, uint64_t *v)
{
	size_t i;

	if (len == 0 || len > 18)
		return false;
	for (*v = 0, i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		*v = *v * 10 + (uint64_t)(s[i] - '0');
	}
	return true;
}

static int
cmp_key_name(const void *x, const void *y, void *names)
{
	return strcmp(intern_name(names, ((const struct item_key *)x)->idx),
	    intern_name(names, ((const struct item_key *)y)->idx));
}

static int
radix_sort(struct item_key *k, size_t n)
{
	struct item_key *tmp, *src = k, *dst, *t;
	size_t		*count, i, sum, c;
	int		 pass;

	tmp = malloc((n + 1) * sizeof(*tmp));
	count = malloc(65536 * sizeof(*count));
	if (tmp == NULL || count == NULL) {
		free(tmp);
		free(count);
		return -1;
	}
	dst = tmp;
	for (pass = 0; pass < 4; pass++) {
		int shift = 16 * pass;

		memset(count, 0, 65536 * sizeof(*count));
		for (i = 0; i < n; i++)
			count[(src[i].value >> shift) & 0xffff]++;
		for (sum = 0, i = 0; i < 65536; i++) {
			c = count[i];
			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			dst[count[(src[i].value >> shift) & 0xffff]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	free(tmp); /* four passes: the result is back in k */
	free(count);
	return 0;
}

static int32_t *
item_order(const struct aggregate_data *d)
{
	const struct intern *t = &d->items;
	struct item_key	    *key;
	int32_t		    *order = NULL;
	size_t		     n = t->n, n_num = 0, n_other, i, j;

	if ((key = malloc((n + 1) * sizeof(*key))) == NULL)
		return NULL;
	n_other = n;
	for (i = 0; i < n; i++) {
		uint64_t v;

		if (numeric_value(intern_name(t, (int32_t)i), t->len[i], &v)) {
			key[n_num].value = v;
			key[n_num++].idx = (int32_t)i;
		} else
			key[--n_other].idx = (int32_t)i;
	}
	if (radix_sort(key, n_num) != 0)
		goto done;
	for (i = 0; i < n_num; i = j) {
		for (j = i + 1; j < n_num && key[j].value == key[i].value; j++)
			;
		if (j - i > 1)
			qsort_r(key + i, j - i, sizeof(*key), cmp_key_name,
			    (void *)t);
	}
	qsort_r(key + n_num, n - n_num, sizeof(*key), cmp_key_name, (void *)t);
	if ((order = malloc((n + 1) * sizeof(*order))) == NULL)
		goto done;
	for (i = 0; i < n; i++)
		order[i] = key[i].idx;
done:
	free(key);
	return order;
}

/* The CSV form of a name (quoted when it must be), malloc'd. */
static char *
csv_form(const char *s)
{
	size_t n = strlen(s), i;
	char  *out, *p;

	if ((out = malloc(2 * n + 3)) == NULL)
		return NULL;
	if (strpbrk(s, ",\"\r\n") == NULL && s[0] != ' ') {
		memcpy(out, s, n + 1);
		return out;
	}
	p = out;
	*p++ = '"';
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			*p++ = '"';
		*p++ = s[i];
	}
	*p++ = '"';
	*p = '\0';
	return out;
}

/*
 * ",%.4f\n" of x in [0, 1] into p; returns the end.  Exact as printf: the
 * fast path is taken only when x * 10^4 is not within 10^-6 of a rounding
 * boundary.
 */
static char *
put_confidence(char *p, double x)
{
	double y = x * 1e4, f = floor(y);
	long   v;

	if (!(x >= 0.0 && x <= 1.0) || fabs(y - f - 0.5) < 1e-6)
		return p + sprintf(p, ",%.4f\n", x);
	v = (long)(y - f >= 0.5 ? f + 1 : f);
	*p++ = ',';
	*p++ = (char)('0' + v / 10000);
	*p++ = '.';
	*p++ = (char)('0' + v / 1000 % 10);
	*p++ = (char)('0' + v / 100 % 10);
	*p++ = (char)('0' + v / 10 % 10);
	*p++ = (char)('0' + v % 10);
	*p++ = '\n';
	return p;
}

/*
 * The output is formatted in blocks of items (in output order), on the
 * threads, each into a buffer of its own, then written in order.  Output
 * order visits the items at random, so each item's answer is first taken
 * from its posterior row in index order (a sequential pass), and the
 * formatting reads 16 bytes per item instead of a row of K doubles.
 */
struct out_block {
	char  *buf;
	size_t len, hits, scored;
	bool   failed;
};

struct answer {
	double	confidence;
	int32_t label;
};

struct out_job {
	const struct aggregate_data *d;
	const int32_t		    *order;
	const double		    *post;
	struct answer		    *answer; /* n_items, by index */
	char *const		    *label_csv;
	size_t			     label_max; /* longest label_csv */
	struct out_block	    *block;
};

/* The leading label and its probability of a block of items, by index. */
static void
answer_block_run(void *arg, int blk)
{
	struct out_job *job = arg;
	size_t		K = (size_t)job->d->batch.n_labels, i, lo, hi;

	lo = (size_t)blk * OUT_BLOCK_ITEMS;
	hi = lo + OUT_BLOCK_ITEMS < (size_t)job->d->batch.n_items
	    ? lo + OUT_BLOCK_ITEMS
	    : (size_t)job->d->batch.n_items;
	for (i = lo; i < hi; i++) {
		const double *row = job->post + i * K;
		int	      leader = rep_posterior_leader(row, (int)K);

		job->answer[i].label = leader;
		job->answer[i].confidence = row[leader];
	}
}

static bool
needs_quotes(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || s[0] == ' ')
		return true;
	for (i = 0; i < len; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
			return true;
	return false;
}

static void
out_block_run(void *arg, int blk)
{
	struct out_job	    *job = arg;
	const struct intern *t = &job->d->items;
	struct out_block    *ob = &job->block[blk];
	size_t		     i, lo, hi, n, room = 0;
	char		    *p, *q;

	lo = (size_t)blk * OUT_BLOCK_ITEMS;
	hi = lo + OUT_BLOCK_ITEMS < (size_t)job->d->batch.n_items
	    ? lo + OUT_BLOCK_ITEMS
	    : (size_t)job->d->batch.n_items;
	for (i = lo; i < hi; i++)
		room += 2 * (size_t)t->len[job->order[i]] + job->label_max + 16;
	if ((ob->buf = malloc(room + 1)) == NULL) {
		ob->failed = true;
		return;
	}
	for (p = ob->buf, i = lo; i < hi; i++) {
		int32_t	    it = job->order[i];
		const char *name = intern_name(t, it);
		int	    leader = job->answer[it].label;

		if (!needs_quotes(name, t->len[it])) {
			memcpy(p, name, t->len[it]);
			p += t->len[it];
		} else {
			if ((q = csv_form(name)) == NULL) {
				ob->failed = true;
				return;
			}
			n = strlen(q);
			memcpy(p, q, n);
			p += n;
			free(q);
		}
		*p++ = ',';
		n = strlen(job->label_csv[leader]);
		memcpy(p, job->label_csv[leader], n);
		p += n;
		p = put_confidence(p, job->answer[it].confidence);
		if (job->d->gold[it] != AGG_GOLD_NONE) {
			ob->scored++;
			ob->hits += leader == job->d->gold[it];
		}
	}
	ob->len = (size_t)(p - ob->buf);
}

/* Write the labels; score against gold.  0, or -1 on a write error. */
static int
write_labels(const struct aggregate_data *d, const int32_t *order,
    const double *post, char *const *label_csv, const struct rep_parallel *par,
    size_t *hits, size_t *scored)
{
	struct out_job job = { d, order, post, NULL, label_csv, 0, NULL };
	size_t	       n_items = (size_t)d->batch.n_items, k;
	int	       n_blocks, b, rc = -1;

	n_blocks = (int)((n_items + OUT_BLOCK_ITEMS - 1) / OUT_BLOCK_ITEMS);
	if ((job.block = calloc((size_t)n_blocks + 1, sizeof(*job.block))) ==
		NULL ||
	    (job.answer = malloc((n_items + 1) * sizeof(*job.answer))) ==
		NULL) {
		free(job.block);
		return -1;
	}
	rep_parallel_for(par, n_blocks, answer_block_run, &job);
	for (k = 0; k < (size_t)d->batch.n_labels; k++)
		if (strlen(label_csv[k]) > job.label_max)
			job.label_max = strlen(label_csv[k]);
	rep_parallel_for(par, n_blocks, out_block_run, &job);
	*hits = *scored = 0;
	if (fputs("item,label,confidence\n", stdout) == EOF)
		goto done;
	for (b = 0; b < n_blocks; b++) {
		struct out_block *ob = &job.block[b];

		if (ob->failed ||
		    fwrite(ob->buf, 1, ob->len, stdout) != ob->len)
			goto done;
		*hits += ob->hits;
		*scored += ob->scored;
		free(ob->buf);
		ob->buf = NULL;
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		goto done;
	rc = 0;
done:
	for (b = 0; b < n_blocks; b++)
		free(job.block[b].buf);
	free(job.block);
	free(job.answer);
	return rc;
}

/* Print text, indented by indent spaces after each line end. */
static void
put_indented(FILE *f, const char *text, int indent)
{
	for (; *text != '\0'; text++) {
		putc(*text, f);
		if (*text == '\n')
			fprintf(f, "%*s", indent, "");
	}
	putc('\n', f);
}

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f,
	    "usage: labelctl aggregate --votes FILE [--stakes FILE] "
	    "[--gold FILE]\n"
	    "           [--method METHOD] [--threads N] [--row-prior X] "
	    "[--verbose]\n"
	    "Offline truth inference: the most likely label of every item "
	    "from a crowd's votes.\n\n"
	    "  --votes FILE    CSV item,worker,label (header optional)\n"
	    "  --stakes FILE   CSV worker,stake in credits; unlisted workers "
	    "have 10\n"
	    "  --gold FILE     CSV item,label: only scores the output "
	    "(accuracy on stderr),\n"
	    "                  never changes it; a gold label no vote used "
	    "counts as wrong\n"
	    "  --method M      the estimator (default stake):\n");
	for (i = 0; i < N_METHODS; i++) {
		fprintf(f, "    %-8s ", methods[i].name);
		put_indented(f, methods[i].help, 13);
	}
	fprintf(f,
	    "  --threads N     threads for EM, the vote index and the output "
	    "(default: the\n"
	    "                  processors online); the output does not depend "
	    "on N (the\n"
	    "                  votes are read on one)\n"
	    "  --row-prior X   pseudo-votes per confusion row for ds, stake, "
	    "replay (default\n"
	    "                  the number of labels K); 0 is plain "
	    "Dawid-Skene, which overfits\n"
	    "                  workers with few votes\n"
	    "  -v, --verbose   counts, EM iterations and timings on stderr\n"
	    "FILE may be - (standard input) for one of the inputs.  Writes "
	    "item,label,confidence\n"
	    "to stdout, sorted by item (integers by value first, then other "
	    "names bytewise);\n"
	    "EM stops when the log-likelihood changes by less than 1e-6 of "
	    "itself\n"
	    "(1e-7 with --row-prior 0: plain Dawid-Skene converges slowly).\n"
	    "Exit status: 0 labels written; 1 bad input (the message names "
	    "file and line);\n"
	    "2 usage error, an input that cannot be read, or out of "
	    "memory.\n");
}

static int
usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "labelctl aggregate: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see labelctl aggregate --help)\n");
	return EXIT_USAGE;
}

struct options {
	const char *votes, *stakes, *gold, *method, *threads, *row_prior;
	bool	    verbose;
};

static const struct option_entry {
	const char *name;
	size_t	    offset;
} options[] = {
	{ "--votes", offsetof(struct options, votes) },
	{ "--stakes", offsetof(struct options, stakes) },
	{ "--gold", offsetof(struct options, gold) },
	{ "--method", offsetof(struct options, method) },
	{ "--threads", offsetof(struct options, threads) },
	{ "--row-prior", offsetof(struct options, row_prior) },
};

/* 0, 1 for --help (printed), or EXIT_USAGE (message printed). */
static int
parse_options(int argc, char **argv, struct options *o, int *threads,
    double *row_prior)
{
	char  *end;
	long   n;
	int    j, stdin_uses;
	size_t i;

	memset(o, 0, sizeof(*o));
	o->method = "stake";
	for (j = 1; j < argc; j++) {
		const char *arg = argv[j], *eq = strchr(arg, '=');
		size_t klen = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
		const char **val = NULL;

		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			usage(stdout);
			return 1;
		}
		if (strcmp(arg, "-v") == 0 || strcmp(arg, "--verbose") == 0) {
			o->verbose = true;
			continue;
		}
		for (i = 0; i < sizeof(options) / sizeof(options[0]); i++)
			if (strlen(options[i].name) == klen &&
			    strncmp(arg, options[i].name, klen) == 0)
				val = (const char **)((char *)o +
				    options[i].offset);
		if (val == NULL)
			return usage_error("unknown argument '%s'", arg);
		if (eq != NULL)
			*val = eq + 1;
		else if (j + 1 < argc)
			*val = argv[++j];
		else
			return usage_error("%s needs a value", arg);
	}
	if (o->votes == NULL)
		return usage_error("%s", "--votes FILE is required");
	if (method_find(o->method) == NULL)
		return usage_error("unknown method '%s' (stake, ds, onecoin, "
				   "wawa, mv, replay)",
		    o->method);
	stdin_uses = (strcmp(o->votes, "-") == 0) +
	    (o->stakes != NULL && strcmp(o->stakes, "-") == 0) +
	    (o->gold != NULL && strcmp(o->gold, "-") == 0);
	if (stdin_uses > 1)
		return usage_error("%s", "only one input can be - (stdin)");
	*threads = pool_default_threads();
	if (o->threads != NULL) {
		errno = 0;
		n = strtol(o->threads, &end, 10);
		if (errno != 0 || end == o->threads || *end != '\0' || n < 1 ||
		    n > POOL_MAX_THREADS)
			return usage_error("--threads '%s' is not a number "
					   "from 1 to 64",
			    o->threads);
		*threads = (int)n;
	}
	*row_prior = -1.0;
	if (o->row_prior != NULL) {
		double x;

		errno = 0;
		x = strtod(o->row_prior, &end);
		if (errno != 0 || end == o->row_prior || *end != '\0' ||
		    !(x >= 0.0 && x <= AGG_MAX_ROW_PRIOR))
			return usage_error("--row-prior '%s' is not a number "
					   "from 0 to 10000",
			    o->row_prior);
		*row_prior = x;
	}
	return 0;
}

static void
report_score(const struct aggregate_data *d, const char *method, size_t hits,
    size_t scored)
{
	if (scored > 0)
		fprintf(stderr,
		    "accuracy=%.4f correct=%zu gold=%zu method=%s\n",
		    (double)hits / scored, hits, scored, method);
	else
		fprintf(stderr, "accuracy=n/a gold=0 method=%s\n", method);
	if (d->n_gold_unvoted > 0)
		fprintf(stderr,
		    "gold: %zu item(s) have a gold label that no vote used, "
		    "so no method can output it; scored as wrong (first: "
		    "%s)\n",
		    d->n_gold_unvoted, d->gold_example);
	if (d->n_gold_unseen > 0)
		fprintf(stderr,
		    "gold: %zu gold row(s) name an item nobody voted on; "
		    "not scored\n",
		    d->n_gold_unseen);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int
aggregate_main(int argc, char **argv)
{
	struct aggregate_data d = { 0 };
	struct aggregate_run  run = { 0 };
	struct options	      o;
	struct rep_params     p;
	struct pool	     *pool = NULL;
	char		      err[1024], **label_csv = NULL;
	int32_t		     *order = NULL;
	double		     *post = NULL, t0, t1, t2;
	size_t		      hits, scored, K = 0, n_items, k;
	int		      status = EXIT_USAGE, rc, threads;

	if ((rc = parse_options(argc, argv, &o, &threads, &run.row_prior)) != 0)
		return rc == 1 ? 0 : rc;
	aggregate_params_default(&p);
	t0 = now_s();
	if ((rc = aggregate_load(o.votes, o.stakes, o.gold, &d, err,
		 sizeof(err))) != 0) {
		fprintf(stderr, "labelctl aggregate: %s\n", err);
		return rc == CSV_ERR_INPUT ? EXIT_INPUT : EXIT_USAGE;
	}
	t1 = now_s();
	K = (size_t)d.batch.n_labels;
	n_items = (size_t)d.batch.n_items;
	if ((post = malloc((n_items * K + 1) * sizeof(double))) == NULL ||
	    (label_csv = calloc(K, sizeof(char *))) == NULL)
		goto nomem;
	for (k = 0; k < K; k++)
		if ((label_csv[k] = csv_form(d.label_name[k])) == NULL)
			goto nomem;
	if (threads > 1 && pool_create(threads, &pool) != 0) {
		fprintf(stderr, "labelctl aggregate: cannot start %d threads\n",
		    threads);
		goto done;
	}
	run.method = o.method;
	run.params = &p;
	run.par = pool != NULL ? pool_parallel(pool) : NULL;
	if ((rc = aggregate_estimate(&d, &run, post)) != 0) {
		if (rc == REP_ERR_NOMEM)
			goto nomem;
		fprintf(stderr, "labelctl aggregate: %s failed (error %d)\n",
		    o.method, rc);
		goto done;
	}
	t2 = now_s();
	if ((order = item_order(&d)) == NULL)
		goto nomem;
	if (write_labels(&d, order, post, label_csv, run.par, &hits, &scored) !=
	    0) {
		fprintf(stderr, "labelctl aggregate: write error on stdout\n");
		goto done;
	}
	if (o.gold != NULL)
		report_score(&d, o.method, hits, scored);
	if (o.verbose)
		fprintf(stderr,
		    "read votes=%zu items=%d workers=%d labels=%d "
		    "seconds=%.3f threads=%d\n"
		    "fit method=%s iterations=%d converged=%s "
		    "accuracy_prior=%.3g own_matrix_share=%.3f seconds=%.3f\n"
		    "write seconds=%.3f\n",
		    d.batch.n_obs, d.batch.n_items, d.batch.n_workers,
		    d.batch.n_labels, t1 - t0, threads, o.method,
		    run.iterations, run.converged ? "yes" : "no", run.acc_prior,
		    run.own_share, t2 - t1, now_s() - t2);
	status = 0;
	goto done;
nomem:
	fprintf(stderr, "labelctl aggregate: out of memory\n");
done:
	pool_free(pool);
	if (label_csv != NULL)
		for (k = 0; k < K; k++)
			free(label_csv[k]);
	free(label_csv);
	free(post);
	free(order);
	aggregate_free(&d);
	return status;
}
