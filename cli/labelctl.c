/*
 * cli/labelctl.c — the operator's command line.  It talks to PostgreSQL
 * directly (DATABASE_URL) and, for `status`, to a running labelchaind.
 *
 * Verbs live in one table: name, handler, one-line help.  Exit codes: 0
 * success, 1 a check failed or the input was bad, 2 usage or environment
 * error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include <config.h>

#include "cli/commands.h"
#include "labeling/log.h"

static const struct cli_verb verbs[] = { { "migrate", cmd_migrate,
					     "apply pending SQL migrations" },
	{ "verify", cmd_verify,
	    "check a label's proof (and its anchor with --rpc URL)" },
	{ "anchor", cmd_anchor, "anchor now | list | status" },
	{ "status", cmd_status,
	    "database, migrations and server health at a glance" },
	{ "account", cmd_account,
	    "account create --role requester --name NAME: print an API token" },
	{ "credit", cmd_credit,
	    "credit ACCOUNT AMOUNT: record an outside deposit (micro-credits)" },
	{ "reestimate", cmd_reestimate,
	    "reestimate PROJECT: re-fit its labelers now, finalize what passes" },
	{ "aggregate", cmd_aggregate,
	    "offline truth inference over a CSV of votes (--help)" },
	{ NULL, NULL, NULL } };

static void
usage(FILE *out)
{
	const struct cli_verb *v;

	fprintf(out,
	    "Usage: labelctl [--database-url URL] [--sql-dir DIR] VERB [ARGS]\n"
	    "The labelchain operator's tool.\n\nVerbs:\n");
	for (v = verbs; v->name != NULL; v++)
		fprintf(out, "  %-12s %s\n", v->name, v->help);
	fprintf(out,
	    "\nOptions and environment:\n"
	    "  --database-url URL  PostgreSQL connection (env DATABASE_URL)\n"
	    "  --sql-dir DIR       migrations (env LABELCHAIN_SQL_DIR, "
	    "default %s/sql)\n"
	    "  --server URL        labelchaind base URL for status (env "
	    "LABELCHAIN_URL,\n"
	    "                      default http://127.0.0.1:8080)\n"
	    "  --help              this help; `labelctl VERB --help` for a "
	    "verb\n\n"
	    "Exit status: 0 success, 1 a check failed or bad input, 2 usage "
	    "or\nenvironment error.\n",
	    PKGDATADIR);
}

int
main(int argc, char **argv)
{
	const struct cli_verb *v;
	struct cli_env	       env;
	const char	      *s;
	int		       i;

	if (sodium_init() < 0)
		return 2;
	lc_log_init(LC_LOG_WARN);
	memset(&env, 0, sizeof(env));
	env.database_url =
	    (s = getenv("DATABASE_URL")) ? s : "postgresql:///labelchain";
	env.sql_dir =
	    (s = getenv("LABELCHAIN_SQL_DIR")) ? s : PKGDATADIR "/sql";
	env.server_url =
	    (s = getenv("LABELCHAIN_URL")) ? s : "http://127.0.0.1:8080";
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("labelctl %s\n", PACKAGE_VERSION);
			return 0;
		} else if (i + 1 < argc &&
		    strcmp(argv[i], "--database-url") == 0)
			env.database_url = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--sql-dir") == 0)
			env.sql_dir = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--server") == 0)
			env.server_url = argv[++i];
		else if (argv[i][0] == '-') {
			fprintf(stderr,
			    "labelctl: unknown option \"%s\" "
			    "(see --help)\n",
			    argv[i]);
			return 2;
		} else
			break;
	}
	if (i == argc) {
		usage(stderr);
		return 2;
	}
	for (v = verbs; v->name != NULL; v++)
		if (strcmp(v->name, argv[i]) == 0)
			return v->run(&env, argc - i, argv + i);
	fprintf(stderr, "labelctl: unknown verb \"%s\" (see --help)\n",
	    argv[i]);
	return 2;
}
