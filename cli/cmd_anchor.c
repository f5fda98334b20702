/*
 * cli/cmd_anchor.c — `labelctl anchor now|list|status`: ask the anchoring
 * leader for an anchor at its next tick, list anchors, and show the log's
 * and the anchors' state.  Talks to PostgreSQL only (the statements of
 * labeling/log_store.c); anchors are read through labeling/proof.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchor/hex.h"
#include "anchor/merkle.h"
#include "cli/commands.h"
#include "labeling/db.h"
#include "labeling/log_store.h"
#include "labeling/proof.h"

static const char anchor_help[] =
    "Usage: labelctl anchor now|list [N]|status\n"
    "  now     ask the anchoring leader to anchor the log at its next tick\n"
    "  list    the N latest anchors (default 20)\n"
    "  status  log size, anchors by status, the latest confirmed anchor\n";

static int
anchor_list(struct db *db, uint64_t n)
{
	struct proof_anchor *a;
	size_t		     i, len;
	char		     root[2 * MERKLE_HASH_LEN + 1], block[24];

	if (proof_anchors_list(db, n, INT64_MAX, &a, &len) != 0)
		return 2;
	printf("%-10s %-10s %-8s %-6s %-66s %s\n", "tree_size", "status",
	    "block", "conf", "tx_hash", "root");
	for (i = 0; i < len; i++) {
		anchor_hex_encode(a[i].root, MERKLE_HASH_LEN, root,
		    sizeof(root));
		if (a[i].block_number < 0)
			snprintf(block, sizeof(block), "-");
		else
			snprintf(block, sizeof(block), "%" PRId64,
			    a[i].block_number);
		printf("%-10" PRIu64 " %-10s %-8s %-6" PRId64 " %-66s %s\n",
		    a[i].tree_size, a[i].status, block, a[i].confirmations,
		    a[i].tx_hash, root);
	}
	free(a);
	return 0;
}

static int
anchor_status(struct db *db)
{
	struct proof_anchor a;
	PGresult	   *res = NULL;
	uint64_t	    size;
	char		    root[2 * MERKLE_HASH_LEN + 1];
	int		    i, found;

	if (log_store_size(db, &size) != 0)
		return 2;
	printf("log_size=%" PRIu64 "\n", size);
	if (db_exec(db, "anchor_status_counts", 0, NULL, &res) != 0)
		return 2;
	for (i = 0; i < PQntuples(res); i++)
		printf("anchors_%s=%s\n", db_text(res, i, 0),
		    db_text(res, i, 1));
	PQclear(res);
	if (proof_anchor_confirmed(db, 0, &a, &found) != 0)
		return 2;
	if (!found) {
		printf("confirmed_tree_size=0\n");
		return 0;
	}
	anchor_hex_encode(a.root, MERKLE_HASH_LEN, root, sizeof(root));
	printf("confirmed_tree_size=%" PRIu64 "\nconfirmed_root=%s\n"
	       "confirmed_tx=%s\nconfirmed_block=%" PRId64 "\n"
	       "confirmations=%" PRId64 "\n",
	    a.tree_size, root, a.tx_hash, a.block_number, a.confirmations);
	return 0;
}

int
cmd_anchor(const struct cli_env *env, int argc, char **argv)
{
	struct db *db = NULL;
	uint64_t   n = 20;
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
		n = (uint64_t)v;
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
