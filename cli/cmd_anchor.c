/*
 * cli/cmd_anchor.c — `labelctl anchor now|list|status`: ask the anchoring
 * leader for an anchor at its next tick, list anchors, and show the log's
 * and the anchors' state.  Talks to PostgreSQL only (the statements of
 * labeling/log_store.c).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "labeling/db.h"
#include "labeling/log_store.h"

static const char anchor_help[] =
    "Usage: labelctl anchor now|list [N]|status\n"
    "  now     ask the anchoring leader to anchor the log at its next tick\n"
    "  list    the N latest anchors (default 20)\n"
    "  status  log size, anchors by status, the latest confirmed anchor\n";

static int
anchor_list(struct db *db, const char *n)
{
	PGresult   *res = NULL;
	const char *p[1] = { n };
	int	    i;

	if (db_exec(db, "anchor_list", 1, p, &res) != 0)
		return 2;
	printf("%-10s %-10s %-8s %-6s %-66s %s\n", "tree_size", "status",
	    "block", "conf", "tx_hash", "root");
	for (i = 0; i < PQntuples(res); i++)
		printf("%-10s %-10s %-8s %-6s 0x%-64s %s\n", db_text(res, i, 0),
		    db_text(res, i, 6),
		    PQgetisnull(res, i, 4) ? "-" : db_text(res, i, 4),
		    db_text(res, i, 5), db_text(res, i, 3), db_text(res, i, 1));
	PQclear(res);
	return 0;
}

static int
anchor_status(struct db *db)
{
	PGresult   *res = NULL;
	uint64_t    size;
	const char *p[1] = { "0" };
	int	    i;

	if (log_store_size(db, &size) != 0)
		return 2;
	printf("log_size=%" PRIu64 "\n", size);
	if (db_exec(db, "anchor_status_counts", 0, NULL, &res) != 0)
		return 2;
	for (i = 0; i < PQntuples(res); i++)
		printf("anchors_%s=%s\n", db_text(res, i, 0),
		    db_text(res, i, 1));
	PQclear(res);
	if (db_exec(db, "anchor_covering", 1, p, &res) != 0)
		return 2;
	if (PQntuples(res) == 1)
		printf("confirmed_tree_size=%s\nconfirmed_root=%s\n"
		       "confirmed_tx=0x%s\nconfirmed_block=%s\n"
		       "confirmations=%s\n",
		    db_text(res, 0, 0), db_text(res, 0, 1), db_text(res, 0, 3),
		    db_text(res, 0, 4), db_text(res, 0, 5));
	else
		printf("confirmed_tree_size=0\n");
	PQclear(res);
	return 0;
}

int
cmd_anchor(const struct cli_env *env, int argc, char **argv)
{
	struct db *db = NULL;
	char	   n[24] = "20";
	int	   status = 2;

	if (cli_wants_help(argc, argv, anchor_help))
		return 0;
	if (argc < 2 ||
	    (strcmp(argv[1], "now") != 0 && strcmp(argv[1], "list") != 0 &&
		strcmp(argv[1], "status") != 0)) {
		fputs(anchor_help, stderr);
		return 2;
	}
	if (argc > 2 && strcmp(argv[1], "list") == 0) {
		long v = strtol(argv[2], NULL, 10);

		if (v < 1 || v > 1000) {
			fputs(anchor_help, stderr);
			return 2;
		}
		snprintf(n, sizeof(n), "%ld", v);
	}
	if (db_open(env->database_url, 1, &db) != 0) {
		fprintf(stderr,
		    "labelctl anchor: cannot connect to the "
		    "database (migrated?)\n");
		return 2;
	}
	if (strcmp(argv[1], "now") == 0) {
		if (db_exec(db, "anchor_request", 0, NULL, NULL) == 0) {
			printf("anchor requested; the leader anchors at its "
			       "next tick\n");
			status = 0;
		}
	} else if (strcmp(argv[1], "list") == 0)
		status = anchor_list(db, n);
	else
		status = anchor_status(db);
	db_close(db);
	return status;
}
