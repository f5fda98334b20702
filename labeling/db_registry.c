/*
 * labeling/db_registry.c — every prepared statement of labelchain, by module.
 *
 * Each module keeps its statements next to the code that runs them, in a
 * NULL-terminated `const struct db_stmt NAME_stmts[]`, and lists that table
 * here.  All of them are prepared when a pooled connection opens.
 */
#include <stddef.h>

#include "labeling/db.h"
#include "labeling/log_store.h"

static const struct db_stmt core_stmts[] = { { "core_ping", "SELECT 1" },
	{ "core_migrations",
	    "SELECT version, sha256 FROM schema_migrations ORDER BY version" },
	{ NULL, NULL } };

/* The market's modules, one table per labeling/ file. */
extern const struct db_stmt ledger_stmts[], auth_stmts[], account_stmts[],
    project_stmts[], task_stmts[], assignment_stmts[], vote_stmts[],
    log_sequencer_stmts[], settle_stmts[], finalize_stmts[], reestimate_stmts[],
    export_stmts[];

const struct db_stmt *const db_registries[] = { core_stmts, log_store_stmts,
	ledger_stmts, auth_stmts, account_stmts, project_stmts, task_stmts,
	assignment_stmts, vote_stmts, log_sequencer_stmts, settle_stmts,
	finalize_stmts, reestimate_stmts, export_stmts, NULL };
