/*
 * server/config.h — labelchaind's configuration.
 *
 * One table (config.c) drives parsing of defaults, environment variables and
 * command-line flags (in that order of precedence, flags last), `--help`,
 * and the README's configuration section.  A bad value is fatal at start-up
 * (exit code 2), never at request time.
 */
#ifndef LC_CONFIG_H
#define LC_CONFIG_H

#include <stdio.h>

struct config {
	char	 *listen_host; /* from listen "HOST:PORT" */
	int	  listen_port;
	char	 *database_url;
	char	 *rpc_url; /* "" disables anchoring */
	char	 *chain_key_file;
	char	 *anchor_address; /* "" means the sender */
	int	  anchor_interval_s;
	int	  anchor_max_pending;
	int	  anchor_confirmations;
	long long anchor_max_fee; /* wei per gas, the ceiling of any attempt */
	char	 *web_root;
	char	 *sql_dir;
	int	  threads;
	int	  db_pool;
	int	  migrate; /* apply migrations at start-up */
	int	  shutdown_timeout_s;
	int	  session_ttl_s;
	int	  auth_cache_ttl_s; /* 0: every request checks its token */
	int	  lease_s;
	int	  unstake_cooldown_s;
	char	 *log_level;
	/* Limits at the edge (server/edge.h): connections, timeouts, rates. */
	int   max_connections;
	int   max_connections_per_address;
	char *limits_exempt; /* CIDR list */
	int   header_timeout_s;
	int   body_timeout_s;
	int   body_min_rate; /* bytes per second */
	int   idle_timeout_s;
	int   max_uploads;
	char *rate_signin; /* "RATE/UNIT:BURST" or "off" (ratelimit.h) */
	char *rate_label;
	char *rate_label_address;
	char *rate_upload;
	char *rate_upload_address;
};

/*
 * Fill `cfg` from defaults, then the environment, then argv.  Returns 0,
 * 1 when --help or --version was printed (exit 0), or -1 after printing
 * an error to stderr (exit 2).  Free with config_free().
 */
int  config_load(struct config *cfg, int argc, char **argv);
void config_free(struct config *cfg);
void config_usage(FILE *out);
/* Print the effective configuration (no secrets) as key=value lines. */
void config_print(const struct config *cfg, FILE *out);

#endif
