/*
 * cli/cmd_core.c — `labelctl migrate` and `labelctl status`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "cli/aggregate.h"
#include "cli/commands.h"
#include "labeling/db.h"
#include "labeling/lc_err.h"
#include "labeling/migrate.h"

int
cli_wants_help(int argc, char **argv, const char *text)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			fputs(text, stdout);
			return 1;
		}
	return 0;
}

int
cmd_migrate(const struct cli_env *env, int argc, char **argv)
{
	struct migration_set set;
	struct db	    *db = NULL;
	int		     rc, applied = 0, status = 2;

	if (cli_wants_help(argc, argv,
		"Usage: labelctl migrate\n"
		"Apply the pending migrations of the SQL directory in order, each "
		"in its own\ntransaction.  Refuses (exit 1) when an applied file "
		"has changed.\n"))
		return 0;
	if (argc > 1) {
		fprintf(stderr,
		    "labelctl migrate: unexpected argument "
		    "\"%s\"\n",
		    argv[1]);
		return 2;
	}
	if (migrate_load(env->sql_dir, &set) != 0) {
		fprintf(stderr,
		    "labelctl migrate: cannot read migrations "
		    "from %s\n",
		    env->sql_dir);
		return 2;
	}
	if (db_open(env->database_url, 0, &db) != 0) {
		fprintf(stderr,
		    "labelctl migrate: cannot connect to the "
		    "database\n");
		goto out;
	}
	rc = migrate_apply(db, &set, &applied);
	if (rc == LC_ERR_MIGRATION) {
		fprintf(stderr,
		    "labelctl migrate: refused: an applied "
		    "migration changed or failed (see the log above); "
		    "schema changes go in a new file\n");
		status = 1;
		goto out;
	}
	if (rc != 0) {
		fprintf(stderr, "labelctl migrate: failed: %s\n",
		    lc_err_info(rc)->title);
		goto out;
	}
	printf("applied %d migration%s; %zu in total, schema current\n",
	    applied, applied == 1 ? "" : "s", set.n);
	status = 0;
out:
	db_close(db);
	migrate_set_free(&set);
	return status;
}

static size_t
status_sink(char *ptr, size_t size, size_t nmemb, void *arg)
{
	return size * nmemb;
}

/* HTTP status of GET base+path, or 0 when the server does not answer. */
static long
status_http_get(const char *base, const char *path)
{
	CURL *c;
	char  url[1024];
	long  code = 0;

	snprintf(url, sizeof(url), "%s%s", base, path);
	if ((c = curl_easy_init()) == NULL)
		return 0;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 3000L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 1000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, status_sink);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(c);
	return code;
}

int
cmd_status(const struct cli_env *env, int argc, char **argv)
{
	struct migration_set set;
	struct db	    *db = NULL;
	PGresult	    *res = NULL;
	long		     health, ready;
	int		     pending = 0, changed = 0, unknown = 0, ok = 1;
	int		     have_set;

	if (cli_wants_help(argc, argv,
		"Usage: labelctl status\n"
		"Print the database, migration and server health.  Exit 0 when "
		"all are well,\n1 otherwise.\n"))
		return 0;
	have_set = migrate_load(env->sql_dir, &set) == 0;
	if (db_open(env->database_url, 0, &db) == 0 &&
	    db_exec_sql(db, "SELECT current_setting('server_version')", &res) ==
		0) {
		printf("database:   ok (PostgreSQL %s)\n",
		    PQgetvalue(res, 0, 0));
		if (have_set &&
		    migrate_check(db, &set, &pending, &changed, &unknown) ==
			0) {
			printf("migrations: %zu known, %d pending, %d changed, "
			       "%d unknown to this build\n",
			    set.n, pending, changed, unknown);
			ok = ok && pending == 0 && changed == 0;
		} else {
			printf("migrations: cannot read %s\n", env->sql_dir);
			ok = 0;
		}
	} else {
		printf("database:   unreachable\n");
		ok = 0;
	}
	PQclear(res);
	db_close(db);
	if (have_set)
		migrate_set_free(&set);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	health = status_http_get(env->server_url, "/healthz");
	ready = status_http_get(env->server_url, "/readyz");
	curl_global_cleanup();
	if (health == 0)
		printf("server:     %s does not answer\n", env->server_url);
	else
		printf("server:     %s healthz %ld, readyz %ld\n",
		    env->server_url, health, ready);
	ok = ok && health == 200 && ready == 200;
	return ok ? 0 : 1;
}

/* `labelctl aggregate` needs no database: see cli/aggregate.h. */
int
cmd_aggregate(const struct cli_env *env, int argc, char **argv)
{
	return aggregate_main(argc, argv);
}
