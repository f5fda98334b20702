/*
 * cli/aggregate.h — `labelctl aggregate`: offline truth inference over a
 * crowd-kit-style CSV of votes.
 *
 *	labelctl aggregate --votes FILE [--stakes FILE] [--gold FILE]
 *	    [--method stake|ds|onecoin|mv]
 *
 * votes: item,worker,label (header optional); stakes: worker,stake in
 * credits (decimal allowed; workers not listed get 10 credits, the
 * reference stake); gold: item,label.  Writes item,label,confidence to
 * stdout, sorted by item (integers numerically first, then other names
 * bytewise); with --gold, prints accuracy on the gold items to stderr.
 * Methods: stake (default: the online market model in vote order, then a
 * Dawid-Skene EM refinement started from it), ds, onecoin, mv (ties to the
 * lowest label in byte order).
 */
#ifndef LC_CLI_AGGREGATE_H
#define LC_CLI_AGGREGATE_H

#include <stddef.h>
#include <stdint.h>

#include "reputation/reputation.h"

/*
 * The input, loaded: dense indices for items and workers in order of first
 * appearance, labels renumbered in byte order.  aggregate_load() allocates
 * every array; aggregate_free() releases them (and is a no-op on a zeroed
 * struct).  Used by the command and by bench/aggregation.
 */
struct aggregate_data {
	struct rep_batch batch;	      /* obs owned */
	char	       **item_name;   /* n_items */
	char	       **worker_name; /* n_workers */
	char	       **label_name;  /* n_labels, sorted */
	int64_t		*stake;	      /* by worker, micro-credits */
	int32_t		*gold;	      /* by item: label index or -1 */
	size_t		 n_gold;
};

/*
 * Load the CSV files (stakes_path and gold_path may be NULL).  0,
 * CSV_ERR_INPUT (err: "file:line: message") or CSV_ERR_SYSTEM.
 */
int  aggregate_load(const char *votes_path, const char *stakes_path,
     const char *gold_path, struct aggregate_data *d, char *err, size_t errlen);
void aggregate_free(struct aggregate_data *d);

/*
 * Run method ("stake", "ds", "onecoin", "mv") into post (n_items * K,
 * caller's).  0 or a REP_ERR_* code.
 */
int aggregate_estimate(const struct aggregate_data *d, const char *method,
    const struct rep_params *p, double *post);

/*
 * argv[0] is "aggregate".  Returns the process exit status: 0 ok, 1 usage or
 * input error (message on stderr naming the file and line), 2 internal error.
 */
int aggregate_main(int argc, char **argv);

#endif
