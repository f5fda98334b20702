/*
 * bench/aggregation/aggregate_driver.c — lc-aggregate, a stand-alone driver
 * for `labelctl aggregate` (cli/aggregate.c) used by the tests and
 * benchmarks until labelctl carries the verb.
 */
#include "cli/aggregate.h"

int
main(int argc, char **argv)
{
	char *args[argc + 1];
	int   i;

	args[0] = "aggregate";
	for (i = 1; i <= argc; i++)
		args[i] = argv[i];
	return aggregate_main(argc, args);
}
