/*
 * cli/cmd_account.c — `labelctl account create` and `labelctl credit`.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "labeling/account.h"
#include "labeling/db.h"
#include "labeling/lc_err.h"
#include "labeling/ledger.h"
#include "labeling/market.h"

int
cmd_account(const struct cli_env *env, int argc, char **argv)
{
	struct db  *db = NULL;
	const char *name = NULL;
	char	    token[AUTH_TOKEN_LEN + 1], detail[LC_DETAIL_LEN] = "";
	unsigned    roles = 0;
	int64_t	    id;
	int	    i, rc, status = 2;

	if (cli_wants_help(argc, argv,
		"Usage: labelctl account create --role requester|labeler "
		"[--role ...] --name NAME\n"
		"Create an account and print its id and API token (shown once; "
		"only its\nhash is stored).  Use it as `Authorization: Bearer "
		"TOKEN`.\n"))
		return 0;
	if (argc < 2 || strcmp(argv[1], "create") != 0) {
		fprintf(stderr, "labelctl account: expected \"create\"\n");
		return 2;
	}
	for (i = 2; i < argc; i++) {
		if (i + 1 < argc && strcmp(argv[i], "--role") == 0) {
			i++;
			if (strcmp(argv[i], "requester") == 0)
				roles |= ACCOUNT_ROLE_REQUESTER;
			else if (strcmp(argv[i], "labeler") == 0)
				roles |= ACCOUNT_ROLE_LABELER;
			else {
				fprintf(stderr,
				    "labelctl account: unknown "
				    "role \"%s\"\n",
				    argv[i]);
				return 2;
			}
		} else if (i + 1 < argc && strcmp(argv[i], "--name") == 0)
			name = argv[++i];
		else {
			fprintf(stderr,
			    "labelctl account: unexpected "
			    "argument \"%s\"\n",
			    argv[i]);
			return 2;
		}
	}
	if (name == NULL || roles == 0) {
		fprintf(stderr,
		    "labelctl account create: --name and --role "
		    "are required\n");
		return 2;
	}
	if (db_open(env->database_url, 1, &db) != 0) {
		fprintf(stderr,
		    "labelctl account: cannot connect to the "
		    "database\n");
		return 2;
	}
	rc = account_create(db, name, roles, &id, token, detail);
	if (rc != 0) {
		fprintf(stderr, "labelctl account create: %s%s%s\n",
		    lc_err_info(rc)->title, detail[0] ? ": " : "", detail);
		status = 1;
		goto out;
	}
	printf("id=%" PRId64 "\ntoken=%s\n", id, token);
	status = 0;
out:
	db_close(db);
	return status;
}

int
cmd_credit(const struct cli_env *env, int argc, char **argv)
{
	struct db *db = NULL;
	char	   detail[LC_DETAIL_LEN] = "", *end;
	long long  amount;
	int64_t	   id;
	int	   rc, status = 2;

	if (cli_wants_help(argc, argv,
		"Usage: labelctl credit ACCOUNT AMOUNT\n"
		"Record an outside deposit: mint AMOUNT micro-credits into the "
		"balance of\nACCOUNT (an id, a name or a hex public key).\n"))
		return 0;
	if (argc != 3) {
		fprintf(stderr, "labelctl credit: expected ACCOUNT AMOUNT\n");
		return 2;
	}
	errno = 0;
	amount = strtoll(argv[2], &end, 10);
	if (errno != 0 || *end != '\0' || amount <= 0) {
		fprintf(stderr,
		    "labelctl credit: AMOUNT must be a positive "
		    "integer (micro-credits)\n");
		return 2;
	}
	if (db_open(env->database_url, 1, &db) != 0) {
		fprintf(stderr,
		    "labelctl credit: cannot connect to the "
		    "database\n");
		return 2;
	}
	if ((rc = account_resolve(db, argv[1], &id)) != 0) {
		fprintf(stderr, "labelctl credit: no account \"%s\"\n",
		    argv[1]);
		status = 1;
		goto out;
	}
	if ((rc = ledger_credit(db, id, amount, detail)) != 0) {
		fprintf(stderr, "labelctl credit: %s%s%s\n",
		    lc_err_info(rc)->title, detail[0] ? ": " : "", detail);
		status = 1;
		goto out;
	}
	printf("account=%" PRId64 " credited=%lld\n", id, amount);
	status = 0;
out:
	db_close(db);
	return status;
}
