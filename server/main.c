/*
 * server/main.c — labelchaind: configuration, migrations, the connection
 * pool, the HTTP server, and a clean shutdown on SIGTERM / SIGINT.
 *
 * Signals are blocked before any thread starts and taken synchronously with
 * sigwait() here, so no handler ever runs inside a request.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include <config.h>

#include "labeling/db.h"
#include "labeling/lc_err.h"
#include "labeling/log.h"
#include "labeling/migrate.h"
#include "server/anchor_worker.h"
#include "server/auth_cache.h"
#include "server/config.h"
#include "server/edge.h"
#include "server/maintenance.h"
#include "server/server.h"

#define STARTUP_DB_WAIT_S 30

/* Apply migrations, waiting for the database to come up if it is starting. */
static int
server_migrate(struct server *srv)
{
	struct timespec pause = { 0, 250 * 1000000L };
	struct db      *db = NULL;
	time_t		deadline = time(NULL) + STARTUP_DB_WAIT_S;
	int		rc, applied;

	while ((rc = db_open(srv->cfg.database_url, 0, &db)) != 0) {
		if (time(NULL) >= deadline)
			return rc;
		nanosleep(&pause, NULL);
	}
	rc = migrate_apply(db, &srv->migrations, &applied);
	if (rc == 0)
		lc_info("event=migrations_current applied=%d total=%zu",
		    applied, srv->migrations.n);
	db_close(db);
	return rc;
}

int
main(int argc, char **argv)
{
	struct server	      srv;
	struct anchor_worker *anchor = NULL;
	struct maintenance   *maint = NULL;
	sigset_t	      sigs;
	enum lc_log_level     level;
	int		      rc, sig, status = 1;

	memset(&srv, 0, sizeof(srv));
	rc = config_load(&srv.cfg, argc, argv);
	if (rc == 1)
		return 0;
	if (rc != 0)
		return 2;
	(void)lc_log_level_parse(srv.cfg.log_level, &level);
	lc_log_init(level);
	if (sodium_init() < 0) {
		lc_error("event=sodium_init_failed");
		goto out;
	}
	if (migrate_load(srv.cfg.sql_dir, &srv.migrations) != 0) {
		fprintf(stderr,
		    "labelchaind: cannot read migrations from "
		    "\"%s\" (set LABELCHAIN_SQL_DIR or --sql-dir)\n",
		    srv.cfg.sql_dir);
		status = 2;
		goto out;
	}
	if ((srv.web_root_real = realpath(srv.cfg.web_root, NULL)) == NULL)
		lc_warn("event=web_root_missing dir=%s error=\"%s\"",
		    srv.cfg.web_root, strerror(errno));

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (srv.cfg.migrate && (rc = server_migrate(&srv)) != 0) {
		lc_error("event=startup_failed step=migrate code=%s",
		    lc_err_info(rc)->symbol);
		goto out;
	}
	if ((rc = db_pool_create(srv.cfg.database_url, srv.cfg.db_pool,
		 &srv.pool)) != 0)
		goto out;
	if ((srv.auth_cache = auth_cache_create(srv.cfg.auth_cache_ttl_s)) ==
	    NULL)
		goto out;
	if (anchor_worker_start(&srv, &anchor) != 0) {
		status = 2;
		goto out;
	}
	srv.anchor = anchor;
	if (maintenance_start(&srv, &maint) != 0)
		goto out;
	srv.maintenance = maint;
	if (edge_create(&srv.cfg, &srv.edge) != 0)
		goto out;
	if (http_start(&srv) != 0)
		goto out;
	lc_info("event=started version=%s pid=%d", PACKAGE_VERSION,
	    (int)getpid());

	while (sigwait(&sigs, &sig) != 0 || (sig != SIGTERM && sig != SIGINT))
		;
	lc_info("event=shutdown signal=%s in_flight=%d",
	    sig == SIGTERM ? "TERM" : "INT", atomic_load(&srv.in_flight));
	http_stop(&srv);
	status = 0;
	lc_info("event=stopped");
out:
	http_stop(&srv);
	edge_free(srv.edge);
	srv.edge = NULL;
	anchor_worker_stop(srv.anchor);
	srv.anchor = NULL;
	maintenance_stop(srv.maintenance);
	srv.maintenance = NULL;
	db_pool_free(srv.pool);
	auth_cache_free(srv.auth_cache);
	migrate_set_free(&srv.migrations);
	free(srv.web_root_real);
	config_free(&srv.cfg);
	return status;
}
