/*
 * cli/aggregate.h — `labelctl aggregate`: offline truth inference over a
 * crowd-kit-style CSV of votes.
 *
 *	labelctl aggregate --votes FILE [--stakes FILE] [--gold FILE]
 *	    [--method stake|ds|onecoin|wawa|mv|replay] [--threads N]
 *	    [--row-prior X] [--verbose]
 *
 * votes: item,worker,label (header optional); stakes: worker,stake in
 * credits (decimal allowed; workers not listed get the reference stake of
 * 10 credits); gold: item,label.  FILE "-" is standard input (for one of
 * them).  Writes item,label,confidence to stdout, sorted by item (integers
 * numerically first, then other names bytewise).  --gold only scores: the
 * output is the same with or without it, and the score goes to stderr.
 * The methods are described in the --help text (aggregate.c) and README.
 *
 * Exit status, as every labelctl verb: 0 labels written; 1 bad input (the
 * message names file and line); 2 usage error, or an input that cannot be
 * read (missing, a directory, no permission), or out of memory.
 */
#ifndef LC_CLI_AGGREGATE_H
#define LC_CLI_AGGREGATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/intern.h"
#include "reputation/reputation.h"

/* Limits, enforced while reading. */
#define AGG_MAX_VOTES ((size_t)1 << 30)
#define AGG_MAX_ITEMS REP_INDEX_MAX
#define AGG_MAX_WORKERS REP_INDEX_MAX
#define AGG_MAX_STAKE_CREDITS 1e9

/* gold[] values besides a label index. */
#define AGG_GOLD_NONE (-1)
#define AGG_GOLD_UNVOTED (-2) /* a label that no vote used */

/*
 * The input, loaded: dense indices for items and workers in order of first
 * appearance, labels renumbered in byte order (so that "ties go to the
 * lowest index" is "ties go to the lowest label").  The gold file never
 * changes any of it: it only fills gold[] for scoring.  aggregate_load()
 * allocates everything; aggregate_free() releases it (and is a no-op on a
 * zeroed struct).  Used by the command and by bench/aggregation.
 */
struct aggregate_data {
	struct rep_batch batch;	     /* obs owned */
	struct intern	 items;	     /* names by item index */
	struct intern	 workers;    /* names by worker index */
	char	       **label_name; /* n_labels, sorted */
	int64_t		*stake;	     /* by worker, micro-credits */
	int32_t		*gold;	 /* by item: label, AGG_GOLD_NONE or _UNVOTED */
	size_t		 n_gold; /* items with a gold row */
	size_t		 n_gold_unvoted; /* of which name an unvoted label */
	size_t		 n_gold_unseen; /* gold rows of items nobody voted on */
	char		 gold_example[160]; /* the first unvoted-label row */
};

/*
 * Load the CSV files (stakes_path and gold_path may be NULL; any one path
 * may be "-"), on the calling thread: reading a shuffled file in two parts
 * on two threads (each part interning every item again, then a merge) cost
 * 80% more CPU time to save at most a tenth of the wall time, and nothing
 * on a host whose other core is busy (bench/aggregation/RESULTS.md).
 * 0, CSV_ERR_INPUT (err: "file:line: message"), CSV_ERR_READ (err:
 * "file: why") or CSV_ERR_SYSTEM.
 */
int  aggregate_load(const char *votes_path, const char *stakes_path,
     const char *gold_path, struct aggregate_data *d, char *err, size_t errlen);
void aggregate_free(struct aggregate_data *d);

/*
 * The reputation parameters labelctl aggregate runs with: the library's
 * defaults (rep_params_default()) but EM stops at a relative change of the
 * log-likelihood of AGG_EM_TOL, not 1e-7: for every regularised method the
 * labels are the same on every shared data set and on the 10^6-vote crowd,
 * in up to a third fewer iterations (bench/aggregation/RESULTS.md).  Plain
 * Dawid-Skene (row prior 0) keeps AGG_EM_TOL_PLAIN: without the prior its
 * EM converges slowly (a rate near 0.9 on product), and at 1e-6 it stopped
 * after 47 iterations where crowd-kit's DS runs 80, one label short of it.
 */
#define AGG_EM_TOL 1e-6
#define AGG_EM_TOL_PLAIN 1e-7
void aggregate_params_default(struct rep_params *p);

/* One estimation: what to run, and what the fit reported. */
#define AGG_MAX_ROW_PRIOR 1e4
struct aggregate_run {
	const char		  *method; /* a name of the --method table */
	const struct rep_params	  *params;
	const struct rep_parallel *par; /* NULL: this thread */
	double row_prior;		/* < 0: the default (K); 0: plain DS */
	/* out */
	int    iterations; /* EM iterations (0 for mv, wawa) */
	bool   converged;
	double acc_prior; /* the estimated accuracy prior strength */
	double own_share; /* ds, stake, replay: mean own-matrix share */
};

/*
 * Run run->method into post (n_items * K, caller's).  0, REP_ERR_INVALID
 * (unknown method) or another REP_ERR_* code.
 */
int aggregate_estimate(const struct aggregate_data *d,
    struct aggregate_run *run, double *post);

/* Is name a method of aggregate_estimate()? */
int aggregate_method_known(const char *name);

/* argv[0] is "aggregate".  Returns the process exit status (above). */
int aggregate_main(int argc, char **argv);

#endif
