/*
 * bench/aggregation/gen.c — lc-agg-gen: write a simulated crowd (crowd.h)
 * as the CSV files `labelctl aggregate` reads, so that anyone can reproduce
 * the large-file timings of bench/aggregation/RESULTS.md.
 *
 *	lc-agg-gen [--items N] [--per-item R] [--workers W] [--labels K]
 *	    [--acc LO:HI] [--model onecoin|confusion] [--order shuffle|item]
 *	    [--seed S] --votes FILE [--gold FILE]
 *
 * Defaults: the million-vote crowd of issue 13 (100,000 items, 10 votes
 * each, 10,000 workers, K = 10, one-coin accuracy uniform in [0.3, 0.9],
 * votes in random order, seed 1).  Items are written as integers, workers
 * as "w<n>", labels as integers.  FILE "-" is stdout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/aggregation/crowd.h"

static char *
put_uint(char *p, unsigned long v)
{
	char   tmp[24];
	size_t n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

static int
write_file(const char *path, const struct crowd *c, int gold, int n_items)
{
	FILE  *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
	char   line[96], *p;
	size_t i;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	fputs(gold ? "item,label\n" : "item,worker,label\n", f);
	for (i = 0; i < (gold ? (size_t)n_items : c->n_obs); i++) {
		p = line;
		if (gold) {
			p = put_uint(p, i);
			*p++ = ',';
			p = put_uint(p, (unsigned long)c->truth[i]);
		} else {
			p = put_uint(p, (unsigned long)c->obs[i].item);
			*p++ = ',';
			*p++ = 'w';
			p = put_uint(p, (unsigned long)c->obs[i].worker);
			*p++ = ',';
			p = put_uint(p, (unsigned long)c->obs[i].label);
		}
		*p++ = '\n';
		fwrite(line, 1, (size_t)(p - line), f);
	}
	if (fflush(f) != 0 || ferror(f) || (f != stdout && fclose(f) != 0)) {
		perror(path);
		return -1;
	}
	return 0;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: lc-agg-gen [--items N] [--per-item R] [--workers W] "
	    "[--labels K]\n"
	    "    [--acc LO:HI] [--model onecoin|confusion] "
	    "[--order shuffle|item]\n"
	    "    [--seed S] --votes FILE [--gold FILE]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct crowd_spec s = { 100000, 10, 10000, 10, 0.3, 0.9, CROWD_ONECOIN,
		CROWD_ORDER_SHUFFLE, 1 };
	struct crowd	  c;
	const char	 *votes = NULL, *gold = NULL;
	int		  i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (v == NULL)
			usage();
		i++;
		if (strcmp(a, "--items") == 0)
			s.n_items = atoi(v);
		else if (strcmp(a, "--per-item") == 0)
			s.per_item = atoi(v);
		else if (strcmp(a, "--workers") == 0)
			s.n_workers = atoi(v);
		else if (strcmp(a, "--labels") == 0)
			s.n_labels = atoi(v);
		else if (strcmp(a, "--acc") == 0) {
			if (sscanf(v, "%lf:%lf", &s.acc_lo, &s.acc_hi) != 2)
				usage();
		} else if (strcmp(a, "--model") == 0) {
			if (strcmp(v, "onecoin") == 0)
				s.model = CROWD_ONECOIN;
			else if (strcmp(v, "confusion") == 0)
				s.model = CROWD_CONFUSION;
			else
				usage();
		} else if (strcmp(a, "--order") == 0) {
			if (strcmp(v, "shuffle") == 0)
				s.order = CROWD_ORDER_SHUFFLE;
			else if (strcmp(v, "item") == 0)
				s.order = CROWD_ORDER_ITEM;
			else
				usage();
		} else if (strcmp(a, "--seed") == 0)
			s.seed = strtoull(v, NULL, 10);
		else if (strcmp(a, "--votes") == 0)
			votes = v;
		else if (strcmp(a, "--gold") == 0)
			gold = v;
		else
			usage();
	}
	if (votes == NULL)
		usage();
	if (crowd_simulate(&s, &c) != 0) {
		fprintf(stderr,
		    "lc-agg-gen: bad parameters or out of memory\n");
		return 2;
	}
	if (write_file(votes, &c, 0, s.n_items) != 0 ||
	    (gold != NULL && write_file(gold, &c, 1, s.n_items) != 0)) {
		crowd_free(&c);
		return 1;
	}
	crowd_free(&c);
	return 0;
}
