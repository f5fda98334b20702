/*
 * cli/aggregate.c — `labelctl aggregate` (see aggregate.h).
 *
 * A thin shell around reputation/: read the CSV files, map item, worker
 * and label strings to dense indices, run one estimator, print the labels.
 * Labels are indexed in byte order so that "ties go to the lowest index" is
 * "ties go to the lowest label", the rule of the data sets' reference.py.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/aggregate.h"
#include "cli/csv.h"
#include "reputation/reputation.h"

#define EXIT_INPUT 1
#define EXIT_INTERNAL 2
#define MAX_STAKE_CREDITS 1e9

/* String interning: open addressing, keys owned by the table. */
struct strtab {
	char   **name; /* by index */
	size_t	 n, cap;
	int32_t *slot; /* hash slots: index or -1 */
	size_t	 n_slots;
};

enum method { METHOD_STAKE, METHOD_DS, METHOD_ONECOIN, METHOD_MV };

static const struct {
	const char *name;
	enum method method;
} methods[] = {
	{ "stake", METHOD_STAKE },
	{ "ds", METHOD_DS },
	{ "onecoin", METHOD_ONECOIN },
	{ "mv", METHOD_MV },
};

struct agg {
	struct strtab	items, workers, labels;
	struct rep_obs *obs; /* label = index in labels (unsorted) */
	size_t		n_obs, cap_obs;
	int64_t	       *stake; /* by worker */
	int32_t	       *gold;  /* by item, label index or -1 */
	size_t		n_gold;
	bool		header_done;
};

static uint64_t
hash_str(const char *s)
{
	uint64_t h = UINT64_C(1469598103934665603);

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
	return h;
}

static void
strtab_free(struct strtab *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->name[i]);
	free(t->name);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

static int
strtab_grow(struct strtab *t)
{
	size_t	 n_slots = t->n_slots ? t->n_slots * 2 : 1024, i, h;
	int32_t *slot;

	if ((slot = malloc(n_slots * sizeof(*slot))) == NULL)
		return -1;
	for (i = 0; i < n_slots; i++)
		slot[i] = -1;
	for (i = 0; i < t->n; i++) {
		h = hash_str(t->name[i]) & (n_slots - 1);
		while (slot[h] >= 0)
			h = (h + 1) & (n_slots - 1);
		slot[h] = (int32_t)i;
	}
	free(t->slot);
	t->slot = slot;
	t->n_slots = n_slots;
	return 0;
}

/* Index of s, or -1 when absent. */
static int32_t
strtab_find(const struct strtab *t, const char *s)
{
	size_t h;

	if (t->n_slots == 0)
		return -1;
	h = hash_str(s) & (t->n_slots - 1);
	while (t->slot[h] >= 0) {
		if (strcmp(t->name[t->slot[h]], s) == 0)
			return t->slot[h];
		h = (h + 1) & (t->n_slots - 1);
	}
	return -1;
}

/* Index of s, added when absent; -1 on out of memory or too many. */
static int32_t
strtab_intern(struct strtab *t, const char *s)
{
	int32_t idx;
	size_t	h;
	char  **nname;

	if ((idx = strtab_find(t, s)) >= 0)
		return idx;
	if (t->n >= INT32_MAX / 2)
		return -1;
	if ((t->n + 1) * 2 > t->n_slots && strtab_grow(t) != 0)
		return -1;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		if ((nname = realloc(t->name, t->cap * sizeof(*nname))) == NULL)
			return -1;
		t->name = nname;
	}
	if ((t->name[t->n] = strdup(s)) == NULL)
		return -1;
	h = hash_str(s) & (t->n_slots - 1);
	while (t->slot[h] >= 0)
		h = (h + 1) & (t->n_slots - 1);
	t->slot[h] = (int32_t)t->n;
	return (int32_t)t->n++;
}

static bool
is_one_of(const char *s, const char *const *names)
{
	for (; *names != NULL; names++)
		if (strcasecmp(s, *names) == 0)
			return true;
	return false;
}

static const char *const item_names[] = { "item", "task", "item_id", "task_id",
	NULL };
static const char *const worker_names[] = { "worker", "annotator", "performer",
	"labeler", "worker_id", NULL };
static const char *const label_names[] = { "label", "true_label", "gold",
	"answer", NULL };
static const char *const stake_names[] = { "stake", NULL };

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
		if (rec->field[i][0] == '\0') {
			snprintf(err, errlen, "field %zu is empty", i + 1);
			return CSV_ERR_INPUT;
		}
	return 0;
}

static int
on_vote(void *ctx, const struct csv_record *rec, char *err, size_t errlen)
{
	struct agg     *a = ctx;
	struct rep_obs *nobs, o;
	int32_t		item, worker, label;
	int		rc;

	if (!a->header_done) {
		a->header_done = true;
		if (rec->n_fields == 3 &&
		    is_one_of(rec->field[0], item_names) &&
		    is_one_of(rec->field[1], worker_names) &&
		    is_one_of(rec->field[2], label_names))
			return 0;
	}
	if ((rc = record_width(rec, 3, "item,worker,label", err, errlen)) != 0)
		return rc;
	if ((item = strtab_intern(&a->items, rec->field[0])) < 0 ||
	    (worker = strtab_intern(&a->workers, rec->field[1])) < 0 ||
	    (label = strtab_intern(&a->labels, rec->field[2])) < 0) {
		snprintf(err, errlen, "out of memory");
		return CSV_ERR_SYSTEM;
	}
	if (a->labels.n > REP_MAX_LABELS) {
		snprintf(err, errlen, "more than %d distinct labels",
		    REP_MAX_LABELS);
		return CSV_ERR_INPUT;
	}
	if (a->n_obs == a->cap_obs) {
		a->cap_obs = a->cap_obs ? a->cap_obs * 2 : 4096;
		if ((nobs = realloc(a->obs, a->cap_obs * sizeof(*nobs))) ==
		    NULL) {
			snprintf(err, errlen, "out of memory");
			return CSV_ERR_SYSTEM;
		}
		a->obs = nobs;
	}
	o.item = item;
	o.worker = worker;
	o.label = label;
	a->obs[a->n_obs++] = o;
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
	    x > MAX_STAKE_CREDITS)
		return -1;
	*out = x;
	return 0;
}

static int
on_stake(void *ctx, const struct csv_record *rec, char *err, size_t errlen)
{
	struct agg *a = ctx;
	int32_t	    worker;
	double	    credits;
	int	    rc;

	if (!a->header_done) {
		a->header_done = true;
		if (rec->n_fields == 2 &&
		    is_one_of(rec->field[0], worker_names) &&
		    is_one_of(rec->field[1], stake_names))
			return 0;
	}
	if ((rc = record_width(rec, 2, "worker,stake", err, errlen)) != 0)
		return rc;
	if (parse_credits(rec->field[1], &credits) != 0) {
		snprintf(err, errlen,
		    "stake '%.64s' is not a number of "
		    "credits in [0, %.0f]",
		    rec->field[1], MAX_STAKE_CREDITS);
		return CSV_ERR_INPUT;
	}
	/* Workers who never voted do not matter here. */
	if ((worker = strtab_find(&a->workers, rec->field[0])) >= 0)
		a->stake[worker] = llround(credits * 1e6);
	return 0;
}

static int
on_gold(void *ctx, const struct csv_record *rec, char *err, size_t errlen)
{
	struct agg *a = ctx;
	int32_t	    item, label;
	int	    rc;

	if (!a->header_done) {
		a->header_done = true;
		if (rec->n_fields == 2 &&
		    is_one_of(rec->field[0], item_names) &&
		    is_one_of(rec->field[1], label_names))
			return 0;
	}
	if ((rc = record_width(rec, 2, "item,label", err, errlen)) != 0)
		return rc;
	/* Items nobody voted on cannot be scored: skip them. */
	if ((item = strtab_find(&a->items, rec->field[0])) < 0)
		return 0;
	if ((label = strtab_intern(&a->labels, rec->field[1])) < 0) {
		snprintf(err, errlen, "out of memory");
		return CSV_ERR_SYSTEM;
	}
	if (a->labels.n > REP_MAX_LABELS) {
		snprintf(err, errlen, "more than %d distinct labels",
		    REP_MAX_LABELS);
		return CSV_ERR_INPUT;
	}
	if (a->gold[item] >= 0 && a->gold[item] != label) {
		snprintf(err, errlen, "item '%.64s' has two gold labels",
		    rec->field[0]);
		return CSV_ERR_INPUT;
	}
	if (a->gold[item] < 0)
		a->n_gold++;
	a->gold[item] = label;
	return 0;
}

/* Integers (numerically) first, then every other name bytewise. */
static int
parse_index(const char *s, unsigned long long *v)
{
	char *end;

	if (!isdigit((unsigned char)s[0]) || strlen(s) > 18)
		return -1;
	*v = strtoull(s, &end, 10);
	return *end == '\0' ? 0 : -1;
}

static int
name_cmp(const char *x, const char *y)
{
	unsigned long long vx, vy;
	int ix = parse_index(x, &vx) == 0, iy = parse_index(y, &vy) == 0;

	if (ix && iy && vx != vy)
		return vx < vy ? -1 : 1;
	if (ix != iy)
		return ix ? -1 : 1;
	return strcmp(x, y);
}

struct sort_ctx {
	char **name;
};

static int
cmp_index_by_name(const void *x, const void *y, void *ctx)
{
	char **name = ((struct sort_ctx *)ctx)->name;

	return name_cmp(name[*(const int32_t *)x], name[*(const int32_t *)y]);
}

static int
cmp_index_bytewise(const void *x, const void *y, void *ctx)
{
	char **name = ((struct sort_ctx *)ctx)->name;

	return strcmp(name[*(const int32_t *)x], name[*(const int32_t *)y]);
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: labelctl aggregate --votes FILE [--stakes FILE] "
	    "[--gold FILE]\n"
	    "           [--method stake|ds|onecoin|mv]\n"
	    "  votes  CSV item,worker,label; stakes worker,stake (credits); "
	    "gold item,label\n"
	    "  writes item,label,confidence to stdout, sorted by item\n");
}

static int
run_method(enum method m, const struct rep_batch *b, const int64_t *stake,
    const struct rep_params *p, double *post)
{
	struct rep_voter	*voters = NULL;
	struct rep_ds_model	 ds = { 0 };
	struct rep_onecoin_model oc = { 0 };
	struct rep_online_out	 on = { 0 };
	double			*online = NULL;
	size_t n_workers = (size_t)b->n_workers + 1, K = (size_t)b->n_labels;
	int    rc = REP_ERR_NOMEM, w;

	switch (m) {
	case METHOD_MV:
		return rep_majority(b, NULL, post);
	case METHOD_ONECOIN:
		oc.accuracy = calloc(n_workers, sizeof(double));
		oc.n_answers = calloc(n_workers, sizeof(double));
		oc.item_post = post;
		if (oc.accuracy != NULL && oc.n_answers != NULL)
			rc = rep_onecoin_run(b, NULL, p, &oc);
		break;
	case METHOD_DS:
	case METHOD_STAKE:
		ds.class_prior = calloc(K, sizeof(double));
		ds.confusion = calloc(n_workers * K * K, sizeof(double));
		ds.item_post = post;
		if (ds.class_prior == NULL || ds.confusion == NULL)
			break;
		if (m == METHOD_DS) {
			rc = rep_ds_run(b, NULL, p, &ds);
			break;
		}
		voters = calloc(n_workers, sizeof(*voters));
		online = calloc((size_t)b->n_items * K + 1, sizeof(double));
		if (voters == NULL || online == NULL)
			break;
		for (w = 0; w < b->n_workers; w++)
			rep_voter_init(&voters[w], stake[w], p);
		on.item_post = online;
		if ((rc = rep_online_replay(b, voters, NULL, false, p, &on)) !=
		    0)
			break;
		rc = rep_ds_run(b, online, p, &ds);
		break;
	}
	free(oc.accuracy);
	free(oc.n_answers);
	free(ds.class_prior);
	free(ds.confusion);
	free(voters);
	free(online);
	return rc;
}

static void
free_names(char **name, size_t n)
{
	size_t i;

	if (name == NULL)
		return;
	for (i = 0; i < n; i++)
		free(name[i]);
	free(name);
}

void
aggregate_free(struct aggregate_data *d)
{
	if (d == NULL)
		return;
	free((void *)d->batch.obs);
	free_names(d->item_name, (size_t)d->batch.n_items);
	free_names(d->worker_name, (size_t)d->batch.n_workers);
	free_names(d->label_name, (size_t)d->batch.n_labels);
	free(d->stake);
	free(d->gold);
	memset(d, 0, sizeof(*d));
}

/* Move a string table's names out (the table keeps none). */
static char **
take_names(struct strtab *t)
{
	char **name = t->name;

	t->name = NULL;
	t->n = t->cap = 0;
	free(t->slot);
	t->slot = NULL;
	t->n_slots = 0;
	return name;
}

int
aggregate_load(const char *votes_path, const char *stakes_path,
    const char *gold_path, struct aggregate_data *d, char *err, size_t errlen)
{
	struct agg	  a = { 0 };
	struct rep_params p;
	struct sort_ctx	  sc;
	int32_t		 *label_order = NULL, *label_rank = NULL;
	char		**sorted = NULL;
	size_t		  i, K;
	int		  rc;

	memset(d, 0, sizeof(*d));
	rep_params_default(&p);
	if ((rc = csv_read_file(votes_path, on_vote, &a, err, errlen)) != 0)
		goto fail;
	rc = CSV_ERR_SYSTEM;
	if (a.n_obs == 0) {
		snprintf(err, errlen, "%s: no votes", votes_path);
		rc = CSV_ERR_INPUT;
		goto fail;
	}
	if ((a.stake = malloc((a.workers.n + 1) * sizeof(*a.stake))) == NULL ||
	    (a.gold = malloc((a.items.n + 1) * sizeof(*a.gold))) == NULL)
		goto nomem;
	for (i = 0; i < a.workers.n; i++)
		a.stake[i] = (int64_t)p.stake_ref;
	for (i = 0; i < a.items.n; i++)
		a.gold[i] = -1;
	if (stakes_path != NULL) {
		a.header_done = false;
		if ((rc = csv_read_file(stakes_path, on_stake, &a, err,
			 errlen)) != 0)
			goto fail;
	}
	if (gold_path != NULL) {
		a.header_done = false;
		if ((rc = csv_read_file(gold_path, on_gold, &a, err, errlen)) !=
		    0)
			goto fail;
	}
	rc = CSV_ERR_SYSTEM;
	/* A single label still needs K >= 2: add one nobody chose. */
	if (a.labels.n < REP_MIN_LABELS &&
	    strtab_intern(&a.labels,
		strcmp(a.labels.name[0], "~") == 0 ? "~~" : "~") < 0)
		goto nomem;
	K = a.labels.n;

	/* Renumber labels in byte order. */
	if ((label_order = malloc(K * sizeof(int32_t))) == NULL ||
	    (label_rank = malloc(K * sizeof(int32_t))) == NULL ||
	    (sorted = malloc(K * sizeof(char *))) == NULL)
		goto nomem;
	for (i = 0; i < K; i++)
		label_order[i] = (int32_t)i;
	sc.name = a.labels.name;
	qsort_r(label_order, K, sizeof(int32_t), cmp_index_bytewise, &sc);
	for (i = 0; i < K; i++) {
		label_rank[label_order[i]] = (int32_t)i;
		sorted[i] = a.labels.name[label_order[i]];
	}
	for (i = 0; i < a.n_obs; i++)
		a.obs[i].label = label_rank[a.obs[i].label];
	for (i = 0; i < a.items.n; i++)
		if (a.gold[i] >= 0)
			a.gold[i] = label_rank[a.gold[i]];

	d->batch.obs = a.obs;
	d->batch.n_obs = a.n_obs;
	d->batch.n_items = (int)a.items.n;
	d->batch.n_workers = (int)a.workers.n;
	d->batch.n_labels = (int)K;
	d->item_name = take_names(&a.items);
	d->worker_name = take_names(&a.workers);
	free(take_names(&a.labels));
	d->label_name = sorted;
	d->stake = a.stake;
	d->gold = a.gold;
	d->n_gold = a.n_gold;
	free(label_order);
	free(label_rank);
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	free(sorted);
	free(label_order);
	free(label_rank);
	free(a.obs);
	free(a.stake);
	free(a.gold);
	strtab_free(&a.items);
	strtab_free(&a.workers);
	strtab_free(&a.labels);
	return rc;
}

int
aggregate_estimate(const struct aggregate_data *d, const char *method,
    const struct rep_params *p, double *post)
{
	size_t i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(method, methods[i].name) == 0)
			return run_method(methods[i].method, &d->batch,
			    d->stake, p, post);
	return REP_ERR_INVALID;
}

int
aggregate_main(int argc, char **argv)
{
	const char *votes_path = NULL, *stakes_path = NULL, *gold_path = NULL;
	const char *method_name = "stake";
	struct aggregate_data d = { 0 };
	struct rep_params     p;
	struct sort_ctx	      sc;
	char		      err[1024], **optval;
	int32_t		     *item_order = NULL;
	double		     *post = NULL;
	size_t		      i, hits = 0, scored = 0, K, n_items;
	int		      status = EXIT_INTERNAL, rc, j, leader, found;

	for (j = 1; j < argc; j++) {
		const char *arg = argv[j], *eq = strchr(arg, '=');
		size_t klen = eq != NULL ? (size_t)(eq - arg) : strlen(arg);

		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			usage(stdout);
			return 0;
		}
		if (klen == 7 && strncmp(arg, "--votes", 7) == 0)
			optval = (char **)&votes_path;
		else if (klen == 8 && strncmp(arg, "--stakes", 8) == 0)
			optval = (char **)&stakes_path;
		else if (klen == 6 && strncmp(arg, "--gold", 6) == 0)
			optval = (char **)&gold_path;
		else if (klen == 8 && strncmp(arg, "--method", 8) == 0)
			optval = (char **)&method_name;
		else {
			fprintf(stderr, "aggregate: unknown argument '%s'\n",
			    arg);
			usage(stderr);
			return EXIT_INPUT;
		}
		if (eq != NULL)
			*optval = (char *)(eq + 1);
		else if (j + 1 < argc)
			*optval = argv[++j];
		else {
			fprintf(stderr, "aggregate: %s needs a value\n", arg);
			return EXIT_INPUT;
		}
	}
	if (votes_path == NULL) {
		fprintf(stderr, "aggregate: --votes FILE is required\n");
		usage(stderr);
		return EXIT_INPUT;
	}
	for (found = 0, i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(method_name, methods[i].name) == 0)
			found = 1;
	if (!found) {
		fprintf(stderr,
		    "aggregate: unknown method '%s' (stake, ds, "
		    "onecoin, mv)\n",
		    method_name);
		return EXIT_INPUT;
	}
	rep_params_default(&p);
	if ((rc = aggregate_load(votes_path, stakes_path, gold_path, &d, err,
		 sizeof(err))) != 0) {
		fprintf(stderr, "aggregate: %s\n", err);
		return rc == CSV_ERR_INPUT ? EXIT_INPUT : EXIT_INTERNAL;
	}
	K = (size_t)d.batch.n_labels;
	n_items = (size_t)d.batch.n_items;
	if ((post = malloc((n_items * K + 1) * sizeof(double))) == NULL ||
	    (item_order = malloc((n_items + 1) * sizeof(int32_t))) == NULL) {
		fprintf(stderr, "aggregate: out of memory\n");
		goto done;
	}
	if ((rc = aggregate_estimate(&d, method_name, &p, post)) != 0) {
		fprintf(stderr, "aggregate: %s failed (error %d)\n",
		    method_name, rc);
		goto done;
	}
	for (i = 0; i < n_items; i++)
		item_order[i] = (int32_t)i;
	sc.name = d.item_name;
	qsort_r(item_order, n_items, sizeof(int32_t), cmp_index_by_name, &sc);
	printf("item,label,confidence\n");
	for (i = 0; i < n_items; i++) {
		int32_t	      it = item_order[i];
		const double *row = post + (size_t)it * K;

		leader = rep_posterior_leader(row, (int)K);
		csv_write_field(stdout, d.item_name[it]);
		putchar(',');
		csv_write_field(stdout, d.label_name[leader]);
		printf(",%.4f\n", row[leader]);
		if (d.gold[it] >= 0) {
			scored++;
			hits += leader == d.gold[it];
		}
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "aggregate: write error on stdout\n");
		goto done;
	}
	if (gold_path != NULL) {
		if (scored > 0)
			fprintf(stderr,
			    "accuracy=%.4f correct=%zu gold=%zu "
			    "method=%s\n",
			    (double)hits / scored, hits, scored, method_name);
		else
			fprintf(stderr, "accuracy=n/a gold=0 method=%s\n",
			    method_name);
	}
	status = 0;
done:
	free(post);
	free(item_order);
	aggregate_free(&d);
	return status;
}
