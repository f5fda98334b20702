/*
 * server/server.h — the state labelchaind shares between its threads.
 *
 * Everything here is created at start-up and read-only afterwards, except
 * the pool (its own lock) and the metrics (atomics).
 */
#ifndef LC_SERVER_H
#define LC_SERVER_H

#include <stdatomic.h>

#include "labeling/migrate.h"
#include "server/config.h"

struct auth_cache;
struct db_pool;
struct edge;
struct MHD_Daemon;

struct server {
	struct config	     cfg;
	struct db_pool	    *pool;
	struct auth_cache   *auth_cache; /* recently resolved tokens */
	struct edge	    *edge;	 /* rates, upload slots, deadlines */
	struct migration_set migrations;
	struct MHD_Daemon   *daemon;
	char		    *web_root_real; /* realpath of cfg.web_root */
	atomic_int	     in_flight;	    /* requests being handled */
	atomic_int	     shutting_down;
	void		    *anchor;	  /* the anchoring worker, if any */
	void		    *maintenance; /* log sequencer and lease sweep */
};

int http_start(struct server *srv);
/* Stop accepting, wait for in-flight requests (up to the timeout), stop. */
void http_stop(struct server *srv);

#endif
