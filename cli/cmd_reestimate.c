/*
 * cli/cmd_reestimate.c — `labelctl reestimate PROJECT`: the batch
 * re-estimation of a project's labelers, now (labeling/reestimate.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "cli/commands.h"
#include "labeling/db.h"
#include "labeling/lc_err.h"
#include "labeling/market.h"
#include "labeling/reestimate.h"

int
cmd_reestimate(const struct cli_env *env, int argc, char **argv)
{
	struct reestimate_result r;
	struct db		*db = NULL;
	struct timespec		 pause = { 0, 100 * 1000000L };
	char			 detail[LC_DETAIL_LEN] = "";
	int64_t			 id;
	int			 rc = 0, status = 2, attempt;

	if (cli_wants_help(argc, argv,
		"Usage: labelctl reestimate PROJECT\n"
		"Re-estimate every labeler of PROJECT from all its votes "
		"(Dawid-Skene, chance-\ncorrected; gold answers on top), then "
		"decide its open tasks again and finalize\nthose that now "
		"pass.  labelchaind does this on its own as votes come in;\n"
		"this runs it now.  Prints what it fitted and finalized.\n"))
		return 0;
	if (argc != 2 || market_parse_id(argv[1], &id) != 0) {
		fprintf(stderr,
		    "labelctl reestimate: expected PROJECT (an id)\n");
		return 2;
	}
	if (db_open(env->database_url, 1, &db) != 0) {
		fprintf(stderr,
		    "labelctl reestimate: cannot connect to the database\n");
		return 2;
	}
	/* The settler holds the lock for a moment at a time. */
	for (attempt = 0; attempt < 50; attempt++) {
		if ((rc = reestimate_project(db, id, &r, detail)) != 0 ||
		    !r.busy)
			break;
		nanosleep(&pause, NULL);
	}
	if (rc != 0) {
		fprintf(stderr, "labelctl reestimate: %s%s%s\n",
		    lc_err_info(rc)->title, detail[0] ? ": " : "", detail);
		status = 1;
	} else if (r.busy) {
		fprintf(stderr,
		    "labelctl reestimate: the reputation settler "
		    "kept its lock; try again\n");
		status = 1;
	} else {
		printf(
		    "project=%" PRId64 " votes=%d tasks=%d labelers=%d "
		    "iterations=%d rescored=%d finalized=%d temperature=%.3f "
		    "samples=%d\n",
		    id, r.votes, r.tasks, r.labelers, r.iterations, r.rescored,
		    r.finalized, r.temperature, r.calibration_samples);
		status = 0;
	}
	db_close(db);
	return status;
}
